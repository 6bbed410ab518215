using System.Globalization;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Costing;

/// <summary>
/// DynamoDB write units of the processors' aggregate writes: one UpdateItem per delta (the
/// store sends exactly that; the benchmark's <c>verify</c> mode asserts it), billed one write unit
/// per started KB of the larger of the item before and after the update. Item sizes follow
/// DynamoDB's sizing rules (attribute names + values, numbers ~1 byte per 2 digits): key, TTL,
/// the batch-marker set growing by one 16-character marker per delivery, and each counter the
/// first time it appears (the same estimate as the benchmark's <c>cost</c> mode). A deferred
/// roll-up's window (<see cref="ApplyWindow"/>) is billed as the store writes it: one PutItem per
/// fine bucket's packed item, one write unit per started KB of it (<see cref="WindowPacks"/>).
/// </summary>
public sealed class DynamoDbWriteEstimator
{
    private const int MarkerBytes = 16;

    // A 5-minute bucket gets no writes once the next one is open plus a margin for late records.
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(15);

    private Dictionary<(DateTimeOffset Bucket, string Key), Item> _items = [];

    public long UpdateItems { get; private set; }

    /// <summary>PutItems of deferred roll-ups' packed window items.</summary>
    public long PackPutItems { get; private set; }

    public long WriteUnits { get; private set; }

    /// <summary>Bytes of every item at its final size (what the table stores until the TTL removes it).</summary>
    public long ItemBytesWritten { get; private set; }

    /// <summary>
    /// Accounts for one delivery's quality join-index writes (<c>Quality.QualityAggregation.IndexEntries</c>):
    /// one UpdateItem of one write unit per tagged request or trace (the items stay well under 1 KB).
    /// </summary>
    public void ApplyJoinEntries(int entries)
    {
        const int JoinItemBytes = 160;
        UpdateItems += entries;
        WriteUnits += entries;
        ItemBytesWritten += (long)entries * JoinItemBytes;
    }

    /// <summary>
    /// The bytes DynamoDB bills for one counter attribute of an aggregate item: its name, and its
    /// number at about one byte per two significant digits plus one.
    /// </summary>
    public static int CounterBytes(string name, long value) =>
        name.Length + 1 + ((value.ToString(CultureInfo.InvariantCulture).Length + 1) / 2);

    /// <summary>
    /// The bytes DynamoDB bills for one packed window item: pk <c>F#yyyy-MM-ddTHH:mm</c>, sk
    /// <c>#w#yyyy-MM-ddTHH:mm</c>, the <c>pack</c> binary of <paramref name="encodedBytes"/> and expiresAt.
    /// </summary>
    public static long PackItemBytes(int encodedBytes) => 2 + 18 + 2 + 19 + 4 + encodedBytes + 9 + 6;

    /// <summary>
    /// Accounts for a deferred roll-up's writes of one merged window as the DynamoDB store sends them
    /// (<see cref="WindowPacks"/>): per fine bucket a PutItem of its pack at the encoding's real size
    /// (whole-item overwrite: one write unit per started KB; a bucket over
    /// <see cref="WindowPacks.MaxPackBytes"/> per key, as the store falls back to), and the session and
    /// trace keys as per-key UpdateItems. Returns the write units.
    /// </summary>
    public long ApplyWindow(AggregateBatch merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var before = WriteUnits;
        var packs = WindowPacks.Of(merged);
        foreach (var pack in packs.Packs)
        {
            var bytes = PackItemBytes(pack.Encoded.Length);
            PackPutItems++;
            WriteUnits += (bytes + 1023) / 1024;
            ItemBytesWritten += bytes;
        }

        Apply(packs.PerKey);
        return WriteUnits - before;
    }

    /// <summary>Accounts for one delivery's aggregate writes; returns its UpdateItem count.</summary>
    public int Apply(AggregateBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var latest = DateTimeOffset.MinValue;
        foreach (var delta in batch.Deltas)
        {
            UpdateItems++;
            var key = (delta.BucketStart, delta.Key);
            if (!_items.TryGetValue(key, out var item))
            {
                // pk "F#yyyy-MM-ddTHH:mm" + sk + expiresAt + the batches set's name.
                item = new Item { Bytes = 2 + 18 + 2 + delta.Key.Length + 9 + 6 + 7 };
                _items[key] = item;
                ItemBytesWritten += item.Bytes;
            }

            var before = item.Bytes;
            item.Bytes += MarkerBytes;
            foreach (var (name, value) in delta.Counters.Values)
            {
                if (item.Counters.Add(name))
                {
                    item.Bytes += CounterBytes(name, value);
                }
            }

            ItemBytesWritten += item.Bytes - before;
            WriteUnits += (item.Bytes + 1023) / 1024;
            latest = delta.BucketStart > latest ? delta.BucketStart : latest;
        }

        if (_items.Count > 10_000 && latest != DateTimeOffset.MinValue)
        {
            var oldest = latest - Horizon;
            _items = _items.Where(p => p.Key.Bucket >= oldest).ToDictionary();
        }

        return batch.Deltas.Count;
    }

    private sealed class Item
    {
        public long Bytes { get; set; }

        public HashSet<string> Counters { get; } = new(StringComparer.Ordinal);
    }
}
