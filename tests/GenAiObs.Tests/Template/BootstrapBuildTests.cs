using System.Diagnostics;
using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>
/// Runs what <c>sam build</c> runs for one function once per test run: the Makefile target
/// publishes the self-contained linux-arm64 bootstrap (minutes on a cold cache, seconds when the
/// Makefile's cache is current) into an artifacts directory the tests share.
/// </summary>
public sealed class BootstrapBuildFixture : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private readonly Lazy<Task<BuildResult>> _build;

    public BootstrapBuildFixture()
    {
        ArtifactsDir = Path.Combine(Path.GetTempPath(), $"genaiobs-sam-artifacts-{Guid.NewGuid():N}");
        _build = new Lazy<Task<BuildResult>>(() => RunMakeAsync("build-InvocationLogFunction", ArtifactsDir));
    }

    public string ArtifactsDir { get; }

    public Task<BuildResult> BuildAsync() => _build.Value;

    public void Dispose()
    {
        if (Directory.Exists(ArtifactsDir))
        {
            Directory.Delete(ArtifactsDir, recursive: true);
        }
    }

    private static async Task<BuildResult> RunMakeAsync(string target, string artifactsDir)
    {
        var start = new ProcessStartInfo("make", ["-C", RepositoryPaths.FunctionsProjectDir, target, $"ARTIFACTS_DIR={artifactsDir}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("make did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"make {target} did not finish within {BuildTimeout}");
        }

        return new BuildResult(process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    public sealed record BuildResult(int ExitCode, string Output);
}

[Trait("Category", "Integration")]
public sealed class BootstrapBuildTests : IClassFixture<BootstrapBuildFixture>
{
    private const ushort ElfMachineAArch64 = 0xB7;
    private readonly BootstrapBuildFixture _build;

    public BootstrapBuildTests(BootstrapBuildFixture build)
    {
        _build = build;
    }

    [Fact]
    public async Task MakeBuildTarget_WhenRunLikeSamBuild_ShouldProduceAnExecutableLinuxArm64Bootstrap()
    {
        var result = await _build.BuildAsync();
        var bootstrap = Path.Combine(_build.ArtifactsDir, "bootstrap");

        Assert.True(result.ExitCode == 0, $"make failed ({result.ExitCode}):{Environment.NewLine}{Tail(result.Output)}");
        Assert.True(File.Exists(bootstrap), $"no bootstrap in ARTIFACTS_DIR; files: {string.Join(", ", Directory.EnumerateFiles(_build.ArtifactsDir).Select(Path.GetFileName).Take(20))}");
        // Lambda executes bootstrap directly: it needs the execute bit (make and SAM run on Linux/macOS).
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(bootstrap) & UnixFileMode.UserExecute) != 0, "bootstrap is not executable");
        var header = new byte[20];
        await using (var file = File.OpenRead(bootstrap))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.Equal("\u007fELF"u8.ToArray(), header[..4]);
        Assert.Equal(2, header[4]); // ELFCLASS64
        Assert.Equal(1, header[5]); // little-endian
        Assert.Equal(ElfMachineAArch64, BitConverter.ToUInt16(header, 18));
    }

    [Fact]
    public async Task MakeBuildTarget_WhenRun_ShouldShipTheSelfContainedRuntimeBesideTheBootstrap()
    {
        var result = await _build.BuildAsync();

        Assert.True(result.ExitCode == 0, $"make failed ({result.ExitCode}):{Environment.NewLine}{Tail(result.Output)}");
        // Self-contained: the runtime comes with the function (provided.al2023 has no .NET).
        Assert.True(File.Exists(Path.Combine(_build.ArtifactsDir, "libcoreclr.so")), "libcoreclr.so missing: the publish is not self-contained for linux");
        Assert.True(File.Exists(Path.Combine(_build.ArtifactsDir, "bootstrap.dll")), "bootstrap.dll missing");
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];
}
