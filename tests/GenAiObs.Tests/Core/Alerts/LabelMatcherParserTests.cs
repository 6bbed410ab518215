using GenAiObs.Core.Alerts;
using Xunit;

namespace GenAiObs.Tests.Alerts;

/// <summary>Alertmanager's matcher syntax (https://prometheus.io/docs/alerting/latest/configuration/#matcher), classic parser rules.</summary>
public class LabelMatcherParserTests
{
    [Theory]
    [InlineData("foo=bar", LabelMatchType.Equal, "foo", "bar")]
    [InlineData("foo!=bar", LabelMatchType.NotEqual, "foo", "bar")]
    [InlineData("foo=~bar.*", LabelMatchType.Regex, "foo", "bar.*")]
    [InlineData("foo!~bar.*", LabelMatchType.NotRegex, "foo", "bar.*")]
    [InlineData("  foo  =  \"bar\"  ", LabelMatchType.Equal, "foo", "bar")]
    [InlineData("foo=\"\"", LabelMatchType.Equal, "foo", "")]
    [InlineData("foo=", LabelMatchType.Equal, "foo", "")]
    [InlineData("foo=\"a\\\"b\"", LabelMatchType.Equal, "foo", "a\"b")]
    [InlineData("foo=\"a\\\\b\"", LabelMatchType.Equal, "foo", "a\\b")]
    [InlineData("foo=\"a\\nb\"", LabelMatchType.Equal, "foo", "a\nb")]
    [InlineData("foo=\"a\\qb\"", LabelMatchType.Equal, "foo", "a\\qb")]
    [InlineData("foo=a\\", LabelMatchType.Equal, "foo", "a\\")]
    [InlineData("foo==bar", LabelMatchType.Equal, "foo", "=bar")]
    [InlineData("job:rate5m=x", LabelMatchType.Equal, "job:rate5m", "x")]
    [InlineData("statuscode=~\"5..\"", LabelMatchType.Regex, "statuscode", "5..")]
    public void ParseMatcher_WhenValid_ShouldReadNameOperatorAndUnescapedValue(string input, LabelMatchType type, string name, string value)
    {
        var matcher = LabelMatcherParser.ParseMatcher(input);

        Assert.Equal(type, matcher.Type);
        Assert.Equal(name, matcher.Name);
        Assert.Equal(value, matcher.Value);
    }

    [Theory]
    [InlineData("{foo = \"bar\", dings != \"bums\", }", "dings!=\"bums\"|foo=\"bar\"")]
    [InlineData("foo=bar,dings!=bums", "dings!=\"bums\"|foo=\"bar\"")]
    [InlineData("{quote=\"She said: \\\"Hi, ladies!\\\"\"}", "quote=\"She said: \\\"Hi, ladies!\\\"\"")]
    [InlineData("a=\"x,y\",b=~\"1|2\"", "a=\"x,y\"|b=~\"1|2\"")]
    [InlineData("", "")]
    [InlineData("{}", "")]
    public void ParseMatchers_WhenGivenAListOrBraces_ShouldSplitOnCommasOutsideQuotes(string input, string expected)
    {
        var matchers = LabelMatcherParser.ParseMatchers(input).ToList();
        matchers.Sort(LabelMatcher.Compare);

        Assert.Equal(expected, string.Join("|", matchers));
    }

    [Theory]
    [InlineData("foo", "bad matcher format")]
    [InlineData("=bar", "bad matcher format")]
    [InlineData("1foo=bar", "bad matcher format")]
    [InlineData("foo-bar=baz", "bad matcher format")]
    [InlineData("foo=\"bar", "unescaped double quote")]
    [InlineData("foo=ba\"r", "unescaped double quote")]
    [InlineData("foo=\"bar\"baz\"", "unescaped double quote")]
    [InlineData("foo=~\"(\"", "invalid regular expression")]
    public void ParseMatcher_WhenMalformed_ShouldSayWhatAlertmanagerSays(string input, string expected)
    {
        var error = Assert.Throws<FormatException>(() => LabelMatcherParser.ParseMatchers(input));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseMatchers_WhenAMiddleEntryIsEmpty_ShouldRejectIt()
    {
        Assert.Throws<FormatException>(() => LabelMatcherParser.ParseMatchers("a=b,,c=d"));
    }

    [Theory]
    [InlineData("a=\"x\"", "x", true)]
    [InlineData("a=\"x\"", "y", false)]
    [InlineData("a!=\"x\"", "y", true)]
    [InlineData("a!=\"x\"", null, true)]
    [InlineData("a!=\"\"", null, false)]
    [InlineData("a=\"\"", null, true)]
    [InlineData("a=~\"x|y\"", "y", true)]
    [InlineData("a=~\"x|y\"", "xy", false)]
    [InlineData("a!~\"x|y\"", "xy", true)]
    [InlineData("a!~\"x|y\"", "x", false)]
    [InlineData("a!~\".+\"", null, true)]
    public void Matches_WhenLabelHasValueOrIsMissing_ShouldTreatMissingAsEmpty(string matcher, string? value, bool expected)
    {
        var labels = value is null ? LabelSet.Empty : LabelSet.From(("a", value));

        Assert.Equal(expected, LabelMatcherParser.ParseMatcher(matcher).Matches(labels));
    }

    [Fact]
    public void ToString_WhenValueHasQuotesBackslashesAndNewlines_ShouldEscapeThemAsAlertmanagerPrintsThem()
    {
        var matcher = LabelMatcher.Create(LabelMatchType.NotEqual, "msg", "a\"b\\c\nd");

        Assert.Equal("msg!=\"a\\\"b\\\\c\\nd\"", matcher.ToString());
    }
}
