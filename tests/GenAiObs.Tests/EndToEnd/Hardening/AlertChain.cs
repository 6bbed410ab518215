using System.Text.Json;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Evaluation;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Sns;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Core.Records;
using GenAiObs.Functions.Notifier;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Store;
using GenAiObs.Cli;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// The alert path end to end on loopback: aggregates → the real evaluator (rules, dispatcher,
/// claim/confirm state) → SNS (the loopback FakeSns, which can be scripted to fail) → the SNS
/// record a Lambda subscriber receives → the real notifier → loopback PagerDuty and Slack.
/// </summary>
internal static class AlertChain
{
    public static readonly DateTimeOffset T = new(2026, 11, 18, 10, 0, 0, TimeSpan.Zero);

    public const string RoutingKey = "R0UT1NGKEY-SECRET-5e2c9a";
    public const string WebhookPath = "services/T0SECRET/B0SECRET/XyZwebhookSECRET42";

    public static readonly Dictionary<string, string> Topics = new(StringComparer.Ordinal)
    {
        ["pagerduty"] = "arn:aws:sns:us-east-1:111122223333:genaiobs-pagerduty",
        ["slack-ops"] = "arn:aws:sns:us-east-1:111122223333:genaiobs-slack-ops",
        ["slack-finops"] = "arn:aws:sns:us-east-1:111122223333:genaiobs-slack-finops",
        ["default"] = "arn:aws:sns:us-east-1:111122223333:genaiobs-default",
    };

    /// <summary>
    /// Two hours of traffic around <see cref="T"/>: a healthy priced model, a model that fails
    /// every call for half an hour (critical → PagerDuty), a model without a price (warning →
    /// Slack), each parsed from records carrying the PII canaries when <paramref name="records"/> is given.
    /// </summary>
    public static async Task<InMemoryAggregateStore> TrafficAsync(IEnumerable<PricedInvocation>? records = null)
    {
        var invocations = new List<PricedInvocation>();
        for (var bucket = T.AddHours(-2); bucket < T.AddHours(1); bucket += Buckets.FineWidth)
        {
            for (var i = 0; i < 20; i++)
            {
                invocations.Add(StoreTestData.Invocation(bucket.AddSeconds(i * 13), model: StoreTestData.Sonnet, principal: "role-" + (i % 3), latencyMs: 700 + i));
            }

            if (bucket >= T.AddMinutes(-15) && bucket < T.AddMinutes(15))
            {
                for (var i = 0; i < 12; i++)
                {
                    invocations.Add(StoreTestData.Invocation(bucket.AddSeconds(i * 17), model: "meta.llama3-70b-instruct-v1:0", principal: "batch-role", errorCode: "ServiceUnavailableException", latencyMs: null));
                }
            }

            if (bucket >= T.AddMinutes(-60) && bucket < T.AddMinutes(10))
            {
                invocations.Add(StoreTestData.Invocation(bucket.AddSeconds(100), model: "acme.mystery-v1:0", principal: "lab-role", cost: 0m, priced: false));
            }
        }

        invocations.AddRange(records ?? []);
        var store = new InMemoryAggregateStore();
        foreach (var (chunk, index) in invocations.Chunk(500).Select((c, i) => (c, i)))
        {
            await store.ApplyBatchAsync(AggregateBuilder.Build("traffic-" + index, chunk, []));
        }

        return store;
    }

    /// <summary>The evaluator on a simulated clock (group_wait follow-ups advance it).</summary>
    public static AlertEvaluator Evaluator(IAggregateStore store, IAlertStateStore states, IAlertPublisher publisher, SimulatedClock clock) =>
        new(store, new RuleEvaluator(RuleSettings.Default), RoutingTree.Default, states, publisher, clock, delay: (wait, _) =>
        {
            clock.Advance(wait);
            return Task.CompletedTask;
        });

