using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using GenAiObs.Adapters.DynamoDb;
using Xunit;

namespace GenAiObs.Tests.Delivery;

/// <summary>
/// A fact that needs the dynalite server tests/run-tests.sh starts (AWS_ENDPOINT_URL_DYNAMODB);
/// reported as skipped, with the reason, when the suite runs without it.
/// </summary>
public sealed class DynaliteFactAttribute : FactAttribute
{
    public DynaliteFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")))
        {
            Skip = "needs dynalite: run tests/run-tests.sh (it exports AWS_ENDPOINT_URL_DYNAMODB)";
        }
    }
}

/// <summary>A uniquely named pk/sk table on dynalite, deleted afterwards.</summary>
public sealed class DynaliteTable : IAsyncDisposable
{
    private DynaliteTable(AmazonDynamoDBClient client, string name)
    {
        Client = client;
        Name = name;
    }

    public AmazonDynamoDBClient Client { get; }

    public string Name { get; }

    public static async Task<DynaliteTable> CreateAsync()
    {
        var client = new AmazonDynamoDBClient(
            new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB"), AuthenticationRegion = "us-east-1" });
        var name = "alertstate-" + Guid.NewGuid().ToString("N")[..12];
        // The production table's schema, from the one type that defines it.
        await client.CreateTableAsync(TableLayout.CreateTableRequest(name));

        // dynalite reports CREATING for a moment; wait (bounded) until the table is usable.
        for (var i = 0; i < 200; i++)
        {
            var description = await client.DescribeTableAsync(name);
            if (description.Table.TableStatus == TableStatus.ACTIVE)
            {
                return new DynaliteTable(client, name);
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"table {name} did not become ACTIVE");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DeleteTableAsync(Name);
        }
        catch (AmazonServiceException)
        {
            // Best effort: the server is discarded after the run anyway.
        }

        Client.Dispose();
    }
}
