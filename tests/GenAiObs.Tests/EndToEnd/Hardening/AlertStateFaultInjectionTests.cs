using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Sns;
using GenAiObs.Cli;
using GenAiObs.Core.Alerts;
using GenAiObs.Core.Alerts.Rules;
using GenAiObs.Tests.Alerts;
using GenAiObs.Tests.Delivery;
using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>
/// The alert-state writes under DynamoDB's bad days (the fault-injecting proxy in front of
/// dynalite, the store with its production retry policy) and a hung SNS connection: a throttled
/// confirm after SNS accepted does not publish again, a failing release never ends the run, a
/// claim's lease counts from when it is written, and a Publish gives up after SNS's 10 s timeout.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AlertStateFaultInjectionTests(Store.DynaliteTableFixture table) : IClassFixture<Store.DynaliteTableFixture>, IDisposable
{
    private const int Minutes = 90;
    private const string UpdateItem = "UpdateItem";
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    // The confirm and release writes, told apart by their request bodies: only these two are
    // conditioned on the claim (version and pendingId); of them only the confirm writes the state.
    private static bool IsConfirm(string body) => body.Contains("AND pendingId = :id", StringComparison.Ordinal) && body.Contains("#state", StringComparison.Ordinal);

    private static bool IsRelease(string body) => body.Contains("AND pendingId = :id", StringComparison.Ordinal) && !body.Contains("#state", StringComparison.Ordinal);

    [Fact]
    public async Task Evaluator_WhenTheConfirmWriteIsThrottledAfterSnsAccepted_ShouldRetryItAndPublishEachNotificationOnce()
    {
        // Arrange: the healthy run is the reference.
        var reference = await HealthyRunAsync();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        using var sns = new FakeSns();
        var clock = new SimulatedClock(AlertChain.T);
        var states = new DynamoDbAlertStateStore(DynamoDbClientFactory.Create(proxy.EndpointUrl, "us-east-1"), table.TableName, Partition());
        var evaluator = AlertChain.Evaluator(await AlertChain.TrafficAsync(), states, AlertChain.Publisher(sns, _http, clock, new RecordingDelay()), clock);

        // Act: the first two confirm writes meet throttling (the first confirm is throttled twice).
        proxy.FailNext(2, ProxyFault.Throttled, UpdateItem, IsConfirm);
        var results = await AlertChain.RunScheduleAsync(evaluator, clock, Minutes);

        // Assert: the store retried the confirm; every notification went out exactly once, as in the healthy run.
        Assert.Equal(2, proxy.Injected(UpdateItem));
        var published = AlertChain.Published(sns);
        Assert.Equal(published.Count, published.Select(p => p.Id).Distinct().Count());
        Assert.Equal(reference, Keys(published));
        Assert.All(results, r => Assert.Equal(0, r.Conflicts));
        Assert.All(await states.LoadAsync(CancellationToken.None), group => Assert.Null(group.Pending));
    }

    [Fact]
    public async Task Evaluator_WhenThePublishFailsAndTheReleaseWriteKeepsFailing_ShouldFinishTheRunAndPublishOnceAfterTheLease()
    {
        // Arrange
        var reference = await HealthyRunAsync();
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        using var sns = new FakeSns();
        var clock = new SimulatedClock(AlertChain.T);
        var states = new DynamoDbAlertStateStore(DynamoDbClientFactory.Create(proxy.EndpointUrl, "us-east-1"), table.TableName, Partition());
        var evaluator = AlertChain.Evaluator(await AlertChain.TrafficAsync(), states, AlertChain.Publisher(sns, _http, clock, new RecordingDelay()), clock);

        // Act: in the first evaluation SNS throttles one publish past its retries (4 attempts) and
        // the release of that claim fails on every one of the store's 6 attempts.
        var results = await AlertChain.RunScheduleAsync(evaluator, clock, Minutes, step =>
        {
            if (step == 0)
            {
                sns.Script(Enumerable.Repeat(FakeSns.Error(400, "Sender", "Throttling", "Rate exceeded"), 4).ToArray());
                proxy.FailNext(6, ProxyFault.Unavailable, UpdateItem, IsRelease);
            }
        });

        // Assert: the run finished and reported the claim it could not give back …
        Assert.Equal(6, proxy.Injected(UpdateItem));
        Assert.Single(results[0].Failed);
        Assert.Equal(1, results[0].Unreleased);
        Assert.All(results.Skip(1), r => Assert.Equal(0, r.Unreleased));

        // … and once the lease ran out the notification went out, once, like every other.
        var published = AlertChain.Published(sns);
        Assert.Equal(published.Count, published.Select(p => p.Id).Distinct().Count());
        Assert.Equal(reference, Keys(published));
        Assert.All(await states.LoadAsync(CancellationToken.None), group => Assert.Null(group.Pending));
    }

    [Fact]
    public async Task Dispatcher_WhenLoadingTheStateIsSlow_ShouldStartTheLeaseWhenTheClaimIsWritten()
    {
        // Arrange: the alert-state Query hangs in the proxy while three minutes pass on the clock.
        await using var proxy = new FaultInjectingProxy(new Uri(table.Endpoint));
        var partition = Partition();
        var states = new DynamoDbAlertStateStore(DynamoDbClientFactory.Create(proxy.EndpointUrl, "us-east-1"), table.TableName, partition);
        var direct = new DynamoDbAlertStateStore(table.Client, table.TableName, partition);
        var clock = new ManualTimeProvider(AlertTestData.T0);
        var publisher = new FakePublisher();
        var leases = new List<DateTimeOffset>();
        publisher.BeforeAccept = async _ => leases.AddRange((await direct.LoadAsync(CancellationToken.None)).Select(g => g.Pending!.LeaseUntil));
        var dispatcher = new AlertDispatcher(states, publisher, new DispatcherOptions { ClaimLease = TimeSpan.FromMinutes(2) }, clock);
        Alert[] firing = [AlertTestData.Firing("ErrorRateHigh", AlertSeverity.Critical, AlertTestData.T0 - TimeSpan.FromHours(1), ("model", "m1"))];
        proxy.HoldNext(1, "Query");

        // Act
        var dispatch = dispatcher.DispatchAsync(firing, RoutingTree.Default, AlertTestData.T0, CancellationToken.None);
        await proxy.AllHeldAsync(FunctionHarness.Wait);
        clock.Advance(TimeSpan.FromMinutes(3));
        proxy.ReleaseHeld();
        var result = await dispatch;

        // Assert: the claim written at T0 + 3 min holds until T0 + 5 min (not T0 + 2 min, already past when it was written).
        Assert.Single(result.Sent);
        Assert.Equal([AlertTestData.T0 + TimeSpan.FromMinutes(5)], leases);
    }

    [Fact]
    public async Task SnsClient_WhenTheConnectionHangs_ShouldGiveUpAfterTheRequestTimeout()
    {
        // Arrange: an endpoint that accepts the connection and never answers.
        Assert.Equal(TimeSpan.FromSeconds(10), SnsClient.RequestTimeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var connection = await listener.AcceptTcpClientAsync();
                    lock (accepted)
                    {
                        accepted.Add(connection);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The listener was stopped at the end of the test.
            }
        });
        using var http = new HttpClient { Timeout = SnsClient.RequestTimeout };
        var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        var client = new SnsClient(http, endpoint, FakeSns.Region, new StaticCredentialsSource(new AwsCredentials(FakeSns.AccessKey, FakeSns.Secret, null)), TimeProvider.System, RetryPolicy.Default with { MaxAttempts = 1 });
        var stopwatch = Stopwatch.StartNew();

        // Act
        var failure = await Assert.ThrowsAsync<AwsServiceException>(() => client.PublishAsync(new SnsPublishRequest(AlertChain.Topics["pagerduty"], null, "{}", null, []), CancellationToken.None));

        // Assert: a retryable timeout after about 10 s, far from HttpClient's default 100 s.
        stopwatch.Stop();
        Assert.Equal("Timeout", failure.Code);
        Assert.True(failure.Retryable);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(40));
        listener.Stop();
        lock (accepted)
        {
            accepted.ForEach(c => c.Dispose());
        }
    }

    private static string Partition() => "alertstate-faults-" + Guid.NewGuid().ToString("N");

    private async Task<List<string>> HealthyRunAsync()
    {
        using var sns = new FakeSns();
        var clock = new SimulatedClock(AlertChain.T);
        var evaluator = AlertChain.Evaluator(await AlertChain.TrafficAsync(), new InMemoryAlertStateStore(), AlertChain.Publisher(sns, _http, clock, new RecordingDelay()), clock);
        await AlertChain.RunScheduleAsync(evaluator, clock, Minutes);
        return Keys(AlertChain.Published(sns));
    }

    private static List<string> Keys(IEnumerable<(string Id, string Receiver, string GroupKey, string Status, string Alertname)> notifications) =>
        notifications.Select(n => $"{n.Receiver} {n.Alertname} {n.GroupKey} {n.Status}").Order(StringComparer.Ordinal).ToList();
}
