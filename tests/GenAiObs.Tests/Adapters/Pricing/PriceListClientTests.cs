using System.Text.Json;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Pricing;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Pricing;

[Trait("Category", "Integration")]
public class PriceListClientTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static PriceListClient Client(FakePriceList server, List<TimeSpan>? waits = null) =>
        new(new HttpClient(), server.Endpoint, FakePriceList.SigningRegion,
            new StaticCredentialsSource(new AwsCredentials(FakePriceList.AccessKey, FakePriceList.Secret, "session-token")),
            new FixedTimeProvider(Now),
            new RetryPolicy { MaxAttempts = 3 },
            (delay, _) =>
            {
                waits?.Add(delay);
                return Task.CompletedTask;
            });

    [Fact]
    public async Task GetProductsAsync_WhenTheAnswerIsPaged_ShouldFollowNextTokenAndReturnEveryProductOfTheRegion()
    {
        using var server = new FakePriceList(pageSize: 4);

        var products = await Client(server).GetProductsAsync("AmazonBedrock", [new PriceListFilter("regionCode", "us-east-1")], CancellationToken.None);

        // 11 AmazonBedrock products are in us-east-1 in the fixture: pages of 4, 4 and 3.
        Assert.Empty(server.Rejections);
        Assert.Equal(3, products.Pages);
        Assert.Equal(11, products.PriceList.Count);
        Assert.All(products.PriceList, item =>
        {
            using var product = JsonDocument.Parse(item);
            Assert.Equal("us-east-1", product.RootElement.GetProperty("product").GetProperty("attributes").GetProperty("regionCode").GetString());
        });
        var requests = server.Requests;
        Assert.Equal(3, requests.Count);
        using var first = JsonDocument.Parse(requests[0].Body);
        Assert.Equal("AmazonBedrock", first.RootElement.GetProperty("ServiceCode").GetString());
        Assert.Equal("aws_v1", first.RootElement.GetProperty("FormatVersion").GetString());
        Assert.Equal(100, first.RootElement.GetProperty("MaxResults").GetInt32());
        Assert.False(first.RootElement.TryGetProperty("NextToken", out _));
        var filter = Assert.Single(first.RootElement.GetProperty("Filters").EnumerateArray());
        Assert.Equal("TERM_MATCH", filter.GetProperty("Type").GetString());
        Assert.Equal("regionCode", filter.GetProperty("Field").GetString());
        using var last = JsonDocument.Parse(requests[2].Body);
        Assert.Equal("page-8", last.RootElement.GetProperty("NextToken").GetString());
        Assert.Equal("session-token", requests[0].Header("X-Amz-Security-Token"));
    }

    [Fact]
    public async Task GetProductsAsync_WhenThrottledThenServed_ShouldRetryAfterBackoff()
    {
        using var server = new FakePriceList(pageSize: 100);
        server.Script(FakePriceList.Error(400, "ThrottlingException", "Rate exceeded"), FakePriceList.Error(503, "InternalErrorException", "try again"));
        var waits = new List<TimeSpan>();

        var products = await Client(server, waits).GetProductsAsync("AmazonBedrockFoundationModels", [new PriceListFilter("regionCode", "us-east-1")], CancellationToken.None);

        Assert.Equal(7, products.PriceList.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], waits);
    }

    [Fact]
    public async Task GetProductsAsync_WhenAccessIsDenied_ShouldFailAtOnceNamingTheCode()
    {
        using var server = new FakePriceList();
        server.Script(FakePriceList.Error(400, "AccessDeniedException", "User is not authorized to perform: pricing:GetProducts"));
        var waits = new List<TimeSpan>();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client(server, waits).GetProductsAsync("AmazonBedrock", [], CancellationToken.None));

        Assert.Equal("AccessDeniedException", error.Code);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("pricing:GetProducts", error.Message, StringComparison.Ordinal);
        Assert.Empty(waits);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetProductsAsync_WhenTheSecretIsWrong_ShouldBeRejectedByTheServersSignatureCheck()
    {
        using var server = new FakePriceList();
        var client = new PriceListClient(new HttpClient(), server.Endpoint, FakePriceList.SigningRegion,
            new StaticCredentialsSource(new AwsCredentials(FakePriceList.AccessKey, "wrong")), new FixedTimeProvider(Now));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetProductsAsync("AmazonBedrock", [], CancellationToken.None));

        Assert.Equal("InvalidParameterException", error.Code);
        Assert.Contains("signature mismatch", Assert.Single(server.Rejections), StringComparison.Ordinal);
    }

    [Fact]
    public void PriceListSettings_WhenThePricingEndpointIsOverridden_ShouldUseItAndSignForUsEast1()
    {
        var settings = PriceListSettings.FromEnvironment(name => name switch
        {
            "AWS_ENDPOINT_URL_PRICING" => "http://127.0.0.1:9/",
            "AWS_ENDPOINT_URL" => "http://127.0.0.1:8/",
            _ => null,
        });
        var real = PriceListSettings.FromEnvironment(_ => null);

        Assert.Equal(new Uri("http://127.0.0.1:9/"), settings.Endpoint);
        Assert.Equal("us-east-1", settings.SigningRegion);
        Assert.Equal(new Uri("https://api.pricing.us-east-1.amazonaws.com/"), real.Endpoint);
    }
}
