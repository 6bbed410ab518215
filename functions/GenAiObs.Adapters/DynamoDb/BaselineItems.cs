using System.Globalization;
using Amazon.DynamoDBv2.Model;
using GenAiObs.Core.Aggregation;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>
/// Baseline item attributes: <c>historyDays</c> (N), <c>warmingUp</c> (BOOL), <c>daily</c>
/// (M: metric → L[mean, stdDev, samples]), <c>how</c> (M: hour-of-week slot → M: metric →
/// L[mean, stdDev, samples]) and <c>expiresAt</c>.
/// </summary>
internal static class BaselineItems
{
    public static IEnumerable<KeyValuePair<string, AttributeValue>> ToAttributes(Baseline baseline, long expiresAt)
    {
        yield return new(TableLayout.ExpiresAt, new AttributeValue { N = expiresAt.ToString(CultureInfo.InvariantCulture) });
        yield return new(TableLayout.HistoryDays, new AttributeValue { N = baseline.HistoryDays.ToString(CultureInfo.InvariantCulture) });
        yield return new(TableLayout.WarmingUp, new AttributeValue { BOOL = baseline.WarmingUp });
        if (baseline.Daily.Count > 0)
        {
            yield return new(TableLayout.DailyStats, StatsMap(baseline.Daily));
        }

        if (baseline.HourOfWeek.Count > 0)
        {
            yield return new(TableLayout.HourOfWeekStats, new AttributeValue
            {
                M = baseline.HourOfWeek
                    .Where(pair => pair.Value.Count > 0)
                    .ToDictionary(pair => pair.Key.ToString(CultureInfo.InvariantCulture), pair => StatsMap(pair.Value)),
            });
        }
    }

    public static Baseline FromItem(string key, DateOnly day, Dictionary<string, AttributeValue> item)
    {
        var history = item.TryGetValue(TableLayout.HistoryDays, out var h) && h.N is not null ? int.Parse(h.N, CultureInfo.InvariantCulture) : 0;
        var warming = !item.TryGetValue(TableLayout.WarmingUp, out var w) || w.BOOL is not false;
        var daily = item.TryGetValue(TableLayout.DailyStats, out var d) && d.M is not null ? ParseStats(d.M) : new Dictionary<BaselineMetric, BaselineStat>();
        var profile = new Dictionary<int, IReadOnlyDictionary<BaselineMetric, BaselineStat>>();
        if (item.TryGetValue(TableLayout.HourOfWeekStats, out var how) && how.M is not null)
        {
            foreach (var (slot, stats) in how.M)
            {
                if (stats.M is not null)
                {
                    profile[int.Parse(slot, CultureInfo.InvariantCulture)] = ParseStats(stats.M);
                }
            }
        }

        return new Baseline(key, day, history, warming, daily, profile);
    }

    private static AttributeValue StatsMap(IReadOnlyDictionary<BaselineMetric, BaselineStat> stats) => new()
    {
        M = stats.ToDictionary(
            pair => pair.Key.ToString(),
            pair => new AttributeValue
            {
                L =
                [
                    new AttributeValue { N = pair.Value.Mean.ToString("R", CultureInfo.InvariantCulture) },
                    new AttributeValue { N = pair.Value.StdDev.ToString("R", CultureInfo.InvariantCulture) },
                    new AttributeValue { N = pair.Value.Samples.ToString(CultureInfo.InvariantCulture) },
                ],
            }),
    };

    private static Dictionary<BaselineMetric, BaselineStat> ParseStats(Dictionary<string, AttributeValue> map)
    {
        var stats = new Dictionary<BaselineMetric, BaselineStat>();
        foreach (var (name, value) in map)
        {
            if (Enum.TryParse<BaselineMetric>(name, out var metric) && value.L is { Count: 3 } list)
            {
                stats[metric] = new BaselineStat(
                    double.Parse(list[0].N, CultureInfo.InvariantCulture),
                    double.Parse(list[1].N, CultureInfo.InvariantCulture),
                    int.Parse(list[2].N, CultureInfo.InvariantCulture));
            }
        }

        return stats;
    }
}
