using System.Globalization;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Sns;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Cli.Commands;

/// <summary>
/// <c>genaiobs notify-test RECEIVER</c>: publishes one clearly marked test notification to the
/// receiver's SNS topic (its GENAIOBS_RECEIVER_TOPICS entry, else GENAIOBS_ALERT_TOPIC_ARN) through the same publisher the evaluator uses — the "send a test
/// alert" to run after deploying. Exit codes: 0 published, 1 not published (configuration or
/// SNS error, message on stderr), 2 usage.
/// </summary>
public sealed class NotifyTestCommand
{
    public const string TestAlertName = "GenAiObsTestNotification";

    private readonly CliEnvironment _environment;
    private readonly Func<SnsSettings, IAlertPublisher> _publisherFactory;
    private readonly TimeProvider _time;

    public NotifyTestCommand(CliEnvironment environment)
        : this(environment, CreateSnsPublisher, TimeProvider.System)
    {
    }

    public NotifyTestCommand(CliEnvironment environment, Func<SnsSettings, IAlertPublisher> publisherFactory, TimeProvider time)
    {
        _environment = environment;
        _publisherFactory = publisherFactory;
        _time = time;
    }

    /// <param name="args">The arguments after <c>notify-test</c>: exactly one receiver name.</param>
    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 1 && args[0] is "-h" or "--help")
        {
            await stdout.WriteLineAsync("Usage: genaiobs notify-test RECEIVER   (e.g. pagerduty, slack-ops, slack-finops, default)").ConfigureAwait(false);
            return 0;
        }

        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            await stderr.WriteLineAsync("genaiobs notify-test: expected exactly one RECEIVER (e.g. pagerduty, slack-ops, slack-finops, default)").ConfigureAwait(false);
            return 2;
        }

        var receiver = args[0];
        try
        {
            var settings = SnsSettings.FromEnvironment(name => _environment.Variables.GetValueOrDefault(name));
            if (settings.TopicFor(receiver) is not { } topicArn)
            {
                var known = settings.ReceiverTopics.Count == 0 ? "none" : string.Join(", ", settings.ReceiverTopics.Keys.Order(StringComparer.Ordinal));
                await stderr.WriteLineAsync($"genaiobs notify-test: {SnsSettings.ReceiverTopicsVariable} has no topic for receiver '{receiver}' (configured: {known}) and {SnsSettings.AlertTopicVariable} is not set").ConfigureAwait(false);
                return 1;
            }

            var notification = BuildTestNotification(receiver, _time.GetUtcNow());
            var receipt = await _publisherFactory(settings).PublishAsync(notification, CancellationToken.None).ConfigureAwait(false);
            await stdout.WriteLineAsync($"Published a test notification to receiver '{receiver}' (topic {topicArn}): SNS MessageId {receipt.MessageId}").ConfigureAwait(false);
            if (receiver == "pagerduty")
            {
                await stdout.WriteLineAsync("PagerDuty opens an info-severity test incident; resolve it by hand.").ConfigureAwait(false);
            }

            return 0;
        }
        catch (DeliveryConfigException ex)
        {
            await stderr.WriteLineAsync($"genaiobs notify-test: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (AwsServiceException ex)
        {
            await stderr.WriteLineAsync($"genaiobs notify-test: {ex.Message}{(ex.RequestId is null ? string.Empty : $" (request {ex.RequestId})")}").ConfigureAwait(false);
            return 1;
        }
        catch (Amazon.Runtime.AmazonClientException ex)
        {
            await stderr.WriteLineAsync($"genaiobs notify-test: no AWS credentials: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// The test notification: alertname GenAiObsTestNotification, severity info, labels
    /// <c>test="true"</c> and a unique <c>test_id</c> (so each test is its own PagerDuty incident),
    /// flagged <c>test</c> in the JSON body and "[TEST]" in every title.
    /// </summary>
    public static AlertNotification BuildTestNotification(string receiver, DateTimeOffset now)
    {
        var testId = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var alert = Alert.Create(
            TestAlertName,
            AlertSeverity.Info,
            [new("test", "true"), new("test_id", testId)],
            $"Test notification from genaiobs notify-test for receiver {receiver}",
            $"{NotificationText.TestBanner} Sent at {AlertJson.FormatTime(now)}.",
            now);
        var groupLabels = alert.Labels;
        var groupKey = AlertGroupKeys.GroupKey(receiver, groupLabels);
        return new AlertNotification
        {
            Id = $"{groupKey}-{testId}",
            Receiver = receiver,
            GroupKey = groupKey,
            GroupLabels = groupLabels,
            Status = AlertStatus.Firing,
            Reason = NotifyReasons.Test,
            At = now,
            Alerts = [alert],
            IsTest = true,
        };
    }

    private static IAlertPublisher CreateSnsPublisher(SnsSettings settings) =>
        new SnsAlertPublisher(
            new SnsClient(new HttpClient { Timeout = SnsClient.RequestTimeout }, settings.Endpoint, settings.Region, new SdkCredentialsSource(), TimeProvider.System),
            settings.ReceiverTopics,
            settings.AlertTopicArn);
}
