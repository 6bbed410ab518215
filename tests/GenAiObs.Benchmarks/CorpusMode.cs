using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace GenAiObs.Benchmarks;

/// <summary>
/// <c>corpus DIR [--records N] [--hours H]</c>: writes the end-to-end benchmark's corpus, generated
/// at benchmark time and never committed. The same records twice:
/// <list type="bullet">
/// <item><c>DIR/corpus.jsonl.gz</c> — JSON Lines of raw model-invocation records, gzipped (what an
/// S3 delivery of Bedrock invocation logs or an export looks like);</item>
/// <item><c>DIR/events/event-NNNN.json</c> — the same records as CloudWatch Logs subscription events
/// (<c>{"awslogs":{"data":…}}</c>), 385 records each, exactly as Lambda receives them.</item>
/// </list>
/// Mix per record: 30 % Converse with 17–42 KB prompts (retrieved context), 10 % InvokeModelWithResponseStream
/// (60–160 Anthropic chunks), 20 % InvokeModel (Anthropic Messages), 40 % Converse with 0.2–1.4 KB prompts;
/// event times spread evenly over <c>H</c> hours (default 24). Deterministic for given arguments.
/// </summary>
public static class CorpusMode
{
    /// <summary>Records per subscription event: 40,000 records make 104 events of ~5 MB decompressed each.</summary>
    public const int RecordsPerEvent = 385;

    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length < 1)
        {
            output.WriteLine("usage: corpus DIR [--records N] [--hours H]");
            return 2;
        }

        var directory = args[0];
        var records = 40_000;
        var hours = 24;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--records":
                    records = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--hours":
                    hours = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    output.WriteLine("unknown option " + args[i]);
                    return 2;
            }
        }

        var events = Path.Combine(directory, "events");
        Directory.CreateDirectory(events);
        foreach (var old in Directory.GetFiles(events, "event-*.json"))
        {
            File.Delete(old);
        }

        var random = new Random(20261206);
        var ids = new Random(7);
        var text = new PayloadGenerator.TextSource(new Random(20261207));
        var start = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        long decompressed = 0;
        var eventCount = 0;
        var pending = new List<(long Timestamp, byte[] Message)>(RecordsPerEvent);
        var counts = new int[4];
        var jsonlPath = Path.Combine(directory, "corpus.jsonl.gz");
        using (var file = File.Create(jsonlPath))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        {
            for (var i = 0; i < records; i++)
            {
                var time = start.AddMilliseconds(hours * 3_600_000L * i / records);
                var draw = random.Next(100);
                var kind = draw < 30 ? 0 : draw < 40 ? 1 : draw < 60 ? 2 : 3;
                counts[kind]++;
                var message = kind switch
                {
                    0 => PayloadGenerator.ConverseRecord(random, text, time, promptChars: 17 * 1024 + random.Next(25 * 1024), answerChars: 100 + random.Next(1500), retrievedContext: true),
                    1 => PayloadGenerator.StreamRecord(random, text, time, chunks: 60 + random.Next(100)),
                    2 => PayloadGenerator.InvokeModelRecord(random, text, time, promptChars: 300 + random.Next(2500), answerChars: 100 + random.Next(1500)),
                    _ => PayloadGenerator.ConverseRecord(random, text, time, promptChars: 200 + random.Next(1200), answerChars: 100 + random.Next(1500)),
                };
                gzip.Write(message);
                gzip.WriteByte((byte)'\n');
                decompressed += message.Length + 1;
                pending.Add((time.ToUnixTimeMilliseconds(), message));
                if (pending.Count == RecordsPerEvent || i == records - 1)
                {
                    eventCount++;
                    var payload = PayloadGenerator.Pack(PayloadKind.SmallConverse, pending, ids);
                    File.WriteAllBytes(Path.Combine(events, string.Create(CultureInfo.InvariantCulture, $"event-{eventCount:D4}.json")), payload.EventJson);
                    pending.Clear();
                }
            }
        }

        var gzipBytes = new FileInfo(jsonlPath).Length;
        var eventBytes = Directory.GetFiles(events, "event-*.json").Sum(path => new FileInfo(path).Length);
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"corpus: {records} records ({counts[0]} Converse with 17–42 KB prompts, {counts[1]} stream, {counts[2]} InvokeModel, {counts[3]} small Converse) over {hours} h; JSON Lines {decompressed / 1048576.0:F0} MB decompressed, {gzipBytes / 1048576.0:F1} MB gzip; {eventCount} subscription events, {eventBytes / 1048576.0 / eventCount:F2} MB each (base64 of gzip)");
        File.WriteAllText(Path.Combine(directory, "corpus.txt"), summary + "\n", Encoding.UTF8);
        output.WriteLine(summary);
        return 0;
    }
}
