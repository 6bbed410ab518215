using System.Text.Json;
using Xunit;

namespace GenAiObs.Tests.Template;

public sealed class CloudFormationYamlTests
{
    [Theory]
    [InlineData("!Ref Bucket", """{"Ref":"Bucket"}""")]
    [InlineData("!GetAtt Queue.Arn", """{"Fn::GetAtt":["Queue","Arn"]}""")]
    [InlineData("!GetAtt Db.Endpoint.Address", """{"Fn::GetAtt":["Db","Endpoint.Address"]}""")]
    [InlineData("!GetAtt [Queue, Arn]", """{"Fn::GetAtt":["Queue","Arn"]}""")]
    [InlineData("!Sub ${AWS::StackName}-x", """{"Fn::Sub":"${AWS::StackName}-x"}""")]
    [InlineData("!Sub ['${A}', {A: !Ref B}]", """{"Fn::Sub":["${A}",{"A":{"Ref":"B"}}]}""")]
    [InlineData("!Join [',', [a, b]]", """{"Fn::Join":[",",["a","b"]]}""")]
    [InlineData("!If [On, !Ref A, !Ref AWS::NoValue]", """{"Fn::If":["On",{"Ref":"A"},{"Ref":"AWS::NoValue"}]}""")]
    [InlineData("!Equals [!Ref P, 'true']", """{"Fn::Equals":[{"Ref":"P"},"true"]}""")]
    [InlineData("!Not [!Equals [a, b]]", """{"Fn::Not":[{"Fn::Equals":["a","b"]}]}""")]
    [InlineData("!Select [0, !GetAZs '']", """{"Fn::Select":["0",{"Fn::GetAZs":""}]}""")]
    [InlineData("!Split [',', a]", """{"Fn::Split":[",","a"]}""")]
    [InlineData("!FindInMap [M, K, V]", """{"Fn::FindInMap":["M","K","V"]}""")]
    [InlineData("!ImportValue shared-arn", """{"Fn::ImportValue":"shared-arn"}""")]
    [InlineData("!Base64 text", """{"Fn::Base64":"text"}""")]
    [InlineData("!And [!Condition A, !Condition B]", """{"Fn::And":[{"Condition":"A"},{"Condition":"B"}]}""")]
    [InlineData("!Or [!Condition A, !Condition B]", """{"Fn::Or":[{"Condition":"A"},{"Condition":"B"}]}""")]
    [InlineData("!Cidr [10.0.0.0/16, 4, 8]", """{"Fn::Cidr":["10.0.0.0/16","4","8"]}""")]
    public void Parse_WhenValueUsesShortFormTag_ShouldProduceTheLongForm(string yaml, string expectedJson)
    {
        var parsed = CloudFormationYaml.Parse("Value: " + yaml);

        var actual = JsonSerializer.SerializeToElement(parsed["Value"]);
        using var expected = JsonDocument.Parse(expectedJson);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, actual), $"{yaml} → {actual.GetRawText()}");
    }

    [Fact]
    public void Parse_WhenBlockScalarCarriesSubTag_ShouldKeepTheTextVerbatim()
    {
        var yaml = "Body: !Sub |\n  {\"a\": \"${X}\"}\n  line2\n";

        var parsed = CloudFormationYaml.Parse(yaml);

        var sub = Assert.IsType<Dictionary<string, object?>>(parsed["Body"]);
        Assert.Equal("{\"a\": \"${X}\"}\nline2\n", sub["Fn::Sub"]);
    }

    [Fact]
    public void Parse_WhenQuotedOrPlainNullScalars_ShouldDistinguishThem()
    {
        var parsed = CloudFormationYaml.Parse("A: ''\nB:\nC: '~'\n");

        Assert.Equal(string.Empty, parsed["A"]);
        Assert.Null(parsed["B"]);
        Assert.Equal("~", parsed["C"]);
    }

    [Theory]
    [InlineData("Value: !NotAnIntrinsic x", "unknown intrinsic tag '!NotAnIntrinsic'")]
    [InlineData("Value: !GetAtt NoDot", "is not LogicalId.Attribute")]
    [InlineData("Value: !Ref [a, b]", "!Ref needs a scalar")]
    [InlineData("A: 1\nA: 2", "Invalid YAML at line 2")]
    public void Parse_WhenYamlIsNotAValidTemplate_ShouldFailNamingTheProblem(string yaml, string expected)
    {
        var error = Assert.Throws<FormatException>(() => CloudFormationYaml.Parse(yaml));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
