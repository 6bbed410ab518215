using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Where a central deployment's delivery came from: a member account's delivery through a CloudWatch
/// Logs destination and the stream, or, in central mode, this account's own directly subscribed one.
/// </summary>
/// <param name="AccountId">The subscription payload's <c>owner</c>: the account of the source log group.</param>
/// <param name="Region">The stream record's region (a destination is in the same Region as the log groups subscribed to it), or the function's own Region for a direct delivery.</param>
public sealed record DeliveryOrigin(string? AccountId, string? Region)
{
    /// <summary>The account an invocation is attributed to: the delivery's owner, else what the record says.</summary>
    public string? AccountOf(InvocationRecord record) => AccountId ?? record.AccountId;

    /// <summary>The Region an invocation is attributed to: the delivery's, else what the record says.</summary>
    public string? RegionOf(InvocationRecord record) => Region ?? record.Region;
}
