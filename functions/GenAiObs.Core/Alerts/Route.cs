namespace GenAiObs.Core.Alerts;

/// <summary>A route node with its parent's settings already inherited.</summary>
public sealed class Route
{
    internal Route(
        string path,
        string receiver,
        IReadOnlyList<string> groupBy,
        bool groupByAll,
        TimeSpan groupWait,
        TimeSpan groupInterval,
        TimeSpan repeatInterval,
        IReadOnlyList<LabelMatcher> matchers,
        bool @continue,
        IReadOnlyList<string> muteTimeIntervals,
        IReadOnlyList<string> activeTimeIntervals)
    {
        Path = path;
        Receiver = receiver;
        GroupBy = groupBy;
        GroupByAll = groupByAll;
        GroupWait = groupWait;
        GroupInterval = groupInterval;
        RepeatInterval = repeatInterval;
        Matchers = matchers;
        Continue = @continue;
        MuteTimeIntervals = muteTimeIntervals;
        ActiveTimeIntervals = activeTimeIntervals;
    }

    /// <summary>Where the route is in the configuration, e.g. <c>route.routes[2]</c>.</summary>
    public string Path { get; }
    public string Receiver { get; }
    public IReadOnlyList<string> GroupBy { get; }

    /// <summary><c>group_by: ['...']</c>: every label groups, so each alert is its own group.</summary>
    public bool GroupByAll { get; }
    public TimeSpan GroupWait { get; }
    public TimeSpan GroupInterval { get; }
    public TimeSpan RepeatInterval { get; }

    /// <summary>Every matcher of the route (<c>match</c>, <c>match_re</c> and <c>matchers</c>), in Alertmanager's order.</summary>
    public IReadOnlyList<LabelMatcher> Matchers { get; }
    public bool Continue { get; }

    /// <summary>
    /// The route's own <c>mute_time_intervals</c>. As in Alertmanager these are not inherited:
    /// a child route without the setting is never muted by its parent's intervals.
    /// </summary>
    public IReadOnlyList<string> MuteTimeIntervals { get; }

    /// <summary>The route's own <c>active_time_intervals</c> (not inherited, like the mute ones); empty = always active.</summary>
    public IReadOnlyList<string> ActiveTimeIntervals { get; }

    public IReadOnlyList<Route> Routes { get; internal set; } = [];

    public bool Matches(LabelSet labels)
    {
        foreach (var matcher in Matchers)
        {
            if (!matcher.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The labels that identify the alert's group under this route.</summary>
    public LabelSet GroupLabels(LabelSet labels) => GroupByAll ? labels : labels.Only(GroupBy);

    /// <summary>The matchers as Alertmanager prints them, e.g. <c>{severity="critical",team=~"a|b"}</c>.</summary>
    public string MatchersText => "{" + string.Join(",", Matchers) + "}";
}
