using System.Security.Cryptography;
using System.Text;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// The one pipeline the Lambda handlers and the CLI share: decode a delivery, route every event by
/// content, parse, price. One bad record never stops the rest; nothing here throws for bad data.
/// </summary>
public sealed class BatchProcessor
{
    private readonly PriceTable _prices;
    private readonly DecoderLimits _limits;
    private readonly ProcessingOptions _options;

    public BatchProcessor(PriceTable prices)
        : this(prices, DecoderLimits.Default)
    {
    }

    public BatchProcessor(PriceTable prices, DecoderLimits limits, ProcessingOptions? options = null)
    {
        _prices = prices;
        _limits = limits;
        _options = options ?? ProcessingOptions.Default;
    }

    /// <summary>Decodes a Lambda event (subscription or Kinesis) and processes it.</summary>
    public BatchResult ProcessLambdaEvent(ReadOnlySpan<byte> eventJson)
    {
        using var delivery = LambdaEventDecoder.Decode(eventJson, _limits);
        return ProcessDelivery(delivery);
    }

    /// <summary>
    /// Decodes and processes one Kinesis record (one CloudWatch Logs payload). Its batch id is the
    /// record's identity (<see cref="KinesisRecord.BatchId"/>), so the store counts it once however
    /// Lambda re-batches, bisects or retries the stream; its origin (payload owner, record region)
    /// comes with the result. Undecodable data is a rejection, never an exception.
    /// </summary>
    public BatchResult ProcessKinesisRecord(KinesisRecord record, string where)
    {
        using var builder = new DeliveryBuilder(_limits);
        if (record.Data.IsEmpty)
        {
            builder.Reject(RejectReasons.InvalidEnvelope, where + ".kinesis.data missing");
        }
        else
        {
            builder.AddCompressedPayload(record.Data.Span, where + ".kinesis.data");
        }

        using var delivery = builder.Build();
        return ProcessDelivery(delivery, record.BatchId, new DeliveryOrigin(delivery.Owner, record.Region));
    }

    /// <summary>
    /// Parses and prices every event of <paramref name="delivery"/> (which the caller still owns and disposes).
    /// In central mode (<see cref="ProcessingOptions.DirectDeliveryRegion"/>) the delivery's origin is
    /// its owner account and this Region.
    /// </summary>
    public BatchResult ProcessDelivery(DecodedDelivery delivery) =>
        ProcessDelivery(delivery, ComputeBatchId(delivery.Events), _options.DirectDeliveryRegion is { } region ? new DeliveryOrigin(delivery.Owner, region) : null);

    private BatchResult ProcessDelivery(DecodedDelivery delivery, string batchId, DeliveryOrigin? origin)
    {
        var result = new BatchResult { BatchId = batchId, Origin = origin };
        result.ControlMessages = delivery.ControlMessages;
        result.Rejections.AddRange(delivery.Rejections);
        var eventsRejectedByDecoder = 0;
        foreach (var rejection in delivery.Rejections)
        {
            eventsRejectedByDecoder += rejection.EventId is null ? 0 : 1;
        }

        result.EventCount = delivery.Events.Count + eventsRejectedByDecoder;

        // Records outside the accepted window are rejected by name; the window is fixed per delivery.
        var window = _options.Window is { } w && _options.Time is { } clock ? w.At(clock.GetUtcNow()) : EventTimeBounds.Plausible;

        // A delivery repeats a few dozen identifiers (models, principals, services …) hundreds of times.
        var strings = new Utf8StringTable();
        var events = delivery.Events;
        for (var i = 0; i < events.Count; i++)
        {
            if (_options.ReleaseMessagesAsProcessed)
            {
                delivery.ReleaseMessagesBefore(i);
            }

            var logEvent = events[i];
            switch (RecordRouter.Route(logEvent, _limits.MaxJsonDepth, out var rejection))
            {
                case RecordKind.Invocation:
                    ParseInvocation(logEvent, result, strings, window);
                    break;
                case RecordKind.Span:
                    ParseSpan(logEvent, result, strings, window);
                    break;
                case RecordKind.Feedback:
                    ParseFeedback(logEvent, result, window);
                    break;
                default:
                    // A message that is not even a record: the delivery's log group (aws/spans holds
                    // only spans) or else the function reading it says what it was meant to be.
                    result.Rejections.Add(rejection!.Source is null ? rejection with { Source = SourceOf(delivery) } : rejection);
                    break;
            }
        }

        return result;
    }

