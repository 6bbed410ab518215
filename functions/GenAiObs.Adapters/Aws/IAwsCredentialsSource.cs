namespace GenAiObs.Adapters.Aws;

/// <summary>Where signing credentials come from.</summary>
public interface IAwsCredentialsSource
{
    Task<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken);
}
