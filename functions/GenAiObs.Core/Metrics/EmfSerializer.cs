using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GenAiObs.Core.Metrics;

/// <summary>The CloudWatch Embedded Metric Format limits a document must respect.</summary>
/// <param name="MaxMetricsPerDirective">Metric definitions per <c>CloudWatchMetrics</c> directive (EMF: 100).</param>
/// <param name="MaxValuesPerMetric">Values in one metric's array (EMF: 100).</param>
/// <param name="MaxDocumentBytes">
/// UTF-8 bytes of one document line. A log event holds 256 KB (262 144 bytes); the default keeps
/// a margin for the per-event overhead CloudWatch Logs counts and the prefix a runtime may add.
/// </param>
/// <param name="MaxDimensionKeys">Keys in one dimension set (EMF: 30); further keys are dropped.</param>
/// <param name="MaxDimensionValueLength">UTF-16 characters of a dimension value (CloudWatch: 1024); longer values are truncated.</param>
public sealed record EmfLimits(
    int MaxMetricsPerDirective = 100,
    int MaxValuesPerMetric = 100,
    int MaxDocumentBytes = 256_000,
    int MaxDimensionKeys = 30,
    int MaxDimensionValueLength = 1024)
{
    /// <summary>The limits of the EMF specification.</summary>
    public static EmfLimits Default { get; } = new();
}

/// <summary>
/// Turns a <see cref="MetricBatch"/> into CloudWatch Embedded Metric Format documents, one JSON
/// object per line. Each (minute, dimension set) group becomes as few documents as the limits
/// allow: one, unless it has more than 100 metrics, a metric with more than 100 values (the values
/// are spread over several documents, so CloudWatch still sees every raw value for percentiles) or
/// more bytes than one log event holds; then the documents of a minute that hold no member with
/// different values share lines (see <see cref="WritePacked"/>). Output order is deterministic:
/// groups by minute, then by dimension names and values (ordinal); metrics by name.
/// <para>
/// Log ingestion is billed by the byte, so documents say no more than the specification needs:
/// a metric definition leaves out <c>Unit</c> when it is <c>None</c> and always leaves out
/// <c>StorageResolution</c> (the pipeline publishes standard-resolution metrics only), the
/// specification's defaults for both; and a document that defines no metric (an attribution or
/// quality document, whose members are all properties) is a plain JSON log line without the
/// <c>_aws</c> block: Logs Insights and Contributor Insights read its members the same way, and
/// CloudWatch extracts nothing from it either way.
/// </para>
/// </summary>
public sealed class EmfSerializer
{
    /// <summary>The namespace used when <c>POWERTOOLS_METRICS_NAMESPACE</c> is not set.</summary>
    public const string DefaultNamespace = "GenAI/Observability";

    // Relaxed escaping keeps non-ASCII dimension values readable UTF-8 instead of \uXXXX (the JSON
    // is never embedded in HTML); quotes, backslashes and control characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    private readonly string _namespace;
    private readonly EmfLimits _limits;

