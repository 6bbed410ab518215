namespace GenAiObs.Core.Alerts.Rules;

/// <summary>
/// Evaluates the enabled rules at one instant: a pure function of (data view, settings, now) →
/// the alerts firing now, ordered by identity. It reads only through <see cref="IAlertDataReader"/>
/// and keeps no state, so evaluating again at the same <c>now</c> gives the same alerts. The
/// notification lifecycle (group wait, repeat, resolve, once-only notices) is the planner's.
/// </summary>
public sealed class RuleEvaluator
{
    private readonly RuleSettings _settings;
    private readonly IReadOnlyList<IAlertRule> _rules;

    public RuleEvaluator(RuleSettings settings, IReadOnlyList<IAlertRule>? rules = null)
    {
        _settings = settings;
        _rules = rules ?? DefaultRules();
    }

    public RuleSettings Settings => _settings;

    /// <summary>Every rule of <see cref="RuleCatalog"/>.</summary>
    public static IReadOnlyList<IAlertRule> DefaultRules() => RuleCatalog.Rules;

    /// <summary>The alerts firing at <paramref name="now"/>, ordered by identity (labels).</summary>
    public async Task<IReadOnlyList<FiringAlert>> EvaluateAsync(IAlertDataReader data, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var context = new RuleContext(data, _settings, now);
        var alerts = new List<FiringAlert>();
        foreach (var rule in _rules)
        {
            if (!_settings.For(rule.Definition.Id).Enabled)
            {
                continue;
            }

            alerts.AddRange(await rule.EvaluateAsync(context, cancellationToken).ConfigureAwait(false));
        }

        alerts.Sort((left, right) => string.CompareOrdinal(left.Identity, right.Identity));
        return alerts;
    }
}
