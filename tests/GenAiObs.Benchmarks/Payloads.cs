using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GenAiObs.Benchmarks;

/// <summary>The kinds of subscription payload the benchmarks run on.</summary>
public enum PayloadKind
{
    /// <summary>Converse records with short prompts and answers (the common case, ~2–3 KB a record).</summary>
    SmallConverse,

    /// <summary>Converse records whose prompt is ~50 KB (RAG context, long documents).</summary>
    LargePrompt,

    /// <summary>InvokeModelWithResponseStream records whose output is an array of ~150 Anthropic stream chunks.</summary>
    StreamChunks,

    /// <summary>aws/spans records of an agent (agent, chat and tool spans with message events).</summary>
    Spans,
}

/// <summary>One generated delivery: the Lambda event and what it holds.</summary>
/// <param name="Kind">What the records are.</param>
/// <param name="EventJson">The Lambda event <c>{"awslogs":{"data":"…"}}</c> exactly as Lambda hands it over.</param>
/// <param name="Records">Log events in the delivery.</param>
/// <param name="CompressedBytes">Gzip bytes (before base64): the size CloudWatch Logs limits.</param>
/// <param name="DecompressedBytes">The DATA_MESSAGE JSON after gunzip: the "log data" MB/s is measured against.</param>
/// <param name="MessageBytes">Sum of the unescaped record texts.</param>
public sealed record Payload(PayloadKind Kind, byte[] EventJson, int Records, long CompressedBytes, long DecompressedBytes, long MessageBytes)
{
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Kind}: {Records} records, {CompressedBytes / 1024.0:F0} KB gzip, {DecompressedBytes / 1024.0:F0} KB decompressed ({DecompressedBytes / (double)Records:F0} B/record), event {EventJson.Length / 1024.0:F0} KB");
}

