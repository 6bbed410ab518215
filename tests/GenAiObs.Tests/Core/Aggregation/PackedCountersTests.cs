using GenAiObs.Core.Aggregation;
using Xunit;

namespace GenAiObs.Tests.Store;

public sealed class PackedCountersTests
{
    [Fact]
    public void Unpack_WhenMergedLikeAggregateCounters_ShouldGiveTheSameNamesValuesAndOrderAsClone()
    {
        var packer = new PackedCounters();
        var packed = PackedCounters.Empty;
        var reference = new AggregateCounters();
        var random = new Random(13);
        var names = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"{CounterNames.StopReasonPrefix}{i}" : CounterNames.HistogramBin(HistogramFamily.Latency, i)).ToArray();

        for (var round = 0; round < 200; round++)
        {
            var delta = new AggregateCounters();
            for (var j = random.Next(1, 8); j > 0; j--)
            {
                // Negative, zero and large values: sums that reach zero keep their place, zero adds are dropped.
                delta.Add(names[random.Next(names.Length)], random.Next(4) switch { 0 => -1, 1 => 1, 2 => 0, _ => long.MaxValue / 1_000 });
            }

            packed = packer.Merge(packed, delta);
            reference.Merge(delta);

            Assert.Equal(reference.Clone().Values.ToArray(), packer.Unpack(packed).Values.ToArray());
        }
    }

    [Fact]
    public void Merge_WhenNothingIsAdded_ShouldUnpackToAnEmptyBag()
    {
        var packer = new PackedCounters();

        var packed = packer.Merge(PackedCounters.Empty, new AggregateCounters([new(CounterNames.Requests, 0)]));

        Assert.True(packer.Unpack(packed).IsEmpty);
        Assert.True(packer.Unpack(PackedCounters.Empty).IsEmpty);
    }

    [Fact]
    public void Merge_WhenACounterSumsToZero_ShouldKeepItsPlaceForLaterAdds()
    {
        var packer = new PackedCounters();
        var packed = packer.Merge(PackedCounters.Empty, new AggregateCounters([new("a", 1), new("b", 2)]));

        packed = packer.Merge(packed, new AggregateCounters([new("a", -1), new("c", 3)]));
        var withoutA = packer.Unpack(packed).Values.Keys.ToArray();
        packed = packer.Merge(packed, new AggregateCounters([new("a", 5)]));

        Assert.Equal(["b", "c"], withoutA);
        Assert.Equal(["a", "b", "c"], packer.Unpack(packed).Values.Keys.ToArray());
        Assert.Equal(5, packer.Unpack(packed)["a"]);
    }
}
