using GenAiObs.Adapters.Alerts;
using GenAiObs.Core.Alerts;
using Xunit;
using static GenAiObs.Tests.Alerts.AlertTestData;

namespace GenAiObs.Tests.Delivery;

/// <summary>A publisher that records what it accepted and can be told to fail or to hold a publish.</summary>
internal sealed class FakePublisher : IAlertPublisher
{
    private int _failuresLeft;

    public List<AlertNotification> Accepted { get; } = [];

    public Func<AlertNotification, Task>? BeforeAccept { get; set; }

    public void FailNext(int count) => _failuresLeft = count;

    public async Task<PublishReceipt> PublishAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        if (BeforeAccept is { } hook)
        {
            await hook(notification);
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new HttpRequestException("publish failed");
        }

        lock (Accepted)
        {
            Accepted.Add(notification);
            return new PublishReceipt("msg-" + Accepted.Count);
        }
    }
}

/// <summary>
/// The claim/confirm protocol, run against every <see cref="IAlertStateStore"/> implementation
/// (each subclass declares the facts, so the dynalite ones can be skipped with a reason).
/// </summary>
public abstract class AlertDispatcherContractTests
{
    private static readonly Alert[] Firing = [Firing("ErrorRateHigh", AlertSeverity.Critical, T0 - TimeSpan.FromHours(1), ("model", "m1"))];
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    protected abstract Task<IAlertStateStore> CreateStoreAsync();

    protected abstract Task DisposeStoreAsync();

    private async Task RunAsync(Func<IAlertStateStore, Task> test)
    {
        var store = await CreateStoreAsync();
        try
        {
            await test(store);
        }
        finally
        {
            await DisposeStoreAsync();
        }
    }

    protected Task DispatchAsync_WhenRunTwiceAtTheSameInstant_ShouldPublishOnce() => RunAsync(async store =>
    {
        var publisher = new FakePublisher();
        var dispatcher = new AlertDispatcher(store, publisher);

        var first = await dispatcher.DispatchAsync(Firing, RoutingTree.Default, T0, CancellationToken.None);
        var second = await dispatcher.DispatchAsync(Firing, RoutingTree.Default, T0, CancellationToken.None);

        Assert.Single(first.Sent);
        Assert.Empty(second.Sent);
        Assert.Single(publisher.Accepted);
        var stored = Assert.Single(await store.LoadAsync(CancellationToken.None));
        Assert.Null(stored.Pending);
        Assert.Equal(T0, stored.State!.LastNotifiedAt);
    });

    protected Task DispatchAsync_WhenPublishFails_ShouldRetryAtTheNextEvaluationAndSendOnce() => RunAsync(async store =>
    {
        var publisher = new FakePublisher();
        publisher.FailNext(1);
        var dispatcher = new AlertDispatcher(store, publisher);

        var failed = await dispatcher.DispatchAsync(Firing, RoutingTree.Default, T0, CancellationToken.None);
        var retried = await dispatcher.DispatchAsync(Firing, RoutingTree.Default, T0 + FiveMinutes, CancellationToken.None);
        var after = await dispatcher.DispatchAsync(Firing, RoutingTree.Default, T0 + FiveMinutes * 2, CancellationToken.None);

        Assert.Single(failed.Failed);
        Assert.Empty(failed.Sent);
        var sent = Assert.Single(retried.Sent);
        Assert.Equal(NotifyReasons.FirstNotification, sent.Notification.Reason);
        Assert.Empty(after.Sent);
        Assert.Single(publisher.Accepted);
    });

    protected Task DispatchAsync_WhenAnotherEvaluatorIsPublishing_ShouldLeaveTheGroupToIt() => RunAsync(async store =>
    {
        var slowPublisher = new FakePublisher();
        var otherPublisher = new FakePublisher();
        var slow = new AlertDispatcher(store, slowPublisher);
        var other = new AlertDispatcher(store, otherPublisher);
        DispatchResult? otherResult = null;
        slowPublisher.BeforeAccept = async _ =>
        {
            // While the first evaluator holds its claim, a second one runs to completion.
            otherResult = await other.DispatchAsync(Firing, RoutingTree.Default, T0, CancellationToken.None);
        };

        var slowResult = await slow.DispatchAsync(Firing, RoutingTree.Default, T0, CancellationToken.None);

        Assert.Single(slowResult.Sent);
        Assert.Equal(1, otherResult!.Leased);
        Assert.Empty(otherResult.Sent);
        Assert.Empty(otherPublisher.Accepted);
    });

