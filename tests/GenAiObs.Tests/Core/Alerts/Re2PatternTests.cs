using GenAiObs.Core.Alerts;
using Xunit;

namespace GenAiObs.Tests.Alerts;

/// <summary>
/// Regex matchers behave as Alertmanager's RE2 ones (https://github.com/google/re2/wiki/Syntax):
/// anchored at both ends with <c>$</c> meaning end of text, ASCII-only Perl classes, RE2-only
/// syntax accepted and what RE2 refuses refused.
/// </summary>
public class Re2PatternTests
{
    private static bool Matches(string pattern, string value) =>
        LabelMatcher.Regex("a", pattern).Matches(LabelSet.From(("a", value)));

    [Theory]
    [InlineData("critical", "critical\n", false)]
    [InlineData("critical$", "critical\n", false)]
    [InlineData("crit.*", "critical\n", false)]
    [InlineData("(?s)crit.*", "critical\n", true)]
    [InlineData("critical\n", "critical\n", true)]
    [InlineData("a$|b", "a", true)]
    [InlineData("(?m)a$\nb", "a\nb", true)]
    [InlineData("a$\nb", "a\nb", false)]
    [InlineData("(?m:a$)\nb", "a\nb", true)]
    [InlineData("(?m:a$)\nb$\n", "a\nb\n", false)]
    [InlineData("x[$]", "x$", true)]
    public void Anchoring_WhenValueEndsWithANewline_ShouldTreatDollarAsEndOfText(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, Matches(pattern, value));
    }

    [Theory]
    [InlineData(@"\d+", "2025", true)]
    [InlineData(@"\d+", "٢٠٢٥", false)]
    [InlineData(@"\d", "５", false)]
    [InlineData(@"\D", "٢", true)]
    [InlineData(@"\w+", "gpt_4o", true)]
    [InlineData(@"\w+", "café", false)]
    [InlineData(@"\W", "é", true)]
    [InlineData(@"\s", " ", true)]
    [InlineData(@"\s", "\u00a0", false)]
    [InlineData(@"\s", "\v", false)]
    [InlineData(@"\S", "\u00a0", true)]
    [InlineData(@"[\d.]+", "1.5", true)]
    [InlineData(@"[\d]", "٣", false)]
    [InlineData(@"[^\d]", "٣", true)]
    [InlineData(@"[\D]", "٣", true)]
    [InlineData(@"[\w-]+", "us-east-1", true)]
    [InlineData(@"[[:digit:]]+", "42", true)]
    [InlineData(@"[[:alpha:]]+", "é", false)]
    [InlineData(@"[[:^alpha:]]", "1", true)]
    [InlineData(@"[[:upper:][:digit:]]+", "A1", true)]
    public void PerlClasses_ShouldBeAsciiOnlyAsInRe2(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, Matches(pattern, value));
    }

    [Theory]
    [InlineData(@"(?P<region>us|eu)-\w+", "us-east", true)]
    [InlineData(@"\Q.*\E", ".*", true)]
    [InlineData(@"\Q.*\E", "abc", false)]
    [InlineData(@"\x41\x{42}", "AB", true)]
    [InlineData(@"\101", "A", true)]
    [InlineData(@"\pL+", "Ωmega", true)]
    [InlineData(@"\PL", "1", true)]
    [InlineData(@"(?i)CRITICAL", "critical", true)]
    [InlineData(@"(?U)a+", "aaa", true)]
    [InlineData(@"a\_b", "a_b", true)]
    [InlineData(@"[]a]+", "]a", true)]
    [InlineData(@"[a-c-[x]]", "-]", true)]
    [InlineData(@"[a-c-[x]]", "b", false)]
    [InlineData(@"[a-c-[x]+", "[", true)]
    [InlineData(@"a{2,3}", "aaa", true)]
    [InlineData(@"a{,3}", "a{,3}", true)]
    public void Re2OnlySyntax_ShouldMeanWhatItMeansInRe2(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, Matches(pattern, value));
    }

    [Theory]
    [InlineData("(?=a)a")]
    [InlineData("(?!b)a")]
    [InlineData("(?<=a)b")]
    [InlineData("(?>a)")]
    [InlineData(@"(a)\1")]
    [InlineData(@"a\Z")]
    [InlineData(@"\e")]
    [InlineData(@"\k<x>")]
    [InlineData("(?x)a b")]
    [InlineData("a{1001}")]
    [InlineData("(")]
    [InlineData("a)")]
    [InlineData("[a")]
    [InlineData(@"a\")]
    [InlineData("[[:nope:]]")]
    [InlineData("a**")]
    public void Regex_WhenRe2WouldRejectThePattern_ShouldReject(string pattern)
    {
        Assert.ThrowsAny<ArgumentException>(() => LabelMatcher.Regex("a", pattern));
    }
}
