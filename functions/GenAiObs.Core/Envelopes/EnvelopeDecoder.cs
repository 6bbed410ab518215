using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Turns what arrives (a Lambda event, or a file given to the CLI) into log events whose
/// messages are unescaped UTF-8 slices of a pooled arena. Bad input never throws: a broken
/// envelope or payload becomes a <see cref="Rejection"/> with a null event id, a bad single
/// event a rejection with its id, and every other event is still delivered.
/// </summary>
public static class EnvelopeDecoder
{
    private const int MaxIdBytes = 256;

    // Envelope readers hold the record one to three levels down (logEvents[i].message as an
    // embedded object in hand-made files), so they allow a little more than a record may use.
    private const int EnvelopeDepthAllowance = 4;

    /// <summary>
    /// Decodes a Lambda event: a CloudWatch Logs subscription event <c>{"awslogs":{"data":…}}</c>
    /// (base64 of gzip of a DATA_MESSAGE or CONTROL_MESSAGE) or a Kinesis event
    /// <c>{"Records":[{"kinesis":{"data":…}}…]}</c> whose records carry the same gzipped payload
    /// (a bad Kinesis record rejects only its own events).
    /// </summary>
    public static DecodedDelivery DecodeLambdaEvent(ReadOnlySpan<byte> eventJson, DecoderLimits? limits = null)
    {
        var context = new DecodeContext(limits ?? DecoderLimits.Default);
        try
        {
            DecodeLambdaEventInto(eventJson, context);
            return context.ToDelivery();
        }
        catch
        {
            context.Arena.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes a file given to the CLI, plain or gzip (detected by the gzip magic bytes): a Lambda
    /// subscription or Kinesis event (one, or JSON Lines of them), a decoded DATA_MESSAGE,
    /// <c>aws logs filter-log-events</c> / <c>get-log-events</c> output
    /// <c>{"events":[{"message":…}]}</c>, a JSON array of any of these, or JSON Lines of raw
    /// records (one record object per line; a line that is not valid JSON is kept as a record so
    /// the parser rejects it by name). Events without an id get <c>&lt;sha256-prefix-of-content&gt;-&lt;index&gt;</c>,
    /// so the same content always yields the same ids.
    /// </summary>
    public static DecodedDelivery DecodeFile(ReadOnlySpan<byte> fileBytes, DecoderLimits? limits = null)
    {
        var context = new DecodeContext(limits ?? DecoderLimits.Default);
        byte[]? decompressed = null;
        try
        {
            var content = fileBytes;
            if (IsGzip(fileBytes))
            {
                var compressed = ArrayPool<byte>.Shared.Rent(fileBytes.Length);
                try
                {
                    fileBytes.CopyTo(compressed);
                    var reason = Gunzip(compressed, fileBytes.Length, context.Limits.MaxDecompressedBytes, out decompressed, out var length);
                    if (reason is not null)
                    {
                        context.Reject(reason, "file");
                        return context.ToDelivery();
                    }

                    content = decompressed.AsSpan(0, length);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(compressed);
                }
            }

            context.SyntheticIdPrefix = HashPrefix(content);
            DecodeFileContent(content, context);
            return context.ToDelivery();
        }
        catch
        {
            context.Arena.Dispose();
            throw;
        }
        finally
        {
            if (decompressed is not null)
            {
                ArrayPool<byte>.Shared.Return(decompressed);
            }
        }
    }

    // ---- Lambda events

    private static void DecodeLambdaEventInto(ReadOnlySpan<byte> eventJson, DecodeContext context)
    {
        var reader = new Utf8JsonReader(eventJson, context.EnvelopeReaderOptions);
        var sawEnvelope = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                context.Reject(RejectReasons.InvalidEnvelope, "root is not an object");
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("awslogs"u8))
                {
                    reader.Read();
                    sawEnvelope = true;
                    DecodeAwsLogs(ref reader, context);
                }
                else if (reader.ValueTextEquals("Records"u8))
                {
                    reader.Read();
                    sawEnvelope = true;
                    DecodeKinesisRecords(ref reader, context);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: invalid UTF-8 inside a string the decoder had to read.
            context.Reject(RejectReasons.InvalidEnvelope, "event is not valid JSON");
            return;
        }

        if (!sawEnvelope)
        {
            context.Reject(RejectReasons.InvalidEnvelope, "neither awslogs nor Records");
        }
    }

    private static void DecodeAwsLogs(ref Utf8JsonReader reader, DecodeContext context)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            context.Reject(RejectReasons.InvalidEnvelope, "awslogs is not an object");
            return;
        }

