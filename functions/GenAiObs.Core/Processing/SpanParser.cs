using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Processing;

/// <summary>The outcome of parsing one span record: a span, or the reason it was not used.</summary>
public readonly record struct SpanParseResult(SpanRecord? Span, Rejection? Rejection, EvaluationRecord? Evaluation = null)
{
    /// <summary>True when <see cref="Span"/> holds the parsed span.</summary>
    public bool IsAccepted => Span is not null;

    public static SpanParseResult Evaluated(EvaluationRecord evaluation) => new(null, null, evaluation);

    public static SpanParseResult Accepted(SpanRecord span) => new(span, null);

    public static SpanParseResult Rejected(string eventId, string reason, string? detail) => new(null, new Rejection(eventId, reason, detail, Count: 1, Source: RecordSources.Span));
}

/// <summary>
/// Reads one <c>aws/spans</c> record (an OpenTelemetry span as CloudWatch Transaction Search and
/// ADOT/AgentCore write it: flat attribute maps, kind and status as strings or OTLP numbers) into a
/// <see cref="SpanRecord"/>. Only a fixed set of attributes is ever turned into strings; every other
/// value — message attributes, events, links, status messages — is skipped with
/// <see cref="Utf8JsonReader.Skip"/>, so prompt and response text is never materialised.
/// </summary>
public static class SpanParser
{
    /// <summary>Longest duration accepted (one day); anything longer is a broken clock, not a span.</summary>
    public const long MaxDurationNanos = 86_400L * 1_000_000_000L;

    /// <summary>Largest token count accepted for one span.</summary>
    public const long MaxTokenCount = 100_000_000;

    /// <summary>Longest identity value (ids, names, models) accepted, in UTF-8 bytes.</summary>
    public const int MaxIdentityBytes = 1024;

    // Event times outside the plausible years (one rule with invocation logs: EventTimeBounds.Plausible) are clock garbage.
    private static readonly long MinPlausibleNanos = EventTimeBounds.Plausible.From.ToUnixTimeMilliseconds() * 1_000_000L;
    private static readonly long MaxPlausibleNanos = EventTimeBounds.Plausible.To.ToUnixTimeMilliseconds() * 1_000_000L;
    private const int MaxKeyChars = 128;
    private const int MaxShortValueBytes = 64;
    private const int MaxEmbeddedFinishReasonsBytes = 512;

    /// <summary>At most this many evaluation results are kept per span.</summary>
    public const int MaxEvaluationsPerSpan = 16;

    /// <summary>Largest evaluation score magnitude believed.</summary>
    public const double MaxEvaluationScore = 1_000_000;

    private const int MaxEvaluationNameBytes = 128;
    private static ReadOnlySpan<byte> EvaluationResultEvent => "gen_ai.evaluation.result"u8;

    private enum TopKey
    {
        TraceId,
        SpanId,
        ParentSpanId,
        Name,
        Kind,
        StartTime,
        EndTime,
        Duration,
        Attributes,
        Resource,
        Status,
        Events,
        Time,
    }

    private static readonly FrozenDictionary<string, TopKey>.AlternateLookup<ReadOnlySpan<char>> TopKeys =
        new Dictionary<string, TopKey>(StringComparer.Ordinal)
        {
            ["traceId"] = TopKey.TraceId,
            ["spanId"] = TopKey.SpanId,
            ["parentSpanId"] = TopKey.ParentSpanId,
            ["name"] = TopKey.Name,
            ["kind"] = TopKey.Kind,
            ["startTimeUnixNano"] = TopKey.StartTime,
            ["endTimeUnixNano"] = TopKey.EndTime,
            ["durationNano"] = TopKey.Duration,
            ["attributes"] = TopKey.Attributes,
            ["resource"] = TopKey.Resource,
            ["status"] = TopKey.Status,
            ["events"] = TopKey.Events,
            ["timeUnixNano"] = TopKey.Time,
        }.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    // Slot count of the per-span field arrays: one per SpanAttributeField.
    private const int FieldCount = (int)SpanAttributeField.Environment + 1;

