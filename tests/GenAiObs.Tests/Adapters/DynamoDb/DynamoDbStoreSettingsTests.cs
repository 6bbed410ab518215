using GenAiObs.Adapters.DynamoDb;
using Xunit;

namespace GenAiObs.Tests.Store;

[Trait("Category", "Integration")]
public sealed class DynamoDbStoreSettingsTests
{
    [Fact]
    public void FromEnvironment_WhenTableNameUnset_ShouldReturnNull()
    {
        // Act
        var settings = DynamoDbStoreSettings.FromEnvironment(_ => null);

        // Assert
        Assert.Null(settings);
    }

    [Fact]
    public void FromEnvironment_WhenSet_ShouldReadTableEndpointAndRetention()
    {
        // Arrange
        var variables = new Dictionary<string, string>
        {
            ["GENAIOBS_TABLE_NAME"] = "genaiobs",
            ["AWS_ENDPOINT_URL"] = "http://global:1",
            ["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:8000",
            ["GENAIOBS_RETENTION_FINE_DAYS"] = "2",
            ["GENAIOBS_RETENTION_SESSION_HOURS"] = "12",
        };

        // Act
        var settings = DynamoDbStoreSettings.FromEnvironment(name => variables.GetValueOrDefault(name));

        // Assert
        Assert.NotNull(settings);
        Assert.Equal("genaiobs", settings.TableName);
        Assert.Equal("http://127.0.0.1:8000", settings.EndpointUrl);
        Assert.Equal(TimeSpan.FromDays(2), settings.Retention.Fine);
        Assert.Equal(TimeSpan.FromHours(12), settings.Retention.ShortLived);
        Assert.Equal(TimeSpan.FromDays(35), settings.Retention.Hourly);
    }

    [Theory]
    [InlineData(null, GenAiObs.Core.Aggregation.AggregateWriteMode.Direct)]
    [InlineData("direct", GenAiObs.Core.Aggregation.AggregateWriteMode.Direct)]
    [InlineData(" Deferred ", GenAiObs.Core.Aggregation.AggregateWriteMode.Deferred)]
    public void FromEnvironment_WhenTheWriteModeIsSetOrNot_ShouldReadIt(string? value, GenAiObs.Core.Aggregation.AggregateWriteMode expected)
    {
        var variables = new Dictionary<string, string?> { ["GENAIOBS_TABLE_NAME"] = "t", ["GENAIOBS_AGGREGATE_WRITES"] = value };

        var settings = DynamoDbStoreSettings.FromEnvironment(name => variables.GetValueOrDefault(name));

        Assert.Equal(expected, settings!.WriteMode);
    }

    [Fact]
    public void FromEnvironment_WhenTheWriteModeIsUnknown_ShouldThrowNamingTheVariable()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => DynamoDbStoreSettings.FromEnvironment(name => name == "GENAIOBS_TABLE_NAME" ? "t" : name == "GENAIOBS_AGGREGATE_WRITES" ? "batched" : null));

        Assert.Contains("GENAIOBS_AGGREGATE_WRITES", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_WhenRetentionIsNotANumber_ShouldThrowNamingTheVariable()
    {
        // Arrange
        var variables = new Dictionary<string, string> { ["GENAIOBS_TABLE_NAME"] = "t", ["GENAIOBS_RETENTION_DAILY_DAYS"] = "forever" };

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => DynamoDbStoreSettings.FromEnvironment(name => variables.GetValueOrDefault(name)));

        // Assert
        Assert.Contains("GENAIOBS_RETENTION_DAILY_DAYS", error.Message);
    }
}
