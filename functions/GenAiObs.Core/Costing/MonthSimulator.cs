using System.Globalization;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Cardinality;
using GenAiObs.Core.Metrics;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Quality;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Costing;

/// <summary>
/// Replays a sample of priced records as a month of traffic through the processors' real
/// builders — <see cref="InvocationMetricsBuilder"/>, <see cref="SpanMetricsBuilder"/>,
/// <see cref="EmfSerializer"/> and <see cref="AggregateBuilder"/> — and measures what the observer
/// would be billed for: EMF documents and bytes, custom metrics from the EMF actually written,
/// Contributor Insights matches, DynamoDB write units and Lambda time. Quality signals go through
/// the real join (<see cref="QualityAggregation"/>, against the entries the simulated deliveries
/// wrote) and <see cref="QualityMetricsBuilder"/>: evaluation results on the sample's spans, and,
/// with <see cref="CostScenario.RequestIndex"/> (feedback subscribed), the sample's feedback events.
/// Pure: no clock, no I/O.
/// </summary>
public static class MonthSimulator
{
    public const double HoursPerMonth = 730;

    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Simulates <paramref name="scenario"/> with the records of the sample.</summary>
    /// <exception cref="ArgumentException">The sample has no invocation records, or the scenario is not positive.</exception>
    /// <param name="invocations">The sample's invocation records.</param>
    /// <param name="spans">The sample's spans (empty: span processing off).</param>
    /// <param name="scenario">The traffic to simulate.</param>
    /// <param name="footprint">The template's assumptions (default <see cref="ObserverFootprint.Default"/>).</param>
    /// <param name="feedback">The sample's feedback events, delivered at their rate per invocation when <see cref="CostScenario.RequestIndex"/> is on.</param>
    public static MonthUsage Simulate(IReadOnlyList<PricedInvocation> invocations, IReadOnlyList<PricedSpan> spans, CostScenario scenario, ObserverFootprint? footprint = null, IReadOnlyList<FeedbackRecord>? feedback = null)
    {
        ArgumentNullException.ThrowIfNull(invocations);
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(scenario);
        footprint ??= ObserverFootprint.Default;
        if (invocations.Count == 0)
        {
            throw new ArgumentException("the sample holds no model invocation records", nameof(invocations));
        }

        if (scenario.InvocationsPerMonth <= 0 || scenario.SimulatedHours <= 0 || scenario.DeliveryWindowSeconds <= 0 ||
            scenario.Models <= 0 || scenario.Principals <= 0 || scenario.Teams <= 0)
        {
            throw new ArgumentException("invocations per month, simulated hours, the delivery window and remapped counts must be positive", nameof(scenario));
        }

        using var writer = new CountingWriter();
        var run = new Run(scenario, footprint, writer);
        var random = new Random(scenario.Seed);
        var spansPerInvocation = (double)spans.Count / invocations.Count;

        // Feedback arrives only through the FeedbackLogGroupName subscription, which is what turns the request index on.
        var ratings = scenario.RequestIndex ? feedback ?? [] : [];
        var feedbackPerInvocation = (double)ratings.Count / invocations.Count;
        var batchFeedback = new List<FeedbackRecord>();
        long nextFeedback = 0;
        var spacingMs = HoursPerMonth * 3_600_000 / scenario.InvocationsPerMonth;
        var windowMs = scenario.DeliveryWindowSeconds * 1000L;
        var totalMs = scenario.SimulatedHours * 3_600_000L;
        var batchInvocations = new List<PricedInvocation>();
        var batchSpans = new List<PricedSpan>();
        long nextInvocation = 0, nextSpan = 0;
        for (long window = 0; window < totalMs; window += windowMs)
        {
            batchInvocations.Clear();
            while (nextInvocation * spacingMs < window + windowMs)
            {
                var time = Start.AddMilliseconds(nextInvocation * spacingMs);
                batchInvocations.Add(Remap(invocations[(int)(nextInvocation % invocations.Count)], time, scenario, random));
                nextInvocation++;
            }

            batchSpans.Clear();
            while (spans.Count > 0 && nextSpan < (long)Math.Floor(nextInvocation * spansPerInvocation))
            {
                var span = spans[(int)(nextSpan % spans.Count)];
                var end = Start.AddMilliseconds(window + (windowMs / 2));
                var evaluations = span.Span.Evaluations.Count == 0 ? span.Span.Evaluations : span.Span.Evaluations.Select(e => e with { Timestamp = end }).ToList();
                batchSpans.Add(span with { Span = span.Span with { End = end, Evaluations = evaluations } });
                nextSpan++;
            }

            batchFeedback.Clear();
            while (ratings.Count > 0 && nextFeedback < (long)Math.Floor(nextInvocation * feedbackPerInvocation))
            {
                batchFeedback.Add(ratings[(int)(nextFeedback % ratings.Count)] with { Timestamp = Start.AddMilliseconds(window + (windowMs / 2)) });
                nextFeedback++;
            }

            var deliveryEnd = Start.AddMilliseconds(window + windowMs).ToUnixTimeMilliseconds();
            run.EvaluatorRunsBefore(DateTimeOffset.FromUnixTimeMilliseconds(deliveryEnd));
            if (batchInvocations.Count > 0)
            {
                run.InvocationDelivery(batchInvocations, deliveryEnd);
            }

            if (batchSpans.Count > 0)
            {
                run.SpanDelivery(batchSpans, deliveryEnd);
            }

            if (batchFeedback.Count > 0)
            {
                run.FeedbackDelivery(batchFeedback, deliveryEnd);
            }
        }

        run.FlushWindow();
        run.EvaluatorRunsBefore(Start.AddMilliseconds(totalMs + 1));
        return run.Result();
    }

