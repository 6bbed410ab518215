using System.Globalization;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Cardinality;

/// <summary>
/// How many values of each caller-chosen dimension keep their own name per bucket (rollups,
/// baselines; 5-minute items per deferred roll-up, or per delivery with direct writes) and per
/// delivery (EMF metrics); the rest are folded into
/// <see cref="TopValues.Other"/>, ranked by cost. One record serves every place that folds, so a
/// dimension is bounded the same way in the table, the baselines and the metrics.
/// </summary>
public sealed record CardinalityLimits
{
    /// <summary>Dimension names as written in <c>GENAIOBS_MAX_VALUES</c>, in documentation order.</summary>
    public static IReadOnlyList<string> DimensionNames { get; } =
        ["principal", "team", "application", "environment", "session", "service", "spanmodel", "tool", "component", "account", "region", "feature", "variant", "template"];

    /// <summary>IAM principals (the role name, <c>user/NAME</c> …). Also <c>GENAIOBS_MAX_PRINCIPALS</c>.</summary>
    public int Principal { get; init; } = 20;

    /// <summary>requestMetadata <c>team</c>.</summary>
    public int Team { get; init; } = 20;

    /// <summary>requestMetadata <c>application</c>.</summary>
    public int Application { get; init; } = 20;

    /// <summary>requestMetadata <c>environment</c> and spans' <c>deployment.environment.name</c>.</summary>
    public int Environment { get; init; } = 10;

    /// <summary>Spans' <c>session.id</c> (one per conversation: the most numerous caller-chosen value).</summary>
    public int Session { get; init; } = 50;

    /// <summary>Spans' <c>service.name</c>.</summary>
    public int Service { get; init; } = 20;

    /// <summary>Spans' request/response model.</summary>
    public int SpanModel { get; init; } = 20;

    /// <summary>Spans' tool name.</summary>
    public int Tool { get; init; } = 20;

    /// <summary>Span components (<c>agent</c>, <c>model:…</c>, <c>tool:…</c>, <c>other:…</c>).</summary>
    public int Component { get; init; } = 40;

    /// <summary>Source accounts of a central (Kinesis) deployment: the payload's <c>owner</c>.</summary>
    public int Account { get; init; } = 50;

    /// <summary>Source regions of a central (Kinesis) deployment.</summary>
    public int Region { get; init; } = 20;

    /// <summary>Features (requestMetadata <c>feature</c>, span attribute <c>app.feature</c>).</summary>
    public int Feature { get; init; } = 20;

    /// <summary>A/B arms, counted as (feature, arm) pairs.</summary>
    public int Variant { get; init; } = 40;

    /// <summary>Prompt templates, counted as (name, version) pairs.</summary>
    public int Template { get; init; } = 20;

    public static CardinalityLimits Default { get; } = new();

    /// <summary>The limit of a dimension by its <see cref="DimensionNames"/> name.</summary>
    public int For(string dimension) => dimension switch
    {
        "principal" => Principal,
        "team" => Team,
        "application" => Application,
        "environment" => Environment,
        "session" => Session,
        "service" => Service,
        "spanmodel" => SpanModel,
        "tool" => Tool,
        "component" => Component,
        "account" => Account,
        "region" => Region,
        "feature" => Feature,
        "variant" => Variant,
        "template" => Template,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "not a capped dimension"),
    };

    /// <summary>The limit of the aggregate keys starting with <paramref name="keyPrefix"/> (e.g. <c>team#</c>); null for keys that are not folded (total, model, trace).</summary>
    public int? ForKeyPrefix(string keyPrefix) => keyPrefix switch
    {
        AggregateKeys.PrincipalPrefix => Principal,
        AggregateKeys.TeamPrefix => Team,
        AggregateKeys.ApplicationPrefix => Application,
        AggregateKeys.EnvironmentPrefix => Environment,
        AggregateKeys.SessionPrefix => Session,
        AggregateKeys.ServicePrefix => Service,
        AggregateKeys.SpanModelPrefix => SpanModel,
        AggregateKeys.ToolPrefix => Tool,
        AggregateKeys.ComponentPrefix => Component,
        AggregateKeys.AccountPrefix => Account,
        AggregateKeys.RegionPrefix => Region,
        AggregateKeys.FeaturePrefix => Feature,
        AggregateKeys.VariantPrefix => Variant,
        AggregateKeys.TemplatePrefix => Template,
        _ => null,
    };

    /// <summary>
    /// These limits with the overrides of a <c>GENAIOBS_MAX_VALUES</c> value: comma-separated
    /// <c>dimension=N</c> pairs (N from 1 to 10,000), e.g. <c>principal=50,session=200</c>.
    /// </summary>
    /// <exception cref="FormatException">An unknown dimension, a malformed pair or a limit out of range.</exception>
    public CardinalityLimits With(string overrides)
    {
        var limits = this;
        foreach (var part in overrides.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals].Trim().ToLowerInvariant();
            if (equals < 0 || !DimensionNames.Contains(name))
            {
                throw new FormatException($"'{part}' is not dimension=N with a dimension of {string.Join(", ", DimensionNames)}.");
            }

            if (!int.TryParse(part[(equals + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 10_000)
            {
                throw new FormatException($"'{part}': the limit must be a whole number from 1 to 10000.");
            }

            limits = name switch
            {
                "principal" => limits with { Principal = n },
                "team" => limits with { Team = n },
                "application" => limits with { Application = n },
                "environment" => limits with { Environment = n },
                "session" => limits with { Session = n },
                "service" => limits with { Service = n },
                "spanmodel" => limits with { SpanModel = n },
                "tool" => limits with { Tool = n },
                "account" => limits with { Account = n },
                "region" => limits with { Region = n },
                "feature" => limits with { Feature = n },
                "variant" => limits with { Variant = n },
                "template" => limits with { Template = n },
                _ => limits with { Component = n },
            };
        }

        return limits;
    }
}