    protected Task DispatchAsync_WhenAClaimHolderDied_ShouldSendAfterTheLeaseRunsOut() => RunAsync(async store =>
    {
        // Simulate an evaluator that claimed and then crashed before publishing.
        var plan = NotificationPlanner.Plan(Firing, [], RoutingTree.Default, T0);
        var notification = plan.Notifications.Single();
        var claimed = await store.TryClaimAsync(plan.Groups[0].GroupId, 0, new PendingNotification(notification.Id, T0 + TimeSpan.FromMinutes(2)), T0 + TimeSpan.FromDays(7), CancellationToken.None);
        var publisher = new FakePublisher();
        var dispatcher = new AlertDispatcher(store, publisher);

        var duringLease = await dispatcher.DispatchAsync(Firing, RoutingTree.Default, T0 + TimeSpan.FromMinutes(1), CancellationToken.None);
        var afterLease = await dispatcher.DispatchAsync(Firing, RoutingTree.Default, T0 + FiveMinutes, CancellationToken.None);

        Assert.Equal(1, claimed);
        Assert.Empty(duringLease.Sent);
        Assert.Single(afterLease.Sent);
        Assert.Single(publisher.Accepted);
    });

    protected Task DispatchAsync_WhenManyEvaluatorsRace_ShouldPublishEachNotificationExactlyOnce() => RunAsync(async store =>
    {
        var publisher = new FakePublisher();
        var alerts = new[]
        {
            Firing("ErrorRateHigh", AlertSeverity.Critical, T0 - TimeSpan.FromHours(1), ("model", "m1")),
            Firing("CompletionRateLow", AlertSeverity.Warning, T0 - TimeSpan.FromHours(1)),
            Firing("MonthlyBudgetExceeded", AlertSeverity.Warning, T0 - TimeSpan.FromHours(1)),
        };

        for (var round = 0; round < 6; round++)
        {
            var now = T0 + (FiveMinutes * 49 * round); // past repeat_interval each round: every group is due again
            await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
                new AlertDispatcher(store, publisher).DispatchAsync(alerts, RoutingTree.Default, now, CancellationToken.None))));
        }

        Assert.Equal(3 * 6, publisher.Accepted.Count);
        Assert.Equal(publisher.Accepted.Count, publisher.Accepted.Select(n => n.Id).Distinct().Count());
        Assert.All(await store.LoadAsync(CancellationToken.None), g => Assert.Null(g.Pending));
    });

    protected Task DispatchAsync_OverFiringAndClearing_ShouldSendFirstAndOneResolved() => RunAsync(async store =>
    {
        var publisher = new FakePublisher();
        var dispatcher = new AlertDispatcher(store, publisher);

        for (var now = T0; now <= T0 + TimeSpan.FromHours(1); now += FiveMinutes)
        {
            await dispatcher.DispatchAsync(now < T0 + TimeSpan.FromMinutes(30) ? Firing : [], RoutingTree.Default, now, CancellationToken.None);
        }

        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], publisher.Accepted.Select(n => n.Status));
        Assert.Equal(publisher.Accepted[0].GroupKey, publisher.Accepted[1].GroupKey);
    });

    protected Task TryConfirmAsync_WhenTheClaimWasTakenOver_ShouldRefuse() => RunAsync(async store =>
    {
        var plan = NotificationPlanner.Plan(Firing, [], RoutingTree.Default, T0);
        var groupId = plan.Groups[0].GroupId;
        var first = await store.TryClaimAsync(groupId, 0, new PendingNotification("n-1", T0), T0 + TimeSpan.FromDays(1), CancellationToken.None);
        var second = await store.TryClaimAsync(groupId, first!.Value, new PendingNotification("n-2", T0 + TimeSpan.FromMinutes(2)), T0 + TimeSpan.FromDays(1), CancellationToken.None);

        var staleConfirm = await store.TryConfirmAsync(groupId, first.Value, "n-1", plan.Groups[0].Next, T0 + TimeSpan.FromDays(1), CancellationToken.None);
        var staleClaim = await store.TryClaimAsync(groupId, 0, new PendingNotification("n-3", T0), T0 + TimeSpan.FromDays(1), CancellationToken.None);
        var confirm = await store.TryConfirmAsync(groupId, second!.Value, "n-2", plan.Groups[0].Next, T0 + TimeSpan.FromDays(1), CancellationToken.None);

        Assert.False(staleConfirm);
        Assert.Null(staleClaim);
        Assert.True(confirm);
    });
}

public sealed class InMemoryAlertDispatcherTests : AlertDispatcherContractTests
{
    protected override Task<IAlertStateStore> CreateStoreAsync() => Task.FromResult<IAlertStateStore>(new InMemoryAlertStateStore());

    protected override Task DisposeStoreAsync() => Task.CompletedTask;

