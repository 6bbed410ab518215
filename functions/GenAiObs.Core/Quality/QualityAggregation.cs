using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Quality;

/// <summary>
/// Turns a delivery's quality signals — user feedback and evaluation results — into aggregate
/// deltas under <c>total</c>, <c>feature#</c> and <c>variant#</c>, joined to the requests they rate
/// through the <see cref="IRequestIndex"/>:
/// <list type="bullet">
/// <item>Feedback names a Bedrock <c>requestId</c> (looked up as <c>r#…</c>) or a <c>traceId</c>
/// (<c>t#…</c>). It is joined when that entry exists and its time is within
/// <see cref="DefaultWindow"/> (or the configured window) of the feedback's. A joined event adds its
/// request's cost to <c>fbJoinedCostMicros</c>, so cost per satisfied request =
/// cost of the rated requests ÷ the satisfied among them. Unjoined feedback still counts for
/// satisfaction (under the feature and variant the event names) and is counted as <c>fbUnjoined</c>.</item>
/// <item>An evaluation result is attributed to the feature and variant of the span it is an event
/// of, else of its trace through the index; one that cannot be attributed counts under
/// <c>total</c> only, as <c>evUnjoined</c>.</item>
/// </list>
/// The deltas are applied with the delivery's own batch id, so they are exactly-once like the rest.
/// </summary>
public static class QualityAggregation
{
    /// <summary>How far apart a request and its feedback may be (24 hours; <c>GENAIOBS_JOIN_WINDOW_HOURS</c>).</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// The index entries of a delivery: each tagged invocation with a request id (unless
    /// <paramref name="requests"/> is false), and each trace with a tagged span (its model calls'
    /// cost, its latest span end).
    /// </summary>
    /// <param name="result">The delivery.</param>
    /// <param name="requests">
    /// Whether tagged invocations get a <c>r#</c> entry. Only feedback naming a <c>requestId</c> reads
    /// them; trace entries are always made, since trace-tag propagation across deliveries and the
    /// attribution of evaluation results read them.
    /// </param>
    public static IReadOnlyList<IndexedRequest> IndexEntries(BatchResult result, bool requests = true)
    {
        var entries = new List<IndexedRequest>();
        foreach (var invocation in requests ? result.Invocations : [])
        {
            var record = invocation.Record;
            if (record.RequestId is { Length: > 0 } requestId && record.Dimensions is { } d && (d.Feature is not null || d.Variant is not null))
            {
                entries.Add(new IndexedRequest(IndexedRequest.ForRequest(requestId), record.Timestamp, AggregateCounters.ToMicros(invocation.CostUsd), d.Feature, d.Variant));
            }
        }

        var traces = new Dictionary<string, (DateTimeOffset At, long Cost, string? Feature, string? Variant, bool Tagged)>(StringComparer.Ordinal);
        foreach (var priced in result.Spans)
        {
            var span = priced.Span;
            var (at, cost, feature, variant, tagged) = traces.GetValueOrDefault(span.TraceId);
            traces[span.TraceId] = (
                span.End > at ? span.End : at,
                cost + (span.Class == SpanClass.ModelCall ? AggregateCounters.ToMicros(priced.CostUsd) : 0),
                feature ?? span.Dimensions?.Feature,
                variant ?? span.Dimensions?.Variant,
                tagged || span.Dimensions is { Feature: not null } or { Variant: not null });
        }

        foreach (var (traceId, trace) in traces.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (trace.Tagged)
            {
                entries.Add(new IndexedRequest(IndexedRequest.ForTrace(traceId), trace.At, trace.Cost, trace.Feature, trace.Variant));
            }
        }

        return entries;
    }

