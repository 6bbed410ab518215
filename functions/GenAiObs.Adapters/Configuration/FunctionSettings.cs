using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Core.Cardinality;

namespace GenAiObs.Adapters.Configuration;

/// <summary>
/// Settings every function shares, read once at cold start. Function-specific settings (table,
/// topics, receivers) live in their own records read the same way, through <see cref="SettingsReader"/>.
/// </summary>
public sealed record FunctionSettings
{
    public const string DefaultServiceName = "genai-observability";
    public const string DefaultMetricsNamespace = "GenAI/Observability";
    public const int DefaultMaxPrincipals = 20;

    /// <summary>The dispatch key from <c>_HANDLER</c> (required: it picks the function).</summary>
    public required string Handler { get; init; }

    /// <summary><c>POWERTOOLS_SERVICE_NAME</c>: the <c>Service</c> dimension of every metric and the <c>service</c> of every log line.</summary>
    public string ServiceName { get; init; } = DefaultServiceName;

    /// <summary><c>POWERTOOLS_METRICS_NAMESPACE</c>, default <c>GenAI/Observability</c>.</summary>
    public string MetricsNamespace { get; init; } = DefaultMetricsNamespace;

    /// <summary><c>POWERTOOLS_LOG_LEVEL</c>, else <c>AWS_LAMBDA_LOG_LEVEL</c>, default Information.</summary>
    public DiagnosticLevel LogLevel { get; init; } = DiagnosticLevel.Information;

    /// <summary><c>GENAIOBS_PRICES_FILE</c>: a price table replacing the embedded default.</summary>
    public string? PricesFile { get; init; }

    /// <summary><c>GENAIOBS_MAX_PRINCIPALS</c>: principals kept as their own metric dimension per batch (top spenders); the rest are <c>other</c>.</summary>
    public int MaxPrincipals { get; init; } = DefaultMaxPrincipals;

    /// <summary><c>GENAIOBS_MAX_VALUES</c> (and <c>GENAIOBS_MAX_PRINCIPALS</c>): top values kept per capped dimension in aggregates, rollups and metrics.</summary>
    public CardinalityLimits Limits { get; init; } = CardinalityLimits.Default;

    /// <summary><c>GENAIOBS_ENVIRONMENT</c>: the deployment environment, used when a record's requestMetadata does not name one.</summary>
    public string? Environment { get; init; }

    /// <summary><c>AWS_REGION</c>, when set.</summary>
    public string? Region { get; init; }

    /// <summary><c>AWS_LAMBDA_FUNCTION_NAME</c>, when set.</summary>
    public string? FunctionName { get; init; }

    /// <summary>What every function uses of the shared settings: the dispatch key and its diagnostics.</summary>
    public static IReadOnlyList<SettingVariable> LoggingVariables { get; } =
    [
        SettingVariable.Lambda(EnvironmentVariables.Handler, "the dispatch key (the template's Handler)"),
        SettingVariable.Deployment(EnvironmentVariables.ServiceName, "service of every log line; Service dimension of the processors' metrics"),
        SettingVariable.Deployment(EnvironmentVariables.LogLevel, "level of the diagnostic log lines"),
        SettingVariable.Lambda(EnvironmentVariables.LambdaLogLevel, "log level from Lambda's advanced logging controls, when POWERTOOLS_LOG_LEVEL is unset"),
    ];

    /// <summary>What the processors (invocation logs, spans) use beyond <see cref="LoggingVariables"/>: metrics and pricing.</summary>
    public static IReadOnlyList<SettingVariable> MetricsVariables { get; } =
    [
        SettingVariable.Deployment(EnvironmentVariables.MetricsNamespace, "CloudWatch namespace of the EMF metrics"),
        SettingVariable.Deployment(EnvironmentVariables.PricesFile, "a price table file replacing the embedded default"),
        SettingVariable.Deployment(EnvironmentVariables.MaxPrincipals, "per-batch cap of distinct principal (and other capped) dimension values"),
        SettingVariable.Deployment(EnvironmentVariables.Environment, "Environment dimension of records whose requestMetadata names none"),
        .. CardinalitySettings.Variables,
    ];

    /// <summary>Every variable <see cref="Read"/> looks up (whether or not the function then uses it).</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        .. LoggingVariables,
        .. MetricsVariables,
        SettingVariable.Lambda(EnvironmentVariables.Region, "the region"),
        SettingVariable.Lambda(EnvironmentVariables.FunctionName, "the function's name"),
    ];

    /// <summary>Reads the shared settings; throws <see cref="SettingsException"/> naming the first bad variable.</summary>
    public static FunctionSettings Read(IEnvironment environment)
    {
        var reader = new SettingsReader(environment);
        var levelName = reader.Optional(EnvironmentVariables.LogLevel) is { } powertools
            ? (Name: EnvironmentVariables.LogLevel, Value: powertools)
            : (Name: EnvironmentVariables.LambdaLogLevel, Value: reader.Optional(EnvironmentVariables.LambdaLogLevel));
        var level = DiagnosticLevel.Information;
        if (levelName.Value is not null && !DiagnosticLevels.TryParse(levelName.Value, out level))
        {
            throw new SettingsException(levelName.Name, $"Environment variable {levelName.Name} must be one of DEBUG, INFO, WARN, ERROR, CRITICAL.");
        }

        return new FunctionSettings
        {
            Handler = reader.Required(EnvironmentVariables.Handler),
            ServiceName = reader.Optional(EnvironmentVariables.ServiceName, DefaultServiceName),
            MetricsNamespace = reader.Optional(EnvironmentVariables.MetricsNamespace, DefaultMetricsNamespace),
            LogLevel = level,
            PricesFile = reader.Optional(EnvironmentVariables.PricesFile),
            MaxPrincipals = reader.Int32(EnvironmentVariables.MaxPrincipals, DefaultMaxPrincipals, min: 0, max: 10_000),
            Limits = CardinalitySettings.Read(environment.GetVariable),
            Environment = reader.Optional(EnvironmentVariables.Environment),
            Region = reader.Optional(EnvironmentVariables.Region),
            FunctionName = reader.Optional(EnvironmentVariables.FunctionName),
        };
    }
}
