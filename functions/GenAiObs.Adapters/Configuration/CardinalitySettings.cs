using GenAiObs.Core.Cardinality;

namespace GenAiObs.Adapters.Configuration;

/// <summary>
/// Reads <see cref="CardinalityLimits"/>: <c>GENAIOBS_MAX_VALUES</c> (<c>dimension=N,…</c>) over the
/// documented defaults, then <c>GENAIOBS_MAX_PRINCIPALS</c> (when above 0) for the principal limit.
/// </summary>
public static class CardinalitySettings
{
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.Deployment(EnvironmentVariables.MaxValues, "top values kept per capped dimension (dimension=N,…) in aggregates, rollups, baselines and metrics"),
    ];

    /// <summary>The limits; throws <see cref="SettingsException"/> naming the variable when malformed.</summary>
    public static CardinalityLimits Read(Func<string, string?> getVariable)
    {
        var limits = CardinalityLimits.Default;
        if (getVariable(EnvironmentVariables.MaxValues) is { } text && !string.IsNullOrWhiteSpace(text))
        {
            try
            {
                limits = limits.With(text);
            }
            catch (FormatException ex)
            {
                throw new SettingsException(EnvironmentVariables.MaxValues, $"Environment variable {EnvironmentVariables.MaxValues}: {ex.Message}");
            }
        }

        var principals = getVariable(EnvironmentVariables.MaxPrincipals);
        if (int.TryParse(principals, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var max) && max is > 0 and <= 10_000)
        {
            limits = limits with { Principal = max };
        }

        return limits;
    }
}
