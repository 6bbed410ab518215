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

    // Request-dimension keys (invocation logs and spans): what a request was for, as its caller tagged it.
    public const string FeaturePrefix = "feature#";

    /// <summary>Per A/B arm of a feature: <c>variant#&lt;feature&gt;|&lt;variant&gt;</c> (see <see cref="Variant(string, string)"/>).</summary>
    public const string VariantPrefix = "variant#";

    /// <summary>Per prompt template: <c>template#&lt;name&gt;@&lt;version&gt;</c>, or the name alone.</summary>
    public const string TemplatePrefix = "template#";

    /// <summary>Separates a variant key's feature from its arm.</summary>
    public const char VariantSeparator = '|';

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
    public static string Feature(string feature) => FeaturePrefix + feature;
    public static string Template(string template) => TemplatePrefix + template;

    /// <summary>
    /// The key of one arm of a feature. The feature's own <c>|</c> become <c>/</c> and each part is
    /// clipped (feature 100, arm 99 characters) so the first <c>|</c> always separates them and the
    /// value fits the keys' 200-character bound.
    /// </summary>
    public static string Variant(string feature, string variant) => VariantPrefix + VariantValue(feature, variant);

    /// <summary>The value part of a variant key (see <see cref="Variant(string, string)"/>).</summary>
    public static string VariantValue(string feature, string variant)
    {
        var f = feature.Replace(VariantSeparator, '/');
        return (f.Length > 100 ? f[..100] : f) + VariantSeparator + (variant.Length > 99 ? variant[..99] : variant);
    }

    /// <summary>Splits a variant key's value into its feature and arm.</summary>
    public static (string Feature, string Variant) SplitVariant(string value)
    {
        var bar = value.IndexOf(VariantSeparator, StringComparison.Ordinal);
        return bar < 0 ? (value, string.Empty) : (value[..bar], value[(bar + 1)..]);
    }

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
        key.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) ||
        key.StartsWith(FeaturePrefix, StringComparison.Ordinal);
}
