using GenAiObs.Core.Processing;
using Xunit;

namespace GenAiObs.Tests.Parsing;

public class PrincipalParserTests
{
    [Theory]
    [InlineData("arn:aws:sts::111122223333:assumed-role/app-role/jane.doe@example.com", "app-role")]
    [InlineData("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane", "AWSReservedSSO_Admin_0123456789abcdef")]
    [InlineData("arn:aws:sts::111122223333:assumed-role/no-session-role", "no-session-role")]
    [InlineData("arn:aws:iam::111122223333:user/carol", "user/carol")]
    [InlineData("arn:aws:iam::111122223333:user/division/team/carol", "user/carol")]
    [InlineData("arn:aws:iam::111122223333:root", "root")]
    [InlineData("arn:aws-us-gov:iam::111122223333:root", "root")]
    [InlineData("arn:aws:sts::111122223333:federated-user/dave", "federated-user/dave")]
    [InlineData("arn:aws:iam::111122223333:role/service-role/my-lambda-role", "role/service-role/my-lambda-role")]
    [InlineData("", "unknown")]
    [InlineData("AROAEXAMPLEID:session", "unknown")]
    [InlineData("arn:aws:sts::111122223333", "unknown")]
    [InlineData("arn:aws:sts::111122223333:assumed-role/", "unknown")]
    public void FromArn_WhenArnShape_ShouldReducePrincipal(string arn, string expected)
    {
        var principal = PrincipalParser.FromArn(arn);

        Assert.Equal(expected, principal);
    }

    [Fact]
    public void FromArn_WhenNull_ShouldBeUnknown()
    {
        Assert.Equal(PrincipalParser.Unknown, PrincipalParser.FromArn((string?)null));
    }

    [Fact]
    public void FromArn_WhenAssumedRole_ShouldNeverKeepSessionName()
    {
        var principal = PrincipalParser.FromArn("arn:aws:sts::111122223333:assumed-role/app-role/jane.doe@example.com");

        Assert.DoesNotContain("jane", principal, StringComparison.Ordinal);
    }
}
