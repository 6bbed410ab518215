namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// Where an integration's secret lives: SSM SecureString parameter names, tried in order — the
/// first that exists is used (so a receiver can fall back to a shared webhook, as the default
/// <c>slack-finops</c> falls back to <c>slack-ops</c>). Secrets never appear in configuration.
/// </summary>
public sealed record SecretReference(IReadOnlyList<string> Parameters)
{
    public override string ToString() => string.Join(", ", Parameters);
}

/// <summary>
/// One parsed entry of a receiver's <c>*_configs</c> list. Each integration folder derives its
/// own config (with its <see cref="IntegrationOptions"/>-based <c>Parse</c>) and knows how to
/// build its <see cref="IReceiverIntegration"/>; <see cref="IntegrationRegistry"/> maps the YAML
/// key to that <c>Parse</c>.
/// </summary>
public abstract record IntegrationConfig
{
    /// <summary>Where it was configured, e.g. <c>receivers[1].slack_configs[0]</c> (logs name it).</summary>
    public required string Path { get; init; }

    public required SecretReference Secret { get; init; }

    /// <summary>Whether resolved notifications (and OK alarms) are delivered (Alertmanager's <c>send_resolved</c>).</summary>
    public required bool SendResolved { get; init; }

    /// <summary>The integration's short name for logs and errors, e.g. <c>slack</c>.</summary>
    public abstract string Kind { get; }

    public abstract IReceiverIntegration Create(IntegrationServices services);
}

/// <summary>What an integration needs at run time: the HTTP poster, the URL policy, per-kind endpoint overrides (tests).</summary>
public sealed record IntegrationServices(HttpPoster Http, WebhookUrlPolicy Urls)
{
    /// <summary>Kind → endpoint used when a config names none (e.g. <c>pagerduty</c> from <c>GENAIOBS_PAGERDUTY_URL</c>).</summary>
    public IReadOnlyDictionary<string, Uri> DefaultEndpoints { get; init; } = new Dictionary<string, Uri>(StringComparer.Ordinal);
}