/// <summary>
/// Generates realistic subscription deliveries: real record shapes (the fixtures' shapes), invented
/// identities, and prose from a pseudo-word vocabulary with a Zipf-like distribution so gzip
/// compresses it about as well as real text (~3×), not like repeated filler (~100×).
/// Deterministic for a given seed.
/// </summary>
public static class PayloadGenerator
{
    /// <summary>Records per benchmark delivery: each kind's delivery decompresses to roughly 1–1.5 MB.</summary>
    public static int DefaultRecords(PayloadKind kind) => kind switch
    {
        PayloadKind.SmallConverse => 500,
        PayloadKind.LargePrompt => 24,
        PayloadKind.StreamChunks => 120,
        PayloadKind.Spans => 600,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The start of every generated delivery's event time (a minute boundary + 5 s).</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 14, 3, 5, TimeSpan.Zero);

    internal static readonly string[] Models =
    [
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "us.amazon.nova-pro-v1:0",
        "meta.llama3-3-70b-instruct-v1:0", "eu.anthropic.claude-haiku-4-5-20251001-v1:0", "cohere.command-r-v1:0",
        "amazon.nova-lite-v1:0", "global.anthropic.claude-sonnet-4-6",
    ];

    internal static readonly string[] StopReasons = ["end_turn", "end_turn", "end_turn", "end_turn", "tool_use", "tool_use", "max_tokens", "stop_sequence"];
    private static readonly string[] Teams = ["support", "search", "finance", "platform", "marketing"];
    private static readonly string[] Applications = ["helpdesk", "rag-api", "invoice-bot", "copilot", "summariser", "classifier"];
    private static readonly string[] Tools = ["get_weather", "search_kb", "get_order_status", "create_ticket", "run_sql"];

    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A delivery of <paramref name="records"/> records of <paramref name="kind"/>, event times spread over <paramref name="spreadSeconds"/>.</summary>
    public static Payload Generate(PayloadKind kind, int records, int seed = 42, int spreadSeconds = 50, int largePromptChars = 50 * 1024)
    {
        // Identities and numbers come from one stream, text from another: deliveries of the same
        // seed and size differ only in their bodies (the body-size benchmark relies on it).
        var random = new Random(seed);
        var text = new TextSource(new Random(seed + 1));
        var messages = new List<(long Timestamp, byte[] Message)>(records);
        for (var i = 0; i < records; i++)
        {
            var time = Start.AddMilliseconds(spreadSeconds * 1000L * i / Math.Max(records, 1));
            var promptDraw = random.Next(1200);
            var answerDraw = random.Next(1500);
            messages.Add((time.ToUnixTimeMilliseconds(), kind switch
            {
                PayloadKind.SmallConverse => ConverseRecord(random, text, time, promptChars: 200 + promptDraw, answerChars: 100 + answerDraw),
                PayloadKind.LargePrompt => ConverseRecord(random, text, time, promptChars: largePromptChars, answerChars: 600 + answerDraw),
                PayloadKind.StreamChunks => StreamRecord(random, text, time, chunks: 150),
                PayloadKind.Spans => SpanRecord(random, text, time, i),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            }));
        }

        return Pack(kind, messages, random);
    }

    /// <summary>
    /// The largest delivery of <paramref name="kind"/> whose gzip payload is at most
    /// <paramref name="maxCompressedBytes"/> (found by doubling, then bisecting the record count).
    /// </summary>
    public static Payload GenerateMaxSize(PayloadKind kind, long maxCompressedBytes, int seed = 42)
    {
        var low = 1;
        var high = 64;
        while (Generate(kind, high, seed).CompressedBytes <= maxCompressedBytes)
        {
            low = high;
            high *= 2;
        }

        while (high - low > 1)
        {
            var middle = (low + high) / 2;
            if (Generate(kind, middle, seed).CompressedBytes <= maxCompressedBytes)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return Generate(kind, low, seed);
    }

    internal static Payload Pack(PayloadKind kind, List<(long Timestamp, byte[] Message)> messages, Random random)
    {
        var data = new ArrayBufferWriter<byte>(1 << 20);
        long messageBytes = 0;
        using (var writer = new Utf8JsonWriter(data, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("messageType", "DATA_MESSAGE");
            writer.WriteString("owner", "111122223333");
            writer.WriteString("logGroup", kind == PayloadKind.Spans ? "aws/spans" : "/aws/bedrock/modelinvocations");
            writer.WriteString("logStream", kind == PayloadKind.Spans ? "default" : "aws/bedrock/modelinvocations");
            writer.WriteStartArray("subscriptionFilters");
            writer.WriteStringValue("genai-obs");
            writer.WriteEndArray();
            writer.WriteStartArray("logEvents");
            foreach (var (timestamp, message) in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("id", EventId(random));
                writer.WriteNumber("timestamp", timestamp);
                writer.WriteString("message", message);
                writer.WriteEndObject();
                messageBytes += message.Length;
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data.WrittenSpan);
        }

        var eventJson = Encoding.UTF8.GetBytes("{\"awslogs\":{\"data\":\"" + Convert.ToBase64String(compressed.GetBuffer(), 0, (int)compressed.Length) + "\"}}");
        return new Payload(kind, eventJson, messages.Count, compressed.Length, data.WrittenCount, messageBytes);
    }

    internal static string EventId(Random random)
    {
        Span<char> digits = stackalloc char[56];
        for (var i = 0; i < digits.Length; i++)
        {
            digits[i] = (char)('0' + random.Next(10));
        }

        digits[0] = '3';
        return new string(digits);
    }

    internal static byte[] ConverseRecord(Random random, TextSource text, DateTimeOffset time, int promptChars, int answerChars, bool retrievedContext = false)
    {
        var model = Models[random.Next(Models.Length)];
        var error = random.Next(50) == 0 ? "ThrottlingException" : null;
        var buffer = new ArrayBufferWriter<byte>(promptChars + answerChars + 2048);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteHeader(writer, random, time, "Converse", model);
            writer.WriteStartObject("input");
            writer.WriteString("inputContentType", "application/json");
            writer.WriteStartObject("inputBodyJson");
            writer.WriteStartArray("messages");
            var remaining = promptChars;
            var turn = 0;
            while (remaining > 0)
            {
                // Long prompts arrive as several content blocks (system context, retrieved passages, question).
                var block = Math.Min(remaining, 8 * 1024);
                writer.WriteStartObject();
                writer.WriteString("role", turn % 2 == 0 ? "user" : "assistant");
                writer.WriteStartArray("content");
                writer.WriteStartObject();
                writer.WriteString("text", retrievedContext ? text.Passages(block) : text.Prose(block));
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
                remaining -= block;
                turn++;
            }

            writer.WriteEndArray();
            writer.WriteStartObject("inferenceConfig");
            writer.WriteNumber("maxTokens", 1024);
            writer.WriteNumber("temperature", 0.2);
            writer.WriteEndObject();
            writer.WriteEndObject();
            var inputTokens = (promptChars / 4) + random.Next(50);
            var cacheRead = random.Next(3) == 0 ? 1024 : 0;
            writer.WriteNumber("inputTokenCount", inputTokens);
            writer.WriteNumber("cacheReadInputTokenCount", cacheRead);
            writer.WriteNumber("cacheWriteInputTokenCount", 0);
            writer.WriteEndObject();

            if (error is null)
            {
                var outputTokens = answerChars / 4;
                var stop = StopReasons[random.Next(StopReasons.Length)];
                writer.WriteStartObject("output");
                writer.WriteString("outputContentType", "application/json");
                writer.WriteStartObject("outputBodyJson");
                writer.WriteStartObject("output");
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteStartArray("content");
                writer.WriteStartObject();
                writer.WriteString("text", text.Prose(answerChars));
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteString("stopReason", stop);
                writer.WriteStartObject("metrics");
                writer.WriteNumber("latencyMs", 300 + random.Next(9000));
                writer.WriteEndObject();
                writer.WriteStartObject("usage");
                writer.WriteNumber("inputTokens", inputTokens);
                writer.WriteNumber("outputTokens", outputTokens);
                writer.WriteNumber("totalTokens", inputTokens + outputTokens);
                writer.WriteNumber("cacheReadInputTokens", cacheRead);
                writer.WriteNumber("cacheWriteInputTokens", 0);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteNumber("outputTokenCount", outputTokens);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("errorCode", error);
            }

            WriteTrailer(writer, random, model);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An InvokeModel call with an Anthropic Messages API body (not streamed).</summary>
    internal static byte[] InvokeModelRecord(Random random, TextSource text, DateTimeOffset time, int promptChars, int answerChars)
    {
        var model = random.Next(3) == 0 ? "anthropic.claude-3-haiku-20240307-v1:0" : "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
        var buffer = new ArrayBufferWriter<byte>(promptChars + answerChars + 2048);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteHeader(writer, random, time, "InvokeModel", model);
            writer.WriteStartObject("input");
            writer.WriteString("inputContentType", "application/json");
            writer.WriteStartObject("inputBodyJson");
            writer.WriteString("anthropic_version", "bedrock-2023-05-31");
            writer.WriteNumber("max_tokens", 1024);
            writer.WriteStartArray("messages");
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WriteStartArray("content");
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("text", text.Prose(promptChars));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            var inputTokens = (promptChars / 4) + random.Next(50);
            writer.WriteNumber("inputTokenCount", inputTokens);
            writer.WriteEndObject();

            var outputTokens = answerChars / 4;
            writer.WriteStartObject("output");
            writer.WriteString("outputContentType", "application/json");
            writer.WriteStartObject("outputBodyJson");
            writer.WriteString("id", "msg_bdrk_" + random.Next(1_000_000).ToString("x6", CultureInfo.InvariantCulture));
            writer.WriteString("type", "message");
            writer.WriteString("role", "assistant");
            writer.WriteStartArray("content");
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("text", text.Prose(answerChars));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteString("stop_reason", StopReasons[random.Next(StopReasons.Length)]);
            writer.WriteNull("stop_sequence");
            writer.WriteStartObject("usage");
            writer.WriteNumber("input_tokens", inputTokens);
            writer.WriteNumber("output_tokens", outputTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteNumber("outputTokenCount", outputTokens);
            writer.WriteEndObject();

            WriteTrailer(writer, random, model);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[] StreamRecord(Random random, TextSource text, DateTimeOffset time, int chunks)
    {
        var model = random.Next(2) == 0 ? "eu.anthropic.claude-haiku-4-5-20251001-v1:0" : "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
        var buffer = new ArrayBufferWriter<byte>(chunks * 160 + 4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteHeader(writer, random, time, "InvokeModelWithResponseStream", model);
            writer.WriteStartObject("input");
            writer.WriteString("inputContentType", "application/json");
            writer.WriteStartObject("inputBodyJson");
            writer.WriteString("anthropic_version", "bedrock-2023-05-31");
            writer.WriteNumber("max_tokens", 2048);
            writer.WriteStartArray("messages");
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WriteStartArray("content");
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("text", text.Prose(1500 + random.Next(2000)));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            var inputTokens = 400 + random.Next(800);
            writer.WriteNumber("inputTokenCount", inputTokens);
            writer.WriteNumber("cacheReadInputTokenCount", 0);
            writer.WriteNumber("cacheWriteInputTokenCount", random.Next(4) == 0 ? 1500 : 0);
            writer.WriteEndObject();

            var outputTokens = chunks * 6;
            writer.WriteStartObject("output");
            writer.WriteString("outputContentType", "application/json");
            writer.WriteStartArray("outputBodyJson");
            writer.WriteStartObject();
            writer.WriteString("type", "message_start");
            writer.WriteStartObject("message");
            writer.WriteString("id", "msg_bdrk_" + random.Next(1_000_000).ToString("x6", CultureInfo.InvariantCulture));
            writer.WriteString("type", "message");
            writer.WriteString("role", "assistant");
            writer.WriteStartArray("content");
            writer.WriteEndArray();
            writer.WriteNull("stop_reason");
            writer.WriteStartObject("usage");
            writer.WriteNumber("input_tokens", inputTokens);
            writer.WriteNumber("output_tokens", 1);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("type", "content_block_start");
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("content_block");
            writer.WriteString("type", "text");
            writer.WriteString("text", string.Empty);
            writer.WriteEndObject();
            writer.WriteEndObject();
            for (var i = 0; i < chunks; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "content_block_delta");
                writer.WriteNumber("index", 0);
                writer.WriteStartObject("delta");
                writer.WriteString("type", "text_delta");
                writer.WriteString("text", text.Prose(20 + random.Next(40)));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteStartObject();
            writer.WriteString("type", "content_block_stop");
            writer.WriteNumber("index", 0);
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("type", "message_delta");
            writer.WriteStartObject("delta");
            writer.WriteString("stop_reason", random.Next(10) == 0 ? "max_tokens" : "end_turn");
            writer.WriteNull("stop_sequence");
            writer.WriteEndObject();
            writer.WriteStartObject("usage");
            writer.WriteNumber("output_tokens", outputTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("type", "message_stop");
            writer.WriteStartObject("amazon-bedrock-invocationMetrics");
            writer.WriteNumber("inputTokenCount", inputTokens);
            writer.WriteNumber("outputTokenCount", outputTokens);
            writer.WriteNumber("invocationLatency", 2000 + random.Next(15000));
            writer.WriteNumber("firstByteLatency", 200 + random.Next(900));
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteNumber("outputTokenCount", outputTokens);
            writer.WriteEndObject();

            WriteTrailer(writer, random, model);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static void WriteHeader(Utf8JsonWriter writer, Random random, DateTimeOffset time, string operation, string model)
    {
        writer.WriteString("schemaType", "ModelInvocationLog");
        writer.WriteString("schemaVersion", "1.0");
        writer.WriteString("timestamp", time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        writer.WriteString("accountId", "111122223333");
        writer.WriteStartObject("identity");
        writer.WriteString("arn", string.Create(CultureInfo.InvariantCulture, $"arn:aws:sts::111122223333:assumed-role/app-role-{random.Next(40)}/user{random.Next(500)}@example.com"));
        writer.WriteEndObject();
        writer.WriteString("region", "us-east-1");
        Span<byte> id = stackalloc byte[16];
        random.NextBytes(id);
        writer.WriteString("requestId", new Guid(id).ToString());
        writer.WriteString("operation", operation);
        writer.WriteString("modelId", model);
    }

    internal static void WriteTrailer(Utf8JsonWriter writer, Random random, string model)
    {
        if (model.StartsWith("us.", StringComparison.Ordinal) || model.StartsWith("eu.", StringComparison.Ordinal))
        {
            writer.WriteString("inferenceRegion", model.StartsWith("us.", StringComparison.Ordinal) ? (random.Next(2) == 0 ? "us-east-2" : "us-west-2") : "eu-west-1");
        }

        if (random.Next(4) != 0)
        {
            writer.WriteStartObject("requestMetadata");
            writer.WriteString("team", Teams[random.Next(Teams.Length)]);
            writer.WriteString("application", Applications[random.Next(Applications.Length)]);
            writer.WriteString("environment", random.Next(5) == 0 ? "staging" : "prod");
            writer.WriteEndObject();
        }
    }

    private static byte[] SpanRecord(Random random, TextSource text, DateTimeOffset end, int index)
    {
        var trace = index / 6;
        var role = index % 6; // per trace: 1 agent span, 3 chat spans, 2 tool spans
        var buffer = new ArrayBufferWriter<byte>(4096);
        var durationNanos = (long)(50 + random.Next(4000)) * 1_000_000L;
        var endNanos = end.ToUnixTimeMilliseconds() * 1_000_000L + random.Next(1_000_000);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("resource");
            writer.WriteStartObject("attributes");
            writer.WriteString("service.name", "agent-" + (trace % 4).ToString(CultureInfo.InvariantCulture) + ".DEFAULT");
            writer.WriteString("deployment.environment.name", "bedrock-agentcore:default");
            writer.WriteString("cloud.platform", "aws_bedrock_agentcore");
            writer.WriteString("cloud.resource_id", "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/agent-" + (trace % 4).ToString(CultureInfo.InvariantCulture));
            writer.WriteString("telemetry.sdk.language", "python");
            writer.WriteString("telemetry.sdk.name", "opentelemetry");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteStartObject("scope");
            writer.WriteString("name", "strands.telemetry.tracer");
            writer.WriteEndObject();
            writer.WriteString("traceId", string.Create(CultureInfo.InvariantCulture, $"{trace:x8}4e1b7d3c5a0e9f8b7c6d5e4f"));
            writer.WriteString("spanId", string.Create(CultureInfo.InvariantCulture, $"{index:x8}18293a4b"));
            if (role != 0)
            {
                writer.WriteString("parentSpanId", string.Create(CultureInfo.InvariantCulture, $"{trace * 6:x8}18293a4b"));
            }

            var (name, operation) = role switch
            {
                0 => ("invoke_agent travel_agent", "invoke_agent"),
                1 or 2 or 3 => ("chat", "chat"),
                _ => ("execute_tool " + Tools[random.Next(Tools.Length)], "execute_tool"),
            };
            writer.WriteString("name", name);
            writer.WriteString("kind", "INTERNAL");
            writer.WriteNumber("startTimeUnixNano", endNanos - durationNanos);
            writer.WriteNumber("endTimeUnixNano", endNanos);
            writer.WriteNumber("durationNano", durationNanos);
            writer.WriteStartObject("attributes");
            writer.WriteString("gen_ai.operation.name", operation);
            writer.WriteString("gen_ai.system", "strands-agents");
            writer.WriteString("session.id", "session-" + (trace % 25).ToString(CultureInfo.InvariantCulture));
            if (role == 0)
            {
                writer.WriteString("gen_ai.agent.name", "travel_agent");
            }
            else if (role <= 3)
            {
                var input = 800 + random.Next(3000);
                var output = 40 + random.Next(600);
                writer.WriteString("gen_ai.request.model", Models[random.Next(Models.Length)]);
                writer.WriteNumber("gen_ai.usage.input_tokens", input);
                writer.WriteNumber("gen_ai.usage.output_tokens", output);
                writer.WriteNumber("gen_ai.usage.total_tokens", input + output);
                writer.WriteNumber("gen_ai.usage.cache_read_input_tokens", random.Next(2) == 0 ? 512 : 0);
                writer.WriteNumber("gen_ai.server.time_to_first_token", 200 + random.Next(800));
                writer.WriteStartArray("gen_ai.response.finish_reasons");
                writer.WriteStringValue(StopReasons[random.Next(StopReasons.Length)]);
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteString("gen_ai.tool.name", name["execute_tool ".Length..]);
                writer.WriteString("gen_ai.tool.call.id", "tooluse_" + random.Next(1_000_000).ToString("x6", CultureInfo.InvariantCulture));
                writer.WriteString("gen_ai.tool.status", random.Next(15) == 0 ? "error" : "success");
            }

            writer.WriteEndObject();
            writer.WriteStartObject("status");
            writer.WriteString("code", random.Next(30) == 0 ? "ERROR" : "OK");
            writer.WriteEndObject();
            writer.WriteStartArray("events");
            if (role != 0)
            {
                // Message events carry content (Strands puts prompts and answers here).
                writer.WriteStartObject();
                writer.WriteNumber("timeUnixNano", endNanos - durationNanos + 1000);
                writer.WriteString("name", role <= 3 ? "gen_ai.user.message" : "gen_ai.tool.message");
                writer.WriteStartObject("attributes");
                writer.WriteString("content", "[{\"text\": \"" + text.Prose(200 + random.Next(900)) + "\"}]");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteStartObject();
                writer.WriteNumber("timeUnixNano", endNanos);
                writer.WriteString("name", "gen_ai.choice");
                writer.WriteStartObject("attributes");
                writer.WriteString("message", "[{\"text\": \"" + text.Prose(100 + random.Next(600)) + "\"}]");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Pseudo-English prose: a 4,000-word vocabulary drawn with a Zipf-like skew, punctuation, digits.</summary>
    internal sealed class TextSource
    {
        private readonly Random _random;
        private readonly string[] _words;
        private string[]? _passages;

        public TextSource(Random random)
        {
            _random = random;
            const string consonants = "bcdfghjklmnprstvwyz";
            const string vowels = "aeiou";
            _words = new string[4000];
            var builder = new StringBuilder();
            for (var i = 0; i < _words.Length; i++)
            {
                builder.Clear();
                var syllables = 1 + (i % 4 == 0 ? 2 : random.Next(3));
                for (var s = 0; s < syllables; s++)
                {
                    builder.Append(consonants[random.Next(consonants.Length)]).Append(vowels[random.Next(vowels.Length)]);
                    if (random.Next(3) == 0)
                    {
                        builder.Append(consonants[random.Next(consonants.Length)]);
                    }
                }

                _words[i] = builder.ToString();
            }
        }

        /// <summary>
        /// Retrieved context: passages drawn (popular ones more often) from a fixed pool of 24, the way a
        /// RAG application sends the same knowledge-base chunks again and again; gzip finds the repeats.
        /// </summary>
        public string Passages(int chars)
        {
            if (_passages is null)
            {
                _passages = new string[24];
                for (var i = 0; i < _passages.Length; i++)
                {
                    _passages[i] = Prose(1024 + _random.Next(2048)) + "\n\n";
                }
            }

            var builder = new StringBuilder(chars + 4096);
            while (builder.Length < chars)
            {
                var u = _random.NextDouble();
                builder.Append(_passages[(int)(u * u * _passages.Length)]);
            }

            builder.Length = chars;
            return builder.ToString();
        }

        public string Prose(int chars)
        {
            var builder = new StringBuilder(chars + 16);
            var sentence = 0;
            while (builder.Length < chars)
            {
                // Zipf-like: squaring a uniform number favours the frequent (low-index) words.
                var u = _random.NextDouble();
                var word = _words[(int)(u * u * u * _words.Length)];
                if (sentence == 0)
                {
                    builder.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                }
                else
                {
                    builder.Append(word);
                }

                sentence++;
                if (_random.Next(60) == 0)
                {
                    builder.Append(' ').Append(_random.Next(10_000));
                }

                if (sentence > 6 && _random.Next(12) == 0)
                {
                    builder.Append(_random.Next(4) == 0 ? ",\n" : ". ");
                    sentence = 0;
                }
                else
                {
                    builder.Append(' ');
                }
            }

            builder.Length = chars;
            return builder.ToString();
        }
    }
}
