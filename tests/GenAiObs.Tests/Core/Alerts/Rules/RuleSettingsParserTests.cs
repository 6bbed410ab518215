using Xunit;
using GenAiObs.Core.Alerts.Rules;

namespace GenAiObs.Tests.Rules;

public class RuleSettingsParserTests
{
    [Fact]
    public void Parse_WhenNothingIsSet_ShouldGiveTheIssueDefaults()
    {
        var settings = RuleSettingsParser.Parse(new Dictionary<string, string>());

        Assert.Null(settings.MonthlyBudgetUsd);
        var errorRate = settings.For(ErrorRateHighRule.Definition.Id);
        Assert.Equal((true, 5m, TimeSpan.FromMinutes(15), 20L), (errorRate.Enabled, errorRate.Threshold, errorRate.Window, errorRate.MinSamples));
        var runaway = settings.For(RunawayAgentSessionRule.Definition.Id);
        Assert.Equal((100m, 10m, TimeSpan.FromMinutes(10)), (runaway.Threshold, runaway.CostUsd, runaway.Window));
        Assert.Equal(8, settings.For(DailyDigestRule.Definition.Id).HourUtc);
        Assert.Equal(DayOfWeek.Monday, settings.For(WeeklyUsageReportRule.Definition.Id).Day);
    }

    [Fact]
    public void Parse_WhenRuleVariablesAreSet_ShouldOverrideOnlyThoseParameters()
    {
        var variables = new Dictionary<string, string>
        {
            ["GENAIOBS_MONTHLY_BUDGET_USD"] = "2500.50",
            ["GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD"] = "2.5",
            ["GENAIOBS_RULE_LATENCY_P95_HIGH_WINDOW"] = "30m",
            ["GENAIOBS_RULE_COMPLETION_RATE_LOW_MIN_SAMPLES"] = "50",
            ["GENAIOBS_RULE_RUNAWAY_AGENT_SESSION_COST_USD"] = "25",
            ["GENAIOBS_RULE_DAILY_DIGEST_HOUR_UTC"] = "6",
            ["GENAIOBS_RULE_WEEKLY_USAGE_REPORT_DAY"] = "friday",
            ["GENAIOBS_RULE_UNUSUAL_REQUEST_VOLUME_ENABLED"] = "false",
            ["PATH"] = "/usr/bin",
        };

        var settings = RuleSettingsParser.Parse(variables);

        Assert.Equal(2500.50m, settings.MonthlyBudgetUsd);
        Assert.Equal((2.5m, TimeSpan.FromMinutes(15)), (settings.For(ErrorRateHighRule.Definition.Id).Threshold, settings.For(ErrorRateHighRule.Definition.Id).Window));
        Assert.Equal(TimeSpan.FromMinutes(30), settings.For(LatencyP95HighRule.Definition.Id).Window);
        Assert.Equal(50, settings.For(CompletionRateLowRule.Definition.Id).MinSamples);
        Assert.Equal((100m, 25m), (settings.For(RunawayAgentSessionRule.Definition.Id).Threshold, settings.For(RunawayAgentSessionRule.Definition.Id).CostUsd));
        Assert.Equal(6, settings.For(DailyDigestRule.Definition.Id).HourUtc);
        Assert.Equal(DayOfWeek.Friday, settings.For(WeeklyUsageReportRule.Definition.Id).Day);
        Assert.False(settings.For(UnusualRequestVolumeRule.Definition.Id).Enabled);
    }

    [Theory]
    [InlineData("GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD", "five")]
    [InlineData("GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHOLD", "-1")]
    [InlineData("GENAIOBS_RULE_ERROR_RATE_HIGH_WINDOW", "7m")]
    [InlineData("GENAIOBS_RULE_COMPLETION_RATE_LOW_WINDOW", "90m")]
    [InlineData("GENAIOBS_RULE_LATENCY_P95_HIGH_MIN_SAMPLES", "1.5")]
    [InlineData("GENAIOBS_RULE_DAILY_DIGEST_HOUR_UTC", "24")]
    [InlineData("GENAIOBS_RULE_WEEKLY_USAGE_REPORT_DAY", "3")]
    [InlineData("GENAIOBS_RULE_MODEL_UNAVAILABLE_ENABLED", "maybe")]
    [InlineData("GENAIOBS_RULE_MODEL_UNAVAILABLE_THRESHOLD", "50")]
    [InlineData("GENAIOBS_RULE_ERROR_RATE_HIGH_THRESHHOLD", "5")]
    [InlineData("GENAIOBS_MONTHLY_BUDGET_USD", "lots")]
    [InlineData("GENAIOBS_MONTHLY_BUDGET_USD", "-5")]
    public void Parse_WhenASettingCannotBeUsed_ShouldFailNamingTheVariable(string name, string value)
    {
        var variables = new Dictionary<string, string> { [name] = value };

        var exception = Assert.Throws<RuleSettingsException>(() => RuleSettingsParser.Parse(variables));

        Assert.Equal(name, exception.VariableName);
        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WhenTheBudgetIsZero_ShouldTurnTheBudgetNoticesOff()
    {
        var settings = RuleSettingsParser.Parse(new Dictionary<string, string> { ["GENAIOBS_MONTHLY_BUDGET_USD"] = "0" });

        Assert.Null(settings.MonthlyBudgetUsd);
    }

    [Theory]
    [InlineData("ErrorRateHigh", "ERROR_RATE_HIGH")]
    [InlineData("LatencyP95High", "LATENCY_P95_HIGH")]
    [InlineData("ComponentP95High", "COMPONENT_P95_HIGH")]
    public void UpperSnake_ShouldSplitWordsAtCapitals(string ruleId, string expected)
    {
        Assert.Equal(expected, RuleSettingsParser.UpperSnake(ruleId));
    }

    [Fact]
    public void KnownVariableNames_ShouldListEveryAcceptedParameterOnce()
    {
        var names = RuleSettingsParser.KnownVariableNames;

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("GENAIOBS_RULE_RUNAWAY_AGENT_SESSION_COST_USD", names);
        Assert.Contains("GENAIOBS_MONTHLY_BUDGET_USD", names);
        Assert.DoesNotContain("GENAIOBS_RULE_MODEL_UNAVAILABLE_THRESHOLD", names);
    }
}
