namespace GenAiObs.Core.Alerts;

/// <summary>
/// An Alertmanager routing tree (https://prometheus.io/docs/alerting/latest/configuration/#route):
/// every alert enters at the root, descends depth-first into the first matching child
/// (continuing to later siblings only when the matched child has <c>continue: true</c>) and is
/// handled by the deepest matching routes; when no child matches, the node itself handles it.
/// The tree also holds the named time intervals its routes are muted or activated by.
/// </summary>
public sealed class RoutingTree
{
    public static readonly TimeSpan DefaultGroupWait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultGroupInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    /// <summary>The matcher of the default tree's FinOps route: the budget notices a finance team acts on.</summary>
    public const string BudgetMatcher = "alertname=~\"MonthlyBudgetExceeded|BudgetForecastExceeded\"";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> NoIntervals = new Dictionary<string, IReadOnlyList<TimeInterval>>();

    private RoutingTree(
        Route root,
        IReadOnlyList<string> receivers,
        IReadOnlyList<string>? configuredReceivers,
        IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> timeIntervals)
    {
        Root = root;
        Receivers = receivers;
        ConfiguredReceivers = configuredReceivers;
        TimeIntervals = timeIntervals;
    }

    public Route Root { get; }

    /// <summary>Every receiver name the tree can route to, in first-use order.</summary>
    public IReadOnlyList<string> Receivers { get; }

    /// <summary>The names in the configuration's <c>receivers:</c> list, in order; null when it has none.</summary>
    public IReadOnlyList<string>? ConfiguredReceivers { get; }

    /// <summary>The named time intervals (<c>time_intervals</c> and the deprecated <c>mute_time_intervals</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> TimeIntervals { get; }

    /// <summary>
    /// The built-in routing, used when none is configured: the one definition of it (the documented
    /// YAML is checked against it by the tests; <c>genaiobs routes show</c> prints it).
    /// </summary>
    public static RoutingTree Default { get; } = Build(
        new RouteSpec
        {
            Receiver = "default",
            GroupBy = ["alertname", "cloud_provider"],
            GroupWait = "30s",
            GroupInterval = "5m",
            RepeatInterval = "4h",
            Routes =
            [
                new RouteSpec { Matchers = [BudgetMatcher], Receiver = "slack-finops" },
                new RouteSpec { Matchers = ["severity=\"critical\""], Receiver = "pagerduty" },
                new RouteSpec { Matchers = ["severity=\"warning\""], Receiver = "slack-ops" },
            ],
        },
        "default routing");

    /// <summary>
    /// Validates and builds a tree with Alertmanager's rules. <paramref name="source"/> names the
    /// setting the configuration came from (it leads every error message). When
    /// <paramref name="knownReceivers"/> is given (the file's <c>receivers:</c> names), every
    /// route must name one of them; every time interval a route names must be in <paramref name="timeIntervals"/>.
    /// </summary>
    /// <exception cref="RoutingConfigException">The configuration is invalid; the message names the setting.</exception>
    public static RoutingTree Build(
        RouteSpec root,
        string source,
        IReadOnlyCollection<string>? knownReceivers = null,
        IReadOnlyList<TimeIntervalSpec>? timeIntervals = null)
    {
        if (string.IsNullOrWhiteSpace(root.Receiver))
        {
            throw new RoutingConfigException($"{source}: route.receiver", "root route must specify a default receiver");
        }

        if (root.Match.Count > 0 || root.MatchRe.Count > 0 || root.Matchers.Count > 0)
        {
            throw new RoutingConfigException($"{source}: route", "root route must not have any matchers: every alert enters there");
        }

        if (root.MuteTimeIntervals.Count > 0)
        {
            throw new RoutingConfigException($"{source}: route.mute_time_intervals", "root route must not have any mute time intervals");
        }

        if (root.ActiveTimeIntervals.Count > 0)
        {
            throw new RoutingConfigException($"{source}: route.active_time_intervals", "root route must not have any active time intervals");
        }

        if (root.Continue)
        {
            throw new RoutingConfigException($"{source}: route.continue", "cannot have continue in root route");
        }

        var intervals = BuildTimeIntervals(timeIntervals ?? [], source);
        var context = new BuildContext(source, knownReceivers, intervals, []);
        var tree = BuildNode(root, parent: null, "route", context);
        return new RoutingTree(tree, context.Receivers, knownReceivers?.ToList(), intervals);
    }

