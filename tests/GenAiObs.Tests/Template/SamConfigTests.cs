using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>
/// samconfig.toml against template.yaml: `sam deploy --guided` accepting every default needs a
/// default for every parameter, and each saved environment's <c>parameter_overrides</c> must name
/// template parameters with values CloudFormation's parameter checks accept
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html),
/// and must not subscribe to a spans group the account lacks.
/// </summary>
public sealed partial class SamConfigTests
{
    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();

    [Fact]
    public void EveryParameter_WhenDeployedWithDefaults_ShouldHaveADefaultItsOwnConstraintsAccept()
    {
        Assert.NotEmpty(_template.Parameters);
        Assert.All(_template.Parameters, p =>
        {
            var parameter = Assert.IsType<Dictionary<string, object?>>(p.Value);
            Assert.True(parameter.ContainsKey("Default"), $"{p.Key} has no default");
            AssertAccepted(p.Key, Convert.ToString(parameter["Default"], CultureInfo.InvariantCulture) ?? "");
        });
    }

    [Fact]
    public void ProdExample_WhenDeployed_ShouldUseValidParametersAndEnableSpansWithTransactionSearch()
    {
        var overrides = Overrides("prod");

        Assert.All(overrides, o => AssertAccepted(o.Key, o.Value));
        Assert.Equal("prod", overrides["EnvironmentName"]);
        Assert.Equal("true", overrides["EnableSpanProcessing"]);
        // The stack turns Transaction Search on and creates aws/spans before subscribing to it.
        Assert.Equal("true", overrides["EnableTransactionSearch"]);
    }

    private void AssertAccepted(string name, string value)
    {
        var parameter = Assert.IsType<Dictionary<string, object?>>(_template.Parameters.GetValueOrDefault(name));
        if (parameter.GetValueOrDefault("AllowedValues") is List<object?> allowed)
        {
            Assert.Contains(value, allowed.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)));
        }

        if (parameter.GetValueOrDefault("AllowedPattern") is string pattern)
        {
            Assert.Matches(new Regex(pattern), value);
        }

        if (parameter.GetValueOrDefault("MaxLength") is { } maxLength)
        {
            Assert.True(value.Length <= int.Parse(Convert.ToString(maxLength, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture), name);
        }
    }

    /// <summary>The <c>"Name=Value"</c> entries of <c>[ENV.deploy.parameters] parameter_overrides</c>.</summary>
    private static Dictionary<string, string> Overrides(string environment)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samconfig.toml"));
        var section = text[(text.IndexOf($"[{environment}.deploy.parameters]", StringComparison.Ordinal) + 1)..];
        var next = section.IndexOf("\n[", StringComparison.Ordinal);
        section = next < 0 ? section : section[..next];
        var list = OverridesList().Match(section);
        Assert.True(list.Success, $"no parameter_overrides in [{environment}.deploy.parameters]");
        return Entry().Matches(list.Groups[1].Value)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
    }

    [GeneratedRegex(@"(?m)^parameter_overrides\s*=\s*\[(.*?)\]", RegexOptions.Singleline)]
    private static partial Regex OverridesList();

    [GeneratedRegex("\"([A-Za-z0-9]+)=([^\"]*)\"")]
    private static partial Regex Entry();
}
