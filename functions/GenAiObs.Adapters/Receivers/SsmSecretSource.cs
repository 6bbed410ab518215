using System.Collections.Concurrent;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace GenAiObs.Adapters.Receivers;

/// <summary>Where receiver secrets (routing keys, webhook URLs) come from.</summary>
public interface ISecretSource
{
    /// <exception cref="SecretNotFoundException">No secret of that name exists (the receiver is not set up).</exception>
    Task<string> GetSecretAsync(string parameterName, CancellationToken cancellationToken);
}

/// <summary>
/// The named secret does not exist: a receiver that was never set up (its SSM parameter not
/// created), as opposed to a failure to read it. The message names the parameter, never a value.
/// </summary>
public sealed class SecretNotFoundException : Exception
{
    public SecretNotFoundException(string parameterName, Exception innerException)
        : base($"SSM parameter '{parameterName}' does not exist", innerException)
    {
        ParameterName = parameterName;
    }

    public SecretNotFoundException(string parameterName)
        : base($"SSM parameter '{parameterName}' does not exist")
    {
        ParameterName = parameterName;
    }

    public SecretNotFoundException()
    {
        ParameterName = string.Empty;
    }

    public string ParameterName { get; }
}

/// <summary>
/// SSM Parameter Store SecureStrings (GetParameter WithDecryption), each read once per
/// process — a cold start — and cached; a failed read is not cached, so the next invocation
/// tries again.
/// </summary>
public sealed class SsmSecretSource(IAmazonSimpleSystemsManagement ssm) : ISecretSource
{
    /// <summary>
    /// Every SSM API this source calls (IAM action names without the <c>ssm:</c> prefix; a test
    /// checks the target of the request a loopback SSM server receives). WithDecryption also needs <c>kms:Decrypt</c> on the
    /// parameter's key — granted by the key policy for the default aws/ssm key.
    /// </summary>
    public static IReadOnlyList<string> SsmActions { get; } = ["GetParameter"];

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _cache = new(StringComparer.Ordinal);

    public async Task<string> GetSecretAsync(string parameterName, CancellationToken cancellationToken)
    {
        var entry = _cache.GetOrAdd(parameterName, name => new Lazy<Task<string>>(() => ReadAsync(name)));
        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            _cache.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(parameterName, entry));
            throw;
        }
    }

    private async Task<string> ReadAsync(string name)
    {
        // Not tied to one invocation's token: the cached value serves later invocations too.
        GetParameterResponse response;
        try
        {
            response = await ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ParameterNotFoundException notFound)
        {
            throw new SecretNotFoundException(name, notFound);
        }

        return response.Parameter?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"SSM parameter '{name}' is empty");
    }
}
