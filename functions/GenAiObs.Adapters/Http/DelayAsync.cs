namespace GenAiObs.Adapters.Http;

/// <summary>Waits before a retry; injected so tests observe the waits instead of sleeping.</summary>
public delegate Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
