using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.DynamoDb;
using GenAiObs.Core.Aggregation;
using GenAiObs.Core.Quality;

namespace GenAiObs.Cli.Commands;

/// <summary>
/// <c>genaiobs report --json --from T1 --to T2 [--table NAME] [--endpoint URL]</c>: reads the fine
/// (5-minute) aggregates whose buckets start in the UTC range [T1, T2) back from DynamoDB and
/// prints them in the shape of <c>replay --json</c>'s <c>invocations</c> and <c>spans</c> objects.
/// <c>--compare variant</c> adds the pairwise A/B comparison of every feature's arms
/// (<see cref="VariantComparison"/>): the <c>comparisons</c> array with <c>--json</c>, one verdict
/// line per pair without. Deferred aggregate writes are read through: the deltas of the windows
/// the evaluator has not rolled up yet are added (<see cref="PendingDeltaAggregateReader"/>; a
/// table written directly has none), so the report is as fresh as with direct writes.
/// </summary>
public sealed class ReportCommand
{
    private readonly CliEnvironment _environment;
    private readonly Func<StoreCommandOptions, IAggregateStore>? _storeFactory;
    private readonly TimeProvider _time;

    public ReportCommand(CliEnvironment environment)
        : this(environment, null)
    {
    }

    internal ReportCommand(CliEnvironment environment, Func<StoreCommandOptions, IAggregateStore>? storeFactory, TimeProvider? time = null)
    {
        _environment = environment;
        _storeFactory = storeFactory;
        _time = time ?? TimeProvider.System;
    }

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? table = null, endpoint = null;
        DateTimeOffset? from = null, to = null;
        var json = false;
        var compare = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--from":
                    from = ParseTime(args[i], StoreCommandOptions.ValueOf(args, ref i));
                    break;
                case "--to":
                    to = ParseTime(args[i], StoreCommandOptions.ValueOf(args, ref i));
                    break;
                case "--table":
                    table = StoreCommandOptions.ValueOf(args, ref i);
                    break;
                case "--endpoint":
                    endpoint = StoreCommandOptions.ValueOf(args, ref i);
                    break;
                case "--compare":
                    var what = StoreCommandOptions.ValueOf(args, ref i);
                    compare = what == "variant" ? true : throw new CliUsageException($"--compare takes 'variant', not '{what}'");
                    break;
                default:
                    throw new CliUsageException($"unknown argument '{args[i]}'");
            }
        }

        if (from is null || to is null)
        {
            throw new CliUsageException("--from and --to are required (ISO-8601, UTC unless an offset is given)");
        }

        if (to <= from)
        {
            throw new CliUsageException("--to must be after --from");
        }

        var options = StoreCommandOptions.From(_environment.Variables, table, endpoint);
        IAggregateStore store;
        IDisposable? client = null;
        if (_storeFactory is not null)
        {
            store = _storeFactory(options);
        }
        else
        {
            var dynamo = DynamoDbClientFactory.Create(options.EndpointUrl, options.Region);
            client = dynamo;
            store = new DynamoDbAggregateStore(dynamo, options.TableName, options.Retention);
        }

        if (store is IAggregateDeltaStore deltas)
        {
            store = new PendingDeltaAggregateReader(store, deltas, _time, options.Retention, options.Limits);
        }

        try
        {
            var sums = await store.SumByPrefixAsync(string.Empty, Granularity.Fine, from.Value, to.Value).ConfigureAwait(false);
            if (json)
            {
                var buffer = new ArrayBufferWriter<byte>();
                await using (var writer = new Utf8JsonWriter(buffer))
                {
                    if (compare)
                    {
                        // The report's object with the comparisons as one more member.
                        writer.WriteStartObject();
                        writer.WritePropertyName("invocations");
                        AggregateReport.WriteInvocations(writer, sums);
                        writer.WritePropertyName("spans");
                        AggregateReport.WriteSpans(writer, sums);
                        if (FeatureReport.HasAny(sums))
                        {
                            FeatureReport.WriteMembers(writer, sums);
                        }

                        ComparisonReport.WriteMember(writer, VariantComparison.Compare(sums));
                        writer.WriteEndObject();
                    }
                    else
                    {
                        AggregateReport.WriteJson(writer, sums);
                    }
                }

                await stdout.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan)).ConfigureAwait(false);
            }
            else
            {
                await WriteTextAsync(stdout, sums, from.Value, to.Value).ConfigureAwait(false);
                if (compare)
                {
                    await stdout.WriteLineAsync("A/B comparisons (B vs A; two-proportion z for satisfaction, Welch's t for evaluation score and cost per request, Mann-Whitney U for latency):").ConfigureAwait(false);
                    foreach (var line in ComparisonReport.Lines(VariantComparison.Compare(sums)))
                    {
                        await stdout.WriteLineAsync("  " + line).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            client?.Dispose();
        }

        return 0;
    }

    private static async Task WriteTextAsync(TextWriter stdout, IReadOnlyDictionary<string, AggregateCounters> sums, DateTimeOffset from, DateTimeOffset to)
    {
        var total = sums.TryGetValue(AggregateKeys.Total, out var t) ? t : new AggregateCounters();
        var inv = CultureInfo.InvariantCulture;
        await stdout.WriteLineAsync(string.Create(inv, $"Aggregates {from:yyyy-MM-ddTHH:mm}Z – {to:yyyy-MM-ddTHH:mm}Z")).ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(inv, $"  invocations {total[CounterNames.Requests]}, errors {total[CounterNames.Errors]}, cost ${AggregateCounters.FromMicros(total[CounterNames.CostMicros]):0.000000}, unpriced {total[CounterNames.Unpriced]}")).ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(inv, $"  tokens in {total[CounterNames.InputTokens]}, out {total[CounterNames.OutputTokens]}, cache read {total[CounterNames.CacheReadTokens]}, cache write {total[CounterNames.CacheWriteTokens]}")).ConfigureAwait(false);
        foreach (var contributor in AggregateQueries.Top(sums.Where(p => p.Key.StartsWith(AggregateKeys.ModelPrefix, StringComparison.Ordinal)).ToDictionary(), CounterNames.CostMicros, 10))
        {
            await stdout.WriteLineAsync(string.Create(inv, $"  {AggregateKeys.ValueOf(contributor.Key),-50} ${AggregateCounters.FromMicros(contributor.Value),12:0.000000} {contributor.Share,6:P1}")).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync(string.Create(inv, $"  spans {total[CounterNames.Spans]}, model calls {total[CounterNames.ModelCalls]}, tool calls {total[CounterNames.Tools]} ({total[CounterNames.ToolErrors]} failed), agent invocations {total[CounterNames.Agents]}")).ConfigureAwait(false);
    }

    private static DateTimeOffset ParseTime(string option, string text)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new CliUsageException($"{option} is not an ISO-8601 time: '{text}'");
        }

        return time;
    }
}
