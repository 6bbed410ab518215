namespace GenAiObs.Adapters.Diagnostics;

/// <summary>Log levels, ordered; names follow Powertools (<c>DEBUG</c>, <c>INFO</c>, <c>WARN</c>, <c>ERROR</c>, <c>CRITICAL</c>).</summary>
public enum DiagnosticLevel
{
    Trace = 0,
    Debug,
    Information,
    Warning,
    Error,
    Critical,
    None,
}
