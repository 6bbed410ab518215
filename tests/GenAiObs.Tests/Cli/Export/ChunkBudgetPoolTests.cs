using GenAiObs.Cli.Export;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>
/// The reader's chunk pool bounded in bytes (issue #13: peak memory independent of the input): the
/// reader waits for handed-over chunks to come back instead of running ahead of a lagging consumer,
/// and never waits for the delivery it is filling itself. No timing: a wait is observed through
/// <see cref="ChunkBudgetPool.IsWaiting"/>.
/// </summary>
public sealed class ChunkBudgetPoolTests
{
    private const int Chunk = 256 * 1024;

    [Fact]
    public async Task Rent_WhenHandedOverChunksFillTheBudget_ShouldWaitUntilTheConsumerReturnsOne()
    {
        // Arrange: a budget of four chunks, all rented for a delivery that is then handed over.
        using var pool = new ChunkBudgetPool(4L * Chunk);
        var handedOver = Enumerable.Range(0, 4).Select(_ => pool.Rent(Chunk)).ToList();
        pool.HandOver();

        // Act: the reader asks for a fifth chunk on a thread of its own.
        var rent = Task.Run(() => pool.Rent(Chunk));
        SpinWait.SpinUntil(() => pool.IsWaiting || rent.IsCompleted);
        var waitedWhileFull = pool.IsWaiting && !rent.IsCompleted;
        pool.Return(handedOver[0]);
        var fifth = await rent;

        // Assert
        Assert.True(waitedWhileFull, "the fifth chunk was rented while four handed-over chunks held the budget");
        Assert.Equal(Chunk, fifth.Length);
        Assert.Equal(4L * Chunk, pool.OutstandingBytes);
        Assert.Equal(4L * Chunk, pool.PeakBytes);
        Assert.True(pool.WaitedTicks > 0);
    }

    [Fact]
    public void Rent_WhenOnlyTheDeliveryBeingFilledHoldsTheBudget_ShouldNotWait()
    {
        // Arrange: a budget of two chunks; nothing handed over.
        using var pool = new ChunkBudgetPool(2L * Chunk);

        // Act: one delivery larger than the budget, rented on this thread (a wait would never end).
        var chunks = Enumerable.Range(0, 5).Select(_ => pool.Rent(Chunk)).ToList();

        // Assert
        Assert.Equal(5, chunks.Count);
        Assert.Equal(5L * Chunk, pool.OutstandingBytes);
        Assert.False(pool.IsWaiting);
    }

    [Fact]
    public void Rent_WhenPartOfTheBudgetIsHandedOver_ShouldRentUpToTheBudgetWithoutWaiting()
    {
        // Arrange: a budget of four chunks, two of them in a handed-over delivery.
        using var pool = new ChunkBudgetPool(4L * Chunk);
        pool.Rent(Chunk);
        pool.Rent(Chunk);
        pool.HandOver();

        // Act: the next delivery takes the two chunks left.
        pool.Rent(Chunk);
        pool.Rent(Chunk);

        // Assert
        Assert.Equal(4L * Chunk, pool.OutstandingBytes);
        Assert.Equal(0, pool.WaitedTicks);
    }

    [Fact]
    public async Task Rent_WhenTheConsumerStopsWhileTheReaderWaits_ShouldThrowOperationCanceled()
    {
        // Arrange: a full budget of handed-over chunks that nobody will return.
        using var stop = new CancellationTokenSource();
        using var pool = new ChunkBudgetPool(Chunk, stop.Token);
        pool.Rent(Chunk);
        pool.HandOver();
        var rent = Task.Run(() => pool.Rent(Chunk));
        SpinWait.SpinUntil(() => pool.IsWaiting || rent.IsCompleted);

        // Act
        await stop.CancelAsync();

        // Assert
        await Assert.ThrowsAsync<OperationCanceledException>(() => rent);
    }
}
