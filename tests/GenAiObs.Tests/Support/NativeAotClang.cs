namespace GenAiObs.Tests.Runtime;

/// <summary>
/// Which clang a Native AOT publish links with: plain <c>clang</c> when it is on PATH (the SDK's
/// default), else the newest of clang-19 … clang-14 (Ubuntu and Debian install only versioned
/// names), the same search as tests/perf/end-to-end.sh.
/// </summary>
internal static class NativeAotClang
{
    private static readonly string[] VersionedClangs = ["clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14"];

    /// <summary>The publish properties that pick the compiler and linker for the directories of <paramref name="path"/>.</summary>
    /// <param name="prebuiltVariable">The variable that names an already published executable instead, for the message.</param>
    /// <exception cref="InvalidOperationException">No clang at all: Native AOT cannot link.</exception>
    public static string[] PublishProperties(string? path, string prebuiltVariable)
    {
        var directories = (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        bool OnPath(string name) => directories.Any(directory => File.Exists(Path.Combine(directory, name)));

        if (OnPath("clang"))
        {
            return [];
        }

        return VersionedClangs.FirstOrDefault(OnPath) is { } clang
            ? [$"-p:CppCompilerAndLinker={clang}"]
            : throw new InvalidOperationException(
                "Native AOT needs clang to link the genaiobs CLI, and neither clang nor any of " + string.Join(", ", VersionedClangs) +
                " is on PATH: install clang (e.g. `apt-get install clang`), or set " + prebuiltVariable + " to an already published native genaiobs.");
    }
}
