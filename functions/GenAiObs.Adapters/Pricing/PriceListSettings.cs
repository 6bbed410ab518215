using GenAiObs.Adapters.Configuration;

namespace GenAiObs.Adapters.Pricing;

/// <summary>
/// Where the AWS Price List Query API is: <c>AWS_ENDPOINT_URL_PRICING</c>, then
/// <c>AWS_ENDPOINT_URL</c>, else <c>https://api.pricing.us-east-1.amazonaws.com</c> (the API is
/// served from us-east-1, eu-central-1 and ap-south-1, whatever region's prices are asked for).
/// Requests are signed for the endpoint's region (us-east-1 for an override without one).
/// </summary>
public sealed record PriceListSettings(Uri Endpoint, string SigningRegion)
{
    public const string DefaultSigningRegion = "us-east-1";

    /// <summary>The variables the refresh reads.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrlPricing, "Price List Query API endpoint override (tests)"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrl, "endpoint override for every AWS service"),
    ];

    /// <summary>Reads the endpoint; throws <see cref="SettingsException"/> for a malformed URL.</summary>
    public static PriceListSettings FromEnvironment(Func<string, string?> getVariable)
    {
        foreach (var name in new[] { EnvironmentVariables.EndpointUrlPricing, EnvironmentVariables.EndpointUrl })
        {
            if (getVariable(name) is { Length: > 0 } text)
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
                {
                    throw new SettingsException(name, $"Environment variable {name} must be an http(s) URL.");
                }

                return new PriceListSettings(endpoint, RegionOf(endpoint) ?? DefaultSigningRegion);
            }
        }

        return new PriceListSettings(new Uri($"https://api.pricing.{DefaultSigningRegion}.amazonaws.com/"), DefaultSigningRegion);
    }

    // api.pricing.<region>.amazonaws.com
    private static string? RegionOf(Uri endpoint)
    {
        var parts = endpoint.Host.Split('.');
        return parts.Length >= 4 && parts[0] == "api" && parts[1] == "pricing" ? parts[2] : null;
    }
}
