using GenAiObs.Cli.Export;
using System.Collections;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Spans;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// Properties over the decoders and parsers with random bytes and mutated valid records: nothing
/// ever throws, every event is accounted for (accepted + rejected = events), every reason is a
/// named one, accepted values stay within the documented bounds, and a rejection's detail never
/// carries input text.
/// </summary>
public sealed class HostileInputPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400);
    private static readonly PriceTable Prices = PriceTable.LoadDefault();
    private static readonly DateTimeOffset At = new(2026, 11, 20, 14, 3, 27, TimeSpan.Zero);

    private static readonly HashSet<string> KnownReasons = typeof(RejectReasons).GetFields()
        .Select(f => (string)f.GetValue(null)!)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Valid records of every kind the pipeline meets: all invocation fixtures, every fixture span, the canary records.</summary>
    private static readonly byte[][] Seeds =
    [
        .. TestEvents.AllFixtureNames().Select(TestEvents.CompactFixture),
        .. SpanFixtures.All.SelectMany(SpanFixtures.Lines).Select(Encoding.UTF8.GetBytes),
        Encoding.UTF8.GetBytes(PiiCanary.InvocationRecord(At)),
        Encoding.UTF8.GetBytes(PiiCanary.ModelCallSpan(At)),
    ];

    /// <summary>What a mutation splices in: structure, escapes, absurd numbers, invalid UTF-8.</summary>
    private static readonly byte[][] Tokens =
    [
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), "\""u8.ToArray(), ":"u8.ToArray(), ","u8.ToArray(),
        "\\"u8.ToArray(), "\\u0000"u8.ToArray(), "\\uD800"u8.ToArray(), "null"u8.ToArray(), "true"u8.ToArray(), "-1"u8.ToArray(),
        "1e400"u8.ToArray(), "-0.5"u8.ToArray(), "99999999999999999999999"u8.ToArray(), "NaN"u8.ToArray(),
        "\"schemaType\":\"ModelInvocationLog\","u8.ToArray(), "\"traceId\":\"x\",\"spanId\":\"y\","u8.ToArray(), "\"durationNano\":-7,"u8.ToArray(),
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], new byte[300].Select(_ => (byte)'[').ToArray(),
    ];

    private static Gen<byte[]> MutatedRecord { get; } =
        from seed in Gen.Choose(0, Seeds.Length - 1)
        from count in Gen.Choose(1, 5)
        from operations in Gen.ArrayOf(Gen.Four(Gen.Choose(0, int.MaxValue)), count)
        select Mutate(Seeds[seed], operations);

    private static Gen<byte[]> RandomBytes { get; } = ArbMap.Default.GeneratorFor<byte[]>();

    [Fact]
    public void DecodeLambdaEventAndDecodeFile_ForRandomBytesAtEveryLayer_ShouldNeverThrowAndAlwaysExplainAnEmptyResult()
    {
        // Random bytes as the event itself, as the base64 payload, and as the gzipped payload.
        var inputs = from bytes in RandomBytes
                     from layer in Gen.Choose(0, 3)
                     select layer switch
                     {
                         0 => bytes,
                         1 => Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + Convert.ToBase64String(bytes) + "\"}}"),
                         2 => TestEvents.SubscriptionEvent(bytes),
                         _ => TestEvents.KinesisEvent(TestEvents.GzipBase64(bytes), TestEvents.GzipBase64(TestEvents.DataMessage(Seeds[0]))),
                     };

        var property = Prop.ForAll(inputs.ToArbitrary(), input =>
        {
            using var lambda = LambdaEventDecoder.Decode(input);
            using var file = ExportFileReader.ReadWhole(input);
            using var gzippedFile = ExportFileReader.ReadWhole(TestEvents.Gzip(input));
            foreach (var delivery in new[] { lambda, file, gzippedFile })
            {
                Assert.All(delivery.Rejections, r => Assert.Contains(r.Reason, KnownReasons));
                Assert.True(delivery.Events.Count + delivery.Rejections.Count + delivery.ControlMessages > 0, "an empty result must say why");
            }
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void ProcessLambdaEvent_ForDeliveriesOfMutatedRecords_ShouldAccountForEveryEventByName()
    {
        var deliveries = from count in Gen.Choose(1, 8)
                         from records in Gen.ArrayOf(MutatedRecord, count)
                         select records;
        var processor = new BatchProcessor(Prices);

        var property = Prop.ForAll(deliveries.ToArbitrary(), records =>
        {
            var result = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(records)));

            // Every record is an event: accepted, or rejected once under its own id.
            Assert.Equal(records.Length, result.EventCount);
            Assert.Equal(records.Length, result.Invocations.Count + result.Spans.Count + result.Feedback.Count + result.Evaluations.Count + result.RejectedCount);
            Assert.All(result.Rejections, r => Assert.NotNull(r.EventId));
            HostileInputCorpusTests.AssertAccountedFor(result);
            AssertWellFormed(result);
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void ProcessLambdaEvent_ForMutatedLambdaEvents_ShouldNeverThrowAndKeepTheAccounting()
    {
        // Mutations applied to the event JSON (the envelope) and to the decoded payload.
        var events = from records in Gen.ArrayOf(Gen.Elements(Seeds), 3)
                     from layer in Gen.Choose(0, 1)
                     from operations in Gen.ArrayOf(Gen.Four(Gen.Choose(0, int.MaxValue)), 2)
                     select layer == 0
                         ? Mutate(TestEvents.SubscriptionEvent(TestEvents.DataMessage(records)), operations)
                         : TestEvents.SubscriptionEvent(Mutate(TestEvents.DataMessage(records), operations));
        var processor = new BatchProcessor(Prices);

        var property = Prop.ForAll(events.ToArbitrary(), lambdaEvent =>
        {
            var result = processor.ProcessLambdaEvent(lambdaEvent);

            HostileInputCorpusTests.AssertAccountedFor(result);
            AssertWellFormed(result);
            Assert.True(result.EventCount + result.Rejections.Count + result.ControlMessages > 0, "an empty result must say why");
        });

        Check.One(Runs, property);
    }

    [Fact]
    public void InvocationLogParserAndSpanParser_ForMutatedAndRandomRecords_ShouldNeverThrowAndKeepAcceptedValuesInBounds()
    {
        var messages = Gen.Frequency((4, MutatedRecord), (1, RandomBytes));

        var property = Prop.ForAll(messages.ToArbitrary(), message =>
        {
            var logEvent = new LogEvent("ev-prop", 1_795_000_000_000, message);

            var parsed = InvocationLogParser.TryParse(logEvent, out var record, out var rejection);
            var span = SpanParser.Parse(logEvent);

            if (parsed)
            {
                Assert.InRange(record!.InputTokens, 0, InvocationLogParser.MaxTokenCount);
                Assert.InRange(record.OutputTokens, 0, InvocationLogParser.MaxTokenCount);
                Assert.InRange(record.CacheReadTokens, 0, InvocationLogParser.MaxTokenCount);
                Assert.InRange(record.CacheWriteTokens, 0, InvocationLogParser.MaxTokenCount);
                Assert.True(record.LatencyMs is null or (>= 0 and <= InvocationLogParser.MaxLatencyMs));
                Assert.True(record.TimeToFirstTokenMs is null or (>= 0 and <= InvocationLogParser.MaxLatencyMs));
                Assert.Contains(record.StopReason, StopReasonValues);
                Assert.False(string.IsNullOrEmpty(record.ModelId));
            }
            else
            {
                Assert.Equal(("ev-prop", 1, RecordSources.Invocation), (rejection!.EventId, rejection.Count, rejection.Source));
            }

            if (span.Span is { } accepted)
            {
                Assert.InRange(accepted.DurationMs, 0, SpanParser.MaxDurationNanos / 1e6);
                Assert.InRange(accepted.InputTokens, 0, SpanParser.MaxTokenCount);
                Assert.InRange(accepted.OutputTokens, 0, SpanParser.MaxTokenCount);
                Assert.All(accepted.FinishReasons, reason => Assert.Contains(reason, StopReasonValues));
            }
            else
            {
                Assert.Equal(("ev-prop", 1), (span.Rejection!.EventId, span.Rejection.Count));
                Assert.Contains(span.Rejection.Reason, KnownReasons);
            }
        });

        Check.One(Runs.WithMaxTest(1500), property);
    }

    private static readonly HashSet<string> StopReasonValues = typeof(StopReasons).GetFields()
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetValue(null)!)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Named reasons only, and no rejection detail that quotes the input (details are field names).</summary>
    private static void AssertWellFormed(BatchResult result)
    {
        foreach (var rejection in result.Rejections)
        {
            Assert.Contains(rejection.Reason, KnownReasons);
            Assert.Empty(PiiCanary.Find(rejection.Detail));
            Assert.DoesNotContain("CANARY", rejection.Detail ?? string.Empty, StringComparison.Ordinal);
            Assert.True((rejection.Detail?.Length ?? 0) <= 120, $"detail too long to be a field name: {rejection.Detail?.Length}");
        }

        Assert.All(result.Invocations, i => Assert.Contains(i.Record.StopReason, StopReasonValues));
        Assert.All(result.Spans, s => Assert.InRange(s.Span.DurationMs, 0, SpanParser.MaxDurationNanos / 1e6));
    }

    /// <summary>Applies (kind, position, length, token) operations: replace, insert, delete, duplicate, truncate.</summary>
    private static byte[] Mutate(byte[] original, IEnumerable<(int Kind, int Position, int Length, int Token)> operations)
    {
        var bytes = new List<byte>(original);
        foreach (var (kind, position, length, token) in operations)
        {
            if (bytes.Count == 0)
            {
                bytes.AddRange(Tokens[token % Tokens.Length]);
                continue;
            }

            var at = position % bytes.Count;
            var span = Math.Min(1 + (length % 64), bytes.Count - at);
            switch (kind % 5)
            {
                case 0:
                    bytes.RemoveRange(at, Math.Min(Tokens[token % Tokens.Length].Length, span));
                    bytes.InsertRange(at, Tokens[token % Tokens.Length]);
                    break;
                case 1:
                    bytes.InsertRange(at, Tokens[token % Tokens.Length]);
                    break;
                case 2:
                    bytes.RemoveRange(at, span);
                    break;
                case 3:
                    bytes.InsertRange(at, bytes.GetRange(at, span));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] Mutate(byte[] original, IEnumerable<Tuple<int, int, int, int>> operations) =>
        Mutate(original, operations.Select(o => (o.Item1, o.Item2, o.Item3, o.Item4)));
}
