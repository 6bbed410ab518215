using Xunit;
using System.Text;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;

namespace GenAiObs.Tests.Spans;

/// <summary>Loads the span fixtures (one span JSON per line) and builds log events from inline JSON.</summary>
internal static class SpanFixtures
{
    /// <summary>Text planted in every prompt, response, event and status message of the fixtures.</summary>
    public const string Canary = "CANARY-7f3a";

    public const string Strands = "strands-agentcore.jsonl";
    public const string LangChain = "langchain-openllmetry.jsonl";
    public const string Adot = "adot-bedrock-sdk.jsonl";

    public static IReadOnlyList<string> All { get; } = [Strands, LangChain, Adot];

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "spans", file);

    public static IReadOnlyList<string> Lines(string file) =>
        File.ReadAllLines(PathOf(file)).Where(l => l.Length > 0).ToList();

    public static LogEvent Event(string json, string id = "ev-1", long timestampMs = 1_795_000_000_000) =>
        new(id, timestampMs, Encoding.UTF8.GetBytes(json));

    public static IReadOnlyList<LogEvent> Events(string file) =>
        Lines(file).Select((line, i) => Event(line, $"{Path.GetFileNameWithoutExtension(file)}-{i}")).ToList();

    /// <summary>Parses every span of a fixture, failing the test on any rejection.</summary>
    public static IReadOnlyList<SpanRecord> Parse(string file) =>
        Events(file).Select(ev =>
        {
            var result = SpanParser.Parse(ev);
            Assert.True(result.IsAccepted, $"{ev.Id} rejected: {result.Rejection?.Reason} {result.Rejection?.Detail}");
            return result.Span!;
        }).ToList();

    public static IReadOnlyList<SpanRecord> ParseAll() => All.SelectMany(Parse).ToList();

    public static SpanRecord ByName(IEnumerable<SpanRecord> spans, string name) => spans.Single(s => s.Name == name);

    public static SpanRecord ParseOne(string json)
    {
        var result = SpanParser.Parse(Event(json));
        Assert.True(result.IsAccepted, $"rejected: {result.Rejection?.Reason} {result.Rejection?.Detail}");
        return result.Span!;
    }

    /// <summary>A minimal valid span with the given attributes JSON and optional extra top-level members.</summary>
    public static string Minimal(string attributes = "{}", string name = "work", string extra = "") =>
        "{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"" + name + "\"," +
        "\"startTimeUnixNano\":1795000000000000000,\"endTimeUnixNano\":1795000001500000000" +
        (extra.Length > 0 ? "," + extra : "") + ",\"attributes\":" + attributes + "}";
}
