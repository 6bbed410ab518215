using System.Buffers;
using System.Text;
using System.Text.Json;
using GenAiObs.Adapters.DynamoDb;

namespace GenAiObs.Cli.Commands;

/// <summary>
/// <c>genaiobs init-table [--table NAME] [--endpoint URL] [--json]</c>: creates the aggregate table
/// (pk S HASH, sk S RANGE, on-demand — the key schema template.yaml deploys) at the configured
/// endpoint, e.g. a local dynalite, waits until it is ACTIVE and enables TTL on <c>expiresAt</c>
/// where the endpoint supports it. Safe to run again.
/// </summary>
public sealed class InitTableCommand
{
    private readonly CliEnvironment _environment;
    private readonly TimeProvider _time;

    public InitTableCommand(CliEnvironment environment, TimeProvider? time = null)
    {
        _environment = environment;
        _time = time ?? TimeProvider.System;
    }

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? table = null, endpoint = null;
        var json = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--table":
                    table = StoreCommandOptions.ValueOf(args, ref i);
                    break;
                case "--endpoint":
                    endpoint = StoreCommandOptions.ValueOf(args, ref i);
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    throw new CliUsageException($"unknown argument '{args[i]}'");
            }
        }

        var options = StoreCommandOptions.From(_environment.Variables, table, endpoint);
        using var client = DynamoDbClientFactory.Create(options.EndpointUrl, options.Region);
        var creation = await TableLayout.CreateAsync(client, options.TableName, _time).ConfigureAwait(false);
        if (json)
        {
            var buffer = new ArrayBufferWriter<byte>();
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("table", options.TableName);
                writer.WriteBoolean("created", creation.Created);
                writer.WriteBoolean("ttlEnabled", creation.TtlEnabled);
                writer.WriteEndObject();
            }

            await stdout.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan)).ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteLineAsync($"table {options.TableName}: {(creation.Created ? "created" : "already exists")}, ACTIVE").ConfigureAwait(false);
            if (!creation.TtlEnabled)
            {
                await stderr.WriteLineAsync("note: this endpoint has no TTL API (dynalite); items keep their expiresAt but are not expired").ConfigureAwait(false);
            }
        }

        return 0;
    }
}