    private static readonly FrozenDictionary<string, SpanAttribute>.AlternateLookup<ReadOnlySpan<char>> AttributeKeys =
        SpanAttributes.All.ToFrozenDictionary(attribute => attribute.Key, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Parses one span record.</summary>
    /// <param name="ev">The log event; its message is the span JSON.</param>
    /// <param name="maxJsonDepth">Nesting limit; deeper records are rejected as <c>too_deep</c>.</param>
    public static SpanParseResult Parse(in LogEvent ev, int maxJsonDepth = 64) => Parse(ev, maxJsonDepth, strings: null, RequestDimensionNames.Default);

    /// <summary>As the public overload, with the delivery's identifier strings, shared between its spans (null: none), and the attribute names of the request dimensions.</summary>
    internal static SpanParseResult Parse(in LogEvent ev, int maxJsonDepth, Utf8StringTable? strings, RequestDimensionNames dimensions)
    {
        if (ev.Message.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidJson, "empty");
        }

        var fields = new Fields { Strings = strings, DimensionNames = dimensions };
        var failure = default(Failure);
        var reader = new Utf8JsonReader(ev.Message.Span, new JsonReaderOptions { MaxDepth = maxJsonDepth });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return SpanParseResult.Rejected(ev.Id, RejectReasons.NotAnObject, null);
            }

            if (!ReadSpanObject(ref reader, ref fields, ref failure))
            {
                return SpanParseResult.Rejected(ev.Id, failure.Reason, failure.Detail);
            }

