namespace GenAiObs.Cli;

/// <summary>Command dispatch for the <c>genaiobs</c> CLI.</summary>
public static class CliApp
{
    public const string Usage = """
        Usage: genaiobs <command> [options]

          replay [--json] [--stats] [--prices FILE] [--dynamodb] [FILE...]
              Push exported logs through the same batch code as the Lambdas and print cost, tokens,
              stop reasons, top principals, span metrics and the alerts that would have fired.
              Without FILE, replays the bundled sample data. Accepts, plain or .gz: Lambda
              subscription events, decoded DATA_MESSAGE JSON, JSON Lines of raw records and
              `aws logs filter-log-events` output.
          report --json --from T1 --to T2
              Read aggregates of a UTC range back from DynamoDB (GENAIOBS_TABLE_NAME).
          init-table
              Create the DynamoDB table at the configured endpoint (for local use with dynalite).
          notify-test RECEIVER
              Publish one clearly marked test notification to RECEIVER's SNS topic.
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

/// <summary>A command line that cannot be run as given; the message says what is wrong.</summary>
public sealed class CliUsageException(string message) : Exception(message);