        var sawData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                sawData = true;
                DecodeCompressedPayload(ref reader, context, "awslogs.data");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawData)
        {
            context.Reject(RejectReasons.InvalidEnvelope, "awslogs.data missing");
        }
    }

    private static void DecodeKinesisRecords(ref Utf8JsonReader reader, DecodeContext context)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            context.Reject(RejectReasons.InvalidEnvelope, "Records is not an array");
            return;
        }

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var where = string.Create(CultureInfo.InvariantCulture, $"Records[{index}]");
            index++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                context.Reject(RejectReasons.InvalidEnvelope, where);
                continue;
            }

            var sawData = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKinesis = reader.ValueTextEquals("kinesis"u8);
                reader.Read();
                if (!isKinesis || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isData = reader.ValueTextEquals("data"u8);
                    reader.Read();
                    if (isData)
                    {
                        sawData = true;
                        DecodeCompressedPayload(ref reader, context, where);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }

            if (!sawData)
            {
                context.Reject(RejectReasons.InvalidEnvelope, where + ".kinesis.data missing");
            }
        }

        if (index == 0)
        {
            context.Reject(RejectReasons.EmptyBatch, "Records is empty");
        }
    }

    /// <summary>base64 → gzip → DATA_MESSAGE JSON, from the string token the reader is on.</summary>
    private static void DecodeCompressedPayload(ref Utf8JsonReader reader, DecodeContext context, string where)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            context.Reject(RejectReasons.InvalidEnvelope, where + " is not a string");
            return;
        }

        byte[]? unescaped = null;
        byte[]? compressed = null;
        byte[]? payload = null;
        try
        {
            ReadOnlySpan<byte> base64 = reader.ValueSpan;
            if (reader.ValueIsEscaped)
            {
                // Some serialisers escape '/' as "\/"; base64 itself has nothing else to unescape.
                unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                if (!TryCopyString(ref reader, unescaped, out var unescapedLength))
                {
                    context.Reject(RejectReasons.InvalidBase64, where);
                    return;
                }

                base64 = unescaped.AsSpan(0, unescapedLength);
            }

            compressed = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(base64.Length)));
            if (Base64.DecodeFromUtf8(base64, compressed, out _, out var compressedLength) != OperationStatus.Done)
            {
                context.Reject(RejectReasons.InvalidBase64, where);
                return;
            }

            var reason = Gunzip(compressed, compressedLength, context.Limits.MaxDecompressedBytes, out payload, out var payloadLength);
            if (reason is not null)
            {
                context.Reject(reason, where);
                return;
            }

            DecodeDataMessage(payload.AsSpan(0, payloadLength), context, where);
        }
        finally
        {
            ReturnIfRented(unescaped);
            ReturnIfRented(compressed);
            ReturnIfRented(payload);
        }
    }

    // ---- The decoded payload

    /// <summary>A DATA_MESSAGE (events kept) or CONTROL_MESSAGE (counted and dropped).</summary>
    private static void DecodeDataMessage(ReadOnlySpan<byte> payload, DecodeContext context, string where)
    {
        var eventsBefore = context.Events.Count;
        var rejectionsBefore = context.Rejections.Count;
        var reader = new Utf8JsonReader(payload, context.EnvelopeReaderOptions);
        var messageType = MessageType.Absent;
        string? logGroup = null;
        var sawLogEvents = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                context.Reject(RejectReasons.InvalidPayloadJson, where + ": payload is not an object");
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("messageType"u8))
                {
                    reader.Read();
                    messageType = reader.TokenType != JsonTokenType.String ? MessageType.Other
                        : reader.ValueTextEquals("DATA_MESSAGE"u8) ? MessageType.Data
                        : reader.ValueTextEquals("CONTROL_MESSAGE"u8) ? MessageType.Control
                        : MessageType.Other;
                }
                else if (reader.ValueTextEquals("logGroup"u8))
                {
                    reader.Read();
                    logGroup = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 512 ? TryGetString(ref reader) : null;
                }
                else if (reader.ValueTextEquals("logEvents"u8))
                {
                    reader.Read();
                    sawLogEvents = true;
                    ReadLogEvents(ref reader, context, payload, payload);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Events decoded before the break are sound; keep them, and count the rest as lost.
            context.Reject(RejectReasons.InvalidPayloadJson, where);
            return;
        }

        if (messageType is MessageType.Control or MessageType.Other)
        {
            context.Events.RemoveRange(eventsBefore, context.Events.Count - eventsBefore);
            context.Rejections.RemoveRange(rejectionsBefore, context.Rejections.Count - rejectionsBefore);
            if (messageType == MessageType.Control)
            {
                context.ControlMessages++;
            }
            else
            {
                context.Reject(RejectReasons.InvalidEnvelope, where + ": unknown messageType");
            }

            return;
        }

        if (!sawLogEvents)
        {
            context.Reject(RejectReasons.InvalidEnvelope, where + ": logEvents missing");
        }
        else if (context.Events.Count == eventsBefore && context.Rejections.Count == rejectionsBefore)
        {
            context.Reject(RejectReasons.EmptyBatch, where + ": logEvents is empty");
        }
        else if (logGroup is { Length: > 0 })
        {
            context.LogGroup ??= logGroup;
        }
    }

    /// <summary>
    /// Reads <c>[{"id","timestamp","message"}…]</c> (subscription payload) or
    /// <c>[{"eventId","timestamp","message"}…]</c> (filter-log-events). The reader is on the array
    /// start; <paramref name="source"/> is the reader's input, <paramref name="idSource"/> what synthetic ids hash.
    /// </summary>
    private static void ReadLogEvents(ref Utf8JsonReader reader, DecodeContext context, ReadOnlySpan<byte> source, ReadOnlySpan<byte> idSource)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            context.Reject(RejectReasons.InvalidEnvelope, "events is not an array");
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var ordinal = context.NextOrdinal++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                context.Reject(RejectReasons.InvalidEnvelope, "log event is not an object");
                continue;
            }

            string? id = null;
            long timestamp = 0;
            string? reason = null;
            string? detail = null;
            ReadOnlyMemory<byte>? message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8) || reader.ValueTextEquals("eventId"u8))
                {
                    reader.Read();
                    id = ReadId(ref reader);
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out timestamp) || !IsValidEpochMs(timestamp))
                    {
                        reader.Skip();
                        reason ??= RejectReasons.InvalidTimestamp;
                        detail ??= "timestamp";
                        timestamp = 0;
                    }
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    message = ReadMessage(ref reader, context, source, ref reason, ref detail);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            id ??= context.SyntheticId(idSource, ordinal);
            if (reason is null && message is null)
            {
                reason = RejectReasons.MissingField;
                detail = "message";
            }

            if (reason is not null)
            {
                context.Rejections.Add(new Rejection(id, reason, detail));
                continue;
            }

            context.Events.Add(new LogEvent(id, timestamp, message!.Value));
        }
    }

    private static ReadOnlyMemory<byte>? ReadMessage(ref Utf8JsonReader reader, DecodeContext context, ReadOnlySpan<byte> source, ref string? reason, ref string? detail)
    {
        var maxBytes = context.Limits.MaxMessageBytes;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
            {
                var escaped = reader.ValueSpan;
                if (!reader.ValueIsEscaped)
                {
                    if (escaped.Length > maxBytes)
                    {
                        reason ??= RejectReasons.MessageTooLarge;
                        detail ??= "message";
                        return null;
                    }

                    return context.Arena.Append(escaped);
                }

                // An escape sequence is at most 6 bytes for 1 byte of text, so this bound is
                // safe, and it keeps a huge escaped message from reserving arena space.
                if (escaped.Length / 6 > maxBytes)
                {
                    reason ??= RejectReasons.MessageTooLarge;
                    detail ??= "message";
                    return null;
                }

                try
                {
                    var written = reader.CopyString(context.Arena.GetSpan(escaped.Length));
                    if (written > maxBytes)
                    {
                        reason ??= RejectReasons.MessageTooLarge;
                        detail ??= "message";
                        return null;
                    }

                    return context.Arena.Commit(written);
                }
                catch (InvalidOperationException)
                {
                    // Invalid UTF-8 or a lone surrogate escape: unusable text.
                    reason ??= RejectReasons.InvalidJson;
                    detail ??= "message";
                    return null;
                }
            }

            case JsonTokenType.StartObject or JsonTokenType.StartArray:
            {
                // Hand-made files sometimes embed the record as JSON instead of a string: keep its raw text.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var length = (int)reader.BytesConsumed - start;
                if (length > maxBytes)
                {
                    reason ??= RejectReasons.MessageTooLarge;
                    detail ??= "message";
                    return null;
                }

                return context.Arena.Append(source.Slice(start, length));
            }

            default:
                reader.Skip();
                reason ??= RejectReasons.WrongType;
                detail ??= "message";
                return null;
        }
    }

    private static string? ReadId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.ValueSpan.Length <= MaxIdBytes)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }

        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length is > 0 and <= MaxIdBytes)
        {
            // Not valid UTF-8: the event gets a synthetic id instead.
            return TryGetString(ref reader);
        }

        reader.Skip();
        return null;
    }

    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool TryCopyString(ref Utf8JsonReader reader, Span<byte> destination, out int written)
    {
        try
        {
            written = reader.CopyString(destination);
            return true;
        }
        catch (InvalidOperationException)
        {
            written = 0;
            return false;
        }
    }

    // ---- Files

    private static void DecodeFileContent(ReadOnlySpan<byte> content, DecodeContext context)
    {
        if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            content = content[3..];
        }

        if (content.Trim(" \t\r\n"u8).IsEmpty)
        {
            context.Reject(RejectReasons.EmptyBatch, "file is empty");
            return;
        }

        if (IsSingleJsonValue(content, context))
        {
            DecodeFileValue(content.Trim(" \t\r\n"u8), context, content, allowArray: true);
            return;
        }

        // JSON Lines: every line stands alone, so one broken line costs only itself.
        var rest = content;
        while (!rest.IsEmpty)
        {
            var newline = rest.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? [] : rest[(newline + 1)..];
            line = line.Trim(" \t\r"u8);
            if (!line.IsEmpty)
            {
                DecodeFileValue(line, context, content, allowArray: true);
            }
        }
    }

    private static bool IsSingleJsonValue(ReadOnlySpan<byte> content, DecodeContext context)
    {
        var reader = new Utf8JsonReader(content, context.EnvelopeReaderOptions);
        try
        {
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>One JSON value of a file (the whole file, a line, or an element of a top-level array).</summary>
    private static void DecodeFileValue(ReadOnlySpan<byte> value, DecodeContext context, ReadOnlySpan<byte> idSource, bool allowArray)
    {
        switch (Classify(value, context))
        {
            case FileValueKind.LambdaEvent:
                DecodeLambdaEventInto(value, context);
                break;
            case FileValueKind.DataMessage:
                DecodeDataMessage(value, context, "file");
                break;
            case FileValueKind.EventsExport:
                DecodeEventsExport(value, context, idSource);
                break;
            case FileValueKind.Array when allowArray:
                DecodeArrayElements(value, context, idSource);
                break;
            default:
                AddRawRecord(value, context, idSource);
                break;
        }
    }

    private static void DecodeArrayElements(ReadOnlySpan<byte> value, DecodeContext context, ReadOnlySpan<byte> idSource)
    {
        var reader = new Utf8JsonReader(value, context.EnvelopeReaderOptions);
        reader.Read();
        var any = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            any = true;
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            DecodeFileValue(value[start..(int)reader.BytesConsumed], context, idSource, allowArray: false);
        }

        if (!any)
        {
            context.Reject(RejectReasons.EmptyBatch, "file array is empty");
        }
    }

    private static void DecodeEventsExport(ReadOnlySpan<byte> value, DecodeContext context, ReadOnlySpan<byte> idSource)
    {
        var eventsBefore = context.Events.Count;
        var rejectionsBefore = context.Rejections.Count;
        var reader = new Utf8JsonReader(value, context.EnvelopeReaderOptions);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isEvents = reader.ValueTextEquals("events"u8);
                reader.Read();
                if (isEvents)
                {
                    ReadLogEvents(ref reader, context, value, idSource);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a lone surrogate escape in a name the decoder compared.
            // Events decoded before the break are sound; keep them.
            context.Reject(RejectReasons.InvalidPayloadJson, "file: events");
            return;
        }

        if (context.Events.Count == eventsBefore && context.Rejections.Count == rejectionsBefore)
        {
            context.Reject(RejectReasons.EmptyBatch, "events is empty");
        }
    }

    private static void AddRawRecord(ReadOnlySpan<byte> value, DecodeContext context, ReadOnlySpan<byte> idSource)
    {
        var id = context.SyntheticId(idSource, context.NextOrdinal++);
        if (value.Length > context.Limits.MaxMessageBytes)
        {
            context.Rejections.Add(new Rejection(id, RejectReasons.MessageTooLarge, "record"));
            return;
        }

        // Raw records carry no ingestion time; the parser then uses the record's own timestamp.
        context.Events.Add(new LogEvent(id, 0, context.Arena.Append(value)));
    }

    private static FileValueKind Classify(ReadOnlySpan<byte> value, DecodeContext context)
    {
        var reader = new Utf8JsonReader(value, context.EnvelopeReaderOptions);
        var envelope = false;
        var logEvents = false;
        var messageType = false;
        var eventsArray = false;
        try
        {
            if (!reader.Read())
            {
                return FileValueKind.Raw;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                return reader.TrySkip() ? FileValueKind.Array : FileValueKind.Raw;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FileValueKind.Raw;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("awslogs"u8) || reader.ValueTextEquals("Records"u8))
                {
                    envelope = true;
                }
                else if (reader.ValueTextEquals("logEvents"u8))
                {
                    logEvents = true;
                }
                else if (reader.ValueTextEquals("messageType"u8))
                {
                    messageType = true;
                }
                else if (reader.ValueTextEquals("schemaType"u8) || reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("spanId"u8))
                {
                    // A record, whatever else it holds: no need to read the rest of it here.
                    return FileValueKind.Raw;
                }
                else if (reader.ValueTextEquals("events"u8))
                {
                    reader.Read();
                    eventsArray = reader.TokenType == JsonTokenType.StartArray;
                    reader.Skip();
                    continue;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not readable as an envelope (malformed, or a lone surrogate escape in a name): a raw
            // record, which the parsers then reject by name.
            return FileValueKind.Raw;
        }

        return envelope ? FileValueKind.LambdaEvent
            : logEvents || messageType ? FileValueKind.DataMessage
            : eventsArray ? FileValueKind.EventsExport
            : FileValueKind.Raw;
    }

    // ---- Helpers

    private static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>
    /// Gunzips into one pooled buffer of the payload's size. The size comes from the gzip trailer
    /// (RFC 1952 ISIZE: the uncompressed length mod 2^32) when it is plausible. When the trailer
    /// claims more than <paramref name="maxBytes"/> (a bomb, or a corrupt trailer) or the stream
    /// contradicts it (a forged trailer, several members), the stream is first inflated into a
    /// small scratch buffer only to measure it, stopping just past the cap. So a bomb is rejected
    /// having allocated kilobytes rather than the cap's worth of ever-doubling buffers, and a sound
    /// payload costs one right-sized buffer. Returns null on success, else the reject reason.
    /// </summary>
    private static string? Gunzip(byte[] compressed, int compressedLength, long maxBytes, out byte[] output, out int length)
    {
        output = [];
        length = 0;
        if (!IsGzip(compressed.AsSpan(0, compressedLength)))
        {
            return RejectReasons.InvalidGzip;
        }

        var cap = (int)Math.Min(maxBytes, Array.MaxLength - 1);

        // The smallest gzip member is 18 bytes (10 header, 2 empty deflate block, 8 trailer).
        long size = compressedLength >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressedLength - 4, 4)) : 0;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (size == 0 || size > cap || attempt > 0)
            {
                var reason = MeasureGzip(compressed, compressedLength, cap, out size);
                if (reason is not null)
                {
                    return reason;
                }
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)size);
            var outcome = InflateInto(compressed, compressedLength, buffer.AsSpan(0, (int)size), out var total);
            if (outcome == InflateOutcome.Complete && total > 0)
            {
                output = buffer;
                length = total;
                return null;
            }

            ArrayPool<byte>.Shared.Return(buffer);
            if (outcome == InflateOutcome.Invalid || total == 0)
            {
                // A truncated member yields nothing rather than an exception; a real payload is never empty.
                return RejectReasons.InvalidGzip;
            }
        }

        // Inflating is deterministic: a stream that outgrows its own measured size cannot happen.
        return RejectReasons.DecompressedTooLarge;
    }

    /// <summary>The inflated size, counted through a small pooled scratch buffer; stops as soon as it passes <paramref name="cap"/>.</summary>
    private static string? MeasureGzip(byte[] compressed, int compressedLength, int cap, out long size)
    {
        size = 0;
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var input = new MemoryStream(compressed, 0, compressedLength, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            int read;
            while ((read = gzip.Read(scratch, 0, scratch.Length)) > 0)
            {
                size += read;
                if (size > cap)
                {
                    return RejectReasons.DecompressedTooLarge;
                }
            }
        }
        catch (InvalidDataException)
        {
            return RejectReasons.InvalidGzip;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return size == 0 ? RejectReasons.InvalidGzip : null;
    }

    /// <summary>Inflates into <paramref name="destination"/>; <see cref="InflateOutcome.Overflow"/> when the stream holds more than it.</summary>
    private static InflateOutcome InflateInto(byte[] compressed, int compressedLength, Span<byte> destination, out int total)
    {
        total = 0;
        try
        {
            using var input = new MemoryStream(compressed, 0, compressedLength, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            int read;
            while (total < destination.Length && (read = gzip.Read(destination[total..])) > 0)
            {
                total += read;
            }

            Span<byte> probe = stackalloc byte[1];
            return total == destination.Length && gzip.Read(probe) > 0 ? InflateOutcome.Overflow : InflateOutcome.Complete;
        }
        catch (InvalidDataException)
        {
            return InflateOutcome.Invalid;
        }
    }

    private static void ReturnIfRented(byte[]? buffer)
    {
        if (buffer is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsValidEpochMs(long value) => value is >= -62135596800000 and <= 253402300799999;

    internal static string HashPrefix(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(content, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    private enum InflateOutcome
    {
        Complete,
        Overflow,
        Invalid,
    }

    private enum MessageType
    {
        Absent,
        Data,
        Control,
        Other,
    }

    private enum FileValueKind
    {
        Raw,
        LambdaEvent,
        DataMessage,
        EventsExport,
        Array,
    }

    /// <summary>Mutable state of one decode call (never shared between calls).</summary>
    private sealed class DecodeContext(DecoderLimits limits)
    {
        public DecoderLimits Limits { get; } = limits;
        public JsonReaderOptions EnvelopeReaderOptions { get; } = new() { MaxDepth = limits.MaxJsonDepth + EnvelopeDepthAllowance };
        public MessageArena Arena { get; } = new();
        public List<LogEvent> Events { get; } = [];
        public List<Rejection> Rejections { get; } = [];
        public int ControlMessages { get; set; }
        public string? LogGroup { get; set; }
        public string? SyntheticIdPrefix { get; set; }
        public int NextOrdinal { get; set; }

        public void Reject(string reason, string detail) => Rejections.Add(new Rejection(null, reason, detail));

        public string SyntheticId(ReadOnlySpan<byte> source, int ordinal)
        {
            SyntheticIdPrefix ??= HashPrefix(source);
            return string.Create(CultureInfo.InvariantCulture, $"{SyntheticIdPrefix}-{ordinal}");
        }

        public DecodedDelivery ToDelivery() => new(Arena, Events, Rejections, ControlMessages, LogGroup);
    }
}
