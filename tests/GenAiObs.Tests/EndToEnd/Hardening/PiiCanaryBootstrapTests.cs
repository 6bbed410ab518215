using System.Text;
using GenAiObs.Tests.Metrics;
using GenAiObs.Tests.Runtime;
using Xunit;

namespace GenAiObs.Tests.Hardening;

/// <summary>The published <c>bootstrap</c> process, both subscription handlers, fed the canary deliveries: nothing it writes or posts carries a canary.</summary>
[Collection(PublishedBootstrapCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PiiCanaryBootstrapTests(PublishedBootstrap bootstrap, Store.DynaliteTableFixture table) : IClassFixture<Store.DynaliteTableFixture>
{
    [Theory]
    [InlineData("invocation-logs")]
    [InlineData("spans")]
    public async Task Bootstrap_WhenFedCanaryDeliveries_ShouldKeepTheCanariesOutOfStdoutStderrAndPosts(string handler)
    {
        // Arrange
        var start = table.NextRange();
        await using var server = new LoopbackRuntimeApi();
        await using var process = BootstrapProcess.Start(bootstrap.ExecutablePath, new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = server.Address,
            ["_HANDLER"] = handler,
            ["GENAIOBS_MAX_EVENT_AGE_HOURS"] = "1000000",
            ["GENAIOBS_MAX_EVENT_AHEAD_HOURS"] = "1000000",
            ["POWERTOOLS_LOG_LEVEL"] = "DEBUG",
            ["GENAIOBS_TABLE_NAME"] = table.TableName,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = table.Endpoint,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
        });
        var deliveries = new List<byte[]>
        {
            CanaryData.Delivery(handler == "spans" ? CanaryData.SpanMessages(start) : CanaryData.InvocationMessages(start), start),
        };
        deliveries.AddRange(CanaryData.BrokenEnvelopes());
        var deadline = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();
        for (var i = 0; i < deliveries.Count; i++)
        {
            server.Enqueue(new QueuedInvocation($"req-{i}", deliveries[i], deadline));
        }

        // Act
        var posts = new List<PostedResult>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            posts.Add(await server.NextPostAsync(TimeSpan.FromSeconds(60)));
        }

        await process.StopAsync();
        var items = await CanaryData.ScanAsync(table.Client, table.TableName);

        // Assert
        Assert.All(posts, p => Assert.Equal("response", p.Kind));
        PiiCanary.AssertAbsent("posted responses", posts.Select(p => p.BodyText));
        PiiCanary.AssertAbsent("bootstrap stdout (EMF)", process.StandardOutput);
        PiiCanary.AssertAbsent("bootstrap stderr (logs)", process.StandardError);
        PiiCanary.AssertAbsent("DynamoDB items", items);
        Assert.NotEmpty(process.StandardError);
        var emf = process.StandardOutput.SelectMany(line => EmfSpec.ParseViews(Encoding.UTF8.GetBytes(line))).ToList();
        Assert.Contains(emf, d => d.Values.ContainsKey("RejectedRecords"));
        Assert.NotEmpty(items);
    }
}
