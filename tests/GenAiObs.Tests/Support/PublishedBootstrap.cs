using System.Diagnostics;
using System.Text;
using Xunit;

namespace GenAiObs.Tests.Runtime;

/// <summary>
/// Publishes the real <c>bootstrap</c> once per test run (self-contained linux-x64 ReadyToRun, the
/// same publish the Makefile does for Lambda, into a temp directory with its own artifacts path so
/// it never races the test build) and hands its path to every test of the collection.
/// </summary>
public sealed class PublishedBootstrap : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);

    /// <summary>An already published bootstrap to use instead of publishing (local runs; CI leaves it unset).</summary>
    public const string PrebuiltVariable = "GENAIOBS_TEST_BOOTSTRAP";

    public PublishedBootstrap()
    {
        Root = Path.Combine(Path.GetTempPath(), $"genaiobs-bootstrap-{Guid.NewGuid():N}");
        if (Environment.GetEnvironmentVariable(PrebuiltVariable) is { Length: > 0 } prebuilt && File.Exists(prebuilt))
        {
            ExecutablePath = prebuilt;
            return;
        }

        var output = Path.Combine(Root, "publish");
        var project = Path.Combine(RepositoryRoot(), "functions", "GenAiObs.Functions", "GenAiObs.Functions.csproj");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "true",
            "-p:PublishReadyToRun=true", "-p:DebugType=none", "--artifacts-path", Path.Combine(Root, "artifacts"), "-o", output,
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The test host's MSBuild variables must not leak into the nested build.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet publish did not start");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(PublishTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish took longer than {PublishTimeout}:\n{log}");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{log}");
        }

        ExecutablePath = Path.Combine(output, "bootstrap");
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException("dotnet publish produced no bootstrap", ExecutablePath);
        }
    }

    public string Root { get; }

    public string ExecutablePath { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Temp clean-up is best effort.
        }
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GenAiObsLambdas.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("GenAiObsLambdas.sln not found above the test output directory.");
    }
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

        var process = Process.Start(start) ?? throw new InvalidOperationException("bootstrap did not start");
        var running = new BootstrapProcess(process);
        process.OutputDataReceived += (_, e) => running.Capture(running._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => running.Capture(running._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
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
