using System.Text.RegularExpressions;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// A routing configuration failed validation. <see cref="Setting"/> names where the problem is
/// (the environment variable or file, then the path inside it, e.g.
/// <c>GENAIOBS_ROUTING: route.routes[1].group_wait</c>) so a failed cold start says what to fix.
/// </summary>
public sealed class RoutingConfigException : Exception
{
    public RoutingConfigException(string setting, string problem)
        : base($"{setting}: {problem}")
    {
        Setting = setting;
        Problem = problem;
    }

    public RoutingConfigException()
        : this("routing", "invalid routing configuration")
    {
    }

    public RoutingConfigException(string message)
        : this("routing", message)
    {
    }

    public RoutingConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = "routing";
        Problem = message;
    }

    public string Setting { get; } = "routing";

    public string Problem { get; } = string.Empty;
}

/// <summary>
/// One route as written in the configuration (Alertmanager's subset): every setting optional,
/// durations still as text so validation can name the offending setting.
/// </summary>
public sealed record RouteSpec
{
    public string? Receiver { get; init; }
    public IReadOnlyList<string>? GroupBy { get; init; }
    public string? GroupWait { get; init; }
    public string? GroupInterval { get; init; }
    public string? RepeatInterval { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Match { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> MatchRe { get; init; } = [];
    public bool Continue { get; init; }
    public IReadOnlyList<RouteSpec> Routes { get; init; } = [];
}

/// <summary>An equality (<c>match</c>) or fully anchored regular-expression (<c>match_re</c>) label matcher.</summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    private LabelMatcher(string name, string value, Regex? regex)
    {
        Name = name;
        Value = value;
        _regex = regex;
    }

    public string Name { get; }

    public string Value { get; }

    public bool IsRegex => _regex is not null;

    public static LabelMatcher Equal(string name, string value) => new(name, value, null);

    /// <summary>
    /// Alertmanager anchors match_re expressions: <c>^(?:expr)$</c>. The non-backtracking engine
    /// keeps a hostile pattern from stalling the evaluator.
    /// </summary>
    public static LabelMatcher Regex(string name, string pattern) =>
        new(name, pattern, new Regex("^(?:" + pattern + ")$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));

    /// <summary>A label the alert does not have matches as the empty string, as in Alertmanager.</summary>
    public bool Matches(LabelSet labels)
    {
        var actual = labels.Get(Name) ?? string.Empty;
        return _regex is null ? string.Equals(actual, Value, StringComparison.Ordinal) : _regex.IsMatch(actual);
    }

    public override string ToString() => IsRegex ? $"{Name}=~\"{Value}\"" : $"{Name}=\"{Value}\"";
}

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
        bool @continue)
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
    public IReadOnlyList<LabelMatcher> Matchers { get; }
    public bool Continue { get; }
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
}

/// <summary>
/// An Alertmanager routing tree: every alert enters at the root, descends depth-first into the
/// first matching child (continuing to later siblings only when the matched child has
/// <c>continue: true</c>) and is handled by the deepest matching routes; when no child matches,
/// the node itself handles it.
/// </summary>
public sealed class RoutingTree
{
    public static readonly TimeSpan DefaultGroupWait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultGroupInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    /// <summary>The built-in default routing (issue 5), used when no routing is configured.</summary>
    public const string DefaultYaml = """
        route:
          group_by: ['alertname', 'cloud_provider']
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
          receiver: 'default'
          routes:
            - match: {alertname: MonthlyBudgetExceeded}
              receiver: 'slack-finops'
            - match: {severity: critical}
              receiver: 'pagerduty'
            - match: {severity: warning}
              receiver: 'slack-ops'
        """;

    private RoutingTree(Route root, IReadOnlyList<string> receivers)
    {
        Root = root;
        Receivers = receivers;
    }

    public Route Root { get; }

    /// <summary>Every receiver name the tree can route to, in first-use order.</summary>
    public IReadOnlyList<string> Receivers { get; }

