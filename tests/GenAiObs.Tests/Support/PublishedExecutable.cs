using System.Diagnostics;
using System.Text;

namespace GenAiObs.Tests.Runtime;

/// <summary>
/// An executable of a project under <c>functions/</c>, published once per test run for a collection
/// fixture: self-contained linux-x64 Release without debug files, into a temp directory
/// (<c>Root/publish</c>) with its own artifacts path so it never races the test build, without the
/// test host's MSBuild variables, bounded by a timeout, with its log in the exception when it fails.
/// A variable may name an already published executable to use instead (local runs; CI leaves it unset).
/// </summary>
public abstract class PublishedExecutable : IDisposable
{
    /// <param name="project">The project folder and file name, e.g. <c>GenAiObs.Cli</c>.</param>
    /// <param name="executable">The executable's file name in the publish output.</param>
    /// <param name="prebuiltVariable">The variable that may name an already published executable.</param>
    /// <param name="timeout">How long the publish may take.</param>
    /// <param name="properties">The publish's own properties; not asked for when the variable names an executable.</param>
    protected PublishedExecutable(string project, string executable, string prebuiltVariable, TimeSpan timeout, Func<IEnumerable<string>> properties)
    {
        Root = Path.Combine(Path.GetTempPath(), $"genaiobs-{executable}-{Guid.NewGuid():N}");
        ExecutablePath = Environment.GetEnvironmentVariable(prebuiltVariable) is { Length: > 0 } prebuilt && File.Exists(prebuilt)
            ? prebuilt
            : Publish(project, executable, Root, timeout, properties());
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

    /// <summary>Publishes <paramref name="project"/> with the extra <paramref name="properties"/> and returns the path of <paramref name="executable"/> in the output.</summary>
    private static string Publish(string project, string executable, string root, TimeSpan timeout, IEnumerable<string> properties)
    {
        var output = Path.Combine(root, "publish");
        var projectFile = Path.Combine(Template.RepositoryPaths.Root, "functions", project, project + ".csproj");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "publish", projectFile, "-c", "Release", "-r", "linux-x64", "--self-contained", "true",
            "-p:DebugType=none", "--artifacts-path", Path.Combine(root, "artifacts"), "-o", output,
        }.Concat(properties))
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
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish {project} took longer than {timeout}:\n{log}");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed ({process.ExitCode}):\n{log}");
        }

        var path = Path.Combine(output, executable);
        return File.Exists(path) ? path : throw new FileNotFoundException($"dotnet publish {project} produced no {executable}", path);
    }
}
