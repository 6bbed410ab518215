using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Quality;

/// <summary>
/// Gives the spans of a trace the feature and variant another span of the same trace carries, so a
/// model call under a tagged agent span counts for the agent's feature without the application
/// copying the attributes to every child span:
/// <list type="bullet">
/// <item>Within a delivery (<see cref="Apply(BatchResult)"/>): the trace's source is its first tagged
/// agent span, else its first tagged root span (no parent), else its first tagged span.</item>
/// <item>Across deliveries (<see cref="ApplyAsync"/>): a trace none of whose spans in this delivery is
/// tagged takes the tags of its join-index entry (<c>t#&lt;traceId&gt;</c>), written when an earlier
/// delivery held a tagged span of it — one batched lookup per delivery, and only for deliveries that
/// hold a tagged span at all (an application that never tags spans costs no read).</item>
/// </list>
/// A span keeps every tag it has; it takes the source's feature when it has none, and the source's
/// variant when it has none and its feature (own or taken) is the source's. The prompt template is
/// not propagated: it names the prompt of the span that carries it. Evaluation events on a span that
/// gains tags are attributed to them like those of a tagged span.
/// </summary>
public static class TraceTagPropagation
{
    /// <summary>Propagates tags within the delivery; returns how many spans gained a tag.</summary>
    public static int Apply(BatchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sources = new Dictionary<string, (RequestDimensions Tags, int Rank)>(StringComparer.Ordinal);
        foreach (var priced in result.Spans)
        {
            var span = priced.Span;
            if (span.Dimensions is not { } tags || (tags.Feature is null && tags.Variant is null))
            {
                continue;
            }

            // Lower is better: an agent span, then a root span, then any; the first of a rank wins.
            var rank = span.Class == SpanClass.Agent ? 0 : span.ParentSpanId is null ? 1 : 2;
            if (!sources.TryGetValue(span.TraceId, out var current) || rank < current.Rank)
            {
                sources[span.TraceId] = (tags, rank);
            }
        }

        return sources.Count == 0 ? 0 : Fill(result, traceId => sources.TryGetValue(traceId, out var source) ? source.Tags : null);
    }

    /// <summary>
    /// The trace ids whose tags the index is asked for: traces of the delivery without any tagged span,
    /// when the delivery holds at least one tagged span (after <see cref="Apply(BatchResult)"/>).
    /// </summary>
    public static IReadOnlyCollection<string> LookupIds(BatchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var tagged = new HashSet<string>(StringComparer.Ordinal);
        var untagged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var priced in result.Spans)
        {
            if (IsTagged(priced.Span.Dimensions))
            {
                tagged.Add(priced.Span.TraceId);
            }
            else
            {
                untagged.Add(priced.Span.TraceId);
            }
        }

        if (tagged.Count == 0)
        {
            return [];
        }

        untagged.ExceptWith(tagged);
        return untagged.Select(IndexedRequest.ForTrace).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Propagates tags from the index entries found for <see cref="LookupIds"/>; returns how many spans gained a tag.</summary>
    public static int Apply(BatchResult result, IReadOnlyDictionary<string, IndexedRequest> found)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(found);
        return found.Count == 0
            ? 0
            : Fill(result, traceId => found.GetValueOrDefault(IndexedRequest.ForTrace(traceId)) is { } entry ? RequestDimensions.From(entry.Feature, entry.Variant, null, null) : null);
    }

    /// <summary>Within the delivery, then from the index for the traces still untagged (no index: within the delivery only).</summary>
    public static async Task<int> ApplyAsync(BatchResult result, IRequestIndex? index, CancellationToken cancellationToken = default)
    {
        var gained = Apply(result);
        if (index is null)
        {
            return gained;
        }

        var ids = LookupIds(result);
        if (ids.Count == 0)
        {
            return gained;
        }

        var found = await index.GetAsync(ids, cancellationToken).ConfigureAwait(false);
        return gained + Apply(result, found);
    }

    private static bool IsTagged(RequestDimensions? tags) => tags is { Feature: not null } or { Variant: not null };

    private static int Fill(BatchResult result, Func<string, RequestDimensions?> sourceOf)
    {
        var gained = 0;
        for (var i = 0; i < result.Spans.Count; i++)
        {
            var priced = result.Spans[i];
            var span = priced.Span;
            var own = span.Dimensions;
            if (own is { Feature: not null, Variant: not null } || sourceOf(span.TraceId) is not { } source)
            {
                continue;
            }

            var feature = own?.Feature ?? source.Feature;
            var variant = own?.Variant ?? (string.Equals(feature, source.Feature, StringComparison.Ordinal) ? source.Variant : null);
            if (string.Equals(feature, own?.Feature, StringComparison.Ordinal) && string.Equals(variant, own?.Variant, StringComparison.Ordinal))
            {
                continue;
            }

            var tags = new RequestDimensions(feature, variant, own?.PromptTemplate, own?.PromptTemplateVersion);
            var evaluations = span.Evaluations.Count == 0
                ? span.Evaluations
                : span.Evaluations.Select(e => IsTagged(e.Dimensions) ? e : e with { Dimensions = tags }).ToList();
            result.Spans[i] = priced with { Span = span with { Dimensions = tags, Evaluations = evaluations } };
            gained++;
        }

        return gained;
    }
}
