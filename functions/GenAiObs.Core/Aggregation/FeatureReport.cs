using System.Text.Json;
using GenAiObs.Core.Quality;

namespace GenAiObs.Core.Aggregation;

/// <summary>
/// Writes the per-feature, per-variant and per-prompt-template figures of summed aggregates — the
/// <c>"features"</c> and <c>"promptTemplates"</c> objects of <c>replay --json</c> and
/// <c>report --json</c>. One writer for both, so a replay and a report of the same records print
/// the same numbers. Each figure is computed from the counters of its key only
/// (<see cref="FeatureFigures"/>); a rate with nothing to divide by is null, never 0.
/// </summary>
public static class FeatureReport
{
    /// <summary>True when the sums hold any feature, variant or template key (the objects are written only then).</summary>
    public static bool HasAny(IReadOnlyDictionary<string, AggregateCounters> sums) =>
        (sums.TryGetValue(AggregateKeys.Total, out var total) && (total[CounterNames.Feedback] > 0 || total[CounterNames.Evaluations] > 0 || total[CounterNames.EvaluationsInvalid] > 0)) ||
        sums.Keys.Any(key => key.StartsWith(AggregateKeys.FeaturePrefix, StringComparison.Ordinal) ||
                             key.StartsWith(AggregateKeys.VariantPrefix, StringComparison.Ordinal) ||
                             key.StartsWith(AggregateKeys.TemplatePrefix, StringComparison.Ordinal));

    /// <summary>
    /// Writes <c>"features": {feature: {figures…, "variants": {arm: {figures…}}}}</c> and
    /// <c>"promptTemplates": {name@version: {figures…}}</c> as members of the object being written.
    /// </summary>
    public static void WriteMembers(Utf8JsonWriter writer, IReadOnlyDictionary<string, AggregateCounters> sums)
    {
        WriteQualityTotal(writer, sums);
        var features = new SortedDictionary<string, (AggregateCounters? Own, SortedDictionary<string, AggregateCounters> Variants)>(StringComparer.Ordinal);
        foreach (var (key, counters) in sums)
        {
            if (key.StartsWith(AggregateKeys.FeaturePrefix, StringComparison.Ordinal))
            {
                var name = key[AggregateKeys.FeaturePrefix.Length..];
                features[name] = (counters, features.TryGetValue(name, out var existing) ? existing.Variants : new(StringComparer.Ordinal));
            }
            else if (key.StartsWith(AggregateKeys.VariantPrefix, StringComparison.Ordinal))
            {
                var (feature, arm) = AggregateKeys.SplitVariant(key[AggregateKeys.VariantPrefix.Length..]);
                if (arm.Length == 0)
                {
                    // variant#other: the arms folded beyond the top N, whatever their feature.
                    arm = feature;
                }

                if (!features.TryGetValue(feature, out var entry))
                {
                    entry = (null, new(StringComparer.Ordinal));
                    features[feature] = entry;
                }

                entry.Variants[arm] = counters;
            }
        }

        writer.WriteStartObject("features");
        foreach (var (feature, (own, variants)) in features)
        {
            writer.WriteStartObject(feature);
            WriteFigures(writer, own ?? new AggregateCounters());
            writer.WriteStartObject("variants");
            foreach (var (arm, counters) in variants)
            {
                writer.WriteStartObject(arm);
                WriteFigures(writer, counters);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        writer.WriteStartObject("promptTemplates");
        foreach (var (key, counters) in sums.Where(pair => pair.Key.StartsWith(AggregateKeys.TemplatePrefix, StringComparison.Ordinal)).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(key[AggregateKeys.TemplatePrefix.Length..]);
            WriteFigures(writer, counters);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The figures of one key: from invocation logs at the top level, then the quality figures
    /// (<see cref="WriteQuality"/>), then from spans under <c>"spans"</c> (when the key has spans).
    /// </summary>
    private static void WriteFigures(Utf8JsonWriter writer, AggregateCounters counters)
    {
        var invocations = FeatureFigures.FromInvocations(counters);
        WriteFigures(writer, invocations, "requests");
        WriteQuality(writer, QualityFigures.From(counters));
        if (counters[CounterNames.ModelCalls] > 0 || counters[CounterNames.Spans] > 0)
        {
            writer.WriteStartObject("spans");
            writer.WriteNumber("spans", counters[CounterNames.Spans]);
            WriteFigures(writer, FeatureFigures.FromSpans(counters), "modelCalls");
            writer.WriteEndObject();
        }
    }

    private static void WriteFigures(Utf8JsonWriter writer, FeatureFigures figures, string requestsName)
    {
        writer.WriteNumber(requestsName, figures.Requests);
        writer.WriteNumber("errors", figures.Errors);
        WriteNullable(writer, "errorRate", figures.ErrorRate);
        writer.WriteNumber("inputTokens", figures.InputTokens);
        writer.WriteNumber("outputTokens", figures.OutputTokens);
        writer.WriteNumber("tokens", figures.Tokens);
        writer.WriteNumber("costUsd", figures.CostUsd);
        WriteNullable(writer, "latencyP50Ms", figures.LatencyP50Ms);
        WriteNullable(writer, "latencyP95Ms", figures.LatencyP95Ms);
        WriteNullable(writer, "completionRate", figures.CompletionRate);
        WriteNullable(writer, "outputTokensPerUsd", figures.OutputTokensPerUsd);
    }

    /// <summary>
    /// <c>feedback</c>, <c>satisfied</c>, <c>satisfactionRate</c>, <c>unjoinedFeedback</c>,
    /// <c>costPerSatisfiedRequestUsd</c> (cost of the requests joined feedback rates ÷ the satisfied
    /// among them), <c>evaluations</c>, <c>meanEvaluationScore</c>; rates and means null without data.
    /// </summary>
    public static void WriteQuality(Utf8JsonWriter writer, QualityFigures quality)
    {
        writer.WriteNumber("feedback", quality.Feedback);
        writer.WriteNumber("satisfied", quality.Satisfied);
        WriteNullable(writer, "satisfactionRate", quality.SatisfactionRate);
        writer.WriteNumber("unjoinedFeedback", quality.FeedbackUnjoined);
        if (quality.CostPerSatisfiedRequestUsd is { } perSatisfied)
        {
            writer.WriteNumber("costPerSatisfiedRequestUsd", perSatisfied);
        }
        else
        {
            writer.WriteNull("costPerSatisfiedRequestUsd");
        }

        writer.WriteNumber("evaluations", quality.Evaluations);
        WriteNullable(writer, "meanEvaluationScore", quality.MeanScore);
    }

    /// <summary>
    /// The <c>"quality"</c> member (when the sums hold any feedback or evaluation): the totals of
    /// <see cref="WriteQuality"/> plus the evaluation results no feature could be attributed to and
    /// the invalid evaluation events dropped.
    /// </summary>
    public static void WriteQualityTotal(Utf8JsonWriter writer, IReadOnlyDictionary<string, AggregateCounters> sums)
    {
        var total = sums.TryGetValue(AggregateKeys.Total, out var t) ? t : new AggregateCounters();
        var quality = QualityFigures.From(total);
        if (quality.IsEmpty && total[CounterNames.EvaluationsInvalid] == 0)
        {
            return;
        }

        writer.WriteStartObject("quality");
        WriteQuality(writer, quality);
        writer.WriteNumber("unattributedEvaluations", total[CounterNames.EvaluationsUnjoined]);
        writer.WriteNumber("invalidEvaluations", total[CounterNames.EvaluationsInvalid]);
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, Math.Round(v, 6, MidpointRounding.ToEven));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
