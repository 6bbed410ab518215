namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Dimension keys of aggregate items. A key is <c>prefix#value</c> (the value as logged, not
/// escaped: only the first <c>#</c> separates), except <see cref="Total"/>.
/// </summary>
public static class AggregateKeys
{
    public const string Total = "total";

    // Invocation-log keys.
    public const string ModelPrefix = "model#";
    public const string PrincipalPrefix = "principal#";
    public const string TeamPrefix = "team#";
    public const string ApplicationPrefix = "app#";
    public const string EnvironmentPrefix = "env#";

    // Origin keys: only for deliveries that reach a central account through a Kinesis stream
    // (a direct subscription serves one account and region, whose key would repeat total).
    public const string AccountPrefix = "account#";
    public const string RegionPrefix = "region#";

    // Span keys.
    public const string ServicePrefix = "svc#";
    public const string SpanModelPrefix = "spanmodel#";
    public const string ToolPrefix = "tool#";
    public const string ComponentPrefix = "component#";

    /// <summary>Per-session span counters: fine buckets only, short retention, never rolled up.</summary>
    public const string SessionPrefix = "session#";

    /// <summary>Per-trace span counters (for distinct trace counts): fine buckets only, short retention, never rolled up.</summary>
    public const string TracePrefix = "trace#";

    public static string Model(string modelId) => ModelPrefix + modelId;
    public static string Principal(string principal) => PrincipalPrefix + principal;
    public static string Team(string team) => TeamPrefix + team;
    public static string Application(string application) => ApplicationPrefix + application;
    public static string Environment(string environment) => EnvironmentPrefix + environment;
    public static string Account(string accountId) => AccountPrefix + accountId;
    public static string Region(string region) => RegionPrefix + region;
    public static string Service(string service) => ServicePrefix + service;
    public static string SpanModel(string model) => SpanModelPrefix + model;
    public static string Tool(string tool) => ToolPrefix + tool;
    public static string Component(string component) => ComponentPrefix + component;
    public static string Session(string sessionId) => SessionPrefix + sessionId;
    public static string Trace(string traceId) => TracePrefix + traceId;

    /// <summary>True for keys kept only at fine granularity with the short retention (sessions, traces).</summary>
    public static bool IsShortLived(string key) =>
        key.StartsWith(SessionPrefix, StringComparison.Ordinal) || key.StartsWith(TracePrefix, StringComparison.Ordinal);

    /// <summary>The value part of a key (after the first <c>#</c>), or the key itself.</summary>
    public static string ValueOf(string key)
    {
        var hash = key.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? key : key[(hash + 1)..];
    }

    /// <summary>Keys that get baselines: the business dimensions, not sessions, traces or span components.</summary>
    public static bool HasBaseline(string key) =>
        key == Total ||
        key.StartsWith(ModelPrefix, StringComparison.Ordinal) ||
        key.StartsWith(PrincipalPrefix, StringComparison.Ordinal) ||
        key.StartsWith(TeamPrefix, StringComparison.Ordinal) ||
        key.StartsWith(AccountPrefix, StringComparison.Ordinal) ||
        key.StartsWith(RegionPrefix, StringComparison.Ordinal) ||
        key.StartsWith(ApplicationPrefix, StringComparison.Ordinal) ||
        key.StartsWith(EnvironmentPrefix, StringComparison.Ordinal);
}
