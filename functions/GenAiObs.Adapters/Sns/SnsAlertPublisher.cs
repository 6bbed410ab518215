using GenAiObs.Core.Alerts;

namespace GenAiObs.Adapters.Sns;

/// <summary>
/// Publishes notifications to the receiver's SNS topic: its entry in GENAIOBS_RECEIVER_TOPICS,
/// else the alert topic (GENAIOBS_ALERT_TOPIC_ARN) that carries every receiver, told apart by the
/// <c>receiver</c> message attribute.
/// </summary>
public sealed class SnsAlertPublisher(SnsClient client, IReadOnlyDictionary<string, string> receiverTopics, string? alertTopicArn = null) : IAlertPublisher
{
    public const string NoTopicReason = "no_topic_for_receiver";

    public async Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        // A receiver without a topic has nobody to deliver to; saying so (instead of failing)
        // keeps the evaluator from retrying it every five minutes forever.
        if (!receiverTopics.TryGetValue(notification.Receiver, out var topicArn) && (topicArn = alertTopicArn) is null)
        {
            return new PublishReceipt(null, NoTopicReason);
        }

        var request = SnsAlertMessage.Build(notification, topicArn);
        var messageId = await client.PublishAsync(request, cancellationToken).ConfigureAwait(false);
        return new PublishReceipt(messageId);
    }
}
