using System.Buffers;
using System.Diagnostics;

namespace GenAiObs.Cli.Export;

/// <summary>
/// The message chunks of one reader thread's deliveries, bounded in bytes: a reader that has handed
/// deliveries to the consumer waits for their chunks to come back before it holds more than
/// <c>maxBytes</c> in all. Chunks are rented on the reader thread and returned on whichever thread
/// disposes the delivery, and they are kept for reuse, so what the pool ever holds is at most the
/// budget (plus one chunk) instead of however far a lagging consumer let the reader run ahead.
/// </summary>
/// <remarks>
/// Measured on the end-to-end corpus (<c>replay --no-alerts</c>, 16 MB deliveries of 256 KB chunks,
/// a channel of two deliveries): without a byte bound the chunks in flight at the peak ranged from
/// 105 to 220 between runs (26–55 MB), following how far the consumer lagged, and peak RSS with them
/// (99–138 MB), so a longer input, with more chances to lag, peaked higher. The delivery being filled
/// never waits for itself: a delivery larger than the budget is still read whole, and the reader waits
/// only while chunks it handed over are outstanding, which the consumer returns (no deadlock).
/// </remarks>
internal sealed class ChunkBudgetPool : ArrayPool<byte>, IDisposable
{
    private readonly ArrayPool<byte> _inner = Create(maxArrayLength: 4 << 20, maxArraysPerBucket: 512);
    private readonly long _maxBytes;
    private readonly CancellationToken _cancellation;
    private readonly CancellationTokenRegistration _wakeOnCancel;
    // A monitor, not System.Threading.Lock: the reader waits on it (Monitor.Wait) for chunks to come back.
    private readonly object _gate = new();
    private long _outstanding;
    private long _filling;
    private long _peak;
    private bool _waiting;
    private long _waitedTicks;

    /// <param name="maxBytes">Chunk bytes held at most once deliveries have been handed over (<see cref="long.MaxValue"/>: unbounded).</param>
    /// <param name="cancellation">Ends a wait (with <see cref="OperationCanceledException"/>) when the consumer has stopped.</param>
    public ChunkBudgetPool(long maxBytes, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _maxBytes = maxBytes;
        _cancellation = cancellation;
        _wakeOnCancel = cancellation.Register(WakeAll);
    }

    /// <summary>An unbounded pool: for readers whose deliveries are disposed on the reading thread itself.</summary>
    public static ChunkBudgetPool Unbounded() => new(long.MaxValue);

    /// <summary>Bytes rented and not yet returned.</summary>
    public long OutstandingBytes
    {
        get
        {
            lock (_gate)
            {
                return _outstanding;
            }
        }
    }

    /// <summary>The most bytes ever outstanding at once.</summary>
    public long PeakBytes
    {
        get
        {
            lock (_gate)
            {
                return _peak;
            }
        }
    }

    /// <summary>True while a <see cref="Rent"/> waits for handed-over chunks to come back.</summary>
    public bool IsWaiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Stopwatch ticks spent waiting in <see cref="Rent"/>, summed.</summary>
    public long WaitedTicks
    {
        get
        {
            lock (_gate)
            {
                return _waitedTicks;
            }
        }
    }

    /// <summary>
    /// A chunk of at least <paramref name="minimumLength"/> bytes; waits while that would pass the
    /// budget and chunks of handed-over deliveries are still outstanding.
    /// </summary>
    public override byte[] Rent(int minimumLength)
    {
        lock (_gate)
        {
            if (MustWait(minimumLength))
            {
                var started = Stopwatch.GetTimestamp();
                _waiting = true;
                try
                {
                    while (MustWait(minimumLength))
                    {
                        _cancellation.ThrowIfCancellationRequested();
                        Monitor.Wait(_gate);
                    }
                }
                finally
                {
                    _waiting = false;
                    _waitedTicks += Stopwatch.GetTimestamp() - started;
                }
            }

            var chunk = _inner.Rent(minimumLength);
            _outstanding += chunk.Length;
            _filling += chunk.Length;
            _peak = Math.Max(_peak, _outstanding);
            return chunk;
        }
    }

    /// <summary>Takes a chunk back (from any thread) and wakes a waiting reader.</summary>
    public override void Return(byte[] array, bool clearArray = false)
    {
        lock (_gate)
        {
            _inner.Return(array, clearArray);
            _outstanding -= array.Length;

            // Chunks of a delivery abandoned while being filled (the end of a read, a failure).
            _filling = Math.Min(_filling, _outstanding);
            if (_waiting)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>The delivery being filled was handed to the consumer: its chunks now come back when the consumer disposes it.</summary>
    public void HandOver()
    {
        lock (_gate)
        {
            _filling = 0;
        }
    }

    public void Dispose() => _wakeOnCancel.Dispose();

    // Waiting is only useful while handed-over chunks are out: the delivery being filled alone never waits for itself.
    private bool MustWait(int length) => length > _maxBytes - _outstanding && _outstanding > _filling;

    private void WakeAll()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
