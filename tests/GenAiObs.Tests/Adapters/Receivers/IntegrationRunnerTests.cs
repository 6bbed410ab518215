using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Adapters.Receivers.Slack;
using GenAiObs.Tests.Delivery;
using Xunit;

namespace GenAiObs.Tests.Receivers;

/// <summary>What every integration gets from the runner and the poster: secret lookup and refresh, no redirects.</summary>
[Trait("Category", "Integration")]
public sealed class IntegrationRunnerTests : IDisposable
{
    private readonly ReceiverHarness _receiver = new(new LoopbackResponse(200, "ok"));

    public void Dispose() => _receiver.Dispose();

    private static SlackConfig Config(params string[] parameters) =>
        new() { Path = "receivers[0].slack_configs[0]", Secret = new SecretReference(parameters), SendResolved = true };

    private Task<IntegrationResult> DeliverAsync(SlackConfig config, FakeSecrets secrets) =>
        new IntegrationRunner(secrets, RetryPolicy.Default, _receiver.Delay.DelayAsync)
            .DeliverAsync(config, config.Create(_receiver.Services), ReceiverMessage.For(SnsPublisherTests.Notification()), CancellationToken.None);

    private string Webhook(string token) => new Uri(_receiver.Server.BaseUri, "services/T1/B1/" + token).ToString();

    [Fact]
    public async Task DeliverAsync_WhenTheFirstParameterDoesNotExist_ShouldUseTheNext()
    {
        var secrets = new FakeSecrets(new Dictionary<string, string> { ["/slack/ops"] = Webhook("ops") });

        var result = await DeliverAsync(Config("/slack/finops", "/slack/ops"), secrets);

        Assert.Equal(IntegrationOutcome.Delivered, result.Outcome);
        Assert.Equal(["/slack/finops", "/slack/ops"], secrets.Reads);
        Assert.Equal("/services/T1/B1/ops", Assert.Single(_receiver.Server.Requests).Path);
    }

    [Fact]
    public async Task DeliverAsync_WhenNoParameterExists_ShouldSkipNamingTheFirst()
    {
        var result = await DeliverAsync(Config("/slack/finops", "/slack/ops"), new FakeSecrets([]));

        Assert.Equal(IntegrationResult.Skip("missing_parameter:/slack/finops"), result);
        Assert.Empty(_receiver.Server.Requests);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task DeliverAsync_WhenTheReceiverRejectsTheSecret_ShouldReReadItOnceAndRetryWithTheNewValue(int status)
    {
        var values = new Dictionary<string, string> { ["/slack/ops"] = Webhook("old") };
        var secrets = new FakeSecrets(values);
        _receiver.Script(new LoopbackResponse(status, "no_service"));
        var config = Config("/slack/ops");
        var integration = config.Create(_receiver.Services);
        var runner = new IntegrationRunner(secrets, RetryPolicy.Default, _receiver.Delay.DelayAsync);
        var rotating = new RotatingIntegration(integration, () => values["/slack/ops"] = Webhook("new"));

        var result = await runner.DeliverAsync(config, rotating, ReceiverMessage.For(SnsPublisherTests.Notification()), CancellationToken.None);

        Assert.Equal(IntegrationOutcome.Delivered, result.Outcome);
        Assert.Equal(["/slack/ops"], secrets.Invalidated);
        Assert.Equal(["/services/T1/B1/old", "/services/T1/B1/new"], _receiver.Server.Requests.Select(r => r.Path));
        Assert.Empty(_receiver.Delay.Waits);
    }

    [Fact]
    public async Task DeliverAsync_WhenTheSecretIsRejectedAndUnchanged_ShouldFailAtOnceWithoutRetrying()
    {
        var secrets = new FakeSecrets(new Dictionary<string, string> { ["/slack/ops"] = Webhook("revoked") });
        _receiver.Script(new LoopbackResponse(404, "no_service"));

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => DeliverAsync(Config("/slack/ops"), secrets));

        Assert.Equal(404, error.StatusCode);
        Assert.False(error.Retryable);
        Assert.Equal(["/slack/ops"], secrets.Invalidated);
        Assert.Single(_receiver.Server.Requests);
    }

    [Fact]
    public async Task DeliverAsync_WhenTheReceiverRedirects_ShouldNotFollowAndFailForGood()
    {
        using var elsewhere = new LoopbackHttpServer(_ => new LoopbackResponse(200, "ok"));
        _receiver.Script(new LoopbackResponse(302, string.Empty, "text/plain", [new("Location", elsewhere.BaseUri.ToString())]));
        var secrets = new FakeSecrets(new Dictionary<string, string> { ["/slack/ops"] = Webhook("x") });

        var error = await Assert.ThrowsAsync<ReceiverDeliveryException>(() => DeliverAsync(Config("/slack/ops"), secrets));

        Assert.Equal(302, error.StatusCode);
        Assert.Contains("redirect not followed", error.Message, StringComparison.Ordinal);
        Assert.False(error.Retryable);
        Assert.Empty(elsewhere.Requests);
    }

    /// <summary>Runs <paramref name="rotate"/> after the first attempt: the secret is rotated while the old one is rejected.</summary>
    private sealed class RotatingIntegration(IReceiverIntegration inner, Action rotate) : IReceiverIntegration
    {
        private bool _rotated;

        public async Task<IntegrationResult> NotifyAsync(ReceiverMessage message, string secret, CancellationToken cancellationToken)
        {
            var result = await inner.NotifyAsync(message, secret, cancellationToken);
            if (!_rotated)
            {
                _rotated = true;
                rotate();
            }

            return result;
        }
    }
}
