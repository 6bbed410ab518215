using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>
/// Builds the DynamoDB client. AWSSDK 4.1 already honours <c>AWS_ENDPOINT_URL_DYNAMODB</c> by
/// itself; the endpoint is still set explicitly from the settings so that the value read once at
/// cold start (or given to the CLI with <c>--endpoint</c>) is the one used.
/// </summary>
public static class DynamoDbClientFactory
{
    public static IAmazonDynamoDB Create(string? endpointUrl, string? region, HttpClientFactory? httpClientFactory = null)
    {
        var config = new AmazonDynamoDBConfig
        {
            // Our DynamoDbRetryPolicy is the one bounded retry layer (backoff with jitter); the SDK's
            // own retries would multiply the attempts.
            MaxErrorRetry = 0,
        };
        if (httpClientFactory is not null)
        {
            config.HttpClientFactory = httpClientFactory;
        }

        if (endpointUrl is not null)
        {
            config.ServiceURL = endpointUrl;
            config.AuthenticationRegion = region ?? "us-east-1";
            return new AmazonDynamoDBClient(LocalCredentials(config), config);
        }

        if (region is not null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonDynamoDBClient(config);
    }

    // A local endpoint (dynalite) accepts any signature; without configured credentials the CLI
    // still works against it. Real AWS endpoints always use the standard chain.
    private static AWSCredentials LocalCredentials(AmazonDynamoDBConfig config)
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException)
        {
            return new BasicAWSCredentials("local", "local");
        }
    }
}
