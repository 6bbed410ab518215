using System.Security.Cryptography;
using System.Text;

namespace GenAiObs.Core.Alerts;

public static class AlertGroupKeys
{
    /// <summary>
    /// The group fingerprint: lowercase hex of SHA-256 over the UTF-8 of the receiver and the
    /// sorted group labels, each name and value followed by U+00FF (bytes C3 BF), first 32 digits. Stable across processes and versions, so it
    /// can be PagerDuty's dedup_key: every notification of the group lands on one incident.
    /// </summary>
    public static string GroupKey(string receiver, LabelSet groupLabels)
    {
        var builder = new StringBuilder(receiver).Append('\xff');
        foreach (var (name, value) in groupLabels)
        {
            builder.Append(name).Append('\xff').Append(value).Append('\xff');
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString()));
        return Convert.ToHexStringLower(hash)[..32];
    }

    /// <summary>The identity a store keys a group by: <c>receiver#groupKey</c>.</summary>
    public static string GroupId(string receiver, string groupKey) => receiver + "#" + groupKey;
}
