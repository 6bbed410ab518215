using System.Buffers;
using System.Text;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using Xunit;

namespace GenAiObs.Tests.Parsing;

/// <summary>
/// <see cref="ProcessingOptions.ReleaseMessagesAsProcessed"/>: replay gives a delivery's message
/// buffers back while it parses, so its reader can fill the next delivery; the results are the same.
/// </summary>
public sealed class BatchProcessorMessageReleaseTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    [Fact]
    public void ProcessDelivery_WhenReleasingMessagesAsProcessed_ShouldReturnEveryBufferButTheLastEventsAndPriceTheSame()
    {
        // Arrange: ten 100 KB records, two to a 256 KB buffer, delivered twice from counting pools.
        var releasingPool = new CountingPool();
        var keepingPool = new CountingPool();
        using var releasing = Delivery(releasingPool);
        using var keeping = Delivery(keepingPool);

        // Act
        var released = new BatchProcessor(Prices, DecoderLimits.Default, new ProcessingOptions { ReleaseMessagesAsProcessed = true }).ProcessDelivery(releasing);
        var kept = new BatchProcessor(Prices, DecoderLimits.Default).ProcessDelivery(keeping);

        // Assert: only the buffer of the last event is still out; the default keeps all five until disposal.
        Assert.Equal(5, releasingPool.Rented);
        Assert.Equal(1, releasingPool.Outstanding);
        Assert.Equal(5, keepingPool.Outstanding);
        Assert.Equal(10, released.Invocations.Count);
        Assert.Empty(released.Rejections);
        Assert.Equal(kept.Invocations.Select(i => (i.Record.RequestId, i.CostUsd)), released.Invocations.Select(i => (i.Record.RequestId, i.CostUsd)));
        Assert.Equal(kept.BatchId, released.BatchId);
    }

    [Fact]
    public void Dispose_WhenMessagesWereReleasedBefore_ShouldReturnEachBufferOnce()
    {
        // Arrange
        var pool = new CountingPool();
        var delivery = Delivery(pool);
        new BatchProcessor(Prices, DecoderLimits.Default, new ProcessingOptions { ReleaseMessagesAsProcessed = true }).ProcessDelivery(delivery);

        // Act (the pool fails on a buffer returned twice)
        delivery.Dispose();

        // Assert
        Assert.Equal(0, pool.Outstanding);
    }

    private static DecodedDelivery Delivery(ArrayPool<byte> pool)
    {
        var record = Encoding.UTF8.GetString(TestEvents.CompactFixture("invoke-titan.json"));
        using var builder = new DeliveryBuilder(DecoderLimits.Default, 0, pool);
        for (var i = 0; i < 10; i++)
        {
            var padded = record
                .Replace("\"requestId\":\"", "\"requestId\":\"" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal)
                .Replace("\"inputBodyJson\":{", "\"inputBodyJson\":{\"pad\":\"" + new string('p', 100 * 1024) + "\",", StringComparison.Ordinal);
            builder.AddRawRecord(Encoding.UTF8.GetBytes(padded));
        }

        return builder.Build();
    }

    /// <summary>Hands out fresh buffers and checks each comes back once.</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _outstanding = [];

        public int Rented { get; private set; }

        public int Outstanding => _outstanding.Count;

        public override byte[] Rent(int minimumLength)
        {
            var buffer = new byte[minimumLength];
            _outstanding.Add(buffer);
            Rented++;
            return buffer;
        }

        public override void Return(byte[] array, bool clearArray = false) =>
            Assert.True(_outstanding.Remove(array), "a buffer came back twice or was never rented here");
    }
}
