using System.Globalization;
using System.Text;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// The private data a prompt, a response or a caller identity may carry, planted in test input so
/// a test can prove it never comes out: a marker string, an e-mail address, a phone number, an
/// AWS-access-key-shaped string, and an e-mail used as an assumed-role session name. Shared by
/// every test that wants to check an output channel for leaks.
/// </summary>
public static class PiiCanary
{
    public const string Marker = "PII-CANARY-5d1e";
    public const string Email = "jane.canary@example.com";
    public const string Phone = "+1-202-555-0147";

    /// <summary>AKIA + 16 characters: the shape secret scanners look for.</summary>
    public const string AwsAccessKey = "AKIAQ3CANARYEXAMPLE7";

    /// <summary>A person's e-mail used as the role-session name (what SSO and many CI systems do).</summary>
    public const string SessionEmail = "sam.session-canary@example.org";

    /// <summary>The role of <see cref="CallerArn"/>: the only part of the identity that may be kept.</summary>
    public const string RoleName = "support-bot-role";

    public const string CallerArn = "arn:aws:sts::111122223333:assumed-role/" + RoleName + "/" + SessionEmail;

    /// <summary>Prompt or response text carrying every canary.</summary>
    public const string Text = Marker + ": mail " + Email + " or call " + Phone + ", key " + AwsAccessKey + " (session " + SessionEmail + ")";

    /// <summary>
    /// What is searched for in outputs: each canary, or its most distinctive part where an encoder
    /// may escape a character of it (JSON escapes '+', form encoding escapes '@').
    /// </summary>
    public static IReadOnlyList<string> Needles { get; } =
    [
        Marker, "jane.canary", "202-555-0147", "2025550147", AwsAccessKey, "sam.session-canary",
    ];

    /// <summary>The needles found in <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> Find(string? text) =>
        text is null ? [] : Needles.Where(needle => text.Contains(needle, StringComparison.OrdinalIgnoreCase)).ToList();

    public static IReadOnlyList<string> Find(ReadOnlySpan<byte> utf8) => Find(Encoding.UTF8.GetString(utf8));

    /// <summary>Fails naming the channel and the canary (never echoing more of the output than a short excerpt).</summary>
    public static void AssertAbsent(string channel, string? text)
    {
        var found = Find(text);
        if (found.Count > 0)
        {
            var at = text!.IndexOf(found[0], StringComparison.OrdinalIgnoreCase);
            var excerpt = text.Substring(Math.Max(0, at - 80), Math.Min(text.Length - Math.Max(0, at - 80), 200));
            Assert.Fail($"canary {string.Join(", ", found)} leaked into {channel}: …{excerpt}…");
        }
    }

    public static void AssertAbsent(string channel, IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            AssertAbsent(channel, text);
        }
    }

    /// <summary>
    /// A realistic Converse invocation-log record whose prompt, response, an extra requestMetadata
    /// tag and the caller's session name carry the canaries (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html).
    /// </summary>
    public static string InvocationRecord(
        DateTimeOffset timestamp,
        string modelId = "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        long inputTokens = 1200,
        long outputTokens = 310,
        string? errorCode = null,
        double latencyMs = 1302,
        string requestId = "5c1b2a3e-8d4f-4f7a-9a60-0f6d1e2b3c4d",
        string callerArn = CallerArn)
    {
        var text = Json(Text);
        var error = errorCode is null ? string.Empty : $"\"errorCode\":\"{errorCode}\",";
        return string.Create(
            CultureInfo.InvariantCulture,
            $$$$"""{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"{{{{timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}}}","accountId":"111122223333","identity":{"arn":{{{{Json(callerArn)}}}}},"region":"us-east-1","requestId":"{{{{requestId}}}}","operation":"Converse","modelId":"{{{{modelId}}}}",{{{{error}}}}"input":{"inputContentType":"application/json","inputBodyJson":{"system":[{"text":{{{{text}}}}}],"messages":[{"role":"user","content":[{"text":{{{{text}}}}}]}]},"inputTokenCount":{{{{inputTokens}}}},"cacheReadInputTokenCount":0,"cacheWriteInputTokenCount":0},"output":{"outputContentType":"application/json","outputBodyJson":{"output":{"message":{"role":"assistant","content":[{"text":{{{{text}}}}},{"toolUse":{"name":"lookup","input":{"email":"{{{{Email}}}}"}}}]}},"stopReason":"end_turn","metrics":{"latencyMs":{{{{latencyMs}}}}},"usage":{"inputTokens":{{{{inputTokens}}}},"outputTokens":{{{{outputTokens}}}}}},"outputTokenCount":{{{{outputTokens}}}}},"requestMetadata":{"team":"support","application":"helpdesk","user":"{{{{Email}}}}","ticket":{{{{text}}}}}}""");
    }

    /// <summary>
    /// An OpenTelemetry model-call span (aws/spans, OpenTelemetry GenAI semantic conventions) whose prompt and completion
    /// attributes and events carry the canaries.
    /// </summary>
    public static string ModelCallSpan(DateTimeOffset end, string spanId = "00f067aa0ba902b7", string traceId = "4bf92f3577b34da6a3ce929d0e0e4736", string sessionId = "session-7d1c", bool error = false, double durationMs = 1500)
    {
        var text = Json(Text);
        var endNanos = end.ToUnixTimeMilliseconds() * 1_000_000L;
        var startNanos = endNanos - (long)(durationMs * 1_000_000);
        return string.Create(
            CultureInfo.InvariantCulture,
            $$$$"""{"resource":{"attributes":{"service.name":"helpdesk-agent","deployment.environment.name":"prod"}},"scope":{"name":"strands.telemetry.tracer"},"traceId":"{{{{traceId}}}}","spanId":"{{{{spanId}}}}","name":"chat","kind":"CLIENT","startTimeUnixNano":{{{{startNanos}}}},"endTimeUnixNano":{{{{endNanos}}}},"attributes":{"gen_ai.operation.name":"chat","gen_ai.system":"aws.bedrock","gen_ai.request.model":"us.anthropic.claude-sonnet-4-5-20250929-v1:0","session.id":"{{{{sessionId}}}}","gen_ai.prompt":{{{{text}}}},"gen_ai.completion":{{{{text}}}},"gen_ai.input.messages":{{{{text}}}},"user.email":"{{{{Email}}}}","gen_ai.usage.input_tokens":1980,"gen_ai.usage.output_tokens":119,"gen_ai.response.finish_reasons":["end_turn"]},"status":{"code":"{{{{(error ? "ERROR" : "OK")}}}}","message":{{{{text}}}}},"events":[{"timeUnixNano":{{{{startNanos}}}},"name":"gen_ai.user.message","attributes":{"content":{{{{text}}}}}},{"timeUnixNano":{{{{endNanos}}}},"name":"gen_ai.choice","attributes":{"message":{{{{text}}}}}}]}""");
    }

    /// <summary>A JSON string literal (quoted, escaped).</summary>
    public static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
