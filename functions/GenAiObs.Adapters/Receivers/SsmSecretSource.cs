using System.Collections.Concurrent;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// SSM Parameter Store SecureStrings (GetParameter WithDecryption), cached per process for
/// <see cref="TimeToLive"/> (default <see cref="DefaultTimeToLive"/>): a rotated routing key or
/// webhook is picked up within that time even in a sandbox that lives for hours, and at once when
/// a receiver rejects the old value (<see cref="Invalidate"/>). A failed read is not cached, so
/// the next invocation tries again.
/// </summary>
public sealed class SsmSecretSource(IAmazonSimpleSystemsManagement ssm, TimeProvider? time = null, TimeSpan? timeToLive = null) : ISecretSource
{
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Every SSM API this source calls (IAM action names without the <c>ssm:</c> prefix; a test
    /// checks the target of the request a loopback SSM server receives). WithDecryption also needs <c>kms:Decrypt</c> on the
    /// parameter's key — granted by the key policy for the default aws/ssm key.
    /// </summary>
    public static IReadOnlyList<string> SsmActions { get; } = ["GetParameter"];

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (Lazy<Task<string>> Value, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    public TimeSpan TimeToLive { get; } = timeToLive ?? DefaultTimeToLive;

    public async Task<string> GetSecretAsync(string parameterName, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var entry = _cache.AddOrUpdate(
            parameterName,
            name => (new Lazy<Task<string>>(() => ReadAsync(name)), now),
            (name, existing) => now - existing.ReadAt >= TimeToLive ? (new Lazy<Task<string>>(() => ReadAsync(name)), now) : existing);
        try
        {
            return await entry.Value.Value.ConfigureAwait(false);
        }
        catch
        {
            _cache.TryRemove(new KeyValuePair<string, (Lazy<Task<string>>, DateTimeOffset)>(parameterName, entry));
            throw;
        }
    }

    public void Invalidate(string parameterName) => _cache.TryRemove(parameterName, out _);

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
