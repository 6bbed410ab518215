namespace GenAiObs.Core.Processing;

/// <summary>The source of a delivery that reached a central account through a CloudWatch Logs destination.</summary>
/// <param name="AccountId">The subscription payload's <c>owner</c>: the account of the source log group.</param>
/// <param name="Region">The stream record's region (a destination is in the same Region as the log groups subscribed to it).</param>
public sealed record DeliveryOrigin(string? AccountId, string? Region);
