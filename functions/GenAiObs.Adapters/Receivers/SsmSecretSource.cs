using System.Collections.Concurrent;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace GenAiObs.Adapters.Receivers;

/// <summary>Where receiver secrets (routing keys, webhook URLs) come from.</summary>
public interface ISecretSource
{
    Task<string> GetSecretAsync(string parameterName, CancellationToken cancellationToken);
}

/// <summary>
/// SSM Parameter Store SecureStrings (GetParameter WithDecryption), each read once per
/// process — a cold start — and cached; a failed read is not cached, so the next invocation
/// tries again.
/// </summary>
public sealed class SsmSecretSource(IAmazonSimpleSystemsManagement ssm) : ISecretSource
{
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
        var response = await ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, CancellationToken.None).ConfigureAwait(false);
        return response.Parameter?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"SSM parameter '{name}' is empty");
    }
}