    [Fact]
    public Task DispatchAsync_WhenRunTwiceAtTheSameInstant_ShouldPublishOnce_InMemory() => DispatchAsync_WhenRunTwiceAtTheSameInstant_ShouldPublishOnce();

    [Fact]
    public Task DispatchAsync_WhenPublishFails_ShouldRetryAtTheNextEvaluationAndSendOnce_InMemory() => DispatchAsync_WhenPublishFails_ShouldRetryAtTheNextEvaluationAndSendOnce();

    [Fact]
    public Task DispatchAsync_WhenAnotherEvaluatorIsPublishing_ShouldLeaveTheGroupToIt_InMemory() => DispatchAsync_WhenAnotherEvaluatorIsPublishing_ShouldLeaveTheGroupToIt();

    [Fact]
    public Task DispatchAsync_WhenAClaimHolderDied_ShouldSendAfterTheLeaseRunsOut_InMemory() => DispatchAsync_WhenAClaimHolderDied_ShouldSendAfterTheLeaseRunsOut();

    [Fact]
    public Task DispatchAsync_WhenManyEvaluatorsRace_ShouldPublishEachNotificationExactlyOnce_InMemory() => DispatchAsync_WhenManyEvaluatorsRace_ShouldPublishEachNotificationExactlyOnce();

    [Fact]
    public Task DispatchAsync_OverFiringAndClearing_ShouldSendFirstAndOneResolved_InMemory() => DispatchAsync_OverFiringAndClearing_ShouldSendFirstAndOneResolved();

    [Fact]
    public Task TryConfirmAsync_WhenTheClaimWasTakenOver_ShouldRefuse_InMemory() => TryConfirmAsync_WhenTheClaimWasTakenOver_ShouldRefuse();
}

/// <summary>One table for the class; each test gets its own partition so tests stay independent.</summary>
public sealed class DynaliteTableFixture : IAsyncLifetime
{
    private DynaliteTable? _table;

    public DynaliteTable Table => _table ?? throw new InvalidOperationException("dynalite is not available");

    public async Task InitializeAsync()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")))
        {
            _table = await DynaliteTable.CreateAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_table is not null)
        {
            await _table.DisposeAsync();
        }
    }
}

[Trait("Category", "Integration")]
public sealed class DynamoDbAlertDispatcherTests(DynaliteTableFixture fixture) : AlertDispatcherContractTests, IClassFixture<DynaliteTableFixture>
{
    protected override Task<IAlertStateStore> CreateStoreAsync() =>
        Task.FromResult<IAlertStateStore>(new DynamoDbAlertStateStore(fixture.Table.Client, fixture.Table.Name, "alertstate-test-" + Guid.NewGuid().ToString("N")));

    protected override Task DisposeStoreAsync() => Task.CompletedTask;

    [DynaliteFact]
    public Task DispatchAsync_WhenRunTwiceAtTheSameInstant_ShouldPublishOnce_DynamoDb() => DispatchAsync_WhenRunTwiceAtTheSameInstant_ShouldPublishOnce();

    [DynaliteFact]
    public Task DispatchAsync_WhenPublishFails_ShouldRetryAtTheNextEvaluationAndSendOnce_DynamoDb() => DispatchAsync_WhenPublishFails_ShouldRetryAtTheNextEvaluationAndSendOnce();

    [DynaliteFact]
    public Task DispatchAsync_WhenAnotherEvaluatorIsPublishing_ShouldLeaveTheGroupToIt_DynamoDb() => DispatchAsync_WhenAnotherEvaluatorIsPublishing_ShouldLeaveTheGroupToIt();

    [DynaliteFact]
    public Task DispatchAsync_WhenAClaimHolderDied_ShouldSendAfterTheLeaseRunsOut_DynamoDb() => DispatchAsync_WhenAClaimHolderDied_ShouldSendAfterTheLeaseRunsOut();

    [DynaliteFact]
    public Task DispatchAsync_WhenManyEvaluatorsRace_ShouldPublishEachNotificationExactlyOnce_DynamoDb() => DispatchAsync_WhenManyEvaluatorsRace_ShouldPublishEachNotificationExactlyOnce();

    [DynaliteFact]
    public Task DispatchAsync_OverFiringAndClearing_ShouldSendFirstAndOneResolved_DynamoDb() => DispatchAsync_OverFiringAndClearing_ShouldSendFirstAndOneResolved();

    [DynaliteFact]
    public Task TryConfirmAsync_WhenTheClaimWasTakenOver_ShouldRefuse_DynamoDb() => TryConfirmAsync_WhenTheClaimWasTakenOver_ShouldRefuse();
}
