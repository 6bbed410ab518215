using GenAiObs.Cli.Export;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Parsing;

/// <summary>Corrupted input of every kind must end as records or named rejections, never as an exception.</summary>
public class RobustnessTests
{
    private const string MutationAlphabet = "{}[]\":,0-9aZ\\\u00ff";

    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    private static readonly HashSet<string> KnownReasons = typeof(RejectReasons)
        .GetFields()
        .Select(f => (string)f.GetValue(null)!)
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void ProcessDelivery_WhenFixturesAreRandomlyCorrupted_ShouldNeverThrowAndOnlyUseNamedReasons()
    {
        var random = new Random(20261127);
        var processor = new BatchProcessor(Prices);
        var total = 0;
        foreach (var name in TestEvents.AllFixtureNames())
        {
            var original = TestEvents.CompactFixture(name);
            var mutants = new List<byte[]>();
            for (var i = 0; i < 150; i++)
            {
                var mutant = (byte[])original.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    mutant[random.Next(mutant.Length)] = (byte)MutationAlphabet[random.Next(MutationAlphabet.Length)];
                }

                mutants.Add(random.Next(10) == 0 ? mutant[..random.Next(mutant.Length)] : mutant);
            }

            using var delivery = LambdaEventDecoder.Decode(TestEvents.SubscriptionEvent(TestEvents.DataMessage(mutants.ToArray())));
            var result = processor.ProcessDelivery(delivery);

            total += result.Invocations.Count + result.RejectedCount;
            Assert.All(result.Rejections, r => Assert.Contains(r.Reason, KnownReasons));
            Assert.Equal(mutants.Count, result.Invocations.Count + result.RejectedCount);
        }

        Assert.True(total > 0);
    }

    [Fact]
    public void DecodeLambdaEventAndDecodeFile_WhenBytesAreRandom_ShouldNeverThrow()
    {
        var random = new Random(7);
        var valid = TestEvents.SubscriptionEvent(TestEvents.DataMessage(TestEvents.CompactFixture("invoke-llama.json")));
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            using var lambda = LambdaEventDecoder.Decode(bytes);
            using var file = ExportFileReader.ReadWhole(bytes);
            using var gzipped = ExportFileReader.ReadWhole(TestEvents.Gzip(bytes).AsSpan(0, random.Next(10, 200)));

            Assert.True(lambda.Events.Count + lambda.Rejections.Count > 0);
            Assert.True(file.Events.Count + file.Rejections.Count > 0);
            Assert.True(gzipped.Events.Count + gzipped.Rejections.Count > 0);
        }
    }
}
