namespace GenAiObs.Adapters.Aws;

/// <summary>Fixed credentials (tests, or a caller that already has them).</summary>
public sealed class StaticCredentialsSource(AwsCredentials credentials) : IAwsCredentialsSource
{
    public Task<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => Task.FromResult(credentials);
}