    /// <summary>A sample record re-stamped at <paramref name="time"/>, with model, principal and team remapped as the scenario asks.</summary>
    private static PricedInvocation Remap(PricedInvocation sample, DateTimeOffset time, CostScenario scenario, Random random)
    {
        var record = sample.Record with { Timestamp = time, EventId = "sim" };

        // Being unpriced belongs to a model: a sample call the price table does not know keeps its
        // own model id, or every remapped (priced) model would also publish UnpricedInvocations.
        if (scenario.Models is { } models && !sample.Unpriced)
        {
            record = record with { ModelId = "model-" + random.Next(models).ToString("D3", CultureInfo.InvariantCulture) };
        }

        if (scenario.Principals is { } principals)
        {
            record = record with { Principal = "role/principal-" + Skewed(random, principals).ToString("D4", CultureInfo.InvariantCulture) };
        }

        if (scenario.Teams is { } teams)
        {
            var metadata = new Dictionary<string, string>(record.RequestMetadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                ["team"] = "team-" + Skewed(random, teams).ToString("D3", CultureInfo.InvariantCulture),
            };
            record = record with { RequestMetadata = metadata };
        }

        return sample with { Record = record };
    }

    /// <summary>0 … count − 1, low values far more often (u² draw): a few principals spend most.</summary>
    private static int Skewed(Random random, int count) => Math.Min(count - 1, (int)(Math.Pow(random.NextDouble(), 2) * count));

    /// <summary>The counters of one simulation.</summary>
    private sealed class Run
    {
        private readonly CostScenario _scenario;
        private readonly ObserverFootprint _footprint;
        private readonly InvocationMetricsOptions _invocationOptions;
        private readonly SpanMetricsBuilder _spanBuilder;
        private readonly EmfSerializer _serializer = new();
        private readonly CountingWriter _writer;
        private readonly HashSet<(string Metric, long Hour)> _metricHours = [];
        private readonly HashSet<string> _metrics = new(StringComparer.Ordinal);
        private readonly Dictionary<string, HashSet<string>> _propertyValues = new(StringComparer.Ordinal);
        private readonly DynamoDbWriteEstimator _table = new();
        private readonly MaintenanceSimulation _maintenance;

        // The join index as the simulated deliveries wrote it (latest entry per id), so lookups find what they would.
        private readonly Dictionary<string, IndexedRequest> _joinIndex = new(StringComparer.Ordinal);
        private long _feedback, _feedbackDeliveries, _joinReadUnits;
        private readonly List<AggregateBatch> _window = [];
        private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
        private long _deltaWriteUnits, _deltaBytes, _deltas, _rollupWriteUnits, _rollupReadUnits, _pendingReadUnits;
        private long _invocations, _spans, _invocationDeliveries, _spanDeliveries, _documents, _bytes, _principalMatches, _errorMatches;
        private double _gbSeconds;
        private decimal _spend;
        private int _batch;

