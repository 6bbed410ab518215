using System.Diagnostics;
using System.Text;
using System.Text.Json;
using GenAiObs.Tests.Cli;
using GenAiObs.Tests.Parsing;
using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.NativeCli;

/// <summary>
/// The Native AOT <c>genaiobs</c> (the documented build for large replays), run as a child process,
/// must print byte for byte what the CLI prints in process (the JIT build every other CLI test
/// checks) and exit with the same code: the bundled samples, gzip subscription events, the cost
/// estimate, the routing tree, a price file check, and the DynamoDB round trip against dynalite.
/// Each test also checks that the output is a real result, so two identical failures do not pass.
/// </summary>
[Collection(PublishedNativeCliCollection.Name)]
[Trait("Category", "Integration")]
public sealed class NativeCliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>Invocation-log records of five models, one throttled call among them.</summary>
    private static readonly string[] Fixtures =
        ["converse-anthropic.json", "stream-anthropic.json", "invoke-llama.json", "error-throttled.json", "invoke-titan.json"];

    private readonly PublishedNativeCli _cli;
    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-native-cli-test-").FullName;

    public NativeCliTests(PublishedNativeCli cli)
    {
        _cli = cli;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ReplayJson_WhenNoFileGiven_ShouldPrintTheInProcessOutputOfTheBundledSamples()
    {
        // Act
        var stdout = await AssertSameAsInProcessAsync([], "replay", "--json");

        // Assert: the samples' records, spans and the alert samples.env's budget makes fire.
        using var json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.GetProperty("invocations").GetProperty("records").GetInt64() > 1000);
        Assert.True(json.RootElement.GetProperty("spans").GetProperty("records").GetInt64() > 1000);
        Assert.Contains(json.RootElement.GetProperty("alerts").EnumerateArray(), alert => alert.GetProperty("rule").GetString() == "BudgetForecastExceeded");
    }

    [Fact]
    public async Task ReplayJsonNoAlerts_WhenGzipSubscriptionEvents_ShouldPrintTheInProcessOutput()
    {
        // Arrange: the bundled agent spans and the invocation fixtures, both gzip files of subscription events.
        var spans = Path.Combine(AppContext.BaseDirectory, "samples", "agent-spans.subscription.jsonl.gz");
        var invocations = Path.Combine(_directory, "invocations.subscription.jsonl.gz");
        await File.WriteAllBytesAsync(invocations, TestEvents.Gzip(SubscriptionEventLine()));

        // Act
        var stdout = await AssertSameAsInProcessAsync([], "replay", "--json", "--no-alerts", spans, invocations);

        // Assert
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(Fixtures.Length, json.RootElement.GetProperty("invocations").GetProperty("records").GetInt64());
        Assert.True(json.RootElement.GetProperty("spans").GetProperty("records").GetInt64() > 1000);
        Assert.False(json.RootElement.TryGetProperty("alerts", out _));
    }

    [Fact]
    public async Task CostEstimateJson_ShouldPrintTheInProcessEstimate()
    {
        // Act
        var stdout = await AssertSameAsInProcessAsync([], "cost-estimate", "--json", "--invocations-per-month", "1000000", "--hours", "1");

        // Assert
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(1_000_000, json.RootElement.GetProperty("scenario").GetProperty("invocationsPerMonth").GetInt64());
        Assert.Contains(json.RootElement.GetProperty("components").EnumerateArray(), component => component.GetProperty("component").GetString()!.StartsWith("DynamoDB", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RoutesShow_ShouldPrintTheInProcessTree()
    {
        // Act
        var stdout = await AssertSameAsInProcessAsync([], "routes", "show");

        // Assert
        Assert.StartsWith("Routing tree:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PricesCheck_WhenTheBuiltInPriceFile_ShouldPrintTheInProcessCheck()
    {
        // Arrange
        var prices = Path.Combine(PublishedBootstrap.RepositoryRoot(), "functions", "GenAiObs.Core", "Pricing", "default-prices.json");

        // Act
        var stdout = await AssertSameAsInProcessAsync([], "prices", "check", prices);

        // Assert
        Assert.Contains(": valid.", stdout, StringComparison.Ordinal);
        Assert.Contains("No differences from the embedded default", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayDynamoDbTwiceThenReport_ShouldPrintWhatTheInProcessCliPrintsForItsOwnTable()
    {
        // Arrange: one table written by the native CLI, one by the in-process CLI, the same events into both.
        var events = Path.Combine(_directory, "events.jsonl");
        await File.WriteAllBytesAsync(events, SubscriptionEventLine());
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")
            ?? throw new InvalidOperationException("AWS_ENDPOINT_URL_DYNAMODB is not set: run `bash tests/run-tests.sh`, which starts dynalite.");
        var native = StoreVariables(endpoint);
        var inProcess = StoreVariables(endpoint);
        Assert.Equal(0, (await RunNativeAsync(native, "init-table")).Exit);
        Assert.Equal(0, (await ReplayCommandTests.RunWithAsync(inProcess, "init-table")).Exit);

        // Act + assert: each step prints the same on both sides; the second replay counts nothing twice.
        foreach (var step in new[] { "first replay", "second replay" })
        {
            var stdout = await AssertSameAsInProcessAsync(native, inProcess, "replay", "--dynamodb", "--json", events);
            using var replay = JsonDocument.Parse(stdout);
            Assert.True(Fixtures.Length == replay.RootElement.GetProperty("invocations").GetProperty("records").GetInt64(), step);
        }

        var report = await AssertSameAsInProcessAsync(native, inProcess, "report", "--json", "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-21T00:00:00Z");
        using var json = JsonDocument.Parse(report);
        Assert.Equal(Fixtures.Length, json.RootElement.GetProperty("invocations").GetProperty("records").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("invocations").GetProperty("errors").GetInt64());
    }

    /// <summary>One line: a Lambda subscription event carrying the fixture records as one DATA_MESSAGE.</summary>
    private static byte[] SubscriptionEventLine() =>
        [.. TestEvents.SubscriptionEvent(TestEvents.DataMessage(Fixtures.Select(TestEvents.CompactFixture).ToArray())), (byte)'\n'];

    /// <summary>What the store commands need: a table of their own on dynalite; the credentials are dynalite's dummies, so the SDK never looks further (instance metadata).</summary>
    private static Dictionary<string, string> StoreVariables(string endpoint) => new()
    {
        ["GENAIOBS_TABLE_NAME"] = "genaiobs-native-" + Guid.NewGuid().ToString("N")[..12],
        ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
    };

    private Task<string> AssertSameAsInProcessAsync(Dictionary<string, string> variables, params string[] args) =>
        AssertSameAsInProcessAsync(variables, variables, args);

    /// <summary>
    /// Runs <paramref name="args"/> natively and in process (one after the other: the machine may
    /// have two cores), asserts exit 0 on both and byte-identical stdout, and returns that stdout.
    /// </summary>
    private async Task<string> AssertSameAsInProcessAsync(Dictionary<string, string> nativeVariables, Dictionary<string, string> inProcessVariables, params string[] args)
    {
        var native = await RunNativeAsync(nativeVariables, args);
        var expected = await ReplayCommandTests.RunWithAsync(inProcessVariables, args);

        Assert.True(expected.Exit == 0, $"in process: genaiobs {string.Join(' ', args)} exited {expected.Exit}: {expected.Stderr}");
        Assert.True(native.Exit == 0, $"native: genaiobs {string.Join(' ', args)} exited {native.Exit}: {native.Stderr}");
        // The string comparison shows where they differ; the byte comparison also catches what
        // decoding would hide (a byte-order mark, invalid UTF-8).
        Assert.Equal(expected.Stdout, Encoding.UTF8.GetString(native.Stdout));
        Assert.Equal(Encoding.UTF8.GetBytes(expected.Stdout), native.Stdout);
        return expected.Stdout;
    }

    /// <summary>Runs the native executable with exactly <paramref name="variables"/> (plus PATH and HOME) and returns its exit code, raw stdout and stderr.</summary>
    private async Task<(int Exit, byte[] Stdout, string Stderr)> RunNativeAsync(Dictionary<string, string> variables, params string[] args)
    {
        var start = BootstrapProcess.HermeticStartInfo(_cli.ExecutablePath, variables);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the native genaiobs did not start");
        using var stdout = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"native genaiobs {string.Join(' ', args)} did not finish in {Timeout}:\n{await stderr}");
        }

        await reading;
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }
}
