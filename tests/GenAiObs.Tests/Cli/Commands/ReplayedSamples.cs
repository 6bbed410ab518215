using System.Globalization;
using System.Text.Json;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary>One `replay --json` of the bundled samples, shared by the tests that read its alerts.</summary>
public sealed class ReplayedSamples : IAsyncLifetime
{
    public string Stdout { get; private set; } = string.Empty;

    public IReadOnlyList<ReplayedAlert> Alerts { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var (exit, stdout, stderr) = await ReplayCommandTests.RunAsync("replay", "--json");
        if (exit != 0)
        {
            throw new InvalidOperationException($"replay of the bundled samples exited {exit}: {stderr}");
        }

        Stdout = stdout;
        using var json = JsonDocument.Parse(stdout);
        Alerts = json.RootElement.GetProperty("alerts").EnumerateArray().Select(ReplayedAlert.Parse).ToList();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>One notification `replay --json` reports, as parsed from its output.</summary>
public sealed record ReplayedAlert(string Rule, string Severity, string Receiver, string Status, DateTimeOffset At, IReadOnlyDictionary<string, string> Labels)
{
    public static ReplayedAlert Parse(JsonElement element) => new(
        element.GetProperty("rule").GetString()!,
        element.GetProperty("severity").GetString()!,
        element.GetProperty("receiver").GetString()!,
        element.GetProperty("status").GetString()!,
        DateTimeOffset.Parse(element.GetProperty("at").GetString()!, CultureInfo.InvariantCulture),
        element.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal));

    public bool SameLabels(ReplayedAlert other) =>
        Labels.Count == other.Labels.Count && Labels.All(l => other.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}
