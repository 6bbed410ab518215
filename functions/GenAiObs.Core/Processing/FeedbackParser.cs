using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>
/// Parses one user-feedback event an application logs as a JSON line (schema
/// <c>genaiobs.feedback/1</c>):
/// <code>{"schema":"genaiobs.feedback/1","timestamp":"2026-12-07T10:00:00Z","requestId":"…","traceId":"…",
///  "rating":"up"|"down"|1…5,"comment":"…","feature":"…","variant":"…"}</code>
/// <c>schema</c>, <c>rating</c> and one of <c>requestId</c> (the Bedrock request id) or
/// <c>traceId</c> are required; other members are ignored. <c>comment</c> is skipped unread: free
/// text a user typed is never stored, logged or counted. Bad input is rejected by name
/// (<see cref="RejectReasons.InvalidRating"/>, <see cref="RejectReasons.MissingField"/>,
/// <see cref="RejectReasons.WrongType"/>, <see cref="RejectReasons.InvalidTimestamp"/>).
/// </summary>
public static class FeedbackParser
{
    /// <summary>The value of <c>schema</c> that marks a feedback event.</summary>
    public const string Schema = "genaiobs.feedback/1";

    /// <summary>Longest request or trace id accepted.</summary>
    public const int MaxIdLength = 256;

    /// <summary>Parses <paramref name="logEvent"/>'s message.</summary>
    public static bool TryParse(in LogEvent logEvent, [NotNullWhen(true)] out FeedbackRecord? record, [NotNullWhen(false)] out Rejection? rejection, int maxJsonDepth = 64)
    {
        record = null;
        try
        {
            var reader = new Utf8JsonReader(logEvent.Message.Span, new JsonReaderOptions { MaxDepth = maxJsonDepth });
            reader.Read();
            string? requestId = null, traceId = null, feature = null, variant = null;
            DateTimeOffset? timestamp = null;
            int? rating = null;
            var thumbs = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("requestId"u8))
                {
                    requestId = ReadId(ref reader, "requestId");
                }
                else if (reader.ValueTextEquals("traceId"u8))
                {
                    traceId = ReadId(ref reader, "traceId");
                }
                else if (reader.ValueTextEquals("feature"u8))
                {
                    feature = ReadTag(ref reader);
                }
                else if (reader.ValueTextEquals("variant"u8))
                {
                    variant = ReadTag(ref reader);
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    timestamp = reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var at)
                        ? at
                        : throw new RecordRejectedException(RejectReasons.InvalidTimestamp, "timestamp");
                }
                else if (reader.ValueTextEquals("rating"u8))
                {
                    reader.Read();
                    (rating, thumbs) = ReadRating(ref reader);
                }
                else
                {
                    // schema (the router checked it), comment (never read) and anything else.
                    reader.Read();
                    reader.Skip();
                }
            }

            if (rating is null)
            {
                throw new RecordRejectedException(RejectReasons.InvalidRating, "rating missing");
            }

            if (requestId is null && traceId is null)
            {
                throw new RecordRejectedException(RejectReasons.MissingField, "requestId or traceId");
            }

            var time = timestamp ?? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(logEvent.TimestampMs, 0, 253402300799999));
            if (!EventTimeBounds.Plausible.Contains(time))
            {
                throw new RecordRejectedException(RejectReasons.InvalidTimestamp, "timestamp");
            }

            record = new FeedbackRecord
            {
                EventId = logEvent.Id,
                Timestamp = time,
                RequestId = requestId,
                TraceId = traceId,
                Rating = rating.Value,
                IsThumbs = thumbs,
                Dimensions = RequestDimensions.From(feature, variant, null, null),
            };
            rejection = null;
            return true;
        }
        catch (RecordRejectedException rejected)
        {
            rejection = new Rejection(logEvent.Id, rejected.Reason, rejected.Detail, Source: RecordSources.Feedback);
        }
        catch (JsonException)
        {
            rejection = InvocationLogParser.JsonFailure(logEvent.Id, logEvent.Message.Span, maxJsonDepth, RecordSources.Feedback);
        }
        catch (InvalidOperationException)
        {
            rejection = new Rejection(logEvent.Id, RejectReasons.InvalidJson, "invalid text encoding", Source: RecordSources.Feedback);
        }

        return false;
    }

    private static string? ReadId(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String when reader.ValueSpan.Length <= MaxIdLength * 6 && reader.GetString() is { Length: > 0 and <= MaxIdLength } id => id,
            JsonTokenType.String => throw new RecordRejectedException(RejectReasons.WrongType, field + " empty or too long"),
            _ => throw new RecordRejectedException(RejectReasons.WrongType, field),
        };
    }

    /// <summary>A feature or variant: a short string, else ignored (the rating still counts).</summary>
    private static string? ReadTag(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= RequestDimensions.MaxValueLength)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary><c>"up"</c>/<c>"down"</c> (any case) or a whole number 1–5.</summary>
    private static (int Rating, bool Thumbs) ReadRating(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("up"u8) || reader.ValueTextEquals("UP"u8) || reader.ValueTextEquals("Up"u8))
            {
                return (1, true);
            }

            if (reader.ValueTextEquals("down"u8) || reader.ValueTextEquals("DOWN"u8) || reader.ValueTextEquals("Down"u8))
            {
                return (-1, true);
            }

            throw new RecordRejectedException(RejectReasons.InvalidRating, "not up or down");
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var stars) && stars is >= 1 and <= 5)
        {
            return (stars, false);
        }

        reader.Skip();
        throw new RecordRejectedException(RejectReasons.InvalidRating, "not up, down or 1-5");
    }
}
