using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GenAiObs.Tests.Metrics;
using Xunit;

namespace GenAiObs.Tests.Runtime;

/// <summary>
/// The published <c>bootstrap</c> executable, started as a process against a loopback Runtime
/// API, fed real gzip+base64 CloudWatch Logs subscription events.
/// </summary>
[Collection(PublishedBootstrapCollection.Name)]
[Trait("Category", "Integration")]
public sealed class BootstrapEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly PublishedBootstrap _bootstrap;

    public BootstrapEndToEndTests(PublishedBootstrap bootstrap)
    {
        _bootstrap = bootstrap;
    }

    [Fact]
    public async Task Bootstrap_WhenServingSubscriptionEvents_ShouldPostSummariesAndWriteEmfLines()
    {
        await using var server = new LoopbackRuntimeApi();
        await using var process = BootstrapProcess.Start(_bootstrap.ExecutablePath, new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = server.Address,
            ["_HANDLER"] = "invocation-logs",
            ["GENAIOBS_MAX_EVENT_AGE_HOURS"] = "1000000",
            ["GENAIOBS_MAX_EVENT_AHEAD_HOURS"] = "1000000",
            ["POWERTOOLS_SERVICE_NAME"] = "e2e-service",
            ["POWERTOOLS_METRICS_NAMESPACE"] = "GenAI/E2E",
            ["GENAIOBS_ENVIRONMENT"] = "test",
            ["AWS_REGION"] = "us-east-1",
        });
        server.Enqueue(new QueuedInvocation("req-data", SubscriptionEvent("invocation-logs.data-message.json"), FarDeadline(), "Root=1-67891233-abcdef012345678912345678"));
        server.Enqueue(new QueuedInvocation("req-control", SubscriptionEvent("control-message.json"), FarDeadline()));

        var data = await server.NextPostAsync(Wait);
        var control = await server.NextPostAsync(Wait);
        await process.StopAsync();

        Assert.Equal(("response", "req-data"), (data.Kind, data.RequestId));
        using (var summary = JsonDocument.Parse(data.Body))
        {
            var root = summary.RootElement;
            Assert.Equal(4, root.GetProperty("events").GetInt32());
            Assert.Equal(3, root.GetProperty("invocations").GetInt32());
            Assert.Equal(1, root.GetProperty("rejected").GetInt32());
            Assert.Equal(0, root.GetProperty("controlMessages").GetInt32());
            Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("batchId").GetString());
        }

        Assert.Equal(("response", "req-control"), (control.Kind, control.RequestId));
        using (var summary = JsonDocument.Parse(control.Body))
        {
            Assert.Equal(1, summary.RootElement.GetProperty("controlMessages").GetInt32());
            Assert.Equal(0, summary.RootElement.GetProperty("invocations").GetInt32());
        }

        // stdout carries only EMF documents and plain attribution lines; each one is checked against the spec.
        var documents = process.StandardOutput.SelectMany(line => EmfSpec.ParseViews(Encoding.UTF8.GetBytes(line))).ToList();
        Assert.All(documents.Where(d => d.HasDirective), d => Assert.Equal("GenAI/E2E", d.Namespace));
        var totals = documents.Where(d => d.HasDimensions(["Service"])).ToList();
        var attribution = documents.Where(d => d.Properties.ContainsKey("Principal")).ToList();
        Assert.All(totals, d => Assert.Equal("e2e-service", d.Dimensions["Service"]));
        Assert.All(attribution, d => Assert.False(d.HasDirective, "an attribution document defines a metric"));
        Assert.Equal(3, Sum(totals, "Invocations"));
        Assert.Equal(3, attribution.Sum(d => d.PropertyValues["Invocations"]));
        Assert.Equal(1, attribution.Sum(d => d.PropertyValues.GetValueOrDefault("InvocationErrors")));
        var stopReasons = documents.Where(d => d.HasDimensions(["Service", "StopReason"])).ToList();
        Assert.Equal(1, Sum(stopReasons.Where(d => d.Dimensions["StopReason"] is "end_turn" or "tool_use"), "StopReasonCount"));
        Assert.Equal(1, Sum(stopReasons.Where(d => d.Dimensions["StopReason"] == "max_tokens"), "StopReasonCount"));
        Assert.Equal(1, Sum(totals, "RejectedRecords"));
        Assert.True(Sum(totals, "CostUsd") > 0);
        Assert.Equal([410.0], totals.SelectMany(d => d.Values.GetValueOrDefault("TimeToFirstToken", [])));
        var eventMinute = DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        Assert.Contains(totals, d => d.Timestamp == eventMinute && d.Values.ContainsKey("Invocations"));
        // Principals are properties of the attribution documents, never dimensions.
        Assert.DoesNotContain(documents, d => d.Dimensions.ContainsKey("Principal"));
        var principals = attribution.Select(d => d.Properties["Principal"]).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["batch-summariser", "support-bot-role"], principals);
        Assert.Contains(documents, d => d.Dimensions.GetValueOrDefault("Team") == "support");
        Assert.Contains(documents, d => d.Dimensions.GetValueOrDefault("Environment") == "test");

        // Diagnostics are JSON lines with counts and reasons, and no record content anywhere.
        var diagnostics = process.StandardError.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        var batchLine = Assert.Single(diagnostics, l => l.TryGetProperty("requestId", out var id) && id.GetString() == "req-data");
        Assert.Equal(1, batchLine.GetProperty("reasons").EnumerateObject().Sum(r => r.Value.GetInt64()));
        Assert.Equal(3, batchLine.GetProperty("counts").GetProperty("invocations").GetInt64());
        var everything = string.Join('\n', process.StandardOutput.Concat(process.StandardError)) + data.BodyText + control.BodyText;
        Assert.DoesNotContain("CANARY", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("555-0100", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bootstrap_WhenHandlerSettingIsMissing_ShouldPostInitErrorAndExitNonZero()
    {
        await using var server = new LoopbackRuntimeApi();
        await using var process = BootstrapProcess.Start(_bootstrap.ExecutablePath, new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = server.Address,
        });

        var posted = await server.NextPostAsync(Wait);
        var exitCode = await process.WaitForExitAsync(Wait);

        Assert.Equal("init-error", posted.Kind);
        using var error = JsonDocument.Parse(posted.Body);
        Assert.Equal("SettingsException", error.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("_HANDLER", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, error.RootElement.GetProperty("stackTrace").ValueKind);
        Assert.Equal("SettingsException", posted.Headers["Lambda-Runtime-Function-Error-Type"]);
        Assert.NotEqual(0, exitCode);
        Assert.Equal(0, server.NextRequests);
    }

    [Fact]
    public async Task Bootstrap_WhenHandlerIsUnknown_ShouldPostInitErrorNamingIt()
    {
        await using var server = new LoopbackRuntimeApi();
        await using var process = BootstrapProcess.Start(_bootstrap.ExecutablePath, new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = server.Address,
            ["_HANDLER"] = "bogus-handler",
        });

        var posted = await server.NextPostAsync(Wait);
        var exitCode = await process.WaitForExitAsync(Wait);

        Assert.Equal("init-error", posted.Kind);
        using var error = JsonDocument.Parse(posted.Body);
        Assert.Contains("bogus-handler", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Contains("invocation-logs", error.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(0, exitCode);
    }

    /// <summary>A Lambda subscription event exactly as CloudWatch Logs sends it: the DATA_MESSAGE gzipped, then base64.</summary>
    private static byte[] SubscriptionEvent(string fixture)
    {
        var payload = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "runtime", fixture));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(payload);
        }

        return JsonSerializerUtf8(Convert.ToBase64String(compressed.ToArray()));
    }

    private static byte[] JsonSerializerUtf8(string data)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("awslogs");
            writer.WriteString("data", data);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static double Sum(IEnumerable<EmfDocument> documents, string metric) =>
        documents.Sum(d => d.Values.TryGetValue(metric, out var values) ? values.Sum() : 0);

    private static long FarDeadline() => DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();
}
