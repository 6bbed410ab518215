namespace GenAiObs.Core.Alerts;

/// <summary>
/// One route as written in the configuration (Alertmanager's <c>route</c>): every setting
/// optional, durations and matchers still as text so validation can name the offending setting.
/// </summary>
public sealed record RouteSpec
{
    public string? Receiver { get; init; }
    public IReadOnlyList<string>? GroupBy { get; init; }
    public string? GroupWait { get; init; }
    public string? GroupInterval { get; init; }
    public string? RepeatInterval { get; init; }

    /// <summary>Deprecated in Alertmanager (use <see cref="Matchers"/>): label → value equality.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Match { get; init; } = [];

    /// <summary>Deprecated in Alertmanager (use <see cref="Matchers"/>): label → regex; a null value (<c>label:</c> with nothing after it) is invalid.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> MatchRe { get; init; } = [];

    /// <summary>Matcher strings, each one or more comma-separated matchers (see <see cref="LabelMatcherParser"/>).</summary>
    public IReadOnlyList<string> Matchers { get; init; } = [];

    /// <summary>Names of <c>time_intervals</c> during which this route sends nothing.</summary>
    public IReadOnlyList<string> MuteTimeIntervals { get; init; } = [];

    /// <summary>Names of <c>time_intervals</c> outside which this route sends nothing (empty = always active).</summary>
    public IReadOnlyList<string> ActiveTimeIntervals { get; init; } = [];

    public bool Continue { get; init; }
    public IReadOnlyList<RouteSpec> Routes { get; init; } = [];
}
