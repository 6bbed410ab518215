namespace GenAiObs.Core.Alerts;

public static class AlertLabels
{
    public const string AlertName = "alertname";
    public const string Severity = "severity";
    public const string CloudProvider = "cloud_provider";
    public const string Summary = "summary";
    public const string Description = "description";

    public static string ToLabel(this AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.Warning => "warning",
        _ => "info",
    };

    public static string ToLabel(this AlertStatus status) => status == AlertStatus.Firing ? "firing" : "resolved";

    /// <summary>Parses a severity label; anything unknown is treated as info (the least urgent).</summary>
    public static AlertSeverity ParseSeverity(string? label) => label switch
    {
        "critical" => AlertSeverity.Critical,
        "warning" => AlertSeverity.Warning,
        _ => AlertSeverity.Info,
    };

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
