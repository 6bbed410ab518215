using System.Text;
using GenAiObs.Adapters.Aws;
using Xunit;

namespace GenAiObs.Tests.Delivery;

public class SigV4SignerTests
{
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Fact]
    public void Sign_WhenGivenThePublishedIamListUsersVector_ShouldProduceThePublishedSignature()
    {
        var request = new SigV4Request(
            "GET",
            new Uri("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
            [
                new("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
                new("host", "iam.amazonaws.com"),
                new("x-amz-date", "20150830T123600Z"),
            ],
            ReadOnlyMemory<byte>.Empty);

        var result = SigV4Signer.Sign(request, new AwsCredentials("AKIDEXAMPLE", ExampleSecret), "us-east-1", "iam", new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", result.Signature);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            result.Authorization);
    }

    [Fact]
    public void Sign_WhenComparedWithAStepByStepRecomputation_ShouldAgreeIncludingTheSessionToken()
    {
        var body = Encoding.UTF8.GetBytes("Action=Publish&Version=2010-03-31&Message=hello%20world");
        var now = new DateTimeOffset(2025, 3, 10, 12, 34, 56, TimeSpan.Zero);
        var credentials = new AwsCredentials("AKIDTEST", "secret/key+value", "session-token-123");
        var request = new SigV4Request(
            "POST",
            new Uri("http://127.0.0.1:4566/"),
            [new("Content-Type", "application/x-www-form-urlencoded;  charset=utf-8 ")],
            body);

        var result = SigV4Signer.Sign(request, credentials, "eu-west-1", "sns", now);

        // Independent recomputation, step by step.
        var payloadHash = IndependentSigV4.Sha256Hex(body);
        var canonical =
            "POST\n" +
            "/\n" +
            "\n" +
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n" +
            "host:127.0.0.1:4566\n" +
            "x-amz-date:20250310T123456Z\n" +
            "x-amz-security-token:session-token-123\n" +
            "\n" +
            "content-type;host;x-amz-date;x-amz-security-token\n" +
            payloadHash;
        var expected = IndependentSigV4.Signature("secret/key+value", "20250310T123456Z", "eu-west-1", "sns", canonical);
        Assert.Equal(canonical, result.CanonicalRequest);
        Assert.Equal(expected, result.Signature);
        Assert.Equal("session-token-123", result.SecurityToken);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,", result.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_WhenCredentialsHaveNoToken_ShouldNotSignOrSendASecurityToken()
    {
        var request = new SigV4Request("POST", new Uri("https://sns.us-east-1.amazonaws.com/"), [], ReadOnlyMemory<byte>.Empty);

        var result = SigV4Signer.Sign(request, new AwsCredentials("AKID", "s"), "us-east-1", "sns", DateTimeOffset.UnixEpoch);

        Assert.Null(result.SecurityToken);
        Assert.Contains("SignedHeaders=host;x-amz-date,", result.Authorization, StringComparison.Ordinal);
        Assert.Contains("host:sns.us-east-1.amazonaws.com\n", result.CanonicalRequest, StringComparison.Ordinal);
    }

    [Fact]
    public void CanonicalRequest_WhenQueryIsUnsorted_ShouldSortAndEncodeIt()
    {
        var (canonical, _) = SigV4Signer.CanonicalRequest("GET", new Uri("https://example.com/?b=2&a=x%20y&a=1"), [new("host", "example.com")], "hash");

        Assert.Equal("a=1&a=x%20y&b=2", canonical.Split('\n')[2]);
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("A-z_0.~", "A-z_0.~")]
    [InlineData("a+b=c&d", "a%2Bb%3Dc%26d")]
    [InlineData("é", "%C3%A9")]
    public void UriEncode_WhenGivenReservedCharacters_ShouldPercentEncodeThem(string value, string expected)
    {
        Assert.Equal(expected, SigV4Signer.UriEncode(value));
    }
}
