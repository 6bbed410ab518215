namespace GenAiObs.Adapters.Receivers;

/// <summary>Where receiver secrets (routing keys, webhook URLs) come from.</summary>
public interface ISecretSource
{
    /// <exception cref="SecretNotFoundException">No secret of that name exists (the receiver is not set up).</exception>
    Task<string> GetSecretAsync(string parameterName, CancellationToken cancellationToken);

    /// <summary>Forgets a cached value, so the next read asks the store again (the receiver rejected it).</summary>
    void Invalidate(string parameterName);
}
