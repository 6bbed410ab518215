using System.Buffers.Text;
using System.IO.Compression;
using System.Text.Json;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;

namespace GenAiObs.Benchmarks;

/// <summary>What one run of the full path produced (kept so the run cannot be optimised away, and for the verification mode).</summary>
/// <param name="Result">The parsed and priced batch.</param>
/// <param name="Metrics">The metric batch (invocation or span metrics, as the function would build).</param>
/// <param name="EmfLines">EMF lines written.</param>
/// <param name="Aggregates">The coalesced DynamoDB deltas.</param>
public sealed record PipelineOutput(BatchResult Result, MetricBatch Metrics, int EmfLines, AggregateBatch Aggregates);

/// <summary>
/// The work a subscription Lambda does for one delivery, minus the network: decode (base64, gunzip,
/// envelope) → route, parse and price every record → metric builder → EMF lines to a writer →
/// aggregate deltas for DynamoDB. The same calls the invocation-log and span functions make.
/// </summary>
public sealed class Pipeline
{
    /// <summary>A fixed batch time (rejections carry no event time of their own).</summary>
    public const long BatchTimestampMs = 1_795_000_000_000;

    private readonly BatchProcessor _processor;
    private readonly EmfSerializer _emf;
    private readonly InvocationMetricsOptions _invocationOptions;
    private readonly SpanMetricsBuilder _spanMetrics;

    public Pipeline(int maxPrincipals = FunctionDefaults.MaxPrincipals)
    {
        _processor = new BatchProcessor(PriceTable.LoadDefault());
        _emf = new EmfSerializer();
        _invocationOptions = new InvocationMetricsOptions("genai-observability", maxPrincipals, "prod");
        _spanMetrics = new SpanMetricsBuilder(new SpanMetricsOptions(DefaultEnvironment: "prod"));
    }

    public PipelineOutput Run(byte[] eventJson, TextWriter emfOutput)
    {
        var result = _processor.ProcessLambdaEvent(eventJson);

        // Each function builds its own metrics: invocation logs and spans arrive on different subscriptions.
        var metrics = result.Spans.Count > 0 && result.Invocations.Count == 0
            ? _spanMetrics.Build(result, BatchTimestampMs)
            : InvocationMetricsBuilder.Build(result, _invocationOptions, BatchTimestampMs);
        var lines = _emf.WriteLines(metrics, emfOutput);
        var aggregates = AggregateBuilder.Build(result);
        return new PipelineOutput(result, metrics, lines, aggregates);
    }
}

/// <summary>The functions' default settings the pipeline is measured at.</summary>
public static class FunctionDefaults
{
    /// <summary>GENAIOBS_MAX_PRINCIPALS default.</summary>
    public const int MaxPrincipals = 20;
}

/// <summary>
/// The floor: the least any reader of the same bytes must do — base64-decode, gunzip, one
/// <see cref="Utf8JsonReader"/> pass over the envelope, and for every log event unescape its
/// message and run one bare <see cref="Utf8JsonReader"/> pass over every token of it. No parsing,
/// no allocation per record (buffers are reused across calls).
/// </summary>
public sealed class Floor
{
    private byte[] _compressed = new byte[1 << 20];
    private byte[] _payload = new byte[4 << 20];
    private byte[] _message = new byte[256 << 10];

    /// <summary>Returns the number of JSON tokens read inside messages.</summary>
    public long Run(byte[] eventJson)
    {
        var envelope = new Utf8JsonReader(eventJson);
        while (envelope.Read())
        {
            if (envelope.TokenType == JsonTokenType.PropertyName && envelope.ValueTextEquals("data"u8))
            {
                envelope.Read();
                return ReadPayload(envelope.ValueSpan);
            }
        }

        return 0;
    }

    private long ReadPayload(ReadOnlySpan<byte> base64)
    {
        EnsureSize(ref _compressed, Base64.GetMaxDecodedFromUtf8Length(base64.Length));
        Base64.DecodeFromUtf8(base64, _compressed, out _, out var compressedLength);

        var length = 0;
        using (var gzip = new GZipStream(new MemoryStream(_compressed, 0, compressedLength, writable: false), CompressionMode.Decompress))
        {
            int read;
            while ((read = gzip.Read(_payload, length, _payload.Length - length)) > 0)
            {
                length += read;
                if (length == _payload.Length)
                {
                    Array.Resize(ref _payload, _payload.Length * 2);
                }
            }
        }

        long tokens = 0;
        var reader = new Utf8JsonReader(_payload.AsSpan(0, length));
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("message"u8))
            {
                continue;
            }

            reader.Read();
            EnsureSize(ref _message, reader.ValueSpan.Length);
            var written = reader.CopyString(_message);
            var record = new Utf8JsonReader(_message.AsSpan(0, written));
            while (record.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    private static void EnsureSize(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            buffer = new byte[Math.Max(size, buffer.Length * 2)];
        }
    }
}

/// <summary>A <see cref="TextWriter"/> that only counts what it is given (EMF output in the benchmarks).</summary>
public sealed class CountingWriter : TextWriter
{
    public long Characters { get; private set; }

    public int Lines { get; private set; }

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value)
    {
        Characters++;
        if (value == '\n')
        {
            Lines++;
        }
    }

    public override void Write(string? value) => Characters += value?.Length ?? 0;

    public void Reset()
    {
        Characters = 0;
        Lines = 0;
    }
}

/// <summary>Shared, reused-per-process payloads (generation takes a moment; every mode uses the same bytes).</summary>
public static class PayloadCache
{
    private static readonly Lazy<Payload>[] Cache = Enum.GetValues<PayloadKind>()
        .Select(kind => new Lazy<Payload>(() => PayloadGenerator.Generate(kind, PayloadGenerator.DefaultRecords(kind))))
        .ToArray();

    public static Payload Get(PayloadKind kind) => Cache[(int)kind].Value;
}
