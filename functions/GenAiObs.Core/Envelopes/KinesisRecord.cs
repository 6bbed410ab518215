using System.Security.Cryptography;
using System.Text;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// One record of a Lambda Kinesis event (the documented <c>Records[]</c> shape: <c>eventID</c>,
/// <c>eventSourceARN</c>, <c>awsRegion</c>, <c>kinesis.sequenceNumber</c>, <c>kinesis.partitionKey</c>,
/// <c>kinesis.data</c>). A CloudWatch Logs destination writes one gzipped subscription payload per
/// record, so a record is the unit of decoding, of exactly-once counting and of retry.
/// </summary>
/// <param name="EventSourceArn">The stream's ARN.</param>
/// <param name="ShardId">The shard, from <c>eventID</c> (<c>shardId-…:sequenceNumber</c>); empty when absent.</param>
/// <param name="SequenceNumber">The record's sequence number: what <c>batchItemFailures[].itemIdentifier</c> reports.</param>
/// <param name="PartitionKey">The partition key CloudWatch Logs chose, when present.</param>
/// <param name="AwsRegion">The event's <c>awsRegion</c> (else the region field of <see cref="EventSourceArn"/>).</param>
/// <param name="Data">The base64 text of <c>kinesis.data</c>, unescaped.</param>
public sealed record KinesisRecord(string EventSourceArn, string ShardId, string SequenceNumber, string? PartitionKey, string? AwsRegion, ReadOnlyMemory<byte> Data)
{
    /// <summary>
    /// True when the record can be named: stream, shard and sequence number are all present. Lambda
    /// always sends them; a record without them can be neither counted exactly once nor reported for retry.
    /// </summary>
    public bool HasIdentity => EventSourceArn.Length > 0 && ShardId.Length > 0 && SequenceNumber.Length > 0;

    /// <summary>
    /// <c>stream ARN/shard/sequence number</c>: unique per record and stable across re-batching,
    /// bisection and retries (Kinesis Data Streams assigns a sequence number once, at PutRecord).
    /// </summary>
    public string Identity => EventSourceArn + "/" + ShardId + "/" + SequenceNumber;

    /// <summary>The region the record came from: <c>awsRegion</c>, else the ARN's region field; null when neither has one.</summary>
    public string? Region
    {
        get
        {
            if (AwsRegion is { Length: > 0 })
            {
                return AwsRegion;
            }

            // arn:partition:kinesis:region:account:stream/name
            var parts = EventSourceArn.Split(':');
            return parts.Length > 4 && parts[3].Length > 0 ? parts[3] : null;
        }
    }

    /// <summary>
    /// The record's batch id for the aggregate store: the first 32 lowercase hex characters of
    /// SHA-256 over <see cref="Identity"/>, the same form as a subscription delivery's batch id.
    /// </summary>
    public string BatchId
    {
        get
        {
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes(Identity), digest);
            return Convert.ToHexStringLower(digest[..16]);
        }
    }
}
