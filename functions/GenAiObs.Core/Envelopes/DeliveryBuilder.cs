using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Collects the log events of one delivery — from Lambda events, DATA_MESSAGE payloads, single log
/// events or raw records — unescaping every message into a pooled arena, then hands them over as a
/// <see cref="DecodedDelivery"/>. Bad input never throws: a broken envelope or payload becomes a
/// <see cref="Rejection"/> with a null event id, a bad single event a rejection with its id, and every
/// other event is still delivered. The Lambda decoder (<see cref="LambdaEventDecoder"/>) uses one per
/// event; the CLI's file reader one per chunk of a file.
/// </summary>
public sealed class DeliveryBuilder : IDisposable
{
    private const int MaxIdBytes = 256;

    // Envelope readers hold the record one to three levels down (logEvents[i].message as an
    // embedded object in hand-made files), so they allow a little more than a record may use.
    private const int EnvelopeDepthAllowance = 4;

    private readonly DecoderLimits _limits;
    private readonly JsonReaderOptions _envelopeReaderOptions;
    private readonly List<LogEvent> _events = [];
    private readonly List<Rejection> _rejections = [];

    // Events and rejections without an id of their own, with their ordinal: their ids are derived
    // from content when the delivery is built.
    private readonly List<(int Index, int Ordinal)> _syntheticEvents = [];
    private readonly List<(int Index, int Ordinal)> _syntheticRejections = [];
    private MessageArena? _arena;
    private int _controlMessages;
    private string? _logGroup;
    private string? _owner;