    public static SnsAlertPublisher Publisher(FakeSns sns, HttpClient http, TimeProvider clock, RecordingDelay delay) =>
        new(new SnsClient(http, sns.Endpoint, FakeSns.Region, new StaticCredentialsSource(new AwsCredentials(FakeSns.AccessKey, FakeSns.Secret, "session-token")), clock, RetryPolicy.Default, delay.DelayAsync), Topics);

    /// <summary>Evaluations every 5 minutes from <see cref="T"/> for <paramref name="minutes"/>; <paramref name="before"/> runs ahead of each.</summary>
    public static async Task<List<EvaluationResult>> RunScheduleAsync(AlertEvaluator evaluator, SimulatedClock clock, int minutes, Action<int>? before = null)
    {
        var results = new List<EvaluationResult>();
        for (var step = 0; step * 5 <= minutes; step++)
        {
            clock.Set(T.AddMinutes(step * 5).AddSeconds(3));
            before?.Invoke(step);
            results.Add(await evaluator.EvaluateAsync(CancellationToken.None));
        }

        return results;
    }

    /// <summary>The notifications SNS accepted, read back from the lambda protocol body.</summary>
    public static List<(string Id, string Receiver, string GroupKey, string Status, string Alertname)> Published(FakeSns sns)
    {
        lock (sns.Published)
        {
            return sns.Published.Select(form =>
            {
                using var message = JsonDocument.Parse(form["Message"]);
                using var body = JsonDocument.Parse(message.RootElement.GetProperty("lambda").GetString()!);
                var root = body.RootElement;
                return (root.GetProperty("id").GetString()!, root.GetProperty("receiver").GetString()!, root.GetProperty("groupKey").GetString()!, root.GetProperty("status").GetString()!, root.GetProperty("alertname").GetString()!);
            }).ToList();
        }
    }

    public static NotifierFunction Notifier(Uri pagerDuty, Uri slack, HttpClient http, RecordingDelay delay, TextWriter log) =>
        TestNotifier.Create(
            new NotifierSettings(new Uri(pagerDuty, "v2/enqueue"), "/genaiobs/pagerduty-routing-key", "/genaiobs/slack-ops-webhook", null),
            new FakeSecrets(new Dictionary<string, string>
            {
                ["/genaiobs/pagerduty-routing-key"] = RoutingKey,
                ["/genaiobs/slack-ops-webhook"] = new Uri(slack, WebhookPath).ToString(),
            }),
            http,
            delay,
            log);

    /// <summary>What Lambda receives from an SNS subscription for a Publish SNS accepted (one record, the lambda body).</summary>
    public static byte[] LambdaEventFor(IReadOnlyDictionary<string, string> form) =>
        Delivery.NotifierAndNotifyTestTests.LambdaEventFor(form);
}

/// <summary>A loopback receiver (PagerDuty or Slack) answering from a script, then 2xx; it records what it accepted.</summary>
internal sealed class ScriptedReceiver : IDisposable
{
    private readonly Queue<LoopbackResponse> _script = new();
    private readonly LoopbackResponse _success;
    private readonly LoopbackHttpServer _server;

    public ScriptedReceiver(LoopbackResponse success)
    {
        _success = success;
        _server = new LoopbackHttpServer(Handle);
    }

    public Uri BaseUri => _server.BaseUri;

    public List<LoopbackRequest> Accepted { get; } = [];

    public IReadOnlyList<LoopbackRequest> AllRequests => [.. _server.Requests];

    public void Script(params LoopbackResponse[] responses)
    {
        lock (_script)
        {
            foreach (var response in responses)
            {
                _script.Enqueue(response);
            }
        }
    }

    public void Dispose() => _server.Dispose();

    private LoopbackResponse Handle(LoopbackRequest request)
    {
        lock (_script)
        {
            if (_script.Count > 0)
            {
                return _script.Dequeue();
            }

            Accepted.Add(request);
            return _success;
        }
    }
}
