using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using GenAiObs.Adapters.DynamoDb;
using Xunit;

namespace GenAiObs.Tests.Store;

/// <summary>
/// One uniquely named table per test class on the dynalite server that tests/run-tests.sh
/// starts (AWS_ENDPOINT_URL_DYNAMODB). Without that variable the tests fail, loudly.
/// </summary>
public sealed class DynaliteTableFixture : IAsyncLifetime
{
    private int _nextRange;

    public string TableName { get; } = "genaiobs-test-" + Guid.NewGuid().ToString("N")[..12];

    public string Endpoint { get; } = Environment.GetEnvironmentVariable(DynamoDbStoreSettings.EndpointVariable)
        ?? throw new InvalidOperationException(
            "AWS_ENDPOINT_URL_DYNAMODB is not set: the DynamoDB store tests need the dynalite server that tests/run-tests.sh starts " +
            "(run `bash tests/run-tests.sh`, or start dynalite yourself and export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:<port>).");

    public IAmazonDynamoDB Client { get; private set; } = null!;

    /// <summary>A private month for one test: month starts two months apart so look-backs never overlap.</summary>
    public DateTimeOffset NextRange()
    {
        var n = Interlocked.Increment(ref _nextRange);
        return new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(2 * n);
    }

    public IAmazonDynamoDB CreateClient(HttpMessageHandler? handler = null) =>
        DynamoDbClientFactory.Create(Endpoint, Environment.GetEnvironmentVariable("AWS_REGION"), handler is null ? null : new HandlerHttpClientFactory(handler));

    public async Task InitializeAsync()
    {
        Client = CreateClient();
        await TableLayout.CreateAsync(Client, TableName, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Client.DeleteTableAsync(TableName);
        }
        finally
        {
            Client.Dispose();
        }
    }
}

/// <summary>Lets a test put an HttpMessageHandler under the SDK client.</summary>
internal sealed class HandlerHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}

/// <summary>
/// Sits between the SDK and dynalite: counts requests per operation and answers some of them
/// with an injected error instead of forwarding them.
/// </summary>
internal sealed class FaultInjectingHandler : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Func<string, int, Fault?> _decide;

    /// <param name="decide">(operation, 1-based count of that operation) → the fault to inject, or null to forward.</param>
    public FaultInjectingHandler(Func<string, int, Fault?> decide)
        : base(new SocketsHttpHandler())
    {
        _decide = decide;
    }

    public int Count(string operation) => _counts.TryGetValue(operation, out var count) ? count : 0;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : string.Empty;
        var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var count = _counts.AddOrUpdate(operation, 1, (_, c) => c + 1);
        if (_decide(operation, count) is { } fault)
        {
            var body = $$"""{"__type":"com.amazonaws.dynamodb.v20120810#{{fault.Type}}","message":"injected fault"}""";
            return new HttpResponseMessage(fault.Status)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.0"),
            };
        }

        return await base.SendAsync(request, cancellationToken);
    }

    public static Fault ServerError { get; } = new(HttpStatusCode.InternalServerError, "InternalServerError");

    public static Fault Throttled { get; } = new(HttpStatusCode.BadRequest, "ProvisionedThroughputExceededException");
}

internal sealed record Fault(HttpStatusCode Status, string Type);