    /// <param name="limits">Bounds on sizes and nesting.</param>
    /// <param name="firstOrdinal">The ordinal of the first event without an id (a file read in chunks numbers its events across chunks).</param>
    /// <param name="pool">
    /// Where message buffers are rented (<see cref="ArrayPool{T}.Shared"/> when null). A reader that builds
    /// deliveries on one thread while another disposes them passes its own pool, which keeps the chunks
    /// the shared pool's per-thread caches would drop.
    /// </param>
    public DeliveryBuilder(DecoderLimits limits, int firstOrdinal = 0, ArrayPool<byte>? pool = null)
    {
        _arena = new MessageArena(pool);
        _limits = limits;
        _envelopeReaderOptions = new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth + EnvelopeDepthAllowance };
        NextOrdinal = firstOrdinal;
    }

    /// <summary>The limits this builder applies.</summary>
    public DecoderLimits Limits => _limits;

    /// <summary>Reader options for envelopes: the record depth limit plus the envelope's own levels.</summary>
    public JsonReaderOptions EnvelopeReaderOptions => _envelopeReaderOptions;

    /// <summary>The ordinal the next event read will get.</summary>
    public int NextOrdinal { get; private set; }

    /// <summary>Events plus rejections so far.</summary>
    public int Count => _events.Count + _rejections.Count;

    /// <summary>Bytes of message text held so far.</summary>
    public long MessageBytes { get; private set; }

    /// <summary>
    /// Adds a Lambda event: a CloudWatch Logs subscription event <c>{"awslogs":{"data":…}}</c>
    /// (base64 of gzip of a DATA_MESSAGE or CONTROL_MESSAGE) or a Kinesis event
    /// <c>{"Records":[{"kinesis":{"data":…}}…]}</c> whose records carry the same gzipped payload
    /// (a bad Kinesis record rejects only its own events).
    /// </summary>
    public void AddLambdaEvent(ReadOnlySpan<byte> eventJson)
    {
        var reader = new Utf8JsonReader(eventJson, _envelopeReaderOptions);
        var sawEnvelope = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                Reject(RejectReasons.InvalidEnvelope, "root is not an object");
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("awslogs"u8))
                {
                    reader.Read();
                    sawEnvelope = true;
                    ReadAwsLogs(ref reader);
                }
                else if (reader.ValueTextEquals("Records"u8))
                {
                    reader.Read();
                    sawEnvelope = true;
                    ReadKinesisRecords(ref reader);
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
            Reject(RejectReasons.InvalidEnvelope, "event is not valid JSON");
            return;
        }

        if (!sawEnvelope)
        {
            Reject(RejectReasons.InvalidEnvelope, "neither awslogs nor Records");
        }
    }

    /// <summary>Adds a decoded payload: a DATA_MESSAGE (events kept) or CONTROL_MESSAGE (counted and dropped).</summary>
    public void AddDataMessage(ReadOnlySpan<byte> payload, string where)
    {
        var eventsBefore = _events.Count;
        var rejectionsBefore = _rejections.Count;
        var syntheticEventsBefore = _syntheticEvents.Count;
        var syntheticRejectionsBefore = _syntheticRejections.Count;
        var bytesBefore = MessageBytes;
        var reader = new Utf8JsonReader(payload, _envelopeReaderOptions);
        var messageType = MessageType.Absent;
        string? logGroup = null;
        string? owner = null;
        var sawLogEvents = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                Reject(RejectReasons.InvalidPayloadJson, where + ": payload is not an object");
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
                else if (reader.ValueTextEquals("owner"u8))
                {
                    // The account id of the source log group: 12 digits (CloudWatch Logs' subscription payload).
                    reader.Read();
                    owner = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 64 ? TryGetString(ref reader) : null;
                }
                else if (reader.ValueTextEquals("logEvents"u8))
                {
                    reader.Read();
                    sawLogEvents = true;
                    var source = payload;
                    ReadLogEventArray(ref reader, ref source);
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
            Reject(RejectReasons.InvalidPayloadJson, where);
            return;
        }

        if (messageType is MessageType.Control or MessageType.Other)
        {
            _events.RemoveRange(eventsBefore, _events.Count - eventsBefore);
            _rejections.RemoveRange(rejectionsBefore, _rejections.Count - rejectionsBefore);
            _syntheticEvents.RemoveRange(syntheticEventsBefore, _syntheticEvents.Count - syntheticEventsBefore);
            _syntheticRejections.RemoveRange(syntheticRejectionsBefore, _syntheticRejections.Count - syntheticRejectionsBefore);
            MessageBytes = bytesBefore;
            if (messageType == MessageType.Control)
            {
                _controlMessages++;
            }
            else
            {
                Reject(RejectReasons.InvalidEnvelope, where + ": unknown messageType");
            }

            return;
        }

        if (!sawLogEvents)
        {
            Reject(RejectReasons.InvalidEnvelope, where + ": logEvents missing");
        }
        else if (_events.Count == eventsBefore && _rejections.Count == rejectionsBefore)
        {
            Reject(RejectReasons.EmptyBatch, where + ": logEvents is empty");
        }
        else
        {
            if (logGroup is { Length: > 0 })
            {
                _logGroup ??= logGroup;
            }

            if (owner is { Length: > 0 })
            {
                _owner ??= owner;
            }
        }
    }

    /// <summary>
    /// Adds one log event object: <c>{"id","timestamp","message"}</c> (subscription payload) or
    /// <c>{"eventId","timestamp","message"}</c> (filter-log-events). Returns false when it is not
    /// readable JSON (nothing is added then; the caller names the failure).
    /// </summary>
    public bool AddLogEvent(ReadOnlySpan<byte> eventJson)
    {
        var reader = new Utf8JsonReader(eventJson, _envelopeReaderOptions);
        try
        {
            reader.Read();
            var source = eventJson;
            ReadLogEvent(ref reader, ref source);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Adds a raw record (one record's JSON, no envelope); it gets a content-derived id.</summary>
    public void AddRawRecord(ReadOnlySpan<byte> record)
    {
        var ordinal = NextOrdinal++;
        if (record.Length > _limits.MaxMessageBytes)
        {
            _syntheticRejections.Add((_rejections.Count, ordinal));
            _rejections.Add(new Rejection(string.Empty, RejectReasons.MessageTooLarge, "record"));
            return;
        }

        // Raw records carry no ingestion time; the parser then uses the record's own timestamp.
        AddEvent(null, ordinal, 0, _arena!.Append(record));
    }

    /// <summary>Rejects a raw record too large to hold (<c>message_too_large</c>) without being given its bytes.</summary>
    public void RejectOversizedRecord()
    {
        _syntheticRejections.Add((_rejections.Count, NextOrdinal++));
        _rejections.Add(new Rejection(string.Empty, RejectReasons.MessageTooLarge, "record"));
    }

    /// <summary>True while nothing has been added: no event, rejection or control message.</summary>
    public bool IsEmpty => Count == 0 && _controlMessages == 0;

    /// <summary>Records a failure that is not one event's (a broken envelope, an empty file …).</summary>
    public void Reject(string reason, string detail) => _rejections.Add(new Rejection(null, reason, detail));

    /// <summary>
    /// Hands the events over. Events without an id get <c>&lt;hash-prefix&gt;-&lt;ordinal&gt;</c>, the hash taken
    /// over those events' timestamps and messages, so the same content always yields the same ids.
    /// The builder is empty afterwards and must not be reused.
    /// </summary>
    public DecodedDelivery Build()
    {
        var arena = _arena ?? throw new ObjectDisposedException(nameof(DeliveryBuilder));
        _arena = null;
        if (_syntheticEvents.Count > 0 || _syntheticRejections.Count > 0)
        {
            var prefix = ContentPrefix();
            foreach (var (index, ordinal) in _syntheticEvents)
            {
                _events[index] = _events[index] with { Id = SyntheticId(prefix, ordinal) };
            }

            foreach (var (index, ordinal) in _syntheticRejections)
            {
                _rejections[index] = _rejections[index] with { EventId = SyntheticId(prefix, ordinal) };
            }
        }

        return new DecodedDelivery(arena, _events, _rejections, _controlMessages, _logGroup, _owner);
    }

    /// <summary>Returns the pooled buffers when the builder is abandoned before <see cref="Build"/>.</summary>
    public void Dispose()
    {
        _arena?.Dispose();
        _arena = null;
    }

    // ---- Lambda envelopes

    private void ReadAwsLogs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            Reject(RejectReasons.InvalidEnvelope, "awslogs is not an object");
            return;
        }

        var sawData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                sawData = true;
                ReadCompressedPayload(ref reader, "awslogs.data");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawData)
        {
            Reject(RejectReasons.InvalidEnvelope, "awslogs.data missing");
        }
    }

    private void ReadKinesisRecords(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            Reject(RejectReasons.InvalidEnvelope, "Records is not an array");
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
                Reject(RejectReasons.InvalidEnvelope, where);
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
                        ReadCompressedPayload(ref reader, where);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }

            if (!sawData)
            {
                Reject(RejectReasons.InvalidEnvelope, where + ".kinesis.data missing");
            }
        }

        if (index == 0)
        {
            Reject(RejectReasons.EmptyBatch, "Records is empty");
        }
    }

    /// <summary>base64 → gzip → DATA_MESSAGE JSON, from the string token the reader is on.</summary>
    private void ReadCompressedPayload(ref Utf8JsonReader reader, string where)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            Reject(RejectReasons.InvalidEnvelope, where + " is not a string");
            return;
        }

        if (!reader.ValueIsEscaped)
        {
            AddCompressedPayload(reader.ValueSpan, where);
            return;
        }

        // Some serialisers escape '/' as "\/"; base64 itself has nothing else to unescape.
        var unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            if (!TryCopyString(ref reader, unescaped, out var unescapedLength))
            {
                Reject(RejectReasons.InvalidBase64, where);
                return;
            }

            AddCompressedPayload(unescaped.AsSpan(0, unescapedLength), where);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(unescaped);
        }
    }

    /// <summary>
    /// Adds one subscription payload as CloudWatch Logs delivers it — base64 of gzip of a DATA_MESSAGE
    /// or CONTROL_MESSAGE (a Lambda subscription's <c>awslogs.data</c>, a Kinesis record's <c>data</c>).
    /// A payload that cannot be decoded becomes one rejection with a null event id, named by <paramref name="where"/>.
    /// </summary>
    public void AddCompressedPayload(ReadOnlySpan<byte> base64, string where)
    {
        byte[]? compressed = null;
        byte[]? payload = null;
        try
        {
            compressed = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(base64.Length)));
            if (Base64.DecodeFromUtf8(base64, compressed, out _, out var compressedLength) != OperationStatus.Done)
            {
                Reject(RejectReasons.InvalidBase64, where);
                return;
            }

            var reason = GzipPayload.Gunzip(compressed, compressedLength, _limits.MaxDecompressedBytes, out payload, out var payloadLength);
            if (reason is not null)
            {
                Reject(reason, where);
                return;
            }

            AddDataMessage(payload.AsSpan(0, payloadLength), where);
        }
        finally
        {
            ReturnIfRented(compressed);
            ReturnIfRented(payload);
        }
    }

    // ---- Log events

    /// <summary>
    /// Reads a log-event array of a payload's root object; the reader is on its start, <paramref name="source"/>
    /// is the reader's input (both move on together when a message is read past the reader).
    /// </summary>
    private void ReadLogEventArray(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            Reject(RejectReasons.InvalidEnvelope, "events is not an array");
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ReadLogEvent(ref reader, ref source);
        }
    }

    /// <summary>Reads one log event; the reader is on its first token and reads <paramref name="source"/>.</summary>
    private void ReadLogEvent(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source)
    {
        var ordinal = NextOrdinal++;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            Reject(RejectReasons.InvalidEnvelope, "log event is not an object");
            return;
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
                // A string message is read past the reader, which checks an escaped string one byte at a time;
                // anything the scanner does not accept is left to the reader, so the reader names the failure.
                if (JsonStringScanner.TryFindStringValue(reader, source, out var contentStart, out var length, out var isEscaped))
                {
                    message = StoreStringMessage(source.Slice(contentStart, length), isEscaped, ref reason, ref detail);
                    JsonStringScanner.ResumeAfterString(ref reader, ref source, contentStart + length + 1);
                }
                else
                {
                    reader.Read();
                    message = ReadMessage(ref reader, source, ref reason, ref detail);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reason is null && message is null)
        {
            reason = RejectReasons.MissingField;
            detail = "message";
        }

        if (reason is not null)
        {
            if (id is null)
            {
                _syntheticRejections.Add((_rejections.Count, ordinal));
            }

            _rejections.Add(new Rejection(id ?? string.Empty, reason, detail));
            return;
        }

        AddEvent(id, ordinal, timestamp, message!.Value);
    }

    private void AddEvent(string? id, int ordinal, long timestamp, ReadOnlyMemory<byte> message)
    {
        if (id is null)
        {
            _syntheticEvents.Add((_events.Count, ordinal));
        }

        MessageBytes += message.Length;
        _events.Add(new LogEvent(id ?? string.Empty, timestamp, message));
    }

    /// <summary>
    /// A string message's text into the arena: as it is when it has no escape, else unescaped
    /// (<see cref="JsonStringScanner.Unescape"/>, which refuses what <c>Utf8JsonReader.CopyString</c> would).
    /// Null, with the reason, when the text is larger than the limit or its escapes are not text (a lone
    /// surrogate escape, invalid UTF-8).
    /// </summary>
    private ReadOnlyMemory<byte>? StoreStringMessage(ReadOnlySpan<byte> escaped, bool isEscaped, ref string? reason, ref string? detail)
    {
        var maxBytes = _limits.MaxMessageBytes;

        // An escape sequence is at most 6 bytes for 1 byte of text, so this bound is safe, and it keeps
        // a huge escaped message from reserving arena space.
        if ((isEscaped ? escaped.Length / 6 : escaped.Length) > maxBytes)
        {
            reason ??= RejectReasons.MessageTooLarge;
            detail ??= "message";
            return null;
        }

        var arena = _arena!;
        if (!isEscaped)
        {
            return arena.Append(escaped);
        }

        var written = JsonStringScanner.Unescape(escaped, arena.GetSpan(escaped.Length));
        if (written < 0)
        {
            reason ??= RejectReasons.InvalidJson;
            detail ??= "message";
            return null;
        }

        if (written > maxBytes)
        {
            reason ??= RejectReasons.MessageTooLarge;
            detail ??= "message";
            return null;
        }

        return arena.Commit(written);
    }

    private ReadOnlyMemory<byte>? ReadMessage(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, ref string? reason, ref string? detail)
    {
        var maxBytes = _limits.MaxMessageBytes;
        var arena = _arena!;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return StoreStringMessage(reader.ValueSpan, reader.ValueIsEscaped, ref reason, ref detail);

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

                return arena.Append(source.Slice(start, length));
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

    // ---- Helpers

    /// <summary>
    /// 16 hex characters of XxHash128 over the timestamps and messages of the events without an id.
    /// Identity, not secrecy: a non-cryptographic hash keeps a 500 MB export's ids from costing more than parsing it.
    /// </summary>
    private string ContentPrefix()
    {
        var hash = new XxHash128();
        Span<byte> header = stackalloc byte[12];
        foreach (var (index, _) in _syntheticEvents)
        {
            var logEvent = _events[index];
            BinaryPrimitives.WriteInt64LittleEndian(header, logEvent.TimestampMs);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], logEvent.Message.Length);
            hash.Append(header);
            hash.Append(logEvent.Message.Span);
        }

        Span<byte> digest = stackalloc byte[16];
        hash.GetCurrentHash(digest);
        return Convert.ToHexStringLower(digest[..8]);
    }

    private static string SyntheticId(string prefix, int ordinal) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{ordinal}");

    private static void ReturnIfRented(byte[]? buffer)
    {
        if (buffer is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsValidEpochMs(long value) => value is >= -62135596800000 and <= 253402300799999;

    private enum MessageType
    {
        Absent,
        Data,
        Control,
        Other,
    }
}
