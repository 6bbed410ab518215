using System.Text.Json;

namespace GenAiObs.Functions.Deploy;

/// <summary>
/// The standard CloudFormation custom-resource request (every property value arrives as a string).
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
/// </summary>
public sealed record CustomResourceRequest(
    string RequestType,
    Uri ResponseUrl,
    string StackId,
    string RequestId,
    string LogicalResourceId,
    string? PhysicalResourceId,
    IReadOnlyDictionary<string, string> Properties,
    IReadOnlyDictionary<string, string> OldProperties)
{
    /// <summary>Reads the fields needed to answer at all; null when the event cannot be answered (no ResponseURL).</summary>
    public static CustomResourceRequest? TryParse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!JsonDocument.TryParseValue(ref reader, out var document))
            {
                return null;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || Text(root, "ResponseURL") is not { } url
                    || !Uri.TryCreate(url, UriKind.Absolute, out var responseUrl))
                {
                    return null;
                }

                return new CustomResourceRequest(
                    Text(root, "RequestType") ?? string.Empty,
                    responseUrl,
                    Text(root, "StackId") ?? string.Empty,
                    Text(root, "RequestId") ?? string.Empty,
                    Text(root, "LogicalResourceId") ?? string.Empty,
                    Text(root, "PhysicalResourceId"),
                    ReadProperties(root, "ResourceProperties"),
                    ReadProperties(root, "OldResourceProperties"));
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A required string property.</summary>
    /// <exception cref="CustomResourceRequestException">Missing or empty.</exception>
    public string Required(string name) =>
        Properties.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new CustomResourceRequestException($"ResourceProperties.{name} is required.");

    /// <summary>An optional "true"/"false" property (CloudFormation sends booleans as strings).</summary>
    /// <exception cref="CustomResourceRequestException">Any other value.</exception>
    public bool Flag(string name, bool fallback) =>
        !Properties.TryGetValue(name, out var value) || string.IsNullOrEmpty(value)
            ? fallback
            : value.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                _ => throw new CustomResourceRequestException($"ResourceProperties.{name} must be \"true\" or \"false\", not \"{value}\"."),
            };

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string> ReadProperties(JsonElement root, string name)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty(name, out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in map.EnumerateObject())
            {
                properties[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => property.Value.GetRawText(),
                };
            }
        }

        return properties;
    }
}