    public EmfSerializer(string metricNamespace = DefaultNamespace, EmfLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metricNamespace);
        _namespace = metricNamespace;
        _limits = limits ?? EmfLimits.Default;
        if (_limits.MaxMetricsPerDirective < 1 || _limits.MaxValuesPerMetric < 1 || _limits.MaxDimensionKeys < 0 ||
            _limits.MaxDimensionValueLength < 1 || _limits.MaxDocumentBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), "EMF limits must be positive (and at least 1 KB per document).");
        }
    }

    public string MetricNamespace => _namespace;

    /// <summary>Serialises every group of <paramref name="batch"/> into UTF-8 EMF documents (without line terminators).</summary>
    public IReadOnlyList<byte[]> Serialize(MetricBatch batch)
    {
        var documents = new List<byte[]>();
        SerializeInto(batch, document => documents.Add(document.ToArray()));
        return documents;
    }

    /// <summary>Serialises <paramref name="batch"/> and writes each document as one line.</summary>
    public int WriteLines(MetricBatch batch, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        char[] chars = [];
        var count = SerializeInto(batch, document =>
        {
            // Decoded straight from the serializer's buffer into one pooled char buffer: a line
            // becomes neither a byte[] nor a string on its way to the writer.
            if (chars.Length < document.Length + 1)
            {
                ReturnChars(chars);
                chars = ArrayPool<char>.Shared.Rent(document.Length + 1);
            }

            var length = Encoding.UTF8.GetChars(document, chars);
            chars[length] = '\n';
            output.Write(chars, 0, length + 1);
        });
        ReturnChars(chars);
        return count;
    }

    /// <summary>Hands every document to <paramref name="sink"/> (the span is valid only during the call); returns how many.</summary>
    private int SerializeInto(MetricBatch batch, DocumentSink sink)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var buffer = new ArrayBufferWriter<byte>(4096);

        // One writer for the whole batch, reset onto the buffer for every measurement and document.
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);

        var groups = batch.Groups.ToList();
        groups.Sort(static (a, b) =>
        {
            var byMinute = a.Key.Minute.CompareTo(b.Key.Minute);
            return byMinute != 0 ? byMinute : CompareDimensions(a.Key.Dimensions, b.Key.Dimensions);
        });

        // Groups are sorted by minute: the units of one minute are packed together, then written.
        var count = 0;
        var units = new List<GroupDocument>();
        foreach (var group in groups)
        {
            if (units.Count > 0 && units[0].Minute != group.Key.Minute)
            {
                count += WritePacked(units, buffer, writer, sink);
                units.Clear();
            }

            AddUnits(group.Key.Minute, group.Key.Dimensions, group.Value, buffer, writer, units);
        }

        count += WritePacked(units, buffer, writer, sink);
        return count;
    }

    private static void ReturnChars(char[] chars)
    {
        if (chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// The documents one (minute, dimension set) group needs on its own, as units for
    /// <see cref="WritePacked"/>: one, unless it has more than 100 metrics, a metric with more than
    /// 100 values or more bytes than one log event holds.
    /// </summary>
    private void AddUnits(
        long minute,
        DimensionSet dimensions,
        Dictionary<string, MetricSeries> metrics,
        ArrayBufferWriter<byte> buffer,
        Utf8JsonWriter writer,
        List<GroupDocument> units)
    {
        var dims = NormaliseDimensions(dimensions);
        var dimensionNames = new HashSet<string>(dims.Select(d => d.Key), StringComparer.Ordinal);
        var properties = NormaliseProperties(dimensions, dimensionNames, metrics);

        // Each metric's finite values, cut into chunks of at most MaxValuesPerMetric. Non-finite
        // values cannot be written as JSON numbers and CloudWatch would reject them anyway.
        var chunked = new List<(MetricSeries Series, List<double[]> Chunks)>();
        foreach (var series in metrics.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (dimensionNames.Contains(series.Name) || series.Name == "_aws")
            {
                throw new InvalidOperationException($"Metric name '{series.Name}' collides with a dimension or the _aws member.");
            }

            var values = series.Values.Where(double.IsFinite).Select(Significant).ToArray();
            if (values.Length == 0)
            {
                continue;
            }

            chunked.Add((series, values.Chunk(_limits.MaxValuesPerMetric).ToList()));
        }

        // Numeric properties alone make a plain log line (no directive); no value at all, no document.
        if (chunked.Count == 0)
        {
            return;
        }

        var hasProperties = properties.Count > 0 || chunked.Exists(c => c.Series.IsProperty);
        var baseBytes = MeasureBase(minute, dims, properties, chunked.Exists(c => !c.Series.IsProperty), buffer, writer);
        var rounds = chunked.Max(c => c.Chunks.Count);
        var pending = new List<(MetricSeries Series, double[] Values)>();
        for (var round = 0; round < rounds; round++)
        {
            // Round r holds the r-th chunk of every metric that has one: a metric appears at most
            // once per document because each metric is a single top-level member.
            pending = [];
            var size = baseBytes;
            foreach (var (series, chunks) in chunked)
            {
                if (round >= chunks.Count)
                {
                    continue;
                }

                var cost = MeasureMetric(series, chunks[round], buffer, writer);
                if (pending.Count > 0 &&
                    (pending.Count == _limits.MaxMetricsPerDirective || size + cost > _limits.MaxDocumentBytes))
                {
                    units.Add(new GroupDocument(minute, dims, properties, pending, size, hasProperties));
                    pending = [];
                    size = baseBytes;
                }

                pending.Add((series, chunks[round]));
                size += cost;
            }

            if (pending.Count > 0)
            {
                units.Add(new GroupDocument(minute, dims, properties, pending, size, hasProperties));
            }
        }
    }

    /// <summary>
    /// Writes the units of one minute as few documents as the specification allows. A unit joins
    /// an earlier document when every member both have holds the same value there (dimension
    /// values, metric values): each directive then reads exactly the members its unit had, so
    /// CloudWatch extracts the same data points (EMF specification: <c>CloudWatchMetrics</c> is an
    /// array of directives, each with an array of dimension sets, all referring to the root
    /// members). A unit with properties (an attribution or quality document) is never joined nor
    /// joined to: Logs Insights and Contributor Insights select those lines by their members, so
    /// they must keep exactly their own. Measured on the cost simulation (5 models, 40 principals,
    /// 1M invocations a month, 3.8 records a delivery): 13.2 documents and 3,695 bytes a delivery before.
    /// </summary>
    private int WritePacked(List<GroupDocument> units, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, DocumentSink sink)
    {
        var documents = new List<PackedDocument>();

        // The documents without properties, the only ones a unit may join: a large delivery has
        // thousands of attribution documents a minute but only tens of others.
        var shared = new List<PackedDocument>();
        foreach (var unit in units)
        {
            var target = unit.HasProperties ? null : shared.Find(d => d.Accepts(unit, _limits.MaxDocumentBytes));
            if (target is null)
            {
                target = new PackedDocument();
                documents.Add(target);
                if (!unit.HasProperties)
                {
                    shared.Add(target);
                }
            }

            target.Add(unit);
        }

        foreach (var document in documents)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            if (document.Units.Count == 1)
            {
                // A unit alone (every attribution document, most of a large delivery's lines) is
                // written as its own document: the same bytes without collecting directives and
                // member names.
                var unit = document.Units[0];
                WriteDocumentCore(writer, unit.Minute, unit.Dimensions, unit.Properties, unit.Metrics, unit.DefinesMetrics);
            }
            else
            {
                WritePackedDocument(writer, document);
            }

            writer.Flush();
            sink(buffer.WrittenSpan);
        }

        return documents.Count;
    }

    /// <summary>
    /// <paramref name="value"/> to 15 significant digits: counters are sums of decimal amounts in
    /// doubles, whose last bits are noise (0.0035439599999999996 for 0.00354396); 15 digits is what
    /// a double holds exactly, so nothing measured is lost and the shortest form is written.
    /// </summary>
    internal static double Significant(double value)
    {
        // Counts, tokens and whole milliseconds (most values) are integers below 10^15, which 15
        // digits write exactly: formatting and parsing them back gives the same double.
        if (Math.Abs(value) < 1e15 && Math.Floor(value) == value)
        {
            return value;
        }

        Span<char> text = stackalloc char[32];
        return value.TryFormat(text, out var written, "G15", CultureInfo.InvariantCulture)
            ? double.Parse(text[..written], CultureInfo.InvariantCulture)
            : value;
    }

    private List<KeyValuePair<string, string>> NormaliseDimensions(DimensionSet dimensions)
    {
        var result = new List<KeyValuePair<string, string>>(Math.Min(dimensions.Pairs.Count, _limits.MaxDimensionKeys));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in dimensions.DimensionPairs)
        {
            if (result.Count == _limits.MaxDimensionKeys)
            {
                break;
            }

            if (seen.Add(name))
            {
                result.Add(new(name, Truncate(value, _limits.MaxDimensionValueLength)));
            }
        }

        return result;
    }

    /// <summary>
    /// The string properties of the group (after its dimensions): truncated like dimension values,
    /// and left out when their name is a dimension's, a metric's or <c>_aws</c>.
    /// </summary>
    private List<KeyValuePair<string, string>> NormaliseProperties(DimensionSet dimensions, HashSet<string> dimensionNames, Dictionary<string, MetricSeries> metrics)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in dimensions.PropertyPairs)
        {
            // A group has a handful of properties: a scan of the kept ones is cheaper than a copy
            // of the dimension names into a set for every group.
            if (name != "_aws" && !metrics.ContainsKey(name) && !dimensionNames.Contains(name) && !result.Exists(p => p.Key == name))
            {
                result.Add(new(name, Truncate(value, _limits.MaxDimensionValueLength)));
            }
        }

        return result;
    }

    /// <summary>Cuts <paramref name="value"/> to at most <paramref name="maxLength"/> chars without splitting a surrogate pair.</summary>
    internal static string Truncate(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        var cut = maxLength;
        if (char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;
        }

        return value[..cut];
    }

    /// <summary>Bytes of a document with no metric member: with the <c>_aws</c> block when <paramref name="withDirective"/> (an upper bound for any document of the group).</summary>
    private int MeasureBase(long minute, List<KeyValuePair<string, string>> dims, List<KeyValuePair<string, string>> properties, bool withDirective, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        WriteDocumentCore(writer, minute, dims, properties, [], withDirective);
        writer.Flush();
        return buffer.WrittenCount;
    }

    /// <summary>Bytes one metric adds to a document: its definition, its member and two commas.</summary>
    private static int MeasureMetric(MetricSeries series, double[] values, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartArray();
        WriteDefinition(writer, series);
        writer.WriteStartObject();
        WriteMember(writer, series.Name, values);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.Flush();

        // The measuring wrapper "[" + def + "," + "{" + member + "}" + "]" costs 5 bytes that the
        // real document does not have, and the real document needs 2 commas: a safe upper bound.
        return buffer.WrittenCount - 5 + 2;
    }

    /// <summary>
    /// One packed document: the <c>_aws</c> block with one directive per distinct list of metric
    /// definitions (each naming the dimension sets of the units that share it), then every member
    /// once. A document whose units define no metric is a plain JSON line.
    /// </summary>
    private void WritePackedDocument(Utf8JsonWriter writer, PackedDocument document)
    {
        writer.WriteStartObject();
        var directives = document.Directives();
        if (directives.Count > 0)
        {
            writer.WriteStartObject("_aws");
            writer.WriteNumber("Timestamp", document.Units[0].Minute);
            writer.WriteStartArray("CloudWatchMetrics");
            foreach (var (dimensionSets, definitions) in directives)
            {
                writer.WriteStartObject();
                writer.WriteString("Namespace", _namespace);
                writer.WriteStartArray("Dimensions");
                foreach (var set in dimensionSets)
                {
                    writer.WriteStartArray();
                    foreach (var name in set)
                    {
                        writer.WriteStringValue(name);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("Metrics");
                foreach (var series in definitions)
                {
                    WriteDefinition(writer, series);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var unit in document.Units)
        {
            foreach (var (name, value) in unit.Dimensions)
            {
                if (written.Add(name))
                {
                    writer.WriteString(name, value);
                }
            }

            foreach (var (name, value) in unit.Properties)
            {
                if (written.Add(name))
                {
                    writer.WriteString(name, value);
                }
            }

            foreach (var (series, values) in unit.Metrics)
            {
                if (written.Add(series.Name))
                {
                    WriteMember(writer, series.Name, values);
                }
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>One document; without <paramref name="withDirective"/> a plain JSON line of the same members (no metric to define).</summary>
    private void WriteDocumentCore(
        Utf8JsonWriter writer,
        long minute,
        List<KeyValuePair<string, string>> dims,
        List<KeyValuePair<string, string>> properties,
        List<(MetricSeries Series, double[] Values)> metrics,
        bool withDirective)
    {
        writer.WriteStartObject();
        if (withDirective)
        {
            WriteDirective(writer, minute, dims, metrics);
        }

        foreach (var (name, value) in dims)
        {
            writer.WriteString(name, value);
        }

        foreach (var (name, value) in properties)
        {
            writer.WriteString(name, value);
        }

        foreach (var (series, values) in metrics)
        {
            WriteMember(writer, series.Name, values);
        }

        writer.WriteEndObject();
    }

    private void WriteDirective(Utf8JsonWriter writer, long minute, List<KeyValuePair<string, string>> dims, List<(MetricSeries Series, double[] Values)> metrics)
    {
        writer.WriteStartObject("_aws");
        writer.WriteNumber("Timestamp", minute);
        writer.WriteStartArray("CloudWatchMetrics");
        writer.WriteStartObject();
        writer.WriteString("Namespace", _namespace);
        writer.WriteStartArray("Dimensions");
        writer.WriteStartArray();
        foreach (var (name, _) in dims)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteEndArray();
        writer.WriteStartArray("Metrics");
        foreach (var (series, _) in metrics)
        {
            if (!series.IsProperty)
            {
                WriteDefinition(writer, series);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>{"Name":…}</c>, plus <c>"Unit"</c> unless it is <c>None</c>. The EMF specification makes
    /// both <c>Unit</c> (default <c>None</c>) and <c>StorageResolution</c> (default 60, standard
    /// resolution) optional: writing the defaults cost 40 bytes a definition and said nothing.
    /// </summary>
    private static void WriteDefinition(Utf8JsonWriter writer, MetricSeries series)
    {
        writer.WriteStartObject();
        writer.WriteString("Name", series.Name);
        if (series.Unit != MetricUnit.None)
        {
            writer.WriteString("Unit", UnitName(series.Unit));
        }

        writer.WriteEndObject();
    }

    private static void WriteMember(Utf8JsonWriter writer, string name, double[] values)
    {
        // A single value is written as a number, several as an array: both are valid EMF targets.
        if (values.Length == 1)
        {
            writer.WriteNumber(name, values[0]);
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>The EMF <c>Unit</c> string of <paramref name="unit"/>.</summary>
    public static string UnitName(MetricUnit unit) => unit switch
    {
        MetricUnit.Count => "Count",
        MetricUnit.Milliseconds => "Milliseconds",
        _ => "None",
    };

    private static int CompareDimensions(DimensionSet a, DimensionSet b)
    {
        if (a.DimensionCount != b.DimensionCount)
        {
            return a.DimensionCount.CompareTo(b.DimensionCount);
        }

        var count = Math.Min(a.Pairs.Count, b.Pairs.Count);
        for (var i = 0; i < count; i++)
        {
            var byName = string.CompareOrdinal(a.Pairs[i].Key, b.Pairs[i].Key);
            if (byName != 0)
            {
                return byName;
            }

            var byValue = string.CompareOrdinal(a.Pairs[i].Value, b.Pairs[i].Value);
            if (byValue != 0)
            {
                return byValue;
            }
        }

        return a.Pairs.Count.CompareTo(b.Pairs.Count);
    }
}
