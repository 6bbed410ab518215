using System.Text.Json;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using GenAiObs.Adapters.Receivers;
using Xunit;

namespace GenAiObs.Tests.Delivery;

/// <summary>The SSM reader against a loopback server speaking SSM's JSON protocol.</summary>
[Trait("Category", "Integration")]
public sealed class SsmSecretSourceTests : IDisposable
{
    private readonly LoopbackHttpServer _ssm;
    private int _failuresLeft;

    public SsmSecretSourceTests()
    {
        _ssm = new LoopbackHttpServer(request =>
        {
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                return new LoopbackResponse(500, "{\"__type\":\"InternalServerError\",\"message\":\"try again\"}", "application/x-amz-json-1.1");
            }

            using var body = JsonDocument.Parse(request.Body);
            var name = body.RootElement.GetProperty("Name").GetString();
            if (name == "/missing")
            {
                return new LoopbackResponse(400, "{\"__type\":\"ParameterNotFound\",\"message\":\"not found\"}", "application/x-amz-json-1.1");
            }

            var decrypted = body.RootElement.GetProperty("WithDecryption").GetBoolean();
            return new LoopbackResponse(
                200,
                $"{{\"Parameter\":{{\"Name\":\"{name}\",\"Type\":\"SecureString\",\"Value\":\"{(decrypted ? "plain-" : "cipher-")}{name!.TrimStart('/')}\",\"Version\":1}}}}",
                "application/x-amz-json-1.1");
        });
    }

    public void Dispose() => _ssm.Dispose();

    private SsmSecretSource Source() =>
        new(new AmazonSimpleSystemsManagementClient(
            new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = _ssm.BaseUri.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 }));

    [Fact]
    public async Task GetSecretAsync_WhenReadTwice_ShouldDecryptAndCallSsmOnce()
    {
        var source = Source();

        var first = await source.GetSecretAsync("/genaiobs/pagerduty-key", CancellationToken.None);
        var second = await source.GetSecretAsync("/genaiobs/pagerduty-key", CancellationToken.None);

        Assert.Equal("plain-genaiobs/pagerduty-key", first);
        Assert.Equal(first, second);
        var request = Assert.Single(_ssm.Requests);
        Assert.Equal("AmazonSSM.GetParameter", request.Header("X-Amz-Target"));
    }

    [Fact]
    public async Task GetSecretAsync_WhenTheFirstReadFails_ShouldNotCacheTheFailure()
    {
        _failuresLeft = 1;
        var source = Source();

        await Assert.ThrowsAnyAsync<AmazonServiceException>(() => source.GetSecretAsync("/p", CancellationToken.None));
        var value = await source.GetSecretAsync("/p", CancellationToken.None);

        Assert.Equal("plain-p", value);
        Assert.Equal(2, _ssm.Requests.Count);
    }

    [Fact]
    public async Task GetSecretAsync_WhenTheParameterDoesNotExist_ShouldThrowSecretNotFoundNamingIt()
    {
        var source = Source();

        var error = await Assert.ThrowsAsync<SecretNotFoundException>(() => source.GetSecretAsync("/missing", CancellationToken.None));

        Assert.Equal("/missing", error.ParameterName);
        Assert.IsType<Amazon.SimpleSystemsManagement.Model.ParameterNotFoundException>(error.InnerException);
    }
}
