using System.Text.Json;
using GenAiObs.Adapters.Configuration;

namespace GenAiObs.Adapters.Sns;

/// <summary>
/// SNS delivery settings, read once at cold start: the region (for the endpoint and the
/// signature), the endpoint (AWS_ENDPOINT_URL_SNS, then AWS_ENDPOINT_URL, then
/// https://sns.{region}.amazonaws.com/), the alert topic every receiver publishes to
/// (<c>GENAIOBS_ALERT_TOPIC_ARN</c>; receivers are configuration, the topic is not per receiver)
/// and the optional per-receiver topic overrides (<c>GENAIOBS_RECEIVER_TOPICS</c>, the variable of
/// deployments that had one topic per receiver; it wins for the receivers it names).
/// </summary>
public sealed record SnsSettings(string Region, Uri Endpoint, IReadOnlyDictionary<string, string> ReceiverTopics)
{
    public const string AlertTopicVariable = EnvironmentVariables.AlertTopicArn;

    /// <summary>The topic for receivers without an entry in <see cref="ReceiverTopics"/>; null = none.</summary>
    public string? AlertTopicArn { get; init; }

    /// <summary>The topic a receiver's notifications are published to, or null when there is none.</summary>
    public string? TopicFor(string receiver) => ReceiverTopics.TryGetValue(receiver, out var topic) ? topic : AlertTopicArn;

    public const string ReceiverTopicsVariable = "GENAIOBS_RECEIVER_TOPICS";
    public const string EndpointSnsVariable = "AWS_ENDPOINT_URL_SNS";
    public const string EndpointVariable = "AWS_ENDPOINT_URL";
    public const string RegionVariable = "AWS_REGION";
    public const string DefaultRegionVariable = "AWS_DEFAULT_REGION";

    /// <summary>Every variable <see cref="FromEnvironment"/> reads.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.Deployment(AlertTopicVariable, "the SNS topic every receiver's notifications are published to"),
        SettingVariable.LocalOverride(ReceiverTopicsVariable, "receiver → SNS topic ARN (JSON object); wins over the alert topic for the receivers it names"),
        SettingVariable.LocalOverride(EndpointSnsVariable, "SNS endpoint override (tests)"),
        SettingVariable.LocalOverride(EndpointVariable, "endpoint override for every AWS service"),
        SettingVariable.Lambda(RegionVariable, "signing region and default endpoint"),
        SettingVariable.Lambda(DefaultRegionVariable, "region when AWS_REGION is unset"),
    ];

    /// <exception cref="DeliveryConfigException">A setting is missing or invalid.</exception>
    public static SnsSettings FromEnvironment(Func<string, string?> getVariable)
    {
        var region = getVariable(RegionVariable);
        if (string.IsNullOrWhiteSpace(region))
        {
            region = getVariable(DefaultRegionVariable);
        }

        if (string.IsNullOrWhiteSpace(region))
        {
            throw new DeliveryConfigException(RegionVariable, "not set; SNS needs a region to sign requests");
        }

        var endpoint = ReadEndpoint(getVariable, EndpointSnsVariable) ?? ReadEndpoint(getVariable, EndpointVariable) ?? DefaultEndpoint(region);
        var alertTopic = getVariable(AlertTopicVariable);
        if (!string.IsNullOrWhiteSpace(alertTopic) && !IsTopicArn(alertTopic.Trim()))
        {
            throw new DeliveryConfigException(AlertTopicVariable, "expected a topic ARN (arn:aws:sns:region:account:name)");
        }

        return new SnsSettings(region, endpoint, ParseReceiverTopics(getVariable(ReceiverTopicsVariable)))
        {
            AlertTopicArn = string.IsNullOrWhiteSpace(alertTopic) ? null : alertTopic.Trim(),
        };
    }

    public static Uri DefaultEndpoint(string region) =>
        new(region.StartsWith("cn-", StringComparison.Ordinal)
            ? $"https://sns.{region}.amazonaws.com.cn/"
            : $"https://sns.{region}.amazonaws.com/");

    /// <summary>Parses the JSON object receiver → topic ARN; empty when the variable is unset.</summary>
    /// <exception cref="DeliveryConfigException">Not a JSON object of ARN strings.</exception>
    public static IReadOnlyDictionary<string, string> ParseReceiverTopics(string? json)
    {
        var topics = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return topics;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DeliveryConfigException(ReceiverTopicsVariable, "expected a JSON object {\"receiver\": \"arn:aws:sns:...\"}");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String
                    || property.Value.GetString() is not { } arn
                    || !IsTopicArn(arn))
                {
                    throw new DeliveryConfigException(ReceiverTopicsVariable, $"receiver '{property.Name}' needs a topic ARN string (arn:aws:sns:region:account:name)");
                }

                topics[property.Name] = arn;
            }
        }
        catch (JsonException)
        {
            throw new DeliveryConfigException(ReceiverTopicsVariable, "not valid JSON");
        }

        return topics;
    }

    private static bool IsTopicArn(string arn) => arn.StartsWith("arn:", StringComparison.Ordinal) && arn.Split(':').Length >= 6;

    private static Uri? ReadEndpoint(Func<string, string?> getVariable, string variable)
    {
        var value = getVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new DeliveryConfigException(variable, "expected an absolute http(s) URL");
        }

        return uri;
    }
}
