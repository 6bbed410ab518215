using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>How <see cref="BatchProcessor"/> treats what the records say beyond their shape.</summary>
public sealed record ProcessingOptions
{
    /// <summary>
    /// The accepted event times relative to <see cref="Time"/> (the Lambdas: <see cref="EventTimeWindow.Default"/>);
    /// null, or no clock, for only the plausible years (<see cref="EventTimeBounds.Plausible"/>).
    /// </summary>
    public EventTimeWindow? Window { get; init; }

    /// <summary>The clock the window is taken at, once per delivery.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>
    /// What a message that is no record at all counts as (<see cref="RecordSources"/>) when its log
    /// group does not say: the function's own kind in Lambda, null (unknown) in <c>replay</c>.
    /// </summary>
    public string? DefaultSource { get; init; }

    /// <summary>How IAM user and federated-user names are kept (default: hashed).</summary>
    public PrincipalPrivacy Principals { get; init; } = PrincipalPrivacy.Default;

    /// <summary>Where the parsers find each record's feature, variant and prompt template (default <see cref="RequestDimensionNames.Default"/>).</summary>
    public RequestDimensionNames Dimensions { get; init; } = RequestDimensionNames.Default;

    /// <summary>
    /// Central ingestion mode: the Region this function runs in, given to the deliveries of this
    /// account's own subscription filters (which can only be in this Region) so they carry account
    /// and Region keys like the member accounts' deliveries through the stream. Null in direct mode,
    /// where every record comes from this account and Region and such keys would only add writes.
    /// </summary>
    public string? DirectDeliveryRegion { get; init; }

    /// <summary>
    /// Give each event's message buffers back as soon as the events before it are parsed
    /// (<see cref="GenAiObs.Core.Envelopes.DecodedDelivery.ReleaseMessagesBefore"/>), not when the delivery is disposed:
    /// <c>replay</c>'s reader, which waits for buffers, then reads the next delivery while this one
    /// is processed. The delivery's messages are invalid after processing (off by default).
    /// </summary>
    public bool ReleaseMessagesAsProcessed { get; init; }

    public static ProcessingOptions Default { get; } = new();
}
