using GenAiObs.Cli.Export;
using System.Text;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>What one corpus case must produce.</summary>
/// <param name="Events">Log events seen (BatchResult.EventCount).</param>
/// <param name="Invocations">Accepted invocation records.</param>
/// <param name="Spans">Accepted spans.</param>
/// <param name="Rejections">Reject reasons, in order (envelope ones first, as the decoder meets them).</param>
/// <param name="ControlMessages">CONTROL_MESSAGE payloads dropped.</param>
/// <param name="Check">Further assertions on accepted values.</param>
internal sealed record Outcome(int Events, int Invocations, int Spans, string[] Rejections, int ControlMessages = 0, Action<BatchResult>? Check = null)
{
    public static Outcome Rejected(int events, params string[] reasons) => new(events, 0, 0, reasons);

    public static Outcome Accepted(int invocations, Action<BatchResult>? check = null) => new(invocations, invocations, 0, [], 0, check);
}

/// <summary>One named hostile input: a Lambda event (or, for <see cref="IsFile"/>, a file given to the CLI).</summary>
internal sealed record CorpusCase(Func<byte[]> Input, Outcome Expected, bool IsFile = false);

/// <summary>
/// The hostile-input corpus: each case names its input and the exact outcome — which events are
/// accepted with which values, which are rejected with which reason. Nothing may throw, and every
/// event is accounted for. Decisions pinned here (documented in docs/operations.md, Guarantees):
/// duplicate JSON keys — the LAST occurrence wins (the parsers read forward and overwrite), except
/// that any schemaType other than ModelInvocationLog rejects the record wherever it appears;
/// out-of-range latencies are ignored (the record is kept), out-of-range token counts reject it.
/// </summary>
public sealed class HostileInputCorpusTests
{
    private const string Head = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0" """;
    private static readonly PriceTable Prices = PriceTable.LoadDefault();
    private static readonly DateTimeOffset At = new(2026, 11, 20, 14, 3, 27, TimeSpan.Zero);

