using System.Globalization;

namespace GenAiObs.Cli;

/// <summary>
/// The settings that come with the bundled samples (<c>samples/samples.env</c>): <c>NAME=VALUE</c>
/// lines, <c>#</c> comments and blank lines. They apply only when the samples are replayed, and
/// only to variables the environment does not set, so a user's own budget or routing still wins.
/// </summary>
internal static class SampleSettings
{
    public const string FileName = "samples.env";

    /// <summary>The environment's variables, plus those of <paramref name="samplesDirectory"/>'s settings file it lacks.</summary>
    /// <exception cref="CliUsageException">A line of the file is not <c>NAME=VALUE</c>.</exception>
    public static IReadOnlyDictionary<string, string> Apply(IReadOnlyDictionary<string, string> environment, string samplesDirectory)
    {
        var path = Path.Combine(samplesDirectory, FileName);
        if (!File.Exists(path))
        {
            return environment;
        }

        var merged = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var rawLine in File.ReadLines(path))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"{path} line {lineNumber}: expected NAME=VALUE"));
            }

            merged.TryAdd(line[..separator].Trim(), line[(separator + 1)..].Trim());
        }

        return merged;
    }
}
