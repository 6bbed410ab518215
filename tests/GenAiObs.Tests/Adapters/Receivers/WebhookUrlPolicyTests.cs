using GenAiObs.Adapters.Receivers;
using Xunit;

namespace GenAiObs.Tests.Receivers;

public sealed class WebhookUrlPolicyTests
{
    private static readonly string[] TeamsHosts = [".logic.azure.com", ".powerplatform.com", ".webhook.office.com"];

    [Theory]
    [InlineData("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x", true)]
    [InlineData("https://default0123.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc", true)]
    [InlineData("https://contoso.webhook.office.com/webhookb2/abc", true)]
    [InlineData("https://logic.azure.com/workflows/abc", false)]
    [InlineData("https://evil.example/?x=.logic.azure.com", false)]
    [InlineData("https://user:pw@prod-1.logic.azure.com/workflows/abc", false)]
    [InlineData("http://prod-1.westus.logic.azure.com/workflows/abc", false)]
    [InlineData("http://127.0.0.1:8080/hook", false)]
    public void Accept_WhenStrict_ShouldAdmitOnlyHttpsOnTheDocumentedHosts(string url, bool accepted)
    {
        var result = WebhookUrlPolicy.Strict.Accept(url, TeamsHosts, out var problem);

        Assert.Equal(accepted, result is not null);
        Assert.Equal(accepted, problem.Length == 0);
        Assert.DoesNotContain(url, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Accept_WhenLoopbackIsAllowed_ShouldAdmitHttpToLoopbackOnly()
    {
        Assert.NotNull(WebhookUrlPolicy.LoopbackAllowed.Accept("http://127.0.0.1:8080/hook", TeamsHosts, out _));
        Assert.Null(WebhookUrlPolicy.LoopbackAllowed.Accept("http://example.com/hook", TeamsHosts, out var problem));
        Assert.Equal("is not https", problem);
    }
}