    /// <summary>The same tree as <see cref="DefaultYaml"/>, built without a YAML parser.</summary>
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
                new RouteSpec { Match = [new("alertname", "MonthlyBudgetExceeded")], Receiver = "slack-finops" },
                new RouteSpec { Match = [new("severity", "critical")], Receiver = "pagerduty" },
                new RouteSpec { Match = [new("severity", "warning")], Receiver = "slack-ops" },
            ],
        },
        "default routing");

    /// <summary>
    /// Validates and builds a tree. <paramref name="source"/> names the setting the
    /// configuration came from (used in error messages). When <paramref name="knownReceivers"/>
    /// is given (the file's <c>receivers:</c> list), every route must name one of them.
    /// </summary>
    /// <exception cref="RoutingConfigException">The configuration is invalid; the message names the setting.</exception>
    public static RoutingTree Build(RouteSpec root, string source, IReadOnlyCollection<string>? knownReceivers = null)
    {
        if (string.IsNullOrWhiteSpace(root.Receiver))
        {
            throw new RoutingConfigException($"{source}: route.receiver", "the root route must name a receiver");
        }

        if (root.Match.Count > 0 || root.MatchRe.Count > 0)
        {
            throw new RoutingConfigException($"{source}: route", "the root route must not have match or match_re: every alert enters there");
        }

        if (root.Continue)
        {
            throw new RoutingConfigException($"{source}: route.continue", "the root route cannot have continue");
        }

        var receivers = new List<string>();
        var tree = BuildNode(root, parent: null, "route", source, knownReceivers, receivers);
        return new RoutingTree(tree, receivers);
    }

    /// <summary>The routes that handle an alert with these labels (at least one: the root).</summary>
    public IReadOnlyList<Route> Match(LabelSet labels) => MatchNode(Root, labels) ?? [Root];

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

    private static Route BuildNode(
        RouteSpec spec,
        Route? parent,
        string path,
        string source,
        IReadOnlyCollection<string>? knownReceivers,
        List<string> receivers)
    {
        var receiver = string.IsNullOrWhiteSpace(spec.Receiver) ? parent!.Receiver : spec.Receiver;
        if (knownReceivers is not null && !knownReceivers.Contains(receiver))
        {
            throw new RoutingConfigException($"{source}: {path}.receiver", $"receiver '{receiver}' is not defined in receivers");
        }

        if (!receivers.Contains(receiver))
        {
            receivers.Add(receiver);
        }

        var groupBy = parent?.GroupBy ?? [];
        var groupByAll = parent?.GroupByAll ?? false;
        if (spec.GroupBy is not null)
        {
            if (spec.GroupBy.Contains("..."))
            {
                if (spec.GroupBy.Count != 1)
                {
                    throw new RoutingConfigException($"{source}: {path}.group_by", "'...' groups by every label and must be the only entry");
                }

                groupBy = [];
                groupByAll = true;
            }
            else
            {
                foreach (var name in spec.GroupBy)
                {
                    if (!AlertLabels.IsValidName(name))
                    {
                        throw new RoutingConfigException($"{source}: {path}.group_by", $"'{name}' is not a valid label name");
                    }
                }

                if (spec.GroupBy.Distinct(StringComparer.Ordinal).Count() != spec.GroupBy.Count)
                {
                    throw new RoutingConfigException($"{source}: {path}.group_by", "a label is listed twice");
                }

                groupBy = [.. spec.GroupBy];
                groupByAll = false;
            }
        }

        var groupWait = ParseDuration(spec.GroupWait, parent?.GroupWait ?? DefaultGroupWait, $"{path}.group_wait", source, allowZero: true);
        var groupInterval = ParseDuration(spec.GroupInterval, parent?.GroupInterval ?? DefaultGroupInterval, $"{path}.group_interval", source, allowZero: false);
        var repeatInterval = ParseDuration(spec.RepeatInterval, parent?.RepeatInterval ?? DefaultRepeatInterval, $"{path}.repeat_interval", source, allowZero: false);

        var matchers = new List<LabelMatcher>();
        foreach (var (name, value) in spec.Match)
        {
            if (!AlertLabels.IsValidName(name))
            {
                throw new RoutingConfigException($"{source}: {path}.match", $"'{name}' is not a valid label name");
            }

            matchers.Add(LabelMatcher.Equal(name, value));
        }

        foreach (var (name, pattern) in spec.MatchRe)
        {
            if (!AlertLabels.IsValidName(name))
            {
                throw new RoutingConfigException($"{source}: {path}.match_re", $"'{name}' is not a valid label name");
            }

            try
            {
                matchers.Add(LabelMatcher.Regex(name, pattern));
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                throw new RoutingConfigException($"{source}: {path}.match_re.{name}", $"invalid regular expression '{pattern}'");
            }
        }

        var route = new Route(path, receiver, groupBy, groupByAll, groupWait, groupInterval, repeatInterval, matchers, spec.Continue);
        var children = new List<Route>(spec.Routes.Count);
        for (var i = 0; i < spec.Routes.Count; i++)
        {
            children.Add(BuildNode(spec.Routes[i], route, $"{path}.routes[{i}]", source, knownReceivers, receivers));
        }

        route.Routes = children;
        return route;
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
