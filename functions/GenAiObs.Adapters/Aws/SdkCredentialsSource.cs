using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace GenAiObs.Adapters.Aws;

/// <summary>
/// The AWS SDK's standard chain (environment, profile, container, instance), through
/// AWSSDK.Core's public resolver. The chain is resolved once; the SDK object caches and
/// refreshes expiring credentials itself, so each call is cheap.
/// </summary>
public sealed class SdkCredentialsSource : IAwsCredentialsSource
{
    private readonly Lazy<AWSCredentials> _credentials = new(() => DefaultAWSCredentialsIdentityResolver.GetCredentials());

    public async Task<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var immutable = await _credentials.Value.GetCredentialsAsync().ConfigureAwait(false);
        return new AwsCredentials(immutable.AccessKey, immutable.SecretKey, immutable.UseToken ? immutable.Token : null);
    }
}
