using GenAiObs.Cli.Commands;

namespace GenAiObs.Cli;

/// <summary>Command dispatch for the <c>genaiobs</c> CLI.</summary>
public static class CliApp
{
    public const string Usage = """
        Usage: genaiobs <command> [options]

          replay [--json] [--stats] [--prices FILE] [--dynamodb] [--no-alerts] [FILE...]
              Push exported logs through the same batch code as the Lambdas and print cost, tokens,
              stop reasons, top principals, span metrics and the alerts that would have fired.
              Without FILE, replays the bundled sample data. Accepts, plain or .gz: Lambda
              subscription events, decoded DATA_MESSAGE JSON, JSON Lines of raw records and
              `aws logs filter-log-events` output.
              --dynamodb writes the aggregates to DynamoDB (GENAIOBS_TABLE_NAME, AWS_ENDPOINT_URL_DYNAMODB)
              instead of the in-memory store; replaying the same events again counts them once.
              --no-alerts skips the alert simulation: the same output without the alerts.
          report --json --from T1 --to T2 [--table NAME] [--endpoint URL]
              Read the aggregates of a UTC range [T1, T2) back from DynamoDB and print the same
              invocations and spans summaries as replay --json.
          init-table [--table NAME] [--endpoint URL] [--json]
              Create the DynamoDB table at the configured endpoint (for local use with dynalite).
          cost-estimate [--json] [--invocations-per-month N] [--models N] [--principals N] [--teams N]
                        [--hours H] [--window-seconds S] [--kinesis-shards N] [--aggregate-writes direct|deferred] [--without-spans] [--price NAME=VALUE]...
                        [--prices FILE] [FILE...]
              Replay an export (or the bundled samples) as a month of traffic through the processors
              and print the observer's own monthly AWS bill by component (custom metrics, logs,
              Contributor Insights, dashboards, alarms, DynamoDB, Lambda, Kinesis) with the dated
              us-east-1 list prices used, next to the Bedrock spend observed. --models/--principals/
              --teams remap the records onto that many distinct values (docs/performance.md's scenarios).
          notify-test RECEIVER
              Publish one clearly marked test notification to RECEIVER's SNS topic.
          routes test [--config FILE] [--json] [--verify.receivers=R1,R2] LABEL=VALUE...
              Print the receivers an alert with these labels is routed to (comma-separated, in
              order; --json: the matched routes with grouping and timers). Exit 1 when they are
              not --verify.receivers. Without --config: GENAIOBS_ROUTING_FILE / GENAIOBS_ROUTING,
              else the built-in tree.
          routes check FILE
              Validate an Alertmanager-style routing file: exit 0 with a summary, or 2 with the problem.
          routes show [--config FILE]
              Print the routing tree as `amtool config routes show` does.
          prices refresh [--region R] [--out FILE] [--base FILE] [--service-code CODE]...
              Read current Amazon Bedrock prices from the AWS Price List Query API (GetProducts;
              AWS_ENDPOINT_URL_PRICING overrides the endpoint) and write a price file: the base
              (default: the built-in table) with the region's figures. Unmappable products are listed.
          prices check FILE [--against FILE]
              Validate a price file and list what differs from the built-in table (or --against FILE).
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        var rest = args[1..];
        try
        {
            return args[0] switch
            {
                "replay" => await new ReplayCommand(environment).RunAsync(rest, stdout, stderr).ConfigureAwait(false),
                "report" => await new ReportCommand(environment).RunAsync(rest, stdout, stderr).ConfigureAwait(false),
                "init-table" => await new InitTableCommand(environment).RunAsync(rest, stdout, stderr).ConfigureAwait(false),
                "cost-estimate" => await new CostEstimateCommand(environment).RunAsync(rest, stdout, stderr).ConfigureAwait(false),
                "notify-test" => await new NotifyTestCommand(environment).RunAsync(rest, stdout, stderr).ConfigureAwait(false),
                "routes" => await new RoutesCommand(environment).RunAsync(rest, stdout, stderr).ConfigureAwait(false),
                "prices" => await new PricesCommand(environment).RunAsync(rest, stdout, stderr).ConfigureAwait(false),
                _ => await UnknownAsync(args[0], stderr).ConfigureAwait(false),
            };
        }
        catch (CliUsageException ex)
        {
            await stderr.WriteLineAsync($"genaiobs {args[0]}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private static async Task<int> UnknownAsync(string command, TextWriter stderr)
    {
        await stderr.WriteLineAsync($"genaiobs: unknown command '{command}'").ConfigureAwait(false);
        await stderr.WriteLineAsync(Usage).ConfigureAwait(false);
        return 2;
    }
}