            // Anything but whitespace after the span object makes the reader throw here.
            reader.Read();
        }
        catch (JsonException)
        {
            // The reader has stopped at the failure point; a failure at the depth limit is a too-deep record.
            var reason = reader.CurrentDepth >= maxJsonDepth - 1 ? RejectReasons.TooDeep : RejectReasons.InvalidJson;
            return SpanParseResult.Rejected(ev.Id, reason, null);
        }
        catch (InvalidOperationException)
        {
            // The reader does not validate UTF-8 inside strings until one is read: invalid bytes in
            // an identifier or attribute we keep surface here, and must cost the record, not the batch.
            return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidJson, "invalid text encoding");
        }

        return Build(ev, ref fields);
    }

    private static SpanParseResult Build(in LogEvent ev, ref Fields f)
    {
        if (f.Name is null && f.TraceId is not null && f.Evaluation.IsSet)
        {
            // An OpenTelemetry log record of its own (AgentCore Evaluations' results): no span name.
            return BuildEvaluation(ev, ref f);
        }

        if (f.TraceId is null && f.SpanId is null)
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.UnknownRecordType, null);
        }

        if (f.TraceId is null || f.SpanId is null || f.Name is null)
        {
            var missing = f.TraceId is null ? "traceId" : f.SpanId is null ? "spanId" : "name";
            return SpanParseResult.Rejected(ev.Id, RejectReasons.MissingField, missing);
        }

        if (f.StartNanos is { } start0 && !IsPlausibleTime(start0))
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidTimestamp, "startTimeUnixNano");
        }

        if (f.EndNanos is { } end0 && !IsPlausibleTime(end0))
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidTimestamp, "endTimeUnixNano");
        }

        long durationNanos;
        if (f.DurationNanos is { } d)
        {
            durationNanos = d;
        }
        else if (f.StartNanos is { } start && f.EndNanos is { } end)
        {
            durationNanos = end - start;
        }
        else
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.MissingField, "durationNano");
        }

        if (durationNanos < 0 || durationNanos > MaxDurationNanos)
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidDuration, f.DurationNanos is null ? "endTimeUnixNano-startTimeUnixNano" : "durationNano");
        }

        DateTimeOffset endTime;
        if (f.EndNanos is { } endNanos)
        {
            endTime = FromUnixNanos(endNanos);
        }
        else if (f.StartNanos is { } startNanos)
        {
            if (startNanos + durationNanos > MaxPlausibleNanos)
            {
                return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidTimestamp, "startTimeUnixNano");
            }

            endTime = FromUnixNanos(startNanos + durationNanos);
        }
        else
        {
            endTime = DateTimeOffset.FromUnixTimeMilliseconds(ev.TimestampMs);
        }

        var model = f.Text(SpanAttributeField.Model);
        var hasTokenUsage = f.Count(SpanAttributeField.InputTokens) is not null || f.Count(SpanAttributeField.OutputTokens) is not null;
        var spanClass = SpanClassifier.Classify(f.Text(SpanAttributeField.OperationName), f.Name, f.Text(SpanAttributeField.ToolName), f.Text(SpanAttributeField.AgentName), model is not null, hasTokenUsage);
        var isError = f.StatusCode == 2;

        var span = new SpanRecord
        {
            EventId = ev.Id,
            TraceId = f.TraceId,
            SpanId = f.SpanId,
            ParentSpanId = f.ParentSpanId,
            Name = f.Name,
            Class = spanClass,
            OperationName = f.Text(SpanAttributeField.OperationName),
            Kind = f.Kind,
            IsError = isError,
            End = endTime,
            DurationMs = durationNanos / 1_000_000.0,
            ServiceName = f.Text(SpanAttributeField.ServiceName),
            Environment = f.Text(SpanAttributeField.Environment),
            Model = model,
            Provider = f.Text(SpanAttributeField.Provider),
            ToolName = f.Text(SpanAttributeField.ToolName),
            AgentName = f.Text(SpanAttributeField.AgentName),
            SessionId = f.Text(SpanAttributeField.SessionId),
            InputTokens = f.Count(SpanAttributeField.InputTokens) ?? 0,
            OutputTokens = f.Count(SpanAttributeField.OutputTokens) ?? 0,
            CacheReadTokens = f.Count(SpanAttributeField.CacheReadTokens) ?? 0,
            CacheWriteTokens = f.Count(SpanAttributeField.CacheWriteTokens) ?? 0,
            FinishReasons = f.FinishReasons is null ? [] : f.FinishReasons,
            ToolFailed = spanClass == SpanClass.Tool && (isError || f.ToolStatusFailed),
            ErrorType = f.Text(SpanAttributeField.ErrorType),
            Dimensions = RequestDimensions.From(
                f.SpanDimensions[0] ?? f.ResourceDimensions[0],
                f.SpanDimensions[1] ?? f.ResourceDimensions[1],
                f.SpanDimensions[2] ?? f.ResourceDimensions[2],
                f.SpanDimensions[3] ?? f.ResourceDimensions[3]),
        };
        if (f.Evaluations is { Count: > 0 } events)
        {
            var evaluations = new EvaluationRecord[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                evaluations[i] = new EvaluationRecord
                {
                    EventId = ev.Id,
                    Timestamp = e.Nanos is { } nanos && IsPlausibleTime(nanos) ? FromUnixNanos(nanos) : endTime,
                    Name = e.Name!,
                    Score = e.Score,
                    Label = e.Label,
                    TraceId = span.TraceId,
                    Dimensions = span.Dimensions,
                };
            }

            span = span with { Evaluations = evaluations };
        }

        return SpanParseResult.Accepted(span with { InvalidEvaluations = f.InvalidEvaluations });
    }

    private static SpanParseResult BuildEvaluation(in LogEvent ev, ref Fields f)
    {
        var e = f.Evaluation;
        if (!e.IsValid)
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidEvaluation, e.Name is null ? "gen_ai.evaluation.name" : "gen_ai.evaluation.score.value");
        }

        var time = f.TimeNanos is { } nanos ? nanos : f.EndNanos;
        if (time is { } t && !IsPlausibleTime(t))
        {
            return SpanParseResult.Rejected(ev.Id, RejectReasons.InvalidTimestamp, "timeUnixNano");
        }

        return SpanParseResult.Evaluated(new EvaluationRecord
        {
            EventId = ev.Id,
            Timestamp = time is { } at ? FromUnixNanos(at) : DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ev.TimestampMs, 0, 253402300799999)),
            Name = e.Name!,
            Score = e.Score,
            Label = e.Label,
            TraceId = f.TraceId,
            Dimensions = RequestDimensions.From(
                f.SpanDimensions[0] ?? f.ResourceDimensions[0],
                f.SpanDimensions[1] ?? f.ResourceDimensions[1],
                f.SpanDimensions[2] ?? f.ResourceDimensions[2],
                f.SpanDimensions[3] ?? f.ResourceDimensions[3]),
        });
    }

    /// <summary>
    /// The span's <c>events</c>: each <c>gen_ai.evaluation.result</c> event's name, score and label
    /// (at most <see cref="MaxEvaluationsPerSpan"/>; an invalid one is counted, never costs the span).
    /// Every other event — and every other attribute of these, <c>gen_ai.evaluation.explanation</c>
    /// among them — is skipped unread.
    /// </summary>
    private static bool ReadEvents(ref Utf8JsonReader r, ref Fields f, ref Failure failure)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            return Fail(ref failure, RejectReasons.WrongType, "events");
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                r.Skip();
                continue;
            }

            var isEvaluation = false;
            long? nanos = null;
            var evaluation = default(EvaluationFields);
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("name"u8))
                {
                    r.Read();
                    isEvaluation = r.TokenType == JsonTokenType.String && r.ValueTextEquals(EvaluationResultEvent);
                    if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        r.Skip();
                    }
                }
                else if (r.ValueTextEquals("timeUnixNano"u8))
                {
                    r.Read();
                    var ignored = default(Failure);
                    if (!ReadNanos(ref r, "timeUnixNano", ref nanos, ref ignored))
                    {
                        nanos = null;
                    }
                }
                else if (r.ValueTextEquals("attributes"u8))
                {
                    r.Read();
                    ReadEvaluationAttributes(ref r, ref evaluation);
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (!isEvaluation)
            {
                continue;
            }

            if (!evaluation.IsValid)
            {
                f.InvalidEvaluations++;
            }
            else if ((f.Evaluations?.Count ?? 0) < MaxEvaluationsPerSpan)
            {
                (f.Evaluations ??= []).Add(evaluation with { Nanos = nanos });
            }
        }

        return true;
    }

    /// <summary>An event's (or an evaluation log record's) attributes: only the evaluation's name, score and label are read.</summary>
    private static void ReadEvaluationAttributes(ref Utf8JsonReader r, ref EvaluationFields evaluation)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            return;
        }

        Span<char> key = stackalloc char[MaxKeyChars];
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var copied = TryCopyShort(ref r, key, out var written);
            r.Read();
            if (!copied || !TryReadEvaluationAttribute(ref r, key[..written], ref evaluation))
            {
                r.Skip();
            }
        }
    }

    /// <summary>Reads one evaluation attribute when <paramref name="key"/> names one; false (nothing read) otherwise.</summary>
    private static bool TryReadEvaluationAttribute(ref Utf8JsonReader r, scoped ReadOnlySpan<char> key, ref EvaluationFields evaluation)
    {
        if (key.SequenceEqual("gen_ai.evaluation.name"))
        {
            evaluation.Seen = true;
            evaluation.Name = r.TokenType == JsonTokenType.String && r.ValueSpan.Length <= MaxEvaluationNameBytes ? r.GetString() : null;
            evaluation.NameInvalid = evaluation.Name is not { Length: > 0 };
            SkipComposite(ref r);
            return true;
        }

        if (key.SequenceEqual("gen_ai.evaluation.score.value"))
        {
            evaluation.Seen = true;
            if (r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var score) && double.IsFinite(score) && Math.Abs(score) <= MaxEvaluationScore)
            {
                evaluation.Score = score;
            }
            else
            {
                evaluation.ScoreInvalid = r.TokenType != JsonTokenType.Null;
                SkipComposite(ref r);
            }

            return true;
        }

        if (key.SequenceEqual("gen_ai.evaluation.score.label"))
        {
            evaluation.Seen = true;
            evaluation.Label = r.TokenType == JsonTokenType.String && r.ValueSpan.Length <= MaxShortValueBytes ? r.GetString() : null;
            SkipComposite(ref r);
            return true;
        }

        return false;
    }

    private static void SkipComposite(ref Utf8JsonReader r)
    {
        if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            r.Skip();
        }
    }

    private static bool ReadSpanObject(ref Utf8JsonReader r, ref Fields f, ref Failure failure)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var known = TryLookup(ref r, TopKeys, out var key);
            r.Read();
            if (!known)
            {
                r.Skip();
                continue;
            }

            var ok = key switch
            {
                TopKey.TraceId => ReadIdentity(ref r, "traceId", f.Strings, ref f.TraceId, ref failure),
                TopKey.SpanId => ReadIdentity(ref r, "spanId", null, ref f.SpanId, ref failure),
                TopKey.ParentSpanId => ReadIdentity(ref r, "parentSpanId", null, ref f.ParentSpanId, ref failure),
                TopKey.Name => ReadIdentity(ref r, "name", f.Strings, ref f.Name, ref failure),
                TopKey.Kind => ReadKind(ref r, ref f, ref failure),
                TopKey.StartTime => ReadNanos(ref r, "startTimeUnixNano", ref f.StartNanos, ref failure),
                TopKey.EndTime => ReadNanos(ref r, "endTimeUnixNano", ref f.EndNanos, ref failure),
                TopKey.Duration => ReadNanos(ref r, "durationNano", ref f.DurationNanos, ref failure),
                TopKey.Attributes => ReadAttributes(ref r, "attributes", resource: false, ref f, ref failure),
                TopKey.Resource => ReadResource(ref r, ref f, ref failure),
                TopKey.Status => ReadStatus(ref r, ref f, ref failure),
                TopKey.Events => ReadEvents(ref r, ref f, ref failure),
                TopKey.Time => ReadNanos(ref r, "timeUnixNano", ref f.TimeNanos, ref failure),
                _ => Skip(ref r),
            };
            if (!ok)
            {
                return false;
            }
        }

        // An empty identity is as good as none.
        if (f.ParentSpanId is { Length: 0 })
        {
            f.ParentSpanId = null;
        }

        if (f.TraceId is { Length: 0 } || f.SpanId is { Length: 0 })
        {
            return Fail(ref failure, RejectReasons.MissingField, f.TraceId is { Length: 0 } ? "traceId" : "spanId");
        }

        return true;
    }

    private static bool ReadResource(ref Utf8JsonReader r, ref Fields f, ref Failure failure)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            return Fail(ref failure, RejectReasons.WrongType, "resource");
        }

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isAttributes = r.ValueTextEquals("attributes"u8);
            r.Read();
            if (!isAttributes)
            {
                r.Skip();
            }
            else if (!ReadAttributes(ref r, "resource.attributes", resource: true, ref f, ref failure))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ReadAttributes(ref Utf8JsonReader r, string path, bool resource, ref Fields f, ref Failure failure)
    {
        SpanAttribute attribute = null!;
        if (r.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            return Fail(ref failure, RejectReasons.WrongType, path);
        }

        Span<char> key = stackalloc char[MaxKeyChars];
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var copied = TryCopyShort(ref r, key, out var written);
            var known = copied && AttributeKeys.TryGetValue(key[..written], out attribute!);
            r.Read();
            if (!known && copied && !resource && TryReadEvaluationAttribute(ref r, key[..written], ref f.Evaluation))
            {
                continue;
            }

            if (!known && copied && f.DimensionNames?.OfAttribute(key[..written]) is { } dimension)
            {
                ReadDimension(ref r, (int)dimension, ref resource ? ref f.ResourceDimensions : ref f.SpanDimensions, f.Strings);
                continue;
            }

            if (!known || attribute.OnResource != resource)
            {
                // Unknown attributes (gen_ai.input.messages, gen_ai.prompt.0.content, traceloop.entity.input …)
                // are skipped unread: this is where prompt and response text lives.
                r.Skip();
                continue;
            }

            if (!ReadAttribute(ref r, attribute, ref f, ref failure))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A request dimension's value (<see cref="RequestDimensionNames"/>): a string, or a number kept as
    /// written (variants are often <c>1</c>, <c>2</c>), within the value bound; any other value is
    /// ignored and the span keeps the rest — the dimension is optional, never a reason to lose a span.
    /// </summary>
    private static void ReadDimension(ref Utf8JsonReader r, int slot, ref DimensionSlots target, Utf8StringTable? strings)
    {
        if (r.TokenType == JsonTokenType.String && r.ValueSpan.Length <= RequestDimensions.MaxValueLength)
        {
            target[slot] = strings is null ? r.GetString() : strings.GetString(ref r);
        }
        else if (r.TokenType == JsonTokenType.Number && r.ValueSpan.Length <= 32)
        {
            target[slot] = Encoding.UTF8.GetString(r.ValueSpan);
        }
        else
        {
            r.Skip();
        }
    }

    /// <summary>
    /// Reads one known attribute's value (a wrong type rejects the span whatever the attribute's
    /// precedence) and keeps it unless a key of higher precedence already set the field.
    /// </summary>
    private static bool ReadAttribute(ref Utf8JsonReader r, SpanAttribute attribute, ref Fields f, ref Failure failure)
    {
        var slot = (int)attribute.Field;
        switch (attribute.Value)
        {
            case SpanAttributeValue.Identity:
                string? text = null;
                if (!ReadIdentity(ref r, attribute.Key, f.Strings, ref text, ref failure))
                {
                    return false;
                }

                if (text is not null && f.Claim(slot, attribute.Precedence))
                {
                    f.Texts[slot] = text;
                }

                return true;
            case SpanAttributeValue.Count:
                long? count = null;
                if (!ReadCount(ref r, attribute.Key, ref count, ref failure))
                {
                    return false;
                }

                if (count is not null && f.Claim(slot, attribute.Precedence))
                {
                    f.Counts[slot] = count;
                }

                return true;
            case SpanAttributeValue.FinishReasons:
                return ReadFinishReasons(ref r, attribute.Key, ref f, ref failure);
            case SpanAttributeValue.ToolStatus:
                return ReadToolStatus(ref r, attribute.Key, ref f, ref failure);
            default:
                return Skip(ref r);
        }
    }

    private static bool ReadIdentity(ref Utf8JsonReader r, string field, Utf8StringTable? strings, ref string? target, ref Failure failure)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String when r.ValueSpan.Length <= MaxIdentityBytes:
                target = strings is null ? r.GetString() : strings.GetString(ref r);
                return true;
            default:
                return Fail(ref failure, RejectReasons.WrongType, field);
        }
    }

    private static bool ReadKind(ref Utf8JsonReader r, ref Fields f, ref Failure failure)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number when r.TryGetInt32(out var number) && number is >= 0 and <= 5:
                f.Kind = KindName(number);
                return true;
            case JsonTokenType.String:
                Span<char> buffer = stackalloc char[MaxShortValueBytes];
                if (TryCopyShort(ref r, buffer, out var written))
                {
                    var text = buffer[..written];
                    if (text.StartsWith("SPAN_KIND_", StringComparison.OrdinalIgnoreCase))
                    {
                        text = text["SPAN_KIND_".Length..];
                    }

                    for (var i = 0; i <= 5; i++)
                    {
                        if (text.Equals(KindName(i), StringComparison.OrdinalIgnoreCase))
                        {
                            f.Kind = KindName(i);
                            return true;
                        }
                    }
                }

                return Fail(ref failure, RejectReasons.WrongType, "kind");
            default:
                return Fail(ref failure, RejectReasons.WrongType, "kind");
        }
    }

    // OTLP SpanKind numbering.
    private static string KindName(int number) => number switch
    {
        1 => "INTERNAL",
        2 => "SERVER",
        3 => "CLIENT",
        4 => "PRODUCER",
        5 => "CONSUMER",
        _ => "UNSPECIFIED",
    };

    private static bool ReadStatus(ref Utf8JsonReader r, ref Fields f, ref Failure failure)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.StartObject:
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var isCode = r.ValueTextEquals("code"u8);
                    r.Read();
                    if (!isCode)
                    {
                        // status.message can quote the failing prompt or tool output: never read.
                        r.Skip();
                    }
                    else if (!ReadStatusCode(ref r, ref f, ref failure))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return ReadStatusCode(ref r, ref f, ref failure);
        }
    }

    private static bool ReadStatusCode(ref Utf8JsonReader r, ref Fields f, ref Failure failure)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number when r.TryGetInt32(out var number) && number is >= 0 and <= 2:
                f.StatusCode = number;
                return true;
            case JsonTokenType.String:
                Span<char> buffer = stackalloc char[MaxShortValueBytes];
                if (TryCopyShort(ref r, buffer, out var written))
                {
                    var text = buffer[..written];
                    if (text.StartsWith("STATUS_CODE_", StringComparison.OrdinalIgnoreCase))
                    {
                        text = text["STATUS_CODE_".Length..];
                    }

                    int? code = text switch
                    {
                        _ when text.Equals("UNSET", StringComparison.OrdinalIgnoreCase) || text.Equals("0", StringComparison.Ordinal) => 0,
                        _ when text.Equals("OK", StringComparison.OrdinalIgnoreCase) || text.Equals("1", StringComparison.Ordinal) => 1,
                        _ when text.Equals("ERROR", StringComparison.OrdinalIgnoreCase) || text.Equals("2", StringComparison.Ordinal) => 2,
                        _ => null,
                    };
                    if (code is { } c)
                    {
                        f.StatusCode = c;
                        return true;
                    }
                }

                return Fail(ref failure, RejectReasons.WrongType, "status.code");
            default:
                return Fail(ref failure, RejectReasons.WrongType, "status.code");
        }
    }

    private static bool ReadToolStatus(ref Utf8JsonReader r, string field, ref Fields f, ref Failure failure)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String:
                Span<char> buffer = stackalloc char[MaxShortValueBytes];
                if (TryCopyShort(ref r, buffer, out var written))
                {
                    var text = buffer[..written];
                    f.ToolStatusFailed = text.Equals("error", StringComparison.OrdinalIgnoreCase) ||
                                         text.Equals("failure", StringComparison.OrdinalIgnoreCase);
                }

                return true;
            default:
                return Fail(ref failure, RejectReasons.WrongType, field);
        }
    }

    private static bool ReadFinishReasons(ref Utf8JsonReader r, string field, ref Fields f, ref Failure failure)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String:
                // Some exporters flatten the array into its JSON text: "[\"stop\"]".
                if (r.ValueSpan.Length <= MaxEmbeddedFinishReasonsBytes && LooksLikeJsonArray(r.ValueSpan))
                {
                    return ReadEmbeddedFinishReasons(Encoding.UTF8.GetBytes(r.GetString()!), field, ref f, ref failure);
                }

                AddFinishReason(ref r, ref f);
                return true;
            case JsonTokenType.StartArray:
                return ReadFinishReasonArray(ref r, field, ref f, ref failure);
            default:
                return Fail(ref failure, RejectReasons.WrongType, field);
        }
    }

    /// <summary>Reads the strings of an array the reader stands at the start of; nulls are skipped, anything else is a wrong type.</summary>
    private static bool ReadFinishReasonArray(ref Utf8JsonReader r, string field, ref Fields f, ref Failure failure)
    {
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.String)
            {
                AddFinishReason(ref r, ref f);
            }
            else if (r.TokenType != JsonTokenType.Null)
            {
                return Fail(ref failure, RejectReasons.WrongType, field);
            }
        }

        return true;
    }

    private static bool LooksLikeJsonArray(ReadOnlySpan<byte> raw)
    {
        var trimmed = raw.TrimStart(" \t"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'[';
    }

    private static bool ReadEmbeddedFinishReasons(ReadOnlySpan<byte> json, string field, ref Fields f, ref Failure failure)
    {
        var inner = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 2 });
        try
        {
            if (!inner.Read() || inner.TokenType != JsonTokenType.StartArray)
            {
                return Fail(ref failure, RejectReasons.WrongType, field);
            }

            return ReadFinishReasonArray(ref inner, field, ref f, ref failure);
        }
        catch (JsonException)
        {
            return Fail(ref failure, RejectReasons.WrongType, field);
        }
    }

    private static void AddFinishReason(ref Utf8JsonReader r, ref Fields f)
    {
        // Normalised through a stack buffer: the reason is a short token, and anything long is not one.
        Span<char> buffer = stackalloc char[MaxShortValueBytes];
        var reason = TryCopyShort(ref r, buffer, out var written)
            ? FinishReasonNormalizer.Normalize(buffer[..written])
            : StopReasons.Unknown;
        (f.FinishReasons ??= []).Add(reason);
    }

    private static bool ReadCount(ref Utf8JsonReader r, string field, ref long? target, ref Failure failure)
    {
        long value;
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number:
                if (r.TryGetInt64(out value))
                {
                    break;
                }

                if (r.TryGetDouble(out var real) && real == Math.Floor(real))
                {
                    if (real is < 0 or > MaxTokenCount)
                    {
                        return Fail(ref failure, RejectReasons.InvalidTokenCount, field);
                    }

                    value = (long)real;
                    break;
                }

                return Fail(ref failure, RejectReasons.WrongType, field);
            case JsonTokenType.String:
                if (!TryReadInt64String(ref r, out value, out var overflow))
                {
                    return Fail(ref failure, overflow ? RejectReasons.InvalidTokenCount : RejectReasons.WrongType, field);
                }

                break;
            default:
                return Fail(ref failure, RejectReasons.WrongType, field);
        }

        if (value is < 0 or > MaxTokenCount)
        {
            return Fail(ref failure, RejectReasons.InvalidTokenCount, field);
        }

        target = value;
        return true;
    }

    private static bool ReadNanos(ref Utf8JsonReader r, string field, ref long? target, ref Failure failure)
    {
        long value;
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number:
                if (r.TryGetInt64(out value))
                {
                    break;
                }

                // 1.731e18-style numbers: precision beyond the microsecond is lost, which is harmless.
                if (r.TryGetDouble(out var real) && real >= long.MinValue && real <= long.MaxValue)
                {
                    value = (long)real;
                    break;
                }

                return Fail(ref failure, field == "durationNano" ? RejectReasons.InvalidDuration : RejectReasons.InvalidTimestamp, field);
            case JsonTokenType.String:
                // OTLP/JSON encodes 64-bit integers as strings.
                if (!TryReadInt64String(ref r, out value, out var overflow))
                {
                    return Fail(ref failure, overflow ? (field == "durationNano" ? RejectReasons.InvalidDuration : RejectReasons.InvalidTimestamp) : RejectReasons.WrongType, field);
                }

                break;
            default:
                return Fail(ref failure, RejectReasons.WrongType, field);
        }

        target = value;
        return true;
    }

    private static bool TryReadInt64String(ref Utf8JsonReader r, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        Span<char> buffer = stackalloc char[32];
        if (!TryCopyShort(ref r, buffer, out var written))
        {
            return false;
        }

        var digits = buffer[..written].Trim(' ');
        if (digits.Length == 0)
        {
            return false;
        }

        if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        // All digits but too large for a long: a number, just an absurd one.
        var start = digits[0] == '-' ? 1 : 0;
        overflow = digits.Length > start && !digits[start..].ContainsAnyExceptInRange('0', '9');
        return false;
    }

    private static bool TryCopyShort(ref Utf8JsonReader r, scoped Span<char> buffer, out int written)
    {
        written = 0;
        if (r.ValueSpan.Length > buffer.Length)
        {
            return false;
        }

        if (!r.ValueIsEscaped)
        {
            written = Encoding.UTF8.GetChars(r.ValueSpan, buffer);
            return true;
        }

        // Escaped short tokens are rare; the reader cannot unescape into a caller's stack buffer
        // through a by-ref reader, so take the (short, bounded) string.
        var text = r.GetString().AsSpan();
        text.CopyTo(buffer);
        written = text.Length;
        return true;
    }

    private static bool TryLookup<TKey>(ref Utf8JsonReader r, FrozenDictionary<string, TKey>.AlternateLookup<ReadOnlySpan<char>> lookup, out TKey key)
    {
        Span<char> buffer = stackalloc char[MaxKeyChars];
        if (TryCopyShort(ref r, buffer, out var written))
        {
            return lookup.TryGetValue(buffer[..written], out key!);
        }

        key = default!;
        return false;
    }

    private static bool Skip(ref Utf8JsonReader r)
    {
        r.Skip();
        return true;
    }

    private static bool Fail(ref Failure failure, string reason, string detail)
    {
        failure = new Failure(reason, detail);
        return false;
    }

    private static bool IsPlausibleTime(long nanos) => nanos >= MinPlausibleNanos && nanos <= MaxPlausibleNanos;

    private static DateTimeOffset FromUnixNanos(long nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);

    private readonly record struct Failure(string Reason, string Detail);

    /// <summary>The evaluation attributes of one event or log record.</summary>
    private record struct EvaluationFields(string? Name, double? Score, string? Label, bool Seen, bool NameInvalid, bool ScoreInvalid, long? Nanos)
    {
        public readonly bool IsSet => Seen;

        public readonly bool IsValid => Name is { Length: > 0 } && !NameInvalid && !ScoreInvalid;
    }

    private struct Fields
    {
        public Utf8StringTable? Strings;
        public string? TraceId;
        public string? SpanId;
        public string? ParentSpanId;
        public string? Name;
        public string? Kind;
        public long? StartNanos;
        public long? EndNanos;
        public long? DurationNanos;
        public int StatusCode;

        // The attribute fields, one slot per SpanAttributeField, and the precedence that set each
        // (stored plus one: 0 = not set).
        public TextSlots Texts;
        public CountSlots Counts;
        public RankSlots Ranks;
        public List<string>? FinishReasons;
        public bool ToolStatusFailed;

        // The request dimensions (RequestDimension order) from the span's attributes and its resource's.
        public RequestDimensionNames? DimensionNames;
        public DimensionSlots SpanDimensions;
        public DimensionSlots ResourceDimensions;

        // Evaluation results: the record's own attributes (an evaluation log record) and the span's events.
        public long? TimeNanos;
        public EvaluationFields Evaluation;
        public List<EvaluationFields>? Evaluations;
        public int InvalidEvaluations;

        public readonly string? Text(SpanAttributeField field) => Texts[(int)field];

        public readonly long? Count(SpanAttributeField field) => Counts[(int)field];

        /// <summary>
        /// True when a value of <paramref name="precedence"/> may set <paramref name="slot"/>:
        /// nothing set it yet, or a key of lower or equal precedence did (a repeated key: the
        /// last one wins). Records the precedence when it may.
        /// </summary>
        public bool Claim(int slot, int precedence)
        {
            var held = Ranks[slot];
            if (held != 0 && held <= precedence)
            {
                return false;
            }

            Ranks[slot] = (byte)(precedence + 1);
            return true;
        }
    }

    [InlineArray(FieldCount)]
    private struct TextSlots
    {
        private string? _element;
    }

    [InlineArray(4)]
    private struct DimensionSlots
    {
        private string? _element;
    }

    [InlineArray(FieldCount)]
    private struct CountSlots
    {
        private long? _element;
    }

    [InlineArray(FieldCount)]
    private struct RankSlots
    {
        private byte _element;
    }
}