        public Run(CostScenario scenario, ObserverFootprint footprint, CountingWriter writer)
        {
            _writer = writer;
            _scenario = scenario;
            _footprint = footprint;
            _maintenance = new MaintenanceSimulation(Start, scenario.AggregateWrites);
            _invocationOptions = new InvocationMetricsOptions(scenario.ServiceName, scenario.MaxPrincipals, scenario.Environment);
            _spanBuilder = new SpanMetricsBuilder(new SpanMetricsOptions(DefaultEnvironment: scenario.Environment, PipelineServiceName: scenario.ServiceName));
        }

        public void InvocationDelivery(List<PricedInvocation> invocations, long timestampMs)
        {
            _invocationDeliveries++;
            _invocations += invocations.Count;
            foreach (var invocation in invocations)
            {
                _spend += invocation.CostUsd;
            }

            var batch = InvocationMetricsBuilder.Build(invocations, [], _invocationOptions, timestampMs);
            Emit(batch);
            var updates = Aggregate(AggregateBuilder.Build(NextBatchId(), invocations, []));
            var delivery = new BatchResult { BatchId = string.Empty };
            delivery.Invocations.AddRange(invocations);
            Index(QualityAggregation.IndexEntries(delivery, _scenario.RequestIndex));
            Bill(invocations.Count, updates);
        }

        /// <summary>A span delivery: its metrics, trace entries (always written), and its evaluation events joined and written as quality documents.</summary>
        public void SpanDelivery(List<PricedSpan> spans, long timestampMs)
        {
            _spanDeliveries++;
            _spans += spans.Count;
            var delivery = new BatchResult { BatchId = string.Empty };
            delivery.Spans.AddRange(spans);
            Index(QualityAggregation.IndexEntries(delivery));
            var quality = Join(delivery);
            Emit(QualityMetricsBuilder.AddTo(_spanBuilder.Build(spans, [], timestampMs), quality.Signals, _spanBuilder.PipelineServiceName));
            var updates = Aggregate(quality.AddTo(AggregateBuilder.Build(NextBatchId(), [], spans)));
            Bill(spans.Count, updates);
        }

        /// <summary>A delivery of the feedback log group to the invocation-log processor: one lookup, the quality documents and deltas.</summary>
        public void FeedbackDelivery(List<FeedbackRecord> feedback, long timestampMs)
        {
            _feedbackDeliveries++;
            _feedback += feedback.Count;
            var delivery = new BatchResult { BatchId = string.Empty };
            delivery.Feedback.AddRange(feedback);
            var quality = Join(delivery);
            Emit(QualityMetricsBuilder.AddTo(InvocationMetricsBuilder.Build([], [], _invocationOptions, timestampMs), quality.Signals, _scenario.ServiceName));
            var updates = Aggregate(quality.AddTo(AggregateBuilder.Build(NextBatchId(), [], [])));
            Bill(feedback.Count, updates);
        }

        private void Index(IReadOnlyList<IndexedRequest> entries)
        {
            _table.ApplyJoinEntries(entries.Count);
            foreach (var entry in entries)
            {
                _joinIndex[entry.Id] = entry;
            }
        }

        /// <summary>The real join against the simulated index; each key looked up costs one strongly consistent read unit (items are far below 4 KB).</summary>
        private QualityDeltas Join(BatchResult delivery)
        {
            if (!delivery.HasQualitySignals)
            {
                return QualityDeltas.Empty;
            }

            var ids = QualityAggregation.LookupIds(delivery);
            _joinReadUnits += ids.Count;
            var found = new Dictionary<string, IndexedRequest>(StringComparer.Ordinal);
            foreach (var id in ids)
            {
                if (_joinIndex.TryGetValue(id, out var entry))
                {
                    found[id] = entry;
                }
            }

            return QualityAggregation.Build(delivery, found, QualityAggregation.DefaultWindow);
        }

        /// <summary>The evaluator's runs (every 5 minutes) before <paramref name="time"/>: its aggregate maintenance.</summary>
        public void EvaluatorRunsBefore(DateTimeOffset time) => _maintenance.RunUntil(time);

