using System.Diagnostics;
using Xunit;

namespace GenAiObs.Tests.Runtime;

/// <summary>
/// The real <c>bootstrap</c>, published once per test run as the Makefile does for Lambda
/// (self-contained linux-x64 ReadyToRun), for every test of the collection.
/// </summary>
public sealed class PublishedBootstrap() : PublishedExecutable("GenAiObs.Functions", "bootstrap", PrebuiltVariable, TimeSpan.FromMinutes(8), () => ["-p:PublishReadyToRun=true"])
{
    /// <summary>An already published bootstrap to use instead of publishing (local runs; CI leaves it unset).</summary>
    public const string PrebuiltVariable = "GENAIOBS_TEST_BOOTSTRAP";

    internal static string RepositoryRoot() => Template.RepositoryPaths.Root;
}

[CollectionDefinition(Name)]
public sealed class PublishedBootstrapCollection : ICollectionFixture<PublishedBootstrap>
{
    public const string Name = "published bootstrap";
}

/// <summary>A running <c>bootstrap</c> process with its stdout and stderr captured line by line.</summary>
internal sealed class BootstrapProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private BootstrapProcess(Process process)
    {
        _process = process;
    }

    public IReadOnlyList<string> StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> StandardError
    {
        get
        {
            lock (_stderr)
            {
                return [.. _stderr];
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the executable with exactly <paramref name="environment"/> (plus PATH and HOME) so the test is hermetic.</summary>
    public static BootstrapProcess Start(string executable, IReadOnlyDictionary<string, string> environment)
    {
        var start = HermeticStartInfo(executable, environment);
        var process = Process.Start(start) ?? throw new InvalidOperationException("bootstrap did not start");
        var running = new BootstrapProcess(process);
        process.OutputDataReceived += (_, e) => running.Capture(running._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => running.Capture(running._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>How to start <paramref name="executable"/> with its output redirected and exactly <paramref name="environment"/> (plus PATH and HOME) as its environment.</summary>
    public static ProcessStartInfo HermeticStartInfo(string executable, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        start.Environment["HOME"] = Path.GetTempPath();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>Waits for the process to exit on its own (it reads every buffered line before returning).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Stops the process and waits until every line it wrote has been captured.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Capture(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }
    }
}
