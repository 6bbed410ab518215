namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Turns what a Lambda function receives into log events whose messages are unescaped UTF-8
/// slices of a pooled arena. Export files given to the CLI are read by the CLI's own reader
/// (<c>GenAiObs.Cli.ExportFileReader</c>), which builds deliveries with the same <see cref="DeliveryBuilder"/>.
/// </summary>
public static class LambdaEventDecoder
{
    /// <summary>
    /// Decodes a Lambda event: a CloudWatch Logs subscription event <c>{"awslogs":{"data":…}}</c>
    /// (base64 of gzip of a DATA_MESSAGE or CONTROL_MESSAGE) or a Kinesis event
    /// <c>{"Records":[{"kinesis":{"data":…}}…]}</c> whose records carry the same gzipped payload
    /// (a bad Kinesis record rejects only its own events). Never throws for bad input.
    /// </summary>
    public static DecodedDelivery Decode(ReadOnlySpan<byte> eventJson, DecoderLimits? limits = null)
    {
        using var builder = new DeliveryBuilder(limits ?? DecoderLimits.Default);
        builder.AddLambdaEvent(eventJson);
        return builder.Build();
    }
}
