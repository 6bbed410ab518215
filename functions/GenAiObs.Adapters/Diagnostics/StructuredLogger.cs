using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GenAiObs.Adapters.Diagnostics;

/// <summary>
/// The functions' own diagnostics: one JSON object per line with <c>timestamp</c>, <c>level</c>,
/// <c>service</c>, <c>message</c> and optionally <c>requestId</c>, <c>errorType</c>, <c>counts</c>
/// and <c>reasons</c>. Callers pass constant messages and numbers only — never record content
/// (prompts, responses, dimension values from requestMetadata) and never exception messages of
/// parsers, which can quote the input.
/// </summary>
public sealed class StructuredLogger
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> StandardProperties =
        new(["timestamp", "level", "service", "message", "requestId", "errorType", "counts", "reasons"], StringComparer.Ordinal);

    private readonly TextWriter _output;
    private readonly DiagnosticLevel _minimum;
    private readonly TimeProvider _time;
    private readonly string _service;
    private readonly Lock _writeLock = new();

    public StructuredLogger(TextWriter output, DiagnosticLevel minimum, TimeProvider time, string service)
    {
        _output = output;
        _minimum = minimum;
        _time = time;
        _service = service;
    }

    public DiagnosticLevel MinimumLevel => _minimum;

    public bool IsEnabled(DiagnosticLevel level) => level != DiagnosticLevel.None && level >= _minimum;

    public void Debug(string message, string? requestId = null, IEnumerable<KeyValuePair<string, long>>? counts = null) =>
        Log(DiagnosticLevel.Debug, message, requestId, counts);

    public void Info(string message, string? requestId = null, IEnumerable<KeyValuePair<string, long>>? counts = null, IEnumerable<KeyValuePair<string, long>>? reasons = null) =>
        Log(DiagnosticLevel.Information, message, requestId, counts, reasons);

    public void Warn(string message, string? requestId = null, IEnumerable<KeyValuePair<string, long>>? counts = null, IEnumerable<KeyValuePair<string, long>>? reasons = null) =>
        Log(DiagnosticLevel.Warning, message, requestId, counts, reasons);

    public void Error(string message, string? requestId = null, string? errorType = null) =>
        Log(DiagnosticLevel.Error, message, requestId, errorType: errorType);

    public void Log(
        DiagnosticLevel level,
        string message,
        string? requestId = null,
        IEnumerable<KeyValuePair<string, long>>? counts = null,
        IEnumerable<KeyValuePair<string, long>>? reasons = null,
        string? errorType = null) =>
        Write(level, message, requestId, counts, reasons, errorType, fields: null);

    /// <summary>
    /// A line with string <paramref name="fields"/> beside the standard ones (names such as
    /// <c>receiver</c>, <c>notificationId</c>, <c>status</c>). Identifiers and statuses only —
    /// never record content, alert text or secrets. A field named like a standard property is dropped.
    /// </summary>
    public void LogFields(DiagnosticLevel level, string message, IEnumerable<KeyValuePair<string, string?>> fields, string? requestId = null, string? errorType = null) =>
        Write(level, message, requestId, counts: null, reasons: null, errorType, fields);

    private void Write(
        DiagnosticLevel level,
        string message,
        string? requestId,
        IEnumerable<KeyValuePair<string, long>>? counts,
        IEnumerable<KeyValuePair<string, long>>? reasons,
        string? errorType,
        IEnumerable<KeyValuePair<string, string?>>? fields)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("timestamp", _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("level", DiagnosticLevels.Name(level));
            writer.WriteString("service", _service);
            writer.WriteString("message", message);
            if (requestId is not null)
            {
                writer.WriteString("requestId", requestId);
            }

            if (errorType is not null)
            {
                writer.WriteString("errorType", errorType);
            }

            if (fields is not null)
            {
                foreach (var (name, value) in fields)
                {
                    if (!StandardProperties.Contains(name))
                    {
                        writer.WriteString(name, value);
                    }
                }
            }

            WriteNumbers(writer, "counts", counts);
            WriteNumbers(writer, "reasons", reasons);
            writer.WriteEndObject();
        }

        // One Write call per line so concurrent writers never interleave inside a line.
        var line = string.Concat(Encoding.UTF8.GetString(buffer.WrittenSpan), "\n");
        lock (_writeLock)
        {
            _output.Write(line);
            _output.Flush();
        }
    }

    private static void WriteNumbers(Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, long>>? values)
    {
        if (values is null)
        {
            return;
        }

        writer.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            writer.WriteNumber(key, value);
        }

        writer.WriteEndObject();
    }
}
