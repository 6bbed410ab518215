namespace GenAiObs.Adapters.Configuration;

/// <summary>
/// Every environment variable the functions and the CLI read, in one place (template.yaml tests
/// check each one is set for the function that reads it). Powertools names are reused where the
/// meaning matches so users' habits and a later move to Powertools both work.
/// </summary>
public static class EnvironmentVariables
{
    // ---- Set by Lambda (custom runtime contract)
    public const string RuntimeApi = "AWS_LAMBDA_RUNTIME_API";
    public const string Handler = "_HANDLER";
    public const string TraceId = "_X_AMZN_TRACE_ID";
    public const string FunctionName = "AWS_LAMBDA_FUNCTION_NAME";
    public const string FunctionVersion = "AWS_LAMBDA_FUNCTION_VERSION";
    public const string LambdaLogLevel = "AWS_LAMBDA_LOG_LEVEL";
    public const string Region = "AWS_REGION";
    public const string DefaultRegion = "AWS_DEFAULT_REGION";

    // ---- Powertools-compatible
    public const string ServiceName = "POWERTOOLS_SERVICE_NAME";
    public const string MetricsNamespace = "POWERTOOLS_METRICS_NAMESPACE";
    public const string LogLevel = "POWERTOOLS_LOG_LEVEL";

    // ---- GenAI observability
    public const string PricesFile = "GENAIOBS_PRICES_FILE";
    public const string PricesBucket = "GENAIOBS_PRICES_S3_BUCKET";
    public const string PricesKey = "GENAIOBS_PRICES_S3_KEY";
    public const string MaxPrincipals = "GENAIOBS_MAX_PRINCIPALS";
    public const string MaxValues = "GENAIOBS_MAX_VALUES";
    public const string MaxEventAgeHours = "GENAIOBS_MAX_EVENT_AGE_HOURS";
    public const string MaxEventAheadHours = "GENAIOBS_MAX_EVENT_AHEAD_HOURS";
    public const string PrincipalNames = "GENAIOBS_PRINCIPAL_NAMES";
    public const string PrincipalSalt = "GENAIOBS_PRINCIPAL_SALT";
    public const string DimensionKeys = "GENAIOBS_DIMENSION_KEYS";
    public const string DimensionAttributes = "GENAIOBS_DIMENSION_ATTRIBUTES";
    public const string JoinWindowHours = "GENAIOBS_JOIN_WINDOW_HOURS";

    /// <summary><c>on</c> (default) or <c>off</c>: whether the invocation-log processor writes a join-index entry per tagged request (the template: on when FeedbackLogGroupName is set).</summary>
    public const string RequestIndex = "GENAIOBS_REQUEST_INDEX";

    /// <summary><c>direct</c> (default) or <c>central</c>: the template's IngestionMode, for the processors.</summary>
    public const string IngestionMode = "GENAIOBS_INGESTION_MODE";

    public const string Environment = "GENAIOBS_ENVIRONMENT";
    public const string TableName = "GENAIOBS_TABLE_NAME";
    public const string AggregateWrites = "GENAIOBS_AGGREGATE_WRITES";
    public const string RetentionFineDays = "GENAIOBS_RETENTION_FINE_DAYS";
    public const string RetentionHourlyDays = "GENAIOBS_RETENTION_HOURLY_DAYS";
    public const string RetentionDailyDays = "GENAIOBS_RETENTION_DAILY_DAYS";
    public const string RetentionSessionHours = "GENAIOBS_RETENTION_SESSION_HOURS";
    public const string MonthlyBudgetUsd = "GENAIOBS_MONTHLY_BUDGET_USD";
    /// <summary>
    /// Prefix of the per-rule overrides <c>GENAIOBS_RULE_&lt;RULE&gt;_&lt;PARAM&gt;</c> (e.g.
    /// <c>GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD</c>); the full list is
    /// <c>RuleSettingsParser.KnownVariableNames</c>. All optional.
    /// </summary>
    public const string RuleSettingPrefix = "GENAIOBS_RULE_";
    public const string RoutingFile = "GENAIOBS_ROUTING_FILE";
    public const string Routing = "GENAIOBS_ROUTING";
    public const string ReceiverTopics = "GENAIOBS_RECEIVER_TOPICS";
    public const string PagerDutyRoutingKeyParameter = "GENAIOBS_PAGERDUTY_ROUTING_KEY_PARAM";
    public const string SlackOpsWebhookParameter = "GENAIOBS_SLACK_OPS_WEBHOOK_PARAM";
    public const string SlackFinOpsWebhookParameter = "GENAIOBS_SLACK_FINOPS_WEBHOOK_PARAM";
    public const string AlertTopicArn = "GENAIOBS_ALERT_TOPIC_ARN";
    public const string AlarmReceiver = "GENAIOBS_ALARM_RECEIVER";
    public const string NotificationMaxAge = "GENAIOBS_NOTIFICATION_MAX_AGE";

    /// <summary>PagerDuty Events API endpoint override (tests point it at a loopback server).</summary>
    public const string PagerDutyUrl = "GENAIOBS_PAGERDUTY_URL";

    // ---- AWS SDK endpoint overrides (standard SDK names)
    public const string EndpointUrlDynamoDb = "AWS_ENDPOINT_URL_DYNAMODB";
    public const string EndpointUrlSns = "AWS_ENDPOINT_URL_SNS";
    public const string EndpointUrlSsm = "AWS_ENDPOINT_URL_SSM";
    public const string EndpointUrlBedrock = "AWS_ENDPOINT_URL_BEDROCK";
    public const string EndpointUrlPricing = "AWS_ENDPOINT_URL_PRICING";
    public const string EndpointUrlS3 = "AWS_ENDPOINT_URL_S3";
    public const string EndpointUrl = "AWS_ENDPOINT_URL";
}