        public MonthUsage Result()
        {
            var scale = HoursPerMonth / _scenario.SimulatedHours;

            // Maintenance as the runs did it; the marks direct writes leave are billed with it (deferred
            // writes bill theirs in the delta roll-up). A day's roll-up the simulated hours do not reach
            // the end of is measured once over them and billed once a day, its source reads scaled to 24 hours.
            var meter = _maintenance.Meter;
            double maintenanceReads = meter.ReadUnits * scale;
            double maintenanceWrites = (meter.WriteUnits + (_scenario.AggregateWrites == AggregateWriteMode.Direct ? meter.MarkWriteUnits : 0)) * scale;
            double itemWrites = (meter.HourlyItemWrites + meter.DailyItemWrites) * scale;
            if (_scenario.SimulatedHours < 24)
            {
                var day = _maintenance.MeasureDayRollup(DateOnly.FromDateTime(Start.UtcDateTime));
                const double DaysPerMonth = HoursPerMonth / 24;
                maintenanceReads += ((day.SourceReadUnits * 24.0 / _scenario.SimulatedHours) + day.TargetReadUnits) * DaysPerMonth;
                maintenanceWrites += day.RollupWriteUnits * DaysPerMonth;
                itemWrites += day.DailyItemWrites * DaysPerMonth;
            }

            var deliveries = _invocationDeliveries + _spanDeliveries + _feedbackDeliveries;
            return new MonthUsage
            {
                Scenario = _scenario,
                Invocations = _invocations * scale,
                Spans = _spans * scale,
                Feedback = _feedback * scale,
                JoinReadUnits = _joinReadUnits * scale,
                Deliveries = deliveries * scale,
                RecordsPerDelivery = _invocationDeliveries == 0 ? 0 : (double)_invocations / _invocationDeliveries,
                EmfDocuments = _documents * scale,
                EmfBytes = _bytes * scale,
                BilledMetricMonths = _metricHours.Count * scale / HoursPerMonth,
                DistinctCustomMetrics = _metrics.Count,
                DistinctPropertyValues = _propertyValues.ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.Ordinal),
                PrincipalRuleMatches = _principalMatches * scale,
                ErrorRuleMatches = _errorMatches * scale,
                UpdateItems = _table.UpdateItems * scale,
                WriteUnits = (_table.WriteUnits - _rollupItemWriteUnits) * scale,
                DeltaWriteUnits = _deltaWriteUnits * scale,
                DeltaBytesPerDelivery = _deltas == 0 ? 0 : (double)_deltaBytes / _deltas,
                RollupWriteUnits = _rollupWriteUnits * scale,
                RollupReadUnits = _rollupReadUnits * scale,
                PendingReadUnits = _pendingReadUnits * scale,
                MaintenanceRuns = _maintenance.Runs * scale,
                MaintenanceReadUnits = maintenanceReads,
                MaintenanceWriteUnits = maintenanceWrites,
                MaintenanceItemWrites = itemWrites,

                // 5-minute items live 3 days (AggregateRetention); the hourly and daily rollups are a small fraction of them.
                StoredBytes = _table.ItemBytesWritten / (double)_scenario.SimulatedHours * 72,
                ProcessorGbSeconds = _gbSeconds * scale,
                BedrockSpendUsd = _spend * (decimal)scale,
            };
        }

        private long _rollupItemWriteUnits;

        /// <summary>
        /// A delivery's aggregate writes; returns the write requests the processor sends. Direct: one
        /// UpdateItem per item. Deferred: one delta PutItem sized by the real encoding (pk, sk = batch
        /// id, the delta, expiresAt); the delta joins its window, which the roll-up applies once.
        /// </summary>
        private int Aggregate(AggregateBatch batch)
        {
            _maintenance.Deliver(batch);
            if (_scenario.AggregateWrites == AggregateWriteMode.Direct)
            {
                return _table.Apply(batch);
            }

            var window = DeferredAggregation.WindowOf(batch);
            if (window != _windowStart)
            {
                FlushWindow();
                _windowStart = window;
            }

            var bytes = AggregateBatchCodec.Encode(batch).Length;
            var itemBytes = 2 + 20 + 2 + 32 + 5 + bytes + 9 + 6;
            _deltas++;
            _deltaBytes += bytes;
            _deltaWriteUnits += (itemBytes + 1023) / 1024;
            _window.Add(batch);
            _windowDeltaBytes += itemBytes;
            return 1;
        }

