using GenAiObs.Adapters.Configuration;
using Xunit;

namespace GenAiObs.Tests.Wiring;

public sealed class ProcessingSettingsTests
{
    private static Func<string, string?> Variables(string? mode, string? region) =>
        name => name switch
        {
            "GENAIOBS_INGESTION_MODE" => mode,
            "AWS_REGION" => region,
            _ => null,
        };

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("direct")]
    public void ReadDirectDeliveryRegion_WhenDirectOrUnset_ShouldGiveNoRegion(string? mode)
    {
        Assert.Null(ProcessingSettings.ReadDirectDeliveryRegion(Variables(mode, "eu-west-1")));
        Assert.Null(ProcessingSettings.Read(Variables(mode, "eu-west-1"), TimeProvider.System, "invocation").DirectDeliveryRegion);
    }

    [Fact]
    public void ReadDirectDeliveryRegion_WhenCentral_ShouldGiveTheFunctionsRegion()
    {
        Assert.Equal("eu-west-1", ProcessingSettings.ReadDirectDeliveryRegion(Variables(" central ", "eu-west-1")));
        Assert.Equal("eu-west-1", ProcessingSettings.Read(Variables("central", "eu-west-1"), TimeProvider.System, "invocation").DirectDeliveryRegion);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("on", true)]
    [InlineData(" off ", false)]
    public void ReadRequestIndex_WhenOnOffOrUnset_ShouldSayWhetherTaggedRequestsGetEntries(string? value, bool expected)
    {
        Assert.Equal(expected, ProcessingSettings.ReadRequestIndex(name => name == "GENAIOBS_REQUEST_INDEX" ? value : null));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("OFF")]
    public void ReadRequestIndex_WhenMalformed_ShouldFailNamingTheVariable(string value)
    {
        var error = Assert.Throws<SettingsException>(() => ProcessingSettings.ReadRequestIndex(name => name == "GENAIOBS_REQUEST_INDEX" ? value : null));

        Assert.Equal("GENAIOBS_REQUEST_INDEX", error.VariableName);
        Assert.Contains("must be on or off", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("central", null, "AWS_REGION is not set")]
    [InlineData("Central", "eu-west-1", "must be direct or central")]
    [InlineData("kinesis", "eu-west-1", "must be direct or central")]
    public void ReadDirectDeliveryRegion_WhenMalformed_ShouldFailNamingTheVariable(string mode, string? region, string reason)
    {
        var error = Assert.Throws<SettingsException>(() => ProcessingSettings.ReadDirectDeliveryRegion(Variables(mode, region)));

        Assert.Equal("GENAIOBS_INGESTION_MODE", error.VariableName);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
