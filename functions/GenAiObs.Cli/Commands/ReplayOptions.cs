namespace GenAiObs.Cli;

/// <summary>Parsed <c>replay</c> arguments.</summary>
/// <param name="NoAlerts"><c>--no-alerts</c>: the per-record job alone, without the alert simulation.</param>
internal sealed record ReplayOptions(bool Json, bool Stats, bool DynamoDb, string? PricesFile, IReadOnlyList<string> Files, bool NoAlerts = false)
{
    public static ReplayOptions Parse(string[] args)
    {
        bool json = false, stats = false, dynamo = false, noAlerts = false;
        string? prices = null;
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--stats":
                    stats = true;
                    break;
                case "--dynamodb":
                    dynamo = true;
                    break;
                case "--no-alerts":
                    noAlerts = true;
                    break;
                case "--prices":
                    if (i + 1 >= args.Length)
                    {
                        throw new CliUsageException("--prices needs a FILE");
                    }

                    prices = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new CliUsageException($"unknown option {args[i]}");
                    }

                    files.Add(args[i]);
                    break;
            }
        }

        return new ReplayOptions(json, stats, dynamo, prices, files, noAlerts);
    }
}
