using BenchmarkDotNet.Attributes;

namespace GenAiObs.Benchmarks;

/// <summary>
/// Allocations must not grow with prompt size (bodies are skipped, never materialised): the full
/// path on two deliveries of 100 Converse records with the same identities, tokens and timestamps
/// (same seed) whose prompts are 1 KB or 50 KB. Allocated bytes per operation should be equal.
/// </summary>
[MemoryDiagnoser]
public class BodySizeBenchmarks
{
    private const int Records = 100;
    private readonly CountingWriter _emfOutput = new();
    private Pipeline _pipeline = null!;
    private byte[] _event = [];

    [Params(1, 50)]
    public int PromptKB { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pipeline = new Pipeline();
        _event = PayloadGenerator.Generate(PayloadKind.LargePrompt, Records, largePromptChars: PromptKB * 1024).EventJson;
    }

    /// <summary>decode → parse/price → metrics → EMF → DynamoDB deltas, per 100-record delivery.</summary>
    [Benchmark]
    public int FullPath()
    {
        _emfOutput.Reset();
        var output = _pipeline.Run(_event, _emfOutput);
        return output.EmfLines + output.Aggregates.ItemCount;
    }
}
