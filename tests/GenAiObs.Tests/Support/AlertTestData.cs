using GenAiObs.Core.Alerts;

namespace GenAiObs.Tests.Alerts;

internal static class AlertTestData
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static Alert Firing(string alertName, AlertSeverity severity, DateTimeOffset startsAt, params (string Name, string Value)[] keys) =>
        Alert.Create(
            alertName,
            severity,
            keys.Select(k => new KeyValuePair<string, string>(k.Name, k.Value)),
            $"{alertName} is firing",
            "Computed from aggregates.",
            startsAt);

    public static LabelSet Labels(params (string Name, string Value)[] pairs) => LabelSet.From(pairs);
}
