using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// A CloudWatch alarm state change as CloudWatch publishes it to an SNS topic (the message is a
/// JSON object with <c>AlarmName</c>, <c>AlarmDescription</c>, <c>AWSAccountId</c>,
/// <c>NewStateValue</c>, <c>NewStateReason</c>, <c>StateChangeTime</c>, <c>Region</c> — the
/// region's long name —, <c>AlarmArn</c>, <c>OldStateValue</c> and <c>Trigger</c>). The
/// template's native alarms publish these to the pagerduty topic, beside the evaluator's own
/// notifications. Alarm messages carry metric names and values only, never request content.
/// </summary>
public sealed partial record CloudWatchAlarm(
    string Name,
    string? Arn,
    string? Description,
    string? AccountId,
    string? Region,
    AlarmState NewState,
    AlarmState? OldState,
    string Reason,
    DateTimeOffset? StateChangeTime,
    string? MetricNamespace,
    string? MetricName)
{
    /// <summary>PagerDuty's dedup_key limit.</summary>
    public const int MaxDedupKeyLength = 255;

    /// <summary>
    /// The PagerDuty dedup_key: the alarm ARN (else <c>cloudwatch-alarm:{account}:{name}</c>), so
    /// every ALARM and OK of one alarm lands on one incident; a key over 255 characters becomes
    /// <c>cloudwatch-alarm:</c> + the SHA-256 of it.
    /// </summary>
    public string DedupKey
    {
        get
        {
            var key = Arn ?? $"cloudwatch-alarm:{AccountId}:{Name}";
            return key.Length <= MaxDedupKeyLength
                ? key
                : "cloudwatch-alarm:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }
    }

    /// <summary><c>[ALARM] name: reason</c> on one line, at most <paramref name="maxLength"/> characters (a receiver's title or fallback text).</summary>
    public string Headline(int maxLength)
    {
        var text = $"[{StateLabel(NewState)}] {Name}";
        if (Reason.Length > 0)
        {
            text += ": " + Reason;
        }

        return Alert.Cut(text.Replace('\n', ' '), maxLength);
    }

    /// <summary>The <c>NewStateValue</c> / <c>OldStateValue</c> text of a state.</summary>
    public static string StateLabel(AlarmState state) => state switch
    {
        AlarmState.Alarm => "ALARM",
        AlarmState.Ok => "OK",
        _ => "INSUFFICIENT_DATA",
    };

    /// <summary>
    /// Reads an SNS message body; false when it is not a CloudWatch alarm notification (not JSON,
    /// or no string <c>AlarmName</c> and known <c>NewStateValue</c>). Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out CloudWatchAlarm? alarm)
    {
        alarm = null;
        try
        {
            var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 32 });
            if (!JsonDocument.TryParseValue(ref reader, out var document))
            {
                return false;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || Text(root, "AlarmName") is not { Length: > 0 } name
                    || State(Text(root, "NewStateValue")) is not { } newState)
                {
                    return false;
                }

                string? metricNamespace = null, metricName = null;
                if (root.TryGetProperty("Trigger", out var trigger) && trigger.ValueKind == JsonValueKind.Object)
                {
                    metricNamespace = Text(trigger, "Namespace");
                    metricName = Text(trigger, "MetricName");
                }

                alarm = new CloudWatchAlarm(
                    name,
                    Text(root, "AlarmArn"),
                    Text(root, "AlarmDescription"),
                    Text(root, "AWSAccountId"),
                    Text(root, "Region"),
                    newState,
                    State(Text(root, "OldStateValue")),
                    Text(root, "NewStateReason") ?? string.Empty,
                    Time(Text(root, "StateChangeTime")),
                    metricNamespace,
                    metricName);
                return true;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static AlarmState? State(string? text) => text switch
    {
        "ALARM" => AlarmState.Alarm,
        "OK" => AlarmState.Ok,
        "INSUFFICIENT_DATA" => AlarmState.InsufficientData,
        _ => null,
    };

    /// <summary>CloudWatch writes <c>2025-03-10T09:30:00.000+0000</c> (no colon in the offset).</summary>
    private static DateTimeOffset? Time(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var normalised = CompactOffset().Replace(text, "$1:$2");
        return DateTimeOffset.TryParse(normalised, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : null;
    }

    [GeneratedRegex(@"([+-]\d{2})(\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex CompactOffset();
}
