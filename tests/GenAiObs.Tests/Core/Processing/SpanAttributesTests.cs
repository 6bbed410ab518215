using GenAiObs.Core.Processing;
using GenAiObs.Tests.Template;
using Xunit;

namespace GenAiObs.Tests.Spans;

/// <summary>The attribute table is the parser's one definition of names, keys and precedence; the list in docs/metrics.md is checked against it.</summary>
public sealed class SpanAttributesTests
{
    [Fact]
    public void Table_ShouldHaveUniqueKeysAndOneValueKindScopeAndPrecedenceOrderPerField()
    {
        Assert.Equal(SpanAttributes.All.Count, SpanAttributes.All.Select(a => a.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Enum.GetValues<SpanAttributeField>().Order(), SpanAttributes.All.Select(a => a.Field).Distinct().Order());
        foreach (var field in SpanAttributes.All.GroupBy(a => a.Field))
        {
            Assert.Single(field.Select(a => (a.Value, a.OnResource)).Distinct());
            Assert.Equal(Enumerable.Range(0, field.Count()), field.Select(a => a.Precedence).Order());
        }
    }

    [Theory]
    // Deprecated key first in the span: the current key still wins.
    [InlineData("""{"gen_ai.system":"aws.bedrock","gen_ai.provider.name":"aws.bedrock.converse","gen_ai.request.model":"m"}""", "aws.bedrock.converse")]
    [InlineData("""{"gen_ai.provider.name":"aws.bedrock.converse","gen_ai.system":"aws.bedrock","gen_ai.request.model":"m"}""", "aws.bedrock.converse")]
    [InlineData("""{"gen_ai.system":"aws.bedrock","gen_ai.request.model":"m"}""", "aws.bedrock")]
    [InlineData("""{"gen_ai.system":"aws.bedrock","gen_ai.provider.name":null,"gen_ai.request.model":"m"}""", "aws.bedrock")]
    public void Parse_WhenSeveralKeysFeedTheProvider_ShouldKeepTheHighestPrecedencePresent(string attributes, string provider)
    {
        var span = SpanFixtures.ParseOne(SpanFixtures.Minimal(attributes));

        Assert.Equal(provider, span.Provider);
    }

    [Fact]
    public void Parse_WhenEverySpellingOfTheTokenCountsIsPresentInReverseOrder_ShouldKeepTheCurrentConventionNames()
    {
        var span = SpanFixtures.ParseOne(SpanFixtures.Minimal("""
            {"gen_ai.operation.name":"chat","gen_ai.response.model":"resp","gen_ai.request.model":"req",
             "gen_ai.usage.prompt_tokens":1,"gen_ai.usage.input_tokens":100,
             "gen_ai.usage.completion_tokens":2,"gen_ai.usage.output_tokens":200,
             "gen_ai.usage.cache_read_input_tokens":3,"gen_ai.usage.cache_read.input_tokens":30,
             "gen_ai.usage.cache_write_input_tokens":4,"gen_ai.usage.cache_creation_input_tokens":5,"gen_ai.usage.cache_creation.input_tokens":50}
            """));

        Assert.Equal(("req", 100L, 200L, 30L, 50L), (span.Model, span.InputTokens, span.OutputTokens, span.CacheReadTokens, span.CacheWriteTokens));
    }

    [Fact]
    public void Parse_WhenOnlyTheOldestSpellingsArePresent_ShouldUseThem()
    {
        var span = SpanFixtures.ParseOne(SpanFixtures.Minimal("""
            {"gen_ai.operation.name":"chat","gen_ai.response.model":"resp","gen_ai.usage.prompt_tokens":1,"gen_ai.usage.completion_tokens":2,
             "gen_ai.usage.cache_read_input_tokens":3,"gen_ai.usage.cache_write_input_tokens":4}
            """, extra: "\"resource\":{\"attributes\":{\"deployment.environment\":\"staging\",\"service.name\":\"svc\"}}"));

        Assert.Equal(("resp", 1L, 2L, 3L, 4L, "staging", "svc"), (span.Model, span.InputTokens, span.OutputTokens, span.CacheReadTokens, span.CacheWriteTokens, span.Environment, span.ServiceName));
    }

    [Fact]
    public void Parse_WhenAResourceAttributeIsOnTheSpan_ShouldIgnoreIt()
    {
        var span = SpanFixtures.ParseOne(SpanFixtures.Minimal("""{"service.name":"on-span","session.id":"s-1"}"""));

        Assert.Null(span.ServiceName);
        Assert.Equal("s-1", span.SessionId);
    }

    [Fact]
    public void Parse_WhenALowerPrecedenceKeyHasTheWrongType_ShouldStillRejectTheSpan()
    {
        var result = SpanParser.Parse(SpanFixtures.Event(SpanFixtures.Minimal("""{"gen_ai.usage.input_tokens":5,"gen_ai.usage.prompt_tokens":{"x":1}}""")));

        Assert.False(result.IsAccepted);
        Assert.Equal(("wrong_type", "gen_ai.usage.prompt_tokens"), (result.Rejection!.Reason, result.Rejection.Detail));
    }

    [Fact]
    public void MetricsDocAttributeTable_ShouldListEveryFieldWithItsKeysInPrecedenceOrder()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "metrics.md"));
        var header = Array.FindIndex(lines, line => line.StartsWith("| span field | attribute keys, in precedence order | read from |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/metrics.md has no span attribute table");
        var rows = lines.Skip(header + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
            .Select(cells => (Field: cells[1], Keys: string.Join(",", cells[2].Split(',').Select(k => k.Trim().Trim('`'))), Scope: cells[3]))
            .ToList();

        var expected = SpanAttributes.All
            .GroupBy(a => a.Field)
            .Select(g => (Field: g.Key.ToString(), Keys: string.Join(",", g.OrderBy(a => a.Precedence).Select(a => a.Key)), Scope: g.First().OnResource ? "resource" : "span"))
            .ToList();
        Assert.Equal(expected, rows);
    }
}