    private static readonly Dictionary<string, CorpusCase> Cases = new(StringComparer.Ordinal)
    {
        // ---- Broken envelopes: the whole delivery is rejected by name (one rejection, no event id).
        ["truncated base64"] = new(() => Truncate(Subscription(Record()), 3), Outcome.Rejected(0, RejectReasons.InvalidBase64)),
        ["base64 with characters outside the alphabet"] = new(() => Lambda("""{"awslogs":{"data":"H4sI$$$$AAAA"}}"""), Outcome.Rejected(0, RejectReasons.InvalidBase64)),
        ["base64 of plain JSON (not gzip)"] = new(() => AwsLogs(Convert.ToBase64String(TestEvents.DataMessage(Record()))), Outcome.Rejected(0, RejectReasons.InvalidGzip)),
        ["gzip with its deflate stream corrupted"] = new(() => AwsLogs(Convert.ToBase64String(CorruptDeflate(TestEvents.Gzip(TestEvents.DataMessage(Record(), Record()))))), Outcome.Rejected(0, RejectReasons.InvalidGzip)),
        ["gzip with a wrong CRC"] = new(() => AwsLogs(Convert.ToBase64String(WrongCrc(TestEvents.Gzip(TestEvents.DataMessage(Record()))))), Outcome.Rejected(0, RejectReasons.InvalidGzip)),
        ["gzip of nothing"] = new(() => AwsLogs(Convert.ToBase64String(TestEvents.Gzip([]))), Outcome.Rejected(0, RejectReasons.InvalidGzip)),
        ["gzip cut in half: inflates a prefix, then the payload JSON breaks"] = new(() => AwsLogs(Convert.ToBase64String(Half(TestEvents.Gzip(TestEvents.DataMessage(Record(), Record(), Record()))))), Outcome.Rejected(0, RejectReasons.InvalidPayloadJson)),
        ["event body is not JSON"] = new(() => Lambda("CWL CONTROL MESSAGE"), Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["event body is non-UTF-8 bytes"] = new(() => [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d], Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["awslogs.data is a number"] = new(() => Lambda("""{"awslogs":{"data":12345}}"""), Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["awslogs without data"] = new(() => Lambda("""{"awslogs":{}}"""), Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["neither awslogs nor Records"] = new(() => Lambda("""{"detail-type":"Scheduled Event"}"""), Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["event JSON nested 1000 deep"] = new(() => Lambda("{\"awslogs\":" + Nested(1000) + "}"), Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["payload JSON nested 1000 deep"] = new(() => Subscription(Encoding.UTF8.GetBytes("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":" + Nested(1000) + "}]}")), Outcome.Rejected(0, RejectReasons.InvalidPayloadJson)),
        ["payload is not an object"] = new(() => Subscription("[1,2,3]"u8.ToArray()), Outcome.Rejected(0, RejectReasons.InvalidPayloadJson)),
        ["payload JSON breaks after two events"] = new(() => Subscription(Cut(TestEvents.DataMessage(Record(), Record(), Record()), "},{\"id\":\"" + TestEvents.EventId(2))), new Outcome(2, 2, 0, [RejectReasons.InvalidPayloadJson])),
        ["unknown messageType"] = new(() => Subscription(TestEvents.DataMessage([("1", 1L, Record())], messageType: "SURPRISE_MESSAGE")), Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["logEvents missing"] = new(() => Subscription("""{"messageType":"DATA_MESSAGE","logGroup":"/aws/bedrock"}"""u8.ToArray()), Outcome.Rejected(0, RejectReasons.InvalidEnvelope)),
        ["empty logEvents"] = new(() => Subscription(TestEvents.DataMessage([])), Outcome.Rejected(0, RejectReasons.EmptyBatch)),
        ["Kinesis event with no records"] = new(() => Lambda("""{"Records":[]}"""), Outcome.Rejected(0, RejectReasons.EmptyBatch)),
        ["Kinesis: a corrupt record beside a good one"] = new(() => TestEvents.KinesisEvent(Convert.ToBase64String(CorruptDeflate(TestEvents.Gzip(TestEvents.DataMessage(Record(), Record())))), TestEvents.GzipBase64(TestEvents.DataMessage(Record()))), new Outcome(1, 1, 0, [RejectReasons.InvalidGzip])),
        ["control message"] = new(() => Subscription(TestEvents.ControlMessage()), new Outcome(0, 0, 0, [], ControlMessages: 1)),

        // ---- Broken log events: only that event is rejected, by name, under its id.
        ["a 10 MB message"] = new(() => Subscription(TestEvents.DataMessage(Record(prompt: new string('x', 10 * 1024 * 1024)), Record())), new Outcome(2, 1, 0, [RejectReasons.MessageTooLarge])),
        ["message is a number"] = new(() => Subscription("""{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":42}]}"""u8.ToArray()), Outcome.Rejected(1, RejectReasons.WrongType)),
        ["message missing"] = new(() => Subscription("""{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1}]}"""u8.ToArray()), Outcome.Rejected(1, RejectReasons.MissingField)),
        ["log event timestamp out of range"] = new(() => Subscription(Encoding.UTF8.GetBytes("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"timestamp\":1e300,\"message\":" + PiiCanary.Json(Encoding.UTF8.GetString(Record())) + "}]}")), Outcome.Rejected(1, RejectReasons.InvalidTimestamp)),
        ["record older than the 5-minute retention, beside a good one"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(PiiCanary.InvocationRecord(At.AddDays(-4))), Record())), new Outcome(2, 1, 0, [RejectReasons.TimestampOutOfWindow])),
        ["record from year 9999, beside a good one"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(PiiCanary.InvocationRecord(new DateTimeOffset(9999, 12, 31, 23, 58, 0, TimeSpan.Zero))), Record())), new Outcome(2, 1, 0, [RejectReasons.InvalidTimestamp])),
        ["log event timestamp is a string"] = new(() => Subscription(Encoding.UTF8.GetBytes("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"timestamp\":\"now\",\"message\":\"{}\"}]}")), Outcome.Rejected(1, RejectReasons.InvalidTimestamp)),
        ["non-UTF-8 bytes inside an escaped message"] = new(() => Subscription(NonUtf8Message()), Outcome.Rejected(1, RejectReasons.InvalidJson)),
        ["a lone surrogate escape in a message"] = new(() => Subscription("""{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"{\"a\":\"\\uD800\"}\uDC00"}]}"""u8.ToArray()), Outcome.Rejected(1, RejectReasons.InvalidJson)),

        ["a lone surrogate escape in a record's property name, beside a good record"] = new(() => Subscription(TestEvents.DataMessage("""{"schema\uD800Type":"ModelInvocationLog"}"""u8.ToArray(), Record())), new Outcome(2, 1, 0, [RejectReasons.InvalidJson])),
        ["a lone surrogate escape in the schemaType value"] = new(() => Subscription(TestEvents.DataMessage("""{"schemaType":"ModelInvocation\uDC00Log","operation":"Converse","modelId":"m"}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.InvalidJson)),

        // ---- Broken records.
        ["record nested 1000 deep in the prompt"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputBodyJson\":" + Nested(1000) + "}}"), Record())), new Outcome(2, 1, 0, [RejectReasons.TooDeep])),
        ["record nested 1000 deep before the schemaType"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes("{\"x\":" + Nested(1000) + "," + Head[1..] + "}"))), Outcome.Rejected(1, RejectReasons.TooDeep)),
        ["empty message"] = new(() => Subscription(TestEvents.DataMessage(new[] { Array.Empty<byte>() })), Outcome.Rejected(1, RejectReasons.InvalidJson)),
        ["record is an array"] = new(() => Subscription(TestEvents.DataMessage("""[{"schemaType":"ModelInvocationLog"}]"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.NotAnObject)),
        ["record with trailing garbage"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Record()) + " {}"))), Outcome.Rejected(1, RejectReasons.InvalidJson)),
        ["record with a NaN literal"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":NaN}}"))), Outcome.Rejected(1, RejectReasons.InvalidJson)),
        ["unknown schemaType"] = new(() => Subscription(TestEvents.DataMessage("""{"schemaType":"ModelInvocationLogV9","operation":"Converse","modelId":"m"}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.UnsupportedSchema)),
        ["schemaType of the wrong type"] = new(() => Subscription(TestEvents.DataMessage("""{"schemaType":["ModelInvocationLog"],"operation":"Converse","modelId":"m"}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.UnsupportedSchema)),
        ["no schemaType, no span ids"] = new(() => Subscription(TestEvents.DataMessage("""{"operation":"Converse","modelId":"amazon.nova-lite-v1:0"}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.UnknownRecordType)),
        ["missing modelId"] = new(() => Subscription(TestEvents.DataMessage("""{"schemaType":"ModelInvocationLog","operation":"Converse"}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.MissingModelId)),
        ["missing operation"] = new(() => Subscription(TestEvents.DataMessage("""{"schemaType":"ModelInvocationLog","modelId":"amazon.nova-lite-v1:0"}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.MissingField)),
        ["token count as a string"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":\"1200\"}}"))), Outcome.Rejected(1, RejectReasons.WrongType)),
        ["negative token count"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"output\":{\"outputTokenCount\":-1}}"))), Outcome.Rejected(1, RejectReasons.InvalidTokenCount)),
        ["fractional token count"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":12.5}}"))), Outcome.Rejected(1, RejectReasons.InvalidTokenCount)),
        ["token count 10^10 + 1"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":10000000001}}"))), Outcome.Rejected(1, RejectReasons.InvalidTokenCount)),
        ["token count 1e400 (beyond double)"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":1e400}}"))), Outcome.Rejected(1, RejectReasons.InvalidTokenCount)),
        ["timestamp as a number"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"timestamp\":1731000000}"))), Outcome.Rejected(1, RejectReasons.WrongType)),
        ["timestamp that is not a date"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"timestamp\":\"2026-02-30T25:61:00Z\"}"))), Outcome.Rejected(1, RejectReasons.InvalidTimestamp)),
        ["modelId of the wrong type"] = new(() => Subscription(TestEvents.DataMessage("""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":{"id":"m"}}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.WrongType)),
        ["feedback with a rating of 7"] = new(() => Subscription(TestEvents.DataMessage("""{"schema":"genaiobs.feedback/1","requestId":"r-1","rating":7,"comment":"CANARY"}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.InvalidRating)),
        ["evaluation result with a string score"] = new(() => Subscription(TestEvents.DataMessage("""{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","timeUnixNano":1795000000000000000,"attributes":{"gen_ai.evaluation.name":"relevance","gen_ai.evaluation.score.value":"high"}}"""u8.ToArray())), Outcome.Rejected(1, RejectReasons.InvalidEvaluation)),
        ["schemaType repeated with another value"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"schemaType\":\"Other\"}"))), Outcome.Rejected(1, RejectReasons.UnsupportedSchema)),

        // ---- Hostile but usable: accepted, with exactly these values.
        ["token count exactly 10^10"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":10000000000}}"))), Outcome.Accepted(1, r => Assert.Equal(10_000_000_000, r.Invocations[0].Record.InputTokens))),
        ["token count written as 1.2e3"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":1.2e3}}"))), Outcome.Rejected(1, RejectReasons.InvalidTokenCount)),
        ["duplicate modelId: the last wins"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"modelId\":\"anthropic.claude-3-haiku-20240307-v1:0\"}"))), Outcome.Accepted(1, r => Assert.Equal("anthropic.claude-3-haiku-20240307-v1:0", r.Invocations[0].Record.ModelId))),
        ["duplicate token counts: the last wins"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"input\":{\"inputTokenCount\":5,\"inputTokenCount\":700},\"input\":{\"cacheReadInputTokenCount\":3}}"))), Outcome.Accepted(1, r => Assert.Equal((700L, 3L), (r.Invocations[0].Record.InputTokens, r.Invocations[0].Record.CacheReadTokens)))),
        ["duplicate log event ids: both events are kept"] = new(() => Subscription(TestEvents.DataMessage([("dup", 1L, Record()), ("dup", 2L, Record())])), Outcome.Accepted(2, r => Assert.Equal(["dup", "dup"], r.Invocations.Select(i => i.Record.EventId)))),
        ["latency beyond a day: ignored, record kept"] = new(() => Subscription(TestEvents.DataMessage(Record(latency: "1e300"))), Outcome.Accepted(1, r => Assert.Null(r.Invocations[0].Record.LatencyMs))),
        ["negative latency: ignored, record kept"] = new(() => Subscription(TestEvents.DataMessage(Record(latency: "-5"))), Outcome.Accepted(1, r => Assert.Null(r.Invocations[0].Record.LatencyMs))),
        ["latency as a string: ignored, record kept"] = new(() => Subscription(TestEvents.DataMessage(Record(latency: "\"fast\""))), Outcome.Accepted(1, r => Assert.Null(r.Invocations[0].Record.LatencyMs))),
        ["a 960 KB record within the 1 MB event limit"] = new(() => Subscription(TestEvents.DataMessage(Record(prompt: new string('y', 240 * 1024)))), Outcome.Accepted(1, r => Assert.Equal(1200, r.Invocations[0].Record.InputTokens))),
        ["unknown fields and an S3-offloaded body"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"futureField\":{\"a\":[1,2,{\"b\":null}]},\"output\":{\"outputBodyS3Path\":\"s3://bucket/key\",\"outputTokenCount\":9}}"))), Outcome.Accepted(1, r => Assert.Equal((9L, StopReasons.Unknown), (r.Invocations[0].Record.OutputTokens, r.Invocations[0].Record.StopReason)))),
        ["session name stripped from an assumed-role ARN"] = new(() => Subscription(TestEvents.DataMessage(Record())), Outcome.Accepted(1, r => Assert.Equal(PiiCanary.RoleName, r.Invocations[0].Record.Principal))),
        ["requestMetadata: only team, application and environment are kept"] = new(() => Subscription(TestEvents.DataMessage(Record())), Outcome.Accepted(1, r => Assert.Equal(["application", "team"], r.Invocations[0].Record.RequestMetadata!.Keys.Order(StringComparer.Ordinal)))),
        ["identity ARN longer than the stack buffer"] = new(() => Subscription(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Head + ",\"identity\":{\"arn\":\"arn:aws:sts::1:assumed-role/r/" + new string('s', 5000) + "\"}}"))), Outcome.Accepted(1, r => Assert.Equal(PrincipalParser.Unknown, r.Invocations[0].Record.Principal))),

        // ---- Spans.
        ["span with a negative duration"] = new(() => Subscription(TestEvents.DataMessage(Span("\"durationNano\":-1"))), new Outcome(1, 0, 0, [RejectReasons.InvalidDuration])),
        ["span longer than a day"] = new(() => Subscription(TestEvents.DataMessage(Span("\"durationNano\":86400000000001"))), new Outcome(1, 0, 0, [RejectReasons.InvalidDuration])),
        ["span exactly a day long"] = new(() => Subscription(TestEvents.DataMessage(Span("\"durationNano\":86400000000000"))), new Outcome(1, 0, 1, [], Check: r => Assert.Equal(86_400_000d, r.Spans[0].Span.DurationMs))),
        ["span with tokens of the wrong type"] = new(() => Subscription(TestEvents.DataMessage(Span(attributes: "{\"gen_ai.usage.input_tokens\":\"many\"}"))), new Outcome(1, 0, 0, [RejectReasons.WrongType])),
        ["span nested 1000 deep in its events"] = new(() => Subscription(TestEvents.DataMessage(Span("\"events\":" + Nested(1000)))), new Outcome(1, 0, 0, [RejectReasons.TooDeep])),
        ["span without a name"] = new(() => Subscription(TestEvents.DataMessage("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","durationNano":5}"""u8.ToArray())), new Outcome(1, 0, 0, [RejectReasons.MissingField])),
        ["span with non-UTF-8 bytes in an identifier"] = new(() => NonUtf8SpanFile(), new Outcome(1, 0, 0, [RejectReasons.InvalidJson]), IsFile: true),
        ["span embedded as an object with non-UTF-8 bytes, beside a good record"] = new(() => Subscription([.. "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":"u8.ToArray(), .. NonUtf8SpanFile()[..^1], .. "},{\"id\":\"3\",\"timestamp\":1,\"message\":"u8.ToArray(), .. Record(), .. "}]}"u8.ToArray()]), new Outcome(2, 1, 0, [RejectReasons.InvalidJson])),

        // ---- Files (CLI): the same rules, plus what only files can be.
        ["file: JSON Lines with one broken line"] = new(() => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Record()) + "\n{\"schemaType\":\n" + Encoding.UTF8.GetString(Record()) + "\n"), new Outcome(3, 2, 0, [RejectReasons.InvalidJson]), IsFile: true),
        ["file: non-UTF-8 bytes in a skipped prompt of a raw record"] = new(() => RawRecordWithNonUtf8Prompt(), Outcome.Accepted(1, r => Assert.Equal("amazon.nova-lite-v1:0", r.Invocations[0].Record.ModelId)), IsFile: true),
        ["file: gzip bomb"] = new(() => GzipBombTests.BuildBomb(80L * 1024 * 1024, honestTrailer: true), Outcome.Rejected(0, RejectReasons.DecompressedTooLarge), IsFile: true),
        ["file: a lone surrogate escape in a raw line's property name"] = new(() => Encoding.UTF8.GetBytes("{\"schemaType\\uD800\":1}\n" + Encoding.UTF8.GetString(Record()) + "\n"), new Outcome(2, 1, 0, [RejectReasons.InvalidJson]), IsFile: true),
        ["file: filter-log-events export with a lone surrogate escape in an event's key"] = new(() => Encoding.UTF8.GetBytes("{\"events\":[{\"eventId\":\"e1\",\"timestamp\":1,\"message\":" + PiiCanary.Json(Encoding.UTF8.GetString(Record())) + "},{\"timestamp\\uD800\":1}]}"), new Outcome(1, 1, 0, [RejectReasons.InvalidPayloadJson]), IsFile: true),
        ["file: empty"] = new(() => "  \n"u8.ToArray(), Outcome.Rejected(0, RejectReasons.EmptyBatch), IsFile: true),
        ["file: byte-order mark then a record"] = new(() => [0xEF, 0xBB, 0xBF, .. Record()], Outcome.Accepted(1), IsFile: true),
    };

    public static TheoryData<string> Names => new(Cases.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Names))]
    public void ProcessLambdaEventOrFile_ForEachCorpusCase_ShouldProduceExactlyTheNamedOutcome(string name)
    {
        // Arrange
        var corpusCase = Cases[name];
        var input = corpusCase.Input();
        // Lambda events are read as the processors read them: with the event-time window at At.
        var processor = corpusCase.IsFile
            ? new BatchProcessor(Prices)
            : new BatchProcessor(Prices, DecoderLimits.Default, new ProcessingOptions { Window = EventTimeWindow.Default, Time = new Store.FixedTimeProvider(At) });

        // Act
        var result = corpusCase.IsFile ? processor.ProcessDelivery(ExportFileReader.ReadWhole(input)) : processor.ProcessLambdaEvent(input);

        // Assert
        var expected = corpusCase.Expected;
        Assert.Equal(expected.Rejections, result.Rejections.Select(r => r.Reason));
        Assert.Equal(
            (expected.Events, expected.Invocations, expected.Spans, expected.ControlMessages),
            (result.EventCount, result.Invocations.Count, result.Spans.Count, result.ControlMessages));
        AssertAccountedFor(result);
        expected.Check?.Invoke(result);
    }

    [Fact]
    public void Corpus_ShouldCoverEveryRejectReason()
    {
        var named = Cases.Values.SelectMany(c => c.Expected.Rejections).ToHashSet(StringComparer.Ordinal);

        var all = typeof(RejectReasons).GetFields().Select(f => (string)f.GetValue(null)!);

        Assert.All(all, reason => Assert.Contains(reason, named));
    }

    /// <summary>
    /// Every event is accounted for: accepted + rejected-with-an-id = events seen, each record
    /// rejection stands for one event, and an envelope rejection (no id) only when something
    /// above the events broke.
    /// </summary>
    internal static void AssertAccountedFor(BatchResult result)
    {
        var perEvent = result.Rejections.Where(r => r.EventId is not null).ToList();
        Assert.All(perEvent, r => Assert.Equal(1, r.Count));
        Assert.Equal(result.EventCount, result.Invocations.Count + result.Spans.Count + result.Feedback.Count + result.Evaluations.Count + perEvent.Count);
        Assert.Equal(result.RejectedCount, result.Rejections.Sum(r => r.Count));
        Assert.All(result.Rejections, r => Assert.Matches("^[a-z0-9_]+$", r.Reason));
    }

    // ---- Inputs

    private static byte[] Record(string? prompt = null, string latency = "1302")
    {
        var json = PiiCanary.InvocationRecord(At);
        if (prompt is not null)
        {
            json = json.Replace(PiiCanary.Json(PiiCanary.Text), PiiCanary.Json(prompt), StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(json.Replace("\"latencyMs\":1302", "\"latencyMs\":" + latency, StringComparison.Ordinal));
    }

    private static byte[] Span(string extra = "\"durationNano\":1500000000", string attributes = "{\"gen_ai.operation.name\":\"chat\"}") =>
        Encoding.UTF8.GetBytes(
            "{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"chat\"," +
            "\"startTimeUnixNano\":1795000000000000000,\"endTimeUnixNano\":1795000001500000000," + extra + ",\"attributes\":" + attributes + "}");

    private static byte[] Lambda(string json) => Encoding.UTF8.GetBytes(json);

    private static byte[] AwsLogs(string data) => Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + data + "\"}}");

    private static byte[] Subscription(byte[] payload) => TestEvents.SubscriptionEvent(payload);

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static byte[] Truncate(byte[] lambdaEvent, int chars)
    {
        var text = Encoding.UTF8.GetString(lambdaEvent);
        var end = text.LastIndexOf('"');
        return Encoding.UTF8.GetBytes(text[..(end - chars)] + text[end..]);
    }

    private static byte[] Half(byte[] gzip) => gzip[..(gzip.Length / 2)];

    private static byte[] CorruptDeflate(byte[] gzip)
    {
        var copy = (byte[])gzip.Clone();
        for (var i = 12; i < copy.Length - 8; i += 3)
        {
            copy[i] ^= 0x5A;
        }

        return copy;
    }

    private static byte[] WrongCrc(byte[] gzip)
    {
        var copy = (byte[])gzip.Clone();
        copy[^8] ^= 0xFF;
        return copy;
    }

    private static byte[] Cut(byte[] payload, string marker)
    {
        var text = Encoding.UTF8.GetString(payload);
        return Encoding.UTF8.GetBytes(text[..(text.IndexOf(marker, StringComparison.Ordinal) + 1)]);
    }

    /// <summary>A message string whose escaped text holds raw 0xFF 0xFE bytes (not UTF-8).</summary>
    private static byte[] NonUtf8Message()
    {
        var prefix = Encoding.UTF8.GetBytes("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":\"{\\\"schemaType\\\":\\\"ModelInvocationLog\\\",\\\"operation\\\":\\\"Converse\\\",\\\"modelId\\\":\\\"m\\\",\\\"input\\\":{\\\"inputBodyJson\\\":\\\"");
        var suffix = Encoding.UTF8.GetBytes("\\\"}}\"}]}");
        return [.. prefix, 0xFF, 0xFE, .. suffix];
    }

    private static byte[] RawRecordWithNonUtf8Prompt()
    {
        // A raw line has no ingestion time: the record carries its own (without one it would be invalid_timestamp).
        var prefix = Encoding.UTF8.GetBytes(Head + ",\"timestamp\":\"2026-11-20T14:03:27Z\",\"input\":{\"inputBodyJson\":{\"text\":\"");
        return [.. prefix, 0xFF, 0xC0, 0x80, .. "\"},\"inputTokenCount\":3}}\n"u8.ToArray()];
    }

    private static byte[] NonUtf8SpanFile()
    {
        var prefix = "{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"chat\",\"durationNano\":5,\"endTimeUnixNano\":1795000001500000000,\"resource\":{\"attributes\":{\"service.name\":\"svc"u8.ToArray();
        return [.. prefix, 0xFF, 0xFE, .. "\"}}}\n"u8.ToArray()];
    }

}
