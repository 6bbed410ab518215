using System.Text.Json;
using System.Text.Json.Nodes;

namespace GenAiObs.Tests.Wiring;

/// <summary>SNS → Lambda events carrying a CloudWatch alarm state change, as CloudWatch publishes them.</summary>
internal static class AlarmEvents
{
    public const string PagerDutyTopic = "arn:aws:sns:us-east-1:111122223333:genaiobs-PagerDutyTopic";
    public const string SlackOpsTopic = "arn:aws:sns:us-east-1:111122223333:genaiobs-SlackOpsTopic";
    public const string AlarmArn = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:genaiobs-invocation-error-rate";

    /// <summary>The fixture alarm message with its states replaced (and any other field, null = removed).</summary>
    public static string Message(string newState = "ALARM", string oldState = "OK", params (string Name, string? Value)[] overrides)
    {
        var message = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "wiring", "cloudwatch-alarm-message.json")))!.AsObject();
        message["NewStateValue"] = newState;
        message["OldStateValue"] = oldState;
        foreach (var (name, value) in overrides)
        {
            if (value is null)
            {
                message.Remove(name);
            }
            else
            {
                message[name] = value;
            }
        }

        return message.ToJsonString();
    }

    /// <summary>The Lambda event for one SNS notification of <paramref name="message"/> on <paramref name="topicArn"/> (no message attributes: CloudWatch sets none).</summary>
    public static byte[] Event(string message, string topicArn = PagerDutyTopic)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Records");
            writer.WriteStartObject();
            writer.WriteString("EventSource", "aws:sns");
            writer.WriteString("EventVersion", "1.0");
            writer.WriteString("EventSubscriptionArn", topicArn + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55");
            writer.WriteStartObject("Sns");
            writer.WriteString("Type", "Notification");
            writer.WriteString("MessageId", "b4e6f0a7-3a43-5f7b-9c37-1c1f3d2d6d0e");
            writer.WriteString("TopicArn", topicArn);
            writer.WriteString("Subject", "ALARM: \"genaiobs-invocation-error-rate\" in US East (N. Virginia)");
            writer.WriteString("Message", message);
            writer.WriteString("Timestamp", "2026-11-26T10:15:32.925Z");
            writer.WriteString("SignatureVersion", "1");
            writer.WriteString("Signature", "EXAMPLE");
            writer.WriteString("SigningCertUrl", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem");
            writer.WriteString("UnsubscribeUrl", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe");
            writer.WriteStartObject("MessageAttributes");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
