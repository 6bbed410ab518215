namespace GenAiObs.Functions.Notifier;

/// <summary>
/// When each alert group (or alarm) was last resolved, so a trigger that is older than that
/// resolve — a redriven or retried message overtaken by its own resolution — is never sent:
/// it would reopen an incident that is over.
/// </summary>
public interface IResolveLedger
{
    /// <summary>The latest resolve time recorded for <paramref name="key"/>, if any.</summary>
    Task<DateTimeOffset?> LastResolvedAsync(string key, CancellationToken cancellationToken);

    /// <summary>Records a resolve at <paramref name="at"/> (a later time wins; an earlier one is ignored).</summary>
    Task RecordResolvedAsync(string key, DateTimeOffset at, CancellationToken cancellationToken);
}
