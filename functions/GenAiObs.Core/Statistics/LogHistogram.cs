namespace GenAiObs.Core.Statistics;

/// <summary>
/// A log-scale histogram of positive values (latencies in ms), in the style of DDSketch: bin
/// <c>i</c> holds values in (γ^(i-1), γ^i] with γ = 1.02, and a bin is read back as
/// 2γ^i/(γ+1), so any quantile it returns is within (γ-1)/(γ+1) ≈ 0.99% of a value that is
/// really in the data. Values ≤ <see cref="MinValue"/> share bin <see cref="ZeroBin"/>.
/// Bins are plain integer counters, so two histograms merge by adding counts — which is what
/// lets DynamoDB keep them with atomic ADD.
/// </summary>
public sealed class LogHistogram
{
    /// <summary>Bin growth factor.</summary>
    public const double Gamma = 1.02;

    /// <summary>The bound on the relative error of a returned quantile.</summary>
    public const double RelativeError = (Gamma - 1) / (Gamma + 1);

    /// <summary>Values at or below this (ms) are counted in <see cref="ZeroBin"/> and read back as 0.</summary>
    public const double MinValue = 0.001;

    /// <summary>The bin for zero, negative and tiny values.</summary>
    public const int ZeroBin = int.MinValue;

    private static readonly double LogGamma = Math.Log(Gamma);
    private readonly SortedDictionary<int, long> _bins = [];

    public long Count { get; private set; }

    public IReadOnlyDictionary<int, long> Bins => _bins;

    /// <summary>The bin a value falls in.</summary>
    public static int BinOf(double value) =>
        double.IsNaN(value) || value <= MinValue ? ZeroBin : (int)Math.Ceiling(Math.Log(value) / LogGamma);

    /// <summary>The representative value of a bin.</summary>
    public static double ValueOf(int bin) =>
        bin == ZeroBin ? 0 : 2 * Math.Pow(Gamma, bin) / (Gamma + 1);

    public void Add(double value) => AddToBin(BinOf(value), 1);

    /// <summary>Adds <paramref name="count"/> observations to a bin (used when reading stored histograms back).</summary>
    public void AddToBin(int bin, long count)
    {
        if (count <= 0)
        {
            return;
        }

        _bins[bin] = _bins.TryGetValue(bin, out var existing) ? existing + count : count;
        Count += count;
    }

    public void Merge(LogHistogram other)
    {
        foreach (var (bin, count) in other._bins)
        {
            AddToBin(bin, count);
        }
    }

    /// <summary>
    /// The q-quantile (0 ≤ q ≤ 1) by nearest rank: the value of the bin holding the
    /// ⌈q·n⌉-th smallest observation; null when empty.
    /// </summary>
    public double? Quantile(double q)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(q, 0, 1) * Count));
        long seen = 0;
        foreach (var (bin, count) in _bins)
        {
            seen += count;
            if (seen >= rank)
            {
                return ValueOf(bin);
            }
        }

        return ValueOf(_bins.Keys.Last());
    }
}
