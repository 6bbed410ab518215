namespace GenAiObs.Core.Quality;

/// <summary>
/// The join index of tagged requests and traces: the processors put every delivery's entries, and
/// look up the requests its feedback and evaluation results name. Entries older than the join
/// window are gone (or ignored), so the index stays bounded by the window's traffic.
/// </summary>
public interface IRequestIndex
{
    /// <summary>
    /// Records a delivery's entries. Idempotent per (<paramref name="batchId"/>, entry): a trace's
    /// cost is the sum over the distinct deliveries that carried its spans, so a redelivery never
    /// counts it twice.
    /// </summary>
    Task PutAsync(string batchId, IReadOnlyList<IndexedRequest> entries, CancellationToken cancellationToken = default);

    /// <summary>The entries of <paramref name="ids"/> that exist (an unknown or expired id is absent).</summary>
    Task<IReadOnlyDictionary<string, IndexedRequest>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);
}