    /// <summary>The routes that handle an alert with these labels (at least one: the root).</summary>
    public IReadOnlyList<Route> Match(LabelSet labels) => MatchNode(Root, labels) ?? [Root];

    /// <summary>
    /// The time intervals that keep <paramref name="route"/> from notifying at <paramref name="now"/>
    /// (empty when it may notify), checked as Alertmanager checks them when a group is flushed:
    /// with <c>active_time_intervals</c>, outside all of them is muted (by all of them); then any
    /// <c>mute_time_intervals</c> containing <paramref name="now"/> mute it.
    /// </summary>
    public IReadOnlyList<string> MutedBy(Route route, DateTimeOffset now)
    {
        if (route.ActiveTimeIntervals.Count > 0 && !route.ActiveTimeIntervals.Any(name => Contains(name, now)))
        {
            return route.ActiveTimeIntervals;
        }

        return route.MuteTimeIntervals.Count == 0 ? [] : [.. route.MuteTimeIntervals.Where(name => Contains(name, now))];
    }

    private bool Contains(string name, DateTimeOffset now) =>
        TimeIntervals.TryGetValue(name, out var intervals) && intervals.Any(interval => interval.Contains(now));

    private static List<Route>? MatchNode(Route route, LabelSet labels)
    {
        if (!route.Matches(labels))
        {
            return null;
        }

        List<Route>? all = null;
        foreach (var child in route.Routes)
        {
            var matches = MatchNode(child, labels);
            if (matches is null)
            {
                continue;
            }

            (all ??= []).AddRange(matches);
            if (!child.Continue)
            {
                break;
            }
        }

        return all ?? [route];
    }

    private sealed record BuildContext(
        string Source,
        IReadOnlyCollection<string>? KnownReceivers,
        IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> TimeIntervals,
        List<string> Receivers);

    private static Dictionary<string, IReadOnlyList<TimeInterval>> BuildTimeIntervals(IReadOnlyList<TimeIntervalSpec> specs, string source)
    {
        var built = new Dictionary<string, IReadOnlyList<TimeInterval>>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (string.IsNullOrEmpty(spec.Name))
            {
                throw new RoutingConfigException($"{source}: {spec.Path}.name", "missing name in time interval");
            }

            if (built.ContainsKey(spec.Name))
            {
                throw new RoutingConfigException($"{source}: {spec.Path}.name", $"time interval \"{spec.Name}\" is not unique");
            }

            built[spec.Name] = [.. spec.Intervals.Select((range, i) => TimeInterval.Build(range, $"{source}: {spec.Path}.time_intervals[{i}]"))];
        }

