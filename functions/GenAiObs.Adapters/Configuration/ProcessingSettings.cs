using System.Globalization;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Processing;

namespace GenAiObs.Adapters.Configuration;

/// <summary>
/// What the processors read about records beyond their shape: the accepted event-time window
/// (<c>GENAIOBS_MAX_EVENT_AGE_HOURS</c>, default the 5-minute retention; <c>GENAIOBS_MAX_EVENT_AHEAD_HOURS</c>,
/// default 24) and how IAM user names are kept (<c>GENAIOBS_PRINCIPAL_NAMES</c> = <c>hashed</c> (default)
/// or <c>verbatim</c>; <c>GENAIOBS_PRINCIPAL_SALT</c>, the template passes the stack id), and where
/// records name their feature, variant and prompt template (<c>GENAIOBS_DIMENSION_KEYS</c>: requestMetadata
/// keys, <c>GENAIOBS_DIMENSION_ATTRIBUTES</c>: span attributes; both <c>dimension=name,…</c>), and whether this
/// account's own deliveries get account and Region keys (<c>GENAIOBS_INGESTION_MODE</c> = <c>central</c>).
/// </summary>
public static class ProcessingSettings
{
    public const string Hashed = "hashed";
    public const string Verbatim = "verbatim";

    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.Deployment(EnvironmentVariables.MaxEventAgeHours, "oldest accepted event time, hours before processing (default: the 5-minute retention)"),
        SettingVariable.Deployment(EnvironmentVariables.MaxEventAheadHours, "latest accepted event time, hours after processing (default 24)"),
        SettingVariable.Deployment(EnvironmentVariables.PrincipalNames, "hashed (default) or verbatim IAM user and federated-user names"),
        SettingVariable.Deployment(EnvironmentVariables.PrincipalSalt, "per-stack key of the principal-name hash"),
        SettingVariable.Deployment(EnvironmentVariables.DimensionKeys, "requestMetadata keys of feature, variant, prompt_template, prompt_template_version (dimension=key,…)"),
        SettingVariable.Deployment(EnvironmentVariables.DimensionAttributes, "span attributes of feature, variant, prompt_template, prompt_template_version (dimension=attribute,…)"),
        SettingVariable.Deployment(EnvironmentVariables.JoinWindowHours, "how far apart a request and its feedback or evaluation may be to be joined (hours, default 24)"),
        SettingVariable.Deployment(EnvironmentVariables.IngestionMode, "direct (default) or central: in central mode this account's own deliveries also get account and Region keys"),
    ];

    /// <summary>
    /// <c>GENAIOBS_REQUEST_INDEX</c>: <c>on</c> (default, also when unset) or <c>off</c>. Only feedback
    /// naming a Bedrock <c>requestId</c> reads the request entries (<c>J#r#…</c>), and feedback reaches
    /// the processor only through the FeedbackLogGroupName subscription, so the template turns them
    /// off without it: one DynamoDB write per tagged request saved. Trace entries are not affected.
    /// </summary>
    public static SettingVariable RequestIndexVariable { get; } =
        SettingVariable.Deployment(EnvironmentVariables.RequestIndex, "on (default) or off: a join-index entry per tagged request, which only feedback naming a requestId reads");

    /// <summary>Whether tagged requests get join-index entries (see <see cref="RequestIndexVariable"/>).</summary>
    public static bool ReadRequestIndex(Func<string, string?> getVariable) =>
        getVariable(EnvironmentVariables.RequestIndex)?.Trim() switch
        {
            null or "" or "on" => true,
            "off" => false,
            _ => throw new SettingsException(EnvironmentVariables.RequestIndex, $"Environment variable {EnvironmentVariables.RequestIndex} must be on or off."),
        };

    /// <summary><c>GENAIOBS_JOIN_WINDOW_HOURS</c> (default <see cref="Core.Quality.QualityAggregation.DefaultWindow"/>; also read by <c>replay</c>).</summary>
    public static TimeSpan ReadJoinWindow(Func<string, string?> getVariable) =>
        Hours(getVariable, EnvironmentVariables.JoinWindowHours) is { } window
            ? window <= TimeSpan.FromDays(30) ? window : throw new SettingsException(EnvironmentVariables.JoinWindowHours, $"Environment variable {EnvironmentVariables.JoinWindowHours} must be at most 720 hours.")
            : Core.Quality.QualityAggregation.DefaultWindow;

    /// <summary>The processors' options; throws <see cref="SettingsException"/> naming a malformed variable.</summary>
    public static ProcessingOptions Read(Func<string, string?> getVariable, TimeProvider time, string defaultSource)
    {
        var fine = DynamoDbStoreSettings.RetentionFrom(getVariable).Fine;
        var window = new EventTimeWindow(
            Hours(getVariable, EnvironmentVariables.MaxEventAgeHours) ?? fine,
            Hours(getVariable, EnvironmentVariables.MaxEventAheadHours) ?? TimeSpan.FromDays(1));
        return new ProcessingOptions
        {
            Window = window,
            Time = time,
            DefaultSource = defaultSource,
            Principals = ReadPrincipals(getVariable),
            Dimensions = ReadDimensions(getVariable),
            DirectDeliveryRegion = ReadDirectDeliveryRegion(getVariable),
        };
    }

    /// <summary><c>GENAIOBS_INGESTION_MODE</c>: null for direct (or unset); for central, the function's Region (<c>AWS_REGION</c>, which Lambda always sets).</summary>
    public static string? ReadDirectDeliveryRegion(Func<string, string?> getVariable)
    {
        var mode = getVariable(EnvironmentVariables.IngestionMode)?.Trim();
        return mode switch
        {
            null or "" or "direct" => null,
            "central" => getVariable(EnvironmentVariables.Region) is { Length: > 0 } region
                ? region.Trim()
                : throw new SettingsException(EnvironmentVariables.IngestionMode, $"Environment variable {EnvironmentVariables.IngestionMode} is central but AWS_REGION is not set."),
            _ => throw new SettingsException(EnvironmentVariables.IngestionMode, $"Environment variable {EnvironmentVariables.IngestionMode} must be direct or central."),
        };
    }

    /// <summary><c>GENAIOBS_DIMENSION_KEYS</c> and <c>GENAIOBS_DIMENSION_ATTRIBUTES</c> over the default names (also read by <c>replay</c>).</summary>
    public static RequestDimensionNames ReadDimensions(Func<string, string?> getVariable)
    {
        var names = RequestDimensionNames.Default;
        foreach (var (variable, attributes) in new[] { (EnvironmentVariables.DimensionKeys, false), (EnvironmentVariables.DimensionAttributes, true) })
        {
            if (getVariable(variable) is not { } text || string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                names = attributes ? names.WithAttributes(text) : names.WithKeys(text);
            }
            catch (FormatException ex)
            {
                throw new SettingsException(variable, $"Environment variable {variable}: {ex.Message}");
            }
        }

        return names;
    }

    /// <summary><c>GENAIOBS_PRINCIPAL_NAMES</c> and <c>GENAIOBS_PRINCIPAL_SALT</c> (also read by <c>replay</c>).</summary>
    public static PrincipalPrivacy ReadPrincipals(Func<string, string?> getVariable)
    {
        var mode = getVariable(EnvironmentVariables.PrincipalNames)?.Trim();
        var hashed = mode switch
        {
            null or "" or Hashed => true,
            Verbatim => false,
            _ => throw new SettingsException(EnvironmentVariables.PrincipalNames, $"Environment variable {EnvironmentVariables.PrincipalNames} must be {Hashed} or {Verbatim}."),
        };
        return new PrincipalPrivacy(hashed, getVariable(EnvironmentVariables.PrincipalSalt) ?? string.Empty);
    }

    private static TimeSpan? Hours(Func<string, string?> getVariable, string name)
    {
        var text = getVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) || !(hours > 0) || hours > 1_000_000)
        {
            throw new SettingsException(name, $"Environment variable {name} must be a number of hours above 0 and at most 1000000.");
        }

        return TimeSpan.FromHours(hours);
    }
}
