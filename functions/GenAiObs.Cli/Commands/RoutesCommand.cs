using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.Alerts;
using GenAiObs.Core.Alerts;

namespace GenAiObs.Cli.Commands;

/// <summary>
/// <c>genaiobs routes test|check|show</c>: the routing operator tools with the shape of
/// Alertmanager's <c>amtool config routes test</c>, <c>amtool check-config</c> and
/// <c>amtool config routes show</c> (https://github.com/prometheus/alertmanager#amtool), run on
/// our own router. Without <c>--config</c> the routing is the one the evaluator would load from
/// the environment (GENAIOBS_ROUTING_FILE, GENAIOBS_ROUTING), else the built-in default tree.
/// Exit codes: 0 done, 1 <c>--verify.receivers</c> mismatch, 2 usage error or invalid configuration.
/// </summary>
public sealed class RoutesCommand(CliEnvironment environment)
{
    public const string Usage = """
        Usage:
          genaiobs routes test [--config FILE] [--json] [--verify.receivers=R1,R2] LABEL=VALUE...
          genaiobs routes check FILE
          genaiobs routes show [--config FILE]
        """;

    public const string VerifyMismatch = "WARNING: Expected receivers did not match resolved receivers.";

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            await (args.Length == 0 ? stderr : stdout).WriteLineAsync(Usage).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            return args[0] switch
            {
                "test" => await TestAsync(args[1..], stdout, stderr).ConfigureAwait(false),
                "check" => await CheckAsync(args[1..], stdout, stderr).ConfigureAwait(false),
                "show" => await ShowAsync(args[1..], stdout).ConfigureAwait(false),
                _ => throw new CliUsageException($"unknown subcommand '{args[0]}' (expected test, check or show)"),
            };
        }
        catch (RoutingConfigException ex)
        {
            await stderr.WriteLineAsync($"genaiobs routes {args[0]}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private async Task<int> TestAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? config = null;
        string? expected = null;
        var json = false;
        var labels = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--json")
            {
                json = true;
            }
            else if (OptionValue(args, ref i, "--config") is { } file)
            {
                config = file;
            }
            else if (OptionValue(args, ref i, "--verify.receivers") is { } receivers)
            {
                expected = receivers;
            }
            else if (arg.StartsWith('-'))
            {
                throw new CliUsageException($"unknown option '{arg}'");
            }
            else
            {
                labels.Add(ParseLabel(arg));
            }
        }

        var tree = Load(config);
        var routes = tree.Match(LabelSet.From(labels));
        var resolved = string.Join(",", routes.Select(route => route.Receiver));
        await stdout.WriteLineAsync(json ? RoutesJson(routes) : resolved).ConfigureAwait(false);
        if (expected is not null && expected != resolved)
        {
            await stderr.WriteLineAsync(VerifyMismatch).ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    private static async Task<int> CheckAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            throw new CliUsageException("expected exactly one FILE");
        }

        var file = args[0];
        RoutingTree tree;
        try
        {
            tree = RoutingConfigParser.Parse(ReadFile(file), file);
        }
        catch (RoutingConfigException ex)
        {
            await stderr.WriteLineAsync($"Checking '{file}'  FAILED: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var routes = 0;
        Count(tree.Root);
        var summary = new StringBuilder()
            .AppendLine($"Checking '{file}'  SUCCESS")
            .AppendLine("Found:")
            .AppendLine($" - route: {routes} routes below the root, sending to {string.Join(", ", tree.Receivers)}")
            .AppendLine(tree.ConfiguredReceivers is { } configured ? $" - {configured.Count} receivers" : " - no receivers list (route receiver names are not checked)")
            .AppendLine($" - {tree.TimeIntervals.Count} time intervals");
        await stdout.WriteAsync(summary.ToString()).ConfigureAwait(false);
        return 0;

        void Count(Route route)
        {
            foreach (var child in route.Routes)
            {
                routes++;
                Count(child);
            }
        }
    }

    private async Task<int> ShowAsync(string[] args, TextWriter stdout)
    {
        string? config = null;
        for (var i = 0; i < args.Length; i++)
        {
            config = OptionValue(args, ref i, "--config") ?? throw new CliUsageException($"unknown argument '{args[i]}'");
        }

        await stdout.WriteAsync(TreeText(Load(config))).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// The tree as <c>amtool config routes show</c> prints it: a heading, the tree drawn with
    /// box characters under a "." root, each node its matchers (<c>default-route</c> when it has
    /// none), <c>continue: true</c> when set, and its receiver; then an empty line.
    /// </summary>
    public static string TreeText(RoutingTree tree)
    {
        var text = new StringBuilder().Append("Routing tree:\n.\n");
        Append(tree.Root, string.Empty, last: true);
        return text.Append('\n').ToString();

        void Append(Route route, string indent, bool last)
        {
            text.Append(indent).Append(last ? "└── " : "├── ")
                .Append(route.Matchers.Count == 0 ? "default-route" : route.MatchersText);
            if (route.Continue)
            {
                text.Append("  continue: true");
            }

            text.Append("  receiver: ").Append(route.Receiver).Append('\n');
            for (var i = 0; i < route.Routes.Count; i++)
            {
                Append(route.Routes[i], indent + (last ? "    " : "│   "), i == route.Routes.Count - 1);
            }
        }
    }

    /// <summary>The matched routes as JSON: receiver, grouping and timers (Prometheus durations), in match order.</summary>
    public static string RoutesJson(IReadOnlyList<Route> routes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var route in routes)
            {
                writer.WriteStartObject();
                writer.WriteString("receiver", route.Receiver);
                writer.WriteStartArray("groupBy");
                foreach (var label in route.GroupBy)
                {
                    writer.WriteStringValue(label);
                }

                writer.WriteEndArray();
                writer.WriteBoolean("groupByAll", route.GroupByAll);
                writer.WriteString("groupWait", PrometheusDuration.Format(route.GroupWait));
                writer.WriteString("groupInterval", PrometheusDuration.Format(route.GroupInterval));
                writer.WriteString("repeatInterval", PrometheusDuration.Format(route.RepeatInterval));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private RoutingTree Load(string? config) =>
        config is null
            ? RoutingConfigParser.Load(name => environment.Variables.GetValueOrDefault(name), ReadFile)
            : RoutingConfigParser.Parse(ReadFile(config), config);

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RoutingConfigException(path, $"cannot read the file: {ex.GetType().Name}");
        }
    }

    /// <summary>As amtool takes them: <c>name=value</c> or <c>name="quoted value"</c>; other operators are refused.</summary>
    private static KeyValuePair<string, string> ParseLabel(string text)
    {
        LabelMatcher matcher;
        try
        {
            matcher = LabelMatcherParser.ParseMatcher(text);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"failed to parse labels: {ex.Message}");
        }

        return matcher.Type == LabelMatchType.Equal
            ? new(matcher.Name, matcher.Value)
            : throw new CliUsageException($"labels must be specified as key=value pairs, got '{text}'");
    }

    /// <summary>The value of <c>--name VALUE</c> or <c>--name=VALUE</c> at <paramref name="index"/>; null when the argument is another one.</summary>
    private static string? OptionValue(string[] args, ref int index, string name)
    {
        var arg = args[index];
        if (arg.StartsWith(name + "=", StringComparison.Ordinal))
        {
            return arg[(name.Length + 1)..];
        }

        return arg == name ? StoreCommandOptions.ValueOf(args, ref index) : null;
    }
}
