namespace GenAiObs.Adapters.Receivers;

/// <summary>
/// Which URLs a receiver may post to. A webhook URL read from SSM must be <c>https://</c> and, where
/// the service documents its hosts, on one of them (Slack: <c>hooks.slack.com</c>, per
/// https://api.slack.com/messaging/webhooks; Teams Workflows: <c>*.logic.azure.com</c> and
/// <c>*.powerplatform.com</c>, legacy incoming webhooks <c>*.webhook.office.com</c>, per
/// https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook):
/// a mistyped or tampered parameter then fails loudly instead of sending alerts elsewhere.
/// <see cref="AllowLoopback"/> additionally admits http(s) to a loopback address, for tests only.
/// </summary>
public sealed record WebhookUrlPolicy(bool AllowLoopback)
{
    /// <summary>Production: https only, documented hosts only.</summary>
    public static WebhookUrlPolicy Strict { get; } = new(false);

    /// <summary>Tests: also http(s) to 127.0.0.1 / ::1 / localhost.</summary>
    public static WebhookUrlPolicy LoopbackAllowed { get; } = new(true);

    /// <summary>
    /// The URL when acceptable, else null with the problem (which never repeats the URL: it is a credential).
    /// </summary>
    /// <param name="text">The URL as read.</param>
    /// <param name="hosts">Allowed hosts; an entry starting with '.' admits every subdomain of it; empty = any host.</param>
    /// <param name="problem">Why the URL was refused.</param>
    public Uri? Accept(string text, IReadOnlyList<string> hosts, out string problem)
    {
        problem = string.Empty;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            problem = "is not an absolute https URL";
            return null;
        }

        if (AllowLoopback && url.IsLoopback)
        {
            return url;
        }

        if (url.Scheme != Uri.UriSchemeHttps)
        {
            problem = "is not https";
            return null;
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            problem = "carries user information";
            return null;
        }

        if (hosts.Count > 0 && !hosts.Any(host => HostMatches(url.IdnHost, host)))
        {
            problem = $"is not on a documented host ({string.Join(", ", hosts.Select(h => h.StartsWith('.') ? "*" + h : h))})";
            return null;
        }

        return url;
    }

    private static bool HostMatches(string host, string allowed) =>
        allowed.StartsWith('.')
            ? host.EndsWith(allowed, StringComparison.OrdinalIgnoreCase) && host.Length > allowed.Length
            : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase);
}