    /// <summary>First 32 lowercase hex chars of SHA-256 over the event ids joined with '\n'.</summary>
    public static string ComputeBatchId(IReadOnlyList<LogEvent> events)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[512];
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                hash.AppendData("\n"u8);
            }

            var id = events[i].Id;
            if (Encoding.UTF8.GetMaxByteCount(id.Length) <= buffer.Length)
            {
                hash.AppendData(buffer[..Encoding.UTF8.GetBytes(id, buffer)]);
            }
            else
            {
                hash.AppendData(Encoding.UTF8.GetBytes(id));
            }
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..16]);
    }

    /// <summary>The record kind an unrecognisable message of <paramref name="delivery"/> is counted under.</summary>
    private string? SourceOf(DecodedDelivery delivery) =>
        string.Equals(delivery.LogGroup, SpansLogGroup, StringComparison.Ordinal) ? RecordSources.Span : _options.DefaultSource;

    /// <summary>The log group CloudWatch Transaction Search writes OpenTelemetry spans to.</summary>
    public const string SpansLogGroup = "aws/spans";

    private void ParseInvocation(in LogEvent logEvent, BatchResult result, Utf8StringTable strings, EventTimeBounds window)
    {
        if (!InvocationLogParser.TryParse(logEvent, out var record, out var rejection, _limits.MaxJsonDepth, strings, _options.Dimensions))
        {
            result.Rejections.Add(rejection);
            return;
        }

        if (!window.Contains(record.Timestamp))
        {
            result.Rejections.Add(new Rejection(logEvent.Id, RejectReasons.TimestampOutOfWindow, "timestamp", Source: RecordSources.Invocation));
            return;
        }

        record = _options.Principals.Apply(record);

        // Cross-region inference is billed at the source region's price (the Amazon Bedrock pricing page): the record's region.
        var quote = _prices.Quote(record.ModelId, record.Region, record.InputTokens, record.OutputTokens, record.CacheReadTokens, record.CacheWriteTokens, out var breakdown);

        // An image or video model is never priced by its tokens: its images or video seconds are,
        // at the table's per-unit price when it has one (their cost joins the call's cost).
        var perUnit = !record.IsError && quote.Status == PriceStatus.NotTokenPriced ? _prices.QuoteUnits(quote.PriceKey!, record.Media) : null;
        breakdown = breakdown with { PerUnitUsd = perUnit?.CostUsd ?? 0m };

        // A failed call costs nothing; it stays "priced" only when its model has a price, so an
        // unknown model is never hidden behind a $0 error.
        var cost = record.IsError ? 0m : quote.CostUsd + breakdown.PerUnitUsd;
        result.Invocations.Add(new PricedInvocation(record, cost, quote.Priced, quote.PriceKey, record.IsError ? default : breakdown, quote.Status == PriceStatus.NotTokenPriced) { Origin = result.Origin, PerUnit = perUnit });
    }

    private void ParseFeedback(in LogEvent logEvent, BatchResult result, EventTimeBounds window)
    {
        if (!FeedbackParser.TryParse(logEvent, out var feedback, out var rejection, _limits.MaxJsonDepth))
        {
            result.Rejections.Add(rejection);
        }
        else if (!window.Contains(feedback.Timestamp))
        {
            result.Rejections.Add(new Rejection(logEvent.Id, RejectReasons.TimestampOutOfWindow, "timestamp", Source: RecordSources.Feedback));
        }
        else
        {
            result.Feedback.Add(feedback);
        }
    }

    private void ParseSpan(in LogEvent logEvent, BatchResult result, Utf8StringTable strings, EventTimeBounds window)
    {
        var parsed = SpanParser.Parse(logEvent, _limits.MaxJsonDepth, strings, _options.Dimensions);
        if (parsed.Evaluation is { } evaluation)
        {
            if (window.Contains(evaluation.Timestamp))
            {
                result.Evaluations.Add(evaluation);
            }
            else
            {
                result.Rejections.Add(new Rejection(logEvent.Id, RejectReasons.TimestampOutOfWindow, "timeUnixNano", Source: RecordSources.Span));
            }
        }
        else if (parsed.Span is not { } span)
        {
            result.Rejections.Add(parsed.Rejection!);
        }
        else if (!window.Contains(span.End))
        {
            result.Rejections.Add(new Rejection(logEvent.Id, RejectReasons.TimestampOutOfWindow, "endTimeUnixNano", Source: RecordSources.Span));
        }
        else
        {
            result.Spans.Add(SpanPricer.Price(span, _prices) with { Origin = result.Origin });
        }
    }
}
