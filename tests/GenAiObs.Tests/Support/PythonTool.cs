using System.Diagnostics;

namespace GenAiObs.Tests.Deploy;

/// <summary>The outcome of one Python process: exit code and everything it wrote.</summary>
internal sealed record PythonResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>
/// Runs the Python test tools of tests/requirements.txt (cfn-lint, the SAM transform, boto3
/// against moto) as child processes: <c>python3</c> from PATH, the interpreter tests/run-tests.sh
/// installed them into.
/// </summary>
internal static class PythonTool
{
    public static async Task<PythonResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Runtime.PublishedBootstrap.RepositoryRoot(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 {string.Join(' ', start.ArgumentList)} did not finish in time:\n{await stderr}");
        }

        return new PythonResult(process.ExitCode, await stdout, await stderr);
    }
}
