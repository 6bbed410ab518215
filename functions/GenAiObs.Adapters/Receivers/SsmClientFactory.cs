using Amazon.SimpleSystemsManagement;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// Builds the SSM client the notifier reads receiver secrets with. The endpoint override
/// (<c>AWS_ENDPOINT_URL_SSM</c>, then <c>AWS_ENDPOINT_URL</c>) and the region are the values read
/// once at cold start, so tests can point the real client at a loopback server; credentials
/// always come from the standard chain (inside Lambda: the function role's), resolved on the
/// first request.
/// </summary>
public static class SsmClientFactory
{
    public static IAmazonSimpleSystemsManagement Create(string? endpointUrl, string? region)
    {
        var config = new AmazonSimpleSystemsManagementConfig();
        if (endpointUrl is not null)
        {
            config.ServiceURL = endpointUrl;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonSimpleSystemsManagementClient(config);
    }
}
