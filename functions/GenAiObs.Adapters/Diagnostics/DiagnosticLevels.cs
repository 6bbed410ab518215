namespace GenAiObs.Adapters.Diagnostics;

public static class DiagnosticLevels
{
    /// <summary>Parses Powertools / Lambda advanced-logging names and the Microsoft.Extensions.Logging ones, case-insensitively.</summary>
    public static bool TryParse(string text, out DiagnosticLevel level)
    {
        level = text.Trim().ToUpperInvariant() switch
        {
            "TRACE" => DiagnosticLevel.Trace,
            "DEBUG" => DiagnosticLevel.Debug,
            "INFO" or "INFORMATION" => DiagnosticLevel.Information,
            "WARN" or "WARNING" => DiagnosticLevel.Warning,
            "ERROR" => DiagnosticLevel.Error,
            "CRITICAL" or "FATAL" => DiagnosticLevel.Critical,
            "NONE" or "OFF" => DiagnosticLevel.None,
            _ => (DiagnosticLevel)(-1),
        };
        return level >= 0;
    }

    public static string Name(DiagnosticLevel level) => level switch
    {
        DiagnosticLevel.Trace => "TRACE",
        DiagnosticLevel.Debug => "DEBUG",
        DiagnosticLevel.Information => "INFO",
        DiagnosticLevel.Warning => "WARN",
        DiagnosticLevel.Error => "ERROR",
        DiagnosticLevel.Critical => "CRITICAL",
        _ => "NONE",
    };
}
