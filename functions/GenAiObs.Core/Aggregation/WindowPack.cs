namespace GenAiObs.Core.Aggregation;

/// <summary>One fine bucket's packed item: its long-lived deltas and their encoding.</summary>
/// <param name="Bucket">The fine bucket.</param>
/// <param name="Batch">The bucket's long-lived deltas, keys in order.</param>
/// <param name="Encoded">The <see cref="AggregateBatchCodec"/> encoding stored in the item.</param>
public sealed record WindowPack(DateTimeOffset Bucket, AggregateBatch Batch, byte[] Encoded);
