namespace GenAiObs.Core.Processing;

/// <summary>
/// Reduces a caller ARN to the principal the pipeline reports. The role-session name of an
/// assumed role is dropped on purpose: it often holds a person's e-mail address.
/// </summary>
public static class PrincipalParser
{
    /// <summary>The principal of a record without a usable identity.</summary>
    public const string Unknown = "unknown";

    /// <summary>Longest principal kept; a longer ARN resource is reported as <c>unknown</c>.</summary>
    public const int MaxPrincipalLength = 256;

    /// <summary>
    /// <c>…:assumed-role/ROLE/SESSION</c> → <c>ROLE</c>; <c>…:user/[PATH/]NAME</c> → <c>user/NAME</c>;
    /// <c>…:root</c> → <c>root</c>; any other ARN → its resource part; missing or not an ARN → <c>unknown</c>.
    /// </summary>
    public static string FromArn(ReadOnlySpan<char> arn) => FromArn(arn, strings: null);

    /// <summary>As the public overload, with The delivery's identifier strings, shared between its records (null: none).</summary>
    internal static string FromArn(ReadOnlySpan<char> arn, Utf8StringTable? strings)
    {
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return Unknown;
        }

        // arn:partition:service:region:account:resource — the resource may itself contain ':'.
        var resource = arn;
        for (var i = 0; i < 5; i++)
        {
            var colon = resource.IndexOf(':');
            if (colon < 0)
            {
                return Unknown;
            }

            resource = resource[(colon + 1)..];
        }

        if (resource.IsEmpty)
        {
            return Unknown;
        }

        if (resource.SequenceEqual("root"))
        {
            return "root";
        }

        if (resource.StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            var rest = resource["assumed-role/".Length..];
            var slash = rest.IndexOf('/');
            var role = slash < 0 ? rest : rest[..slash];
            return role.IsEmpty || role.Length > MaxPrincipalLength ? Unknown : strings?.GetString(role) ?? role.ToString();
        }

        if (resource.StartsWith("user/", StringComparison.Ordinal))
        {
            var name = resource[(resource.LastIndexOf('/') + 1)..];
            return name.IsEmpty || name.Length > MaxPrincipalLength ? Unknown : string.Concat("user/", name);
        }

        return resource.Length > MaxPrincipalLength ? Unknown : strings?.GetString(resource) ?? resource.ToString();
    }

    /// <inheritdoc cref="FromArn(ReadOnlySpan{char})"/>
    public static string FromArn(string? arn) => arn is null ? Unknown : FromArn(arn.AsSpan());
}
