using Xunit;

namespace GenAiObs.Tests.Deploy;

/// <summary>
/// cfn-lint (AWS's CloudFormation linter, pinned in tests/requirements.txt) on template.yaml and member.yaml:
/// zero errors, warnings and informational findings. It checks what moto cannot run: alarms,
/// subscription filters, query definitions, intrinsic functions and resource-specific rules.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CfnLintTests
{
    [Fact]
    public async Task CfnLint_WhenRunOnTemplateYamlAndMemberYaml_ShouldReportNothingAndStillCatchABrokenTemplate()
    {
        // One process for both files (cfn-lint's start-up dominates): the broken copy proves the
        // linter really ran and that its findings reach this test.
        var broken = Path.Combine(Path.GetTempPath(), $"genaiobs-cfnlint-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(broken, """
            AWSTemplateFormatVersion: '2010-09-09'
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  MessageRetentionPeriod: 5
                  NoSuchProperty: x
            """);
        try
        {
            var result = await PythonTool.RunAsync(["-c", "import sys; from cfnlint.runner import main; sys.exit(main())", "--format", "parseable", "template.yaml", "member.yaml", broken]);

            var findings = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            // Exit code bits: 2 = error, 4 = warning, 8 = informational (the broken copy has errors only).
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.All(findings, f => Assert.StartsWith(broken, f, StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Contains("NoSuchProperty", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
