using System.Text;
using System.Text.Json;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Cli;

/// <summary><c>genaiobs replay</c> over a small file of image and video calls.</summary>
public sealed class ReplayMediaTests : IDisposable
{
    private static readonly string[] Records =
        ["invoke-titan-image.json", "invoke-nova-canvas.json", "invoke-stability-sd3.json", "async-nova-reel.json", "invoke-llama.json"];

    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-media-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Replay_WhenJson_ShouldReportImagesVideoSecondsAndTheirPerUnitCost()
    {
        var file = WriteSample();

        var (exit, stdout, _) = await ReplayCommandTests.RunAsync("replay", "--json", file);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var invocations = json.RootElement.GetProperty("invocations");
        Assert.Equal(5, invocations.GetProperty("records").GetInt64());
        Assert.Equal(4, invocations.GetProperty("notTokenPriced").GetInt64());
        Assert.Equal(0, invocations.GetProperty("unpriced").GetInt64());
        Assert.Equal(6, invocations.GetProperty("images").GetInt64());
        Assert.Equal(18, invocations.GetProperty("videoSeconds").GetInt64());
        // 3 × $0.06 + $0.08 + 18 s × $0.08; Titan's 2 premium 1024² images have no sourced price (counted, not priced).
        Assert.Equal(1.7m, invocations.GetProperty("perUnitCostUsd").GetDecimal());
        var titan = invocations.GetProperty("byModel").GetProperty("amazon.titan-image-generator-v2:0");
        Assert.Equal(2, titan.GetProperty("images").GetInt64());
        Assert.False(titan.GetProperty("perUnitPriced").GetBoolean());
        Assert.Equal(0m, titan.GetProperty("costUsd").GetDecimal());
        Assert.Equal(0, titan.GetProperty("inputTokens").GetInt64());
    }

    [Fact]
    public async Task Replay_WhenTable_ShouldListTheImageAndVideoModelsWithoutContent()
    {
        var file = WriteSample();

        var (exit, stdout, _) = await ReplayCommandTests.RunAsync("replay", file);

        Assert.Equal(0, exit);
        Assert.Contains("Image / video model (per-unit prices)", stdout, StringComparison.Ordinal);
        var reel = stdout.Split('\n').Last(line => line.StartsWith("amazon.nova-reel-v1:1", StringComparison.Ordinal));
        Assert.Equal(["amazon.nova-reel-v1:1", "1", "0", "18", "1.4400"], reel.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("6 images, 18 s of video, $1.7000 at per-unit prices", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(TestEvents.PromptCanary, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("iVBORw0KGgo", stdout, StringComparison.Ordinal);
    }

    private string WriteSample()
    {
        var path = Path.Combine(_directory, "media.jsonl");
        File.WriteAllText(path, string.Join('\n', Records.Select(f => Encoding.UTF8.GetString(TestEvents.CompactFixture(f)))));
        return path;
    }
}