        private long _windowDeltaBytes;

        /// <summary>
        /// The roll-up of the current window: one Query (strongly consistent, 4 KB a read unit), the merged
        /// items folded per bucket as the evaluator folds them (the builder's default limits) and written as
        /// the store writes them (<see cref="DynamoDbWriteEstimator.ApplyWindow"/>: one packed item per fine
        /// bucket, session and trace keys per key), an hour mark and the watermark; and the rules' reads of
        /// it while pending.
        /// </summary>
        public void FlushWindow()
        {
            if (_window.Count == 0)
            {
                return;
            }

            var merged = _table.ApplyWindow(DeferredAggregation.Merge(DeferredAggregation.RollupBatchId(_windowStart), _window, CardinalityLimits.Default));
            _rollupItemWriteUnits += merged;
            _rollupWriteUnits += merged + 2;
            _rollupReadUnits += Math.Max(1, (_windowDeltaBytes + 4095) / 4096);

            // Before its roll-up a window is pending in two evaluator runs (at its start and 5 minutes
            // later): the rules' read-through queries it once nearly empty and once whole.
            _pendingReadUnits += 1 + Math.Max(1, (_windowDeltaBytes + 4095) / 4096);
            _window.Clear();
            _windowDeltaBytes = 0;
        }

        private string NextBatchId() => "sim-" + (++_batch).ToString(CultureInfo.InvariantCulture);

        private void Emit(MetricBatch batch)
        {
            _writer.Reset();
            _documents += _serializer.WriteLines(batch, _writer);
            _bytes += _writer.Bytes;
            foreach (var ((minute, dimensions), series) in batch.Groups)
            {
                var hour = minute / 3_600_000;
                var dimensionText = string.Join("|", dimensions.DimensionPairs.Select(p => p.Key + "=" + p.Value));
                // A group is written when it has a value (a plain line when all its values are properties).
                var written = false;
                foreach (var metric in series.Values)
                {
                    if (!metric.Values.Exists(double.IsFinite))
                    {
                        continue;
                    }

                    written = true;
                    if (metric.IsProperty)
                    {
                        continue;
                    }

                    var key = metric.Name + "|" + dimensionText;
                    _metrics.Add(key);
                    _metricHours.Add((key, hour));
                }

                // Attribution documents only (quality documents carry Signal; no rule or tally reads them).
                if (!written || dimensions.DimensionCount == dimensions.Pairs.Count || dimensions.PropertyPairs.Any(p => p.Key == QualityMetricNames.SignalProperty))
                {
                    continue;
                }

                foreach (var (name, value) in dimensions.PropertyPairs)
                {
                    if (!_propertyValues.TryGetValue(name, out var values))
                    {
                        _propertyValues[name] = values = new HashSet<string>(StringComparer.Ordinal);
                    }

                    values.Add(value);
                }

                // The Contributor Insights rules' filters (template.yaml; InsightRuleTests checks they match these documents).
                if (dimensions.PropertyPairs.Any(p => p.Key == MetricDimensions.Principal))
                {
                    _principalMatches++;
                }

                if (series.TryGetValue(InvocationMetricNames.InvocationErrorsProperty, out var errors) && errors.IsProperty && errors.Values.Sum() > 0)
                {
                    _errorMatches++;
                }
            }
        }

        private void Bill(int records, int updateItems)
        {
            // Lambda bills duration rounded up to the millisecond.
            _gbSeconds += Math.Ceiling(_footprint.ProcessorMillisecondsFor(records, updateItems)) / 1000 * _footprint.FunctionMemoryMb / 1024;
        }
    }

    /// <summary>Counts the UTF-8 bytes written (EMF lines are ASCII-heavy JSON; non-ASCII is counted exactly).</summary>
    private sealed class CountingWriter : TextWriter
    {
        public long Bytes { get; private set; }

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public void Reset() => Bytes = 0;

        public override void Write(char value) => Bytes += value < 0x80 ? 1 : System.Text.Encoding.UTF8.GetByteCount([value]);

        public override void Write(char[] buffer, int index, int count) => Bytes += System.Text.Encoding.UTF8.GetByteCount(buffer, index, count);
    }
}
