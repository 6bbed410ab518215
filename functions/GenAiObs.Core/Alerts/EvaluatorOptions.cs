using GenAiObs.Core.Aggregation;

namespace GenAiObs.Core.Alerts;

/// <summary>Tunables of <see cref="AlertEvaluator"/>.</summary>
public sealed record EvaluatorOptions
{
    /// <summary>
    /// When a new alert group is due within this time (its <c>group_wait</c>, 30 s by default),
    /// the run waits for it and flushes it then instead of five minutes later at the next
    /// scheduled run — a page must not wait for the schedule. Zero turns the follow-up off.
    /// Keep it well below the function timeout.
    /// </summary>
    public TimeSpan FollowUpWithin { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Ended hours before the current one that a run rolls up while they are after the maintenance
    /// watermark: the first run's starting point, and the hours a run still behind its backfill does
    /// not leave for later. Late data reaches the rollups through the hour marks, not through this.
    /// </summary>
    public int LateHours { get; init; } = 1;

    /// <summary>Backfill after an outage: watermark name and the most missed hours rolled up per run.</summary>
    public MaintenanceSettings Maintenance { get; init; } = MaintenanceSettings.Default;

    /// <summary>How long a one-shot notice's record lives: longer than any period it is raised for (a month).</summary>
    public TimeSpan OneShotRetention { get; init; } = TimeSpan.FromDays(40);

    /// <summary>Claim lease and state retention of the dispatcher.</summary>
    public DispatcherOptions Dispatcher { get; init; } = new();
}
