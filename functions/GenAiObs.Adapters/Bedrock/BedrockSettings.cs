using GenAiObs.Adapters.Configuration;

namespace GenAiObs.Adapters.Bedrock;

/// <summary>
/// Where the Bedrock control-plane client sends requests, read once at cold start: the region
/// (AWS_REGION, then AWS_DEFAULT_REGION) and the endpoint (AWS_ENDPOINT_URL_BEDROCK, then
/// AWS_ENDPOINT_URL, then https://bedrock.{region}.amazonaws.com/).
/// </summary>
public sealed record BedrockSettings(string Region, Uri Endpoint)
{
    /// <summary>Every variable <see cref="FromEnvironment"/> reads.</summary>
    public static IReadOnlyList<SettingVariable> Variables { get; } =
    [
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrlBedrock, "Bedrock endpoint override (tests)"),
        SettingVariable.LocalOverride(EnvironmentVariables.EndpointUrl, "endpoint override for every AWS service"),
        SettingVariable.Lambda(EnvironmentVariables.Region, "signing region and default endpoint"),
        SettingVariable.Lambda(EnvironmentVariables.DefaultRegion, "region when AWS_REGION is unset"),
    ];

    /// <exception cref="SettingsException">No region, or an endpoint override that is not an http(s) URL.</exception>
    public static BedrockSettings FromEnvironment(Func<string, string?> getVariable)
    {
        var region = getVariable(EnvironmentVariables.Region);
        if (string.IsNullOrWhiteSpace(region))
        {
            region = getVariable(EnvironmentVariables.DefaultRegion);
        }

        if (string.IsNullOrWhiteSpace(region))
        {
            throw new SettingsException(EnvironmentVariables.Region, $"Required environment variable {EnvironmentVariables.Region} is not set: Bedrock requests are signed for a region.");
        }

        var endpoint = ReadEndpoint(getVariable, EnvironmentVariables.EndpointUrlBedrock)
            ?? ReadEndpoint(getVariable, EnvironmentVariables.EndpointUrl)
            ?? new Uri(region.StartsWith("cn-", StringComparison.Ordinal)
                ? $"https://bedrock.{region}.amazonaws.com.cn/"
                : $"https://bedrock.{region}.amazonaws.com/");
        return new BedrockSettings(region, endpoint);
    }

    private static Uri? ReadEndpoint(Func<string, string?> getVariable, string variable)
    {
        var value = getVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new SettingsException(variable, $"{variable} must be an absolute http(s) URL.");
    }
}
