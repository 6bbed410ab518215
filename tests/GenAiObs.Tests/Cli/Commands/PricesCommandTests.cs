using System.Text;
using GenAiObs.Adapters.Aws;
using GenAiObs.Adapters.Pricing;
using GenAiObs.Cli;
using GenAiObs.Cli.Commands;
using GenAiObs.Core.Pricing;
using GenAiObs.Tests.Store;
using Xunit;

namespace GenAiObs.Tests.Pricing;

/// <summary><c>genaiobs prices refresh</c> and <c>check</c> against the loopback Price List.</summary>
[Trait("Category", "Integration")]
public sealed class PricesCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private readonly FakePriceList _server = new(pageSize: 3);
    private readonly string _directory = Directory.CreateTempSubdirectory("genaiobs-prices-").FullName;

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private PricesCommand Command() =>
        new(
            new CliEnvironment(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_PRICING"] = _server.Endpoint.ToString() }, _directory),
            settings => new PriceListClient(new HttpClient(), settings.Endpoint, settings.SigningRegion,
                new StaticCredentialsSource(new AwsCredentials(FakePriceList.AccessKey, FakePriceList.Secret)), new FixedTimeProvider(Now)),
            new FixedTimeProvider(Now));

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Command().RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Refresh_WhenThePriceListHasNewAndUnchangedPrices_ShouldWriteTheFileAndListWhatItCouldNotMap()
    {
        var output = Path.Combine(_directory, "prices.json");

        var (exit, _, report) = await RunAsync("refresh", "--region", "us-east-1", "--out", output);
        var table = PriceTable.Parse(File.ReadAllBytes(output));
        PriceEntry Entry(string id) => table.Entries.Single(e => e.ModelId == id);

        Assert.Equal(0, exit);
        Assert.Empty(_server.Rejections);
        // Pages of 3: AmazonBedrock 11 products (4 pages) + AmazonBedrockFoundationModels 7 (3 pages).
        Assert.Contains("Price List: 18 products in 7 page(s)", report, StringComparison.Ordinal);
        Assert.Equal("2026-12-06", table.EffectiveDate);
        Assert.Equal("2026-12-06", table.Sources[PriceFileUpdater.SourceId].Retrieved);

        // A changed price: Claude 3.5 Sonnet under extended access, $6 / $30, sourced to the Price List.
        var sonnet35 = Entry("anthropic.claude-3-5-sonnet-20240620-v1:0");
        Assert.Equal(new TokenPrices(6m, 30m, 6m, 6m), sonnet35.Prices);
        Assert.Equal(["aws-price-list"], sonnet35.Sources);
        Assert.False(sonnet35.Confirmed);
        Assert.Equal("2026-11-01", sonnet35.EffectiveDate);
        Assert.Contains("anthropic.claude-3-5-sonnet-20240620-v1:0: $3 / $15 → $6 / $30", report, StringComparison.Ordinal);
        Assert.Equal(6m * 2 + 30m, table.Quote("anthropic.claude-3-5-sonnet-20240620-v1:0", 2_000_000, 1_000_000, 0, 0).CostUsd);

        // Unchanged prices gain the Price List as a source; Sonnet 4.5 keeps its global base price.
        var micro = Entry("amazon.nova-micro-v1:0");
        Assert.Equal(new TokenPrices(0.035m, 0.14m, 0.00875m, 0m), micro.Prices);
        Assert.Contains("aws-price-list", micro.Sources);
        Assert.True(micro.Confirmed);
        Assert.Contains("aws-price-list", Entry("amazon.titan-embed-text-v2:0").Sources);
        Assert.Equal(3m, Entry("anthropic.claude-sonnet-4-5-20250929-v1:0").Prices.InputPerMillion);
        Assert.Contains("aws-price-list", Entry("anthropic.claude-sonnet-4-5-20250929-v1:0").Sources);

        // Listed, never guessed.
        Assert.Contains("Frontier Model X: no-priceListName-matches", report, StringComparison.Ordinal);
        Assert.Contains("Nova Canvas: no-priceListName-matches", report, StringComparison.Ordinal);
        Assert.Contains("Llama 3.1 70B Instruct: unit-not-per-token", report, StringComparison.Ordinal);
        Assert.Contains("meta.llama3-1-70b-instruct-v1:0: no-input-price", report, StringComparison.Ordinal);
        Assert.Contains("mistral.mistral-large-2402-v1:0: conflicting-prices [Input: 4 vs 8]", report, StringComparison.Ordinal);
        Assert.Contains("not-standard-on-demand 1", report, StringComparison.Ordinal);
        Assert.Equal(0.72m, Entry("meta.llama3-1-70b-instruct-v1:0").Prices.InputPerMillion);
        Assert.Equal(4m, Entry("mistral.mistral-large-2402-v1:0").Prices.InputPerMillion);
    }

    [Fact]
    public async Task Refresh_WhenAnotherRegionIsAsked_ShouldWriteItsRegionsEntries()
    {
        var (exit, json, report) = await RunAsync("refresh", "--region", "eu-west-2");
        var table = PriceTable.Parse(Encoding.UTF8.GetBytes(json));
        var llama70 = table.Entries.Single(e => e.ModelId == "meta.llama3-70b-instruct-v1:0");

        Assert.Equal(0, exit);
        Assert.Equal(new TokenPrices(3.5m, 4.6m, 3.5m, 3.5m), llama70.Regions["eu-west-2"]);
        Assert.Equal(new TokenPrices(2.65m, 3.5m, 2.65m, 2.65m), llama70.Prices);
        Assert.Contains("meta.llama3-70b-instruct-v1:0 in eu-west-2: $3.45 / $4.55 → $3.5 / $4.6", report, StringComparison.Ordinal);
        Assert.DoesNotContain("meta.llama3-8b-instruct-v1:0 in eu-west-2", report, StringComparison.Ordinal);
        Assert.Equal(3.5m + 4.6m, table.Quote("meta.llama3-70b-instruct-v1:0", "eu-west-2", 1_000_000, 1_000_000, 0, 0, out _).CostUsd);
    }

    [Fact]
    public async Task Refresh_WhenThePriceListRefuses_ShouldExitOneWithTheReasonAndWriteNothing()
    {
        var output = Path.Combine(_directory, "never.json");
        _server.Script(FakePriceList.Error(400, "AccessDeniedException", "not authorized"));

        var (exit, _, report) = await RunAsync("refresh", "--out", output);

        Assert.Equal(1, exit);
        Assert.Contains("AccessDeniedException", report, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("refresh", "--region", "Europe")]
    [InlineData("refresh", "--bogus")]
    [InlineData("check")]
    [InlineData("fetch")]
    public async Task Run_WhenTheCommandLineIsWrong_ShouldBeAUsageError(params string[] args)
    {
        await Assert.ThrowsAsync<CliUsageException>(() => RunAsync(args));
    }

    [Fact]
    public async Task Check_WhenTheRefreshedFileIsChecked_ShouldListTheChangesAgainstTheDefault()
    {
        var output = Path.Combine(_directory, "prices.json");
        await RunAsync("refresh", "--out", output);

        var (exit, text, _) = await RunAsync("check", output);

        Assert.Equal(0, exit);
        Assert.Contains($"{output}: valid. effectiveDate 2026-12-06, base region us-east-1;", text, StringComparison.Ordinal);
        Assert.Contains("changed anthropic.claude-3-5-sonnet-20240620-v1:0: inputPerMillion 3 → 6; outputPerMillion 15 → 30; cacheReadPerMillion 3 → 6; cacheWritePerMillion 3 → 6", text, StringComparison.Ordinal);
        Assert.DoesNotContain("amazon.nova-micro-v1:0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WhenTheDefaultIsCheckedAgainstItself_ShouldFindNoDifferences()
    {
        var file = Path.Combine(_directory, "default.json");
        File.WriteAllBytes(file, PriceTable.DefaultBytes());

        var (exit, text, _) = await RunAsync("check", file);

        Assert.Equal(0, exit);
        Assert.Contains("No differences from the embedded default (2026-12-06).", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WhenTheDefaultIsChecked_ShouldListItsPerUnitPrices()
    {
        var file = Path.Combine(_directory, "default.json");
        File.WriteAllBytes(file, PriceTable.DefaultBytes());

        var (exit, text, _) = await RunAsync("check", file);

        Assert.Equal(0, exit);
        Assert.Contains("not token-priced (11 with per-unit prices, 7 confirmed by two sources)", text, StringComparison.Ordinal);
        Assert.Contains("Per-unit prices, USD (11):", text, StringComparison.Ordinal);
        Assert.Contains("  amazon.nova-canvas-v1:0: per image: standard/1024x1024 0.04, standard/2048x2048 0.06, premium/1024x1024 0.06, premium/2048x2048 0.08 (effective 2026-12-07, not confirmed)", text, StringComparison.Ordinal);
        Assert.Contains("  amazon.nova-reel-v1:1: per second: any 0.08 (effective 2026-12-07, not confirmed)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WhenTheFileIsInvalid_ShouldExitOneNamingTheProblem()
    {
        var file = Path.Combine(_directory, "bad.json");
        File.WriteAllText(file, """{"effectiveDate":"2026-12-06","models":{"m":{"kind":"embedding","inputPerMillion":1,"outputPerMillion":2}}}""");

        var (exit, _, error) = await RunAsync("check", file);

        Assert.Equal(1, exit);
        Assert.Contains("priced on input tokens only", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WhenComparedWithAnotherFile_ShouldListAddedRemovedAndRegionChanges()
    {
        var before = Path.Combine(_directory, "before.json");
        var after = Path.Combine(_directory, "after.json");
        File.WriteAllText(before, """{"effectiveDate":"2026-11-01","models":{"a":{"inputPerMillion":1,"outputPerMillion":2},"gone":{"inputPerMillion":1,"outputPerMillion":1}}}""");
        File.WriteAllText(after, """
            {"effectiveDate":"2026-12-01","models":{"a":{"inputPerMillion":1,"outputPerMillion":2,"regions":{"eu-west-1":{"inputPerMillion":1.2,"outputPerMillion":2.4}}},
             "new":{"kind":"embedding","inputPerMillion":0.1}},"notTokenPriced":{"img":{"unit":"image"}}}
            """);

        var (exit, text, _) = await RunAsync("check", after, "--against", before);

        Assert.Equal(0, exit);
        Assert.Contains("changed effectiveDate: 2026-11-01 → 2026-12-01", text, StringComparison.Ordinal);
        Assert.Contains("changed a: regions[eu-west-1] added input 1.2, output 2.4 per 1M", text, StringComparison.Ordinal);
        Assert.Contains("removed gone: input 1, output 1 per 1M", text, StringComparison.Ordinal);
        Assert.Contains("added   new: embedding, input 0.1 per 1M", text, StringComparison.Ordinal);
        Assert.Contains("added   img: not token-priced", text, StringComparison.Ordinal);
    }
}