    /// <summary>The index ids a delivery's feedback and evaluation results look up.</summary>
    public static IReadOnlyCollection<string> LookupIds(BatchResult result)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feedback in result.Feedback)
        {
            ids.Add(JoinId(feedback));
        }

        foreach (var evaluation in AllEvaluations(result))
        {
            if (evaluation.Dimensions is null && evaluation.TraceId is { } traceId)
            {
                ids.Add(IndexedRequest.ForTrace(traceId));
            }
        }

        return ids;
    }

    /// <summary>Puts the delivery's index entries, looks up what its signals name, and returns the quality deltas.</summary>
    /// <param name="result">The delivery.</param>
    /// <param name="index">The join index.</param>
    /// <param name="window">How far apart a request and its signal may be.</param>
    /// <param name="indexRequests">Whether tagged requests get entries (<see cref="IndexEntries"/>).</param>
    /// <param name="cancellationToken">Cancels the index calls.</param>
    public static async Task<QualityDeltas> JoinAsync(BatchResult result, IRequestIndex index, TimeSpan window, bool indexRequests = true, CancellationToken cancellationToken = default)
    {
        var entries = IndexEntries(result, indexRequests);
        if (entries.Count > 0)
        {
            // Before the lookups: feedback in the same delivery as its request joins too.
            await index.PutAsync(result.BatchId, entries, cancellationToken).ConfigureAwait(false);
        }

        if (!result.HasQualitySignals)
        {
            return QualityDeltas.Empty;
        }

        var ids = LookupIds(result);
        var found = ids.Count == 0 ? new Dictionary<string, IndexedRequest>() : await index.GetAsync(ids, cancellationToken).ConfigureAwait(false);
        return Build(result, found, window);
    }

    /// <summary>
    /// The quality deltas of a delivery given the index entries found for it (none without an
    /// index: every signal then counts as unjoined), with each signal as it was counted.
    /// </summary>
    public static QualityDeltas Build(BatchResult result, IReadOnlyDictionary<string, IndexedRequest> found, TimeSpan window)
    {
        var deltas = new Dictionary<(DateTimeOffset Bucket, string Key), AggregateCounters>();
        var signals = new List<QualitySignal>(result.Feedback.Count + result.Evaluations.Count);
        long joined = 0, unjoined = 0, evaluationsUnjoined = 0, invalid = 0;

        void Add(DateTimeOffset at, string? feature, string? variant, string counter, long value)
        {
            var bucket = Buckets.StartOf(at, Granularity.Fine);
            Counters(deltas, bucket, AggregateKeys.Total).Add(counter, value);
            if (feature is not null)
            {
                Counters(deltas, bucket, AggregateKeys.Feature(feature)).Add(counter, value);
            }

            if (variant is not null)
            {
                Counters(deltas, bucket, AggregateKeys.Variant(feature ?? RequestDimensions.NoFeature, variant)).Add(counter, value);
            }
        }

        foreach (var feedback in result.Feedback)
        {
            var entry = found.GetValueOrDefault(JoinId(feedback));
            if (entry is not null && (feedback.Timestamp - entry.At).Duration() > window)
            {
                entry = null;
            }

            var feature = feedback.Dimensions?.Feature ?? entry?.Feature;
            var variant = feedback.Dimensions?.Variant ?? entry?.Variant;
            var satisfied = feedback.Satisfied ? 1 : 0;
            Add(feedback.Timestamp, feature, variant, CounterNames.Feedback, 1);
            Add(feedback.Timestamp, feature, variant, CounterNames.FeedbackSatisfied, satisfied);
            signals.Add(new QualitySignal
            {
                Kind = QualitySignalKind.Feedback,
                Timestamp = feedback.Timestamp,
                Feature = feature,
                Variant = variant,
                Joined = entry is not null,
                Satisfied = feedback.Satisfied,
                JoinedCostMicros = entry?.CostMicros ?? 0,
                Origin = result.Origin,
            });
            if (entry is null)
            {
                unjoined++;
                Add(feedback.Timestamp, feature, variant, CounterNames.FeedbackUnjoined, 1);
                continue;
            }

            joined++;
            Add(feedback.Timestamp, feature, variant, CounterNames.FeedbackJoined, 1);
            Add(feedback.Timestamp, feature, variant, CounterNames.FeedbackJoinedSatisfied, satisfied);
            Add(feedback.Timestamp, feature, variant, CounterNames.FeedbackJoinedCostMicros, entry.CostMicros);
        }

        foreach (var evaluation in AllEvaluations(result))
        {
            var dimensions = evaluation.Dimensions;
            string? feature = dimensions?.Feature, variant = dimensions?.Variant;
            if (dimensions is null && evaluation.TraceId is { } traceId && found.GetValueOrDefault(IndexedRequest.ForTrace(traceId)) is { } entry &&
                (evaluation.Timestamp - entry.At).Duration() <= window)
            {
                (feature, variant) = (entry.Feature, entry.Variant);
            }

            Add(evaluation.Timestamp, feature, variant, CounterNames.Evaluations, 1);
            signals.Add(new QualitySignal
            {
                Kind = QualitySignalKind.Evaluation,
                Timestamp = evaluation.Timestamp,
                Feature = feature,
                Variant = variant,
                Joined = feature is not null || variant is not null,
                EvaluationName = evaluation.Name,
                Score = evaluation.Score,
                Origin = result.Origin,
            });
            if (feature is null && variant is null)
            {
                evaluationsUnjoined++;
                Add(evaluation.Timestamp, null, null, CounterNames.EvaluationsUnjoined, 1);
            }

            if (evaluation.Score is { } score)
            {
                Add(evaluation.Timestamp, feature, variant, CounterNames.EvaluationsScored, 1);
                Add(evaluation.Timestamp, feature, variant, CounterNames.EvaluationScoreMicros, (long)Math.Round(score * 1e6, MidpointRounding.ToEven));
                Add(evaluation.Timestamp, feature, variant, CounterNames.EvaluationScoreSquareMicros, (long)Math.Round(score * score * 1e6, MidpointRounding.ToEven));
            }
        }

        foreach (var priced in result.Spans)
        {
            if (priced.Span.InvalidEvaluations > 0)
            {
                invalid += priced.Span.InvalidEvaluations;
                Add(priced.Span.End, null, null, CounterNames.EvaluationsInvalid, priced.Span.InvalidEvaluations);
            }
        }

        var list = deltas.Where(d => !d.Value.IsEmpty).Select(d => new AggregateDelta(d.Key.Bucket, d.Key.Key, d.Value)).ToList();
        return new QualityDeltas(list, joined, unjoined, evaluationsUnjoined, invalid) { Signals = signals };
    }

    private static string JoinId(FeedbackRecord feedback) =>
        feedback.RequestId is { } requestId ? IndexedRequest.ForRequest(requestId) : IndexedRequest.ForTrace(feedback.TraceId!);

    private static IEnumerable<EvaluationRecord> AllEvaluations(BatchResult result) =>
        result.Evaluations.Concat(result.Spans.SelectMany(s => s.Span.Evaluations));

    private static AggregateCounters Counters(Dictionary<(DateTimeOffset, string), AggregateCounters> deltas, DateTimeOffset bucket, string key)
    {
        if (!deltas.TryGetValue((bucket, key), out var counters))
        {
            counters = new AggregateCounters();
            deltas[(bucket, key)] = counters;
        }

        return counters;
    }
}