        return built;
    }

    private static Route BuildNode(RouteSpec spec, Route? parent, string path, BuildContext context)
    {
        var source = context.Source;
        var receiver = string.IsNullOrWhiteSpace(spec.Receiver) ? parent!.Receiver : spec.Receiver;
        if (context.KnownReceivers is not null && !context.KnownReceivers.Contains(receiver))
        {
            throw new RoutingConfigException($"{source}: {path}.receiver", $"undefined receiver \"{receiver}\" used in route (not in receivers)");
        }

        if (!context.Receivers.Contains(receiver))
        {
            context.Receivers.Add(receiver);
        }

        var (groupBy, groupByAll) = GroupBy(spec, parent, path, source);
        var groupWait = ParseDuration(spec.GroupWait, parent?.GroupWait ?? DefaultGroupWait, $"{path}.group_wait", source, allowZero: true);
        var groupInterval = ParseDuration(spec.GroupInterval, parent?.GroupInterval ?? DefaultGroupInterval, $"{path}.group_interval", source, allowZero: false);
        var repeatInterval = ParseDuration(spec.RepeatInterval, parent?.RepeatInterval ?? DefaultRepeatInterval, $"{path}.repeat_interval", source, allowZero: false);

        foreach (var (setting, names) in new[] { ("mute_time_intervals", spec.MuteTimeIntervals), ("active_time_intervals", spec.ActiveTimeIntervals) })
        {
            foreach (var name in names)
            {
                if (!context.TimeIntervals.ContainsKey(name))
                {
                    throw new RoutingConfigException($"{source}: {path}.{setting}", $"undefined time interval \"{name}\" used in route");
                }
            }
        }

        var matchers = Matchers(spec, path, source);
        var route = new Route(path, receiver, groupBy, groupByAll, groupWait, groupInterval, repeatInterval, matchers, spec.Continue, spec.MuteTimeIntervals, spec.ActiveTimeIntervals);
        var children = new List<Route>(spec.Routes.Count);
        for (var i = 0; i < spec.Routes.Count; i++)
        {
            children.Add(BuildNode(spec.Routes[i], route, $"{path}.routes[{i}]", context));
        }

        route.Routes = children;
        return route;
    }

    private static (IReadOnlyList<string> GroupBy, bool GroupByAll) GroupBy(RouteSpec spec, Route? parent, string path, string source)
    {
        if (spec.GroupBy is null)
        {
            return (parent?.GroupBy ?? [], parent?.GroupByAll ?? false);
        }

        if (spec.GroupBy.Contains("..."))
        {
            if (spec.GroupBy.Count != 1)
            {
                throw new RoutingConfigException($"{source}: {path}.group_by", "cannot have wildcard group_by ('...') and other labels at the same time");
            }

            return ([], true);
        }

        foreach (var name in spec.GroupBy)
        {
            if (!AlertLabels.IsValidName(name))
            {
                throw new RoutingConfigException($"{source}: {path}.group_by", $"invalid label name \"{name}\" in group_by list");
            }
        }

        if (spec.GroupBy.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new RoutingConfigException($"{source}: {path}.group_by", $"duplicated label \"{duplicate.Key}\" in group_by");
        }

        return ([.. spec.GroupBy], false);
    }

    private static List<LabelMatcher> Matchers(RouteSpec spec, string path, string source)
    {
        var matchers = new List<LabelMatcher>();
        foreach (var (name, value) in spec.Match)
        {
            if (!AlertLabels.IsValidName(name))
            {
                throw new RoutingConfigException($"{source}: {path}.match", $"invalid label name \"{name}\"");
            }

            matchers.Add(LabelMatcher.Equal(name, value));
        }

        foreach (var (name, pattern) in spec.MatchRe)
        {
            if (!AlertLabels.IsValidName(name))
            {
                throw new RoutingConfigException($"{source}: {path}.match_re", $"invalid label name \"{name}\"");
            }

            if (pattern is null)
            {
                // Alertmanager refuses a null regex rather than matching every alert without the label.
                throw new RoutingConfigException($"{source}: {path}.match_re.{name}", $"invalid regexp value for \"{name}\" (null; write '' to match a missing or empty label)");
            }

            try
            {
                matchers.Add(LabelMatcher.Regex(name, pattern));
            }
            catch (ArgumentException ex)
            {
                throw new RoutingConfigException($"{source}: {path}.match_re.{name}", $"invalid regular expression '{pattern}': {ex.Message}");
            }
        }

        for (var i = 0; i < spec.Matchers.Count; i++)
        {
            try
            {
                matchers.AddRange(LabelMatcherParser.ParseMatchers(spec.Matchers[i]));
            }
            catch (FormatException ex)
            {
                throw new RoutingConfigException($"{source}: {path}.matchers[{i}]", ex.Message);
            }
        }

        matchers.Sort(LabelMatcher.Compare);
        return matchers;
    }

    private static TimeSpan ParseDuration(string? text, TimeSpan inherited, string path, string source, bool allowZero)
    {
        if (text is null)
        {
            return inherited;
        }

        if (!PrometheusDuration.TryParse(text, out var value))
        {
            throw new RoutingConfigException($"{source}: {path}", $"invalid duration '{text}' (expected e.g. 30s, 5m, 4h, 1h30m)");
        }

        if (!allowZero && value == TimeSpan.Zero)
        {
            throw new RoutingConfigException($"{source}: {path}", "cannot be zero");
        }

        return value;
    }
}
