using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GenAiObs.Tests.Deploy;

/// <summary>
/// The moto server tests/run-tests.sh starts (a simulated AWS account on a loopback port,
/// exported as GENAIOBS_TEST_MOTO_ENDPOINT). A test that needs it fails when it is missing: the
/// deploy proof must not pass by being skipped.
/// </summary>
internal static class MotoServer
{
    public const string EndpointVariable = "GENAIOBS_TEST_MOTO_ENDPOINT";

    public static Uri Endpoint =>
        Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } value
            ? new Uri(value)
            : throw new InvalidOperationException(
                $"{EndpointVariable} is not set: run tests/run-tests.sh (it starts moto), or start `python3 -m moto.server -H 127.0.0.1 -p PORT` and export {EndpointVariable}=http://127.0.0.1:PORT.");
}

/// <summary>
/// One session of tests/deploy/simulated_account.py against moto: a long-lived Python process
/// (boto3 and the SAM transform load once) taking one JSON command per line and answering one
/// JSON line each. Each test uses its own region: Bedrock's logging configuration is one per
/// account and region, and moto is shared by the whole run.
/// </summary>
internal sealed class SimulatedAccount : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SimulatedAccount(Process process, string region)
    {
        _process = process;
        Region = region;
    }

    public string Region { get; }

    public static async Task<SimulatedAccount> StartAsync(string region)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Runtime.PublishedBootstrap.RepositoryRoot(),
        };
        foreach (var argument in new[] { "tests/deploy/simulated_account.py", "--endpoint", MotoServer.Endpoint.ToString().TrimEnd('/'), "--region", region })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var account = new SimulatedAccount(process, region);
        var ready = await account.ReadLineAsync(TimeSpan.FromMinutes(3));
        if (ready is null || !ready.Contains("\"ready\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"simulated_account.py did not start: {ready}");
        }

        return account;
    }

    /// <summary>Runs one command; throws with Python's error when it failed.</summary>
    public async Task<JsonElement> CallAsync(JsonObject command, TimeSpan? timeout = null)
    {
        await _gate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(command.ToJsonString());
            await _process.StandardInput.FlushAsync();
            var line = await ReadLineAsync(timeout ?? TimeSpan.FromMinutes(3))
                ?? throw new InvalidOperationException($"simulated_account.py exited during {command.ToJsonString()}");
            using var answer = JsonDocument.Parse(line);
            if (!answer.RootElement.GetProperty("ok").GetBoolean())
            {
                throw new InvalidOperationException($"{command["command"]} failed in the simulated account: {answer.RootElement.GetProperty("error").GetString()}");
            }

            return answer.RootElement.GetProperty("result").Clone();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
            _gate.Dispose();
        }
    }

    private async Task<string?> ReadLineAsync(TimeSpan timeout) =>
        await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout);
}
