using System.Security.Cryptography;
using System.Text;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// IAM user and federated-user names (<c>user/NAME</c>, <c>federated-user/NAME</c>) are often
/// e-mail addresses. By default they are kept only as a stable keyed hash —
/// <c>user/h-</c> + 16 hex characters of HMAC-SHA256(salt, NAME) — so dashboards, keys, baselines and
/// digests can still tell principals apart without naming a person; the salt is per stack (the
/// template passes its stack id), so the same name hashes differently in another deployment.
/// Role names and <c>root</c> are not personal and are kept as they are.
/// </summary>
/// <param name="Hashed">False keeps the names verbatim (<c>GENAIOBS_PRINCIPAL_NAMES=verbatim</c>).</param>
/// <param name="Salt">The HMAC key (<c>GENAIOBS_PRINCIPAL_SALT</c>).</param>
public sealed record PrincipalPrivacy(bool Hashed, string Salt)
{
    /// <summary>The hashed principals' marker after the kind: <c>user/h-…</c>.</summary>
    public const string HashMarker = "h-";

    private static readonly string[] PersonalPrefixes = ["user/", "federated-user/"];

    /// <summary>Hashed, with an empty salt (the CLI without <c>GENAIOBS_PRINCIPAL_SALT</c>).</summary>
    public static PrincipalPrivacy Default { get; } = new(true, string.Empty);

    /// <summary>The principal as it may be kept.</summary>
    public string Apply(string principal)
    {
        if (!Hashed)
        {
            return principal;
        }

        foreach (var prefix in PersonalPrefixes)
        {
            if (principal.StartsWith(prefix, StringComparison.Ordinal) && !principal.AsSpan(prefix.Length).StartsWith(HashMarker, StringComparison.Ordinal))
            {
                Span<byte> mac = stackalloc byte[32];
                HMACSHA256.HashData(Encoding.UTF8.GetBytes(Salt), Encoding.UTF8.GetBytes(principal[prefix.Length..]), mac);
                return prefix + HashMarker + Convert.ToHexStringLower(mac[..8]);
            }
        }

        return principal;
    }

    /// <summary>The record with its principal as it may be kept (the same instance when nothing changes).</summary>
    public InvocationRecord Apply(InvocationRecord record)
    {
        var kept = Apply(record.Principal);
        return ReferenceEquals(kept, record.Principal) ? record : record with { Principal = kept };
    }
}
