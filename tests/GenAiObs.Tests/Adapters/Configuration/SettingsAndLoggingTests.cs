using System.Text.Json;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using Xunit;

namespace GenAiObs.Tests.Runtime;

public sealed class SettingsAndLoggingTests
{
    [Fact]
    public void Read_WhenOnlyHandlerIsSet_ShouldUseDocumentedDefaults()
    {
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, "invocation-logs" } };

        var settings = FunctionSettings.Read(environment);

        Assert.Equal("invocation-logs", settings.Handler);
        Assert.Equal("GenAI/Observability", settings.MetricsNamespace);
        Assert.Equal("genai-observability", settings.ServiceName);
        Assert.Equal(20, settings.MaxPrincipals);
        Assert.Equal(DiagnosticLevel.Information, settings.LogLevel);
        Assert.Null(settings.Environment);
        Assert.Null(settings.PricesFile);
    }

    [Fact]
    public void Read_WhenVariablesAreSet_ShouldReadEachOnce()
    {
        var environment = new DictionaryEnvironment
        {
            { EnvironmentVariables.Handler, "spans" },
            { EnvironmentVariables.MetricsNamespace, "Acme/GenAI" },
            { EnvironmentVariables.ServiceName, "chat-api" },
            { EnvironmentVariables.MaxPrincipals, "5" },
            { EnvironmentVariables.Environment, "prod" },
            { EnvironmentVariables.LogLevel, "warn" },
            { EnvironmentVariables.PricesFile, "/opt/prices.json" },
        };

        var settings = FunctionSettings.Read(environment);

        Assert.Equal(("Acme/GenAI", "chat-api", 5, "prod", DiagnosticLevel.Warning, "/opt/prices.json"),
            (settings.MetricsNamespace, settings.ServiceName, settings.MaxPrincipals, settings.Environment, settings.LogLevel, settings.PricesFile));
    }

    [Fact]
    public void Read_WhenPowertoolsLevelIsAbsent_ShouldFallBackToLambdaLogLevel()
    {
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, "spans" }, { EnvironmentVariables.LambdaLogLevel, "DEBUG" } };

        var settings = FunctionSettings.Read(environment);

        Assert.Equal(DiagnosticLevel.Debug, settings.LogLevel);
    }

    [Theory]
    [InlineData(EnvironmentVariables.MaxPrincipals, "-1")]
    [InlineData(EnvironmentVariables.MaxPrincipals, "twenty")]
    [InlineData(EnvironmentVariables.LogLevel, "LOUD")]
    public void Read_WhenAVariableIsMalformed_ShouldThrowNamingIt(string name, string value)
    {
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, "spans" }, { name, value } };

        var exception = Assert.Throws<SettingsException>(() => FunctionSettings.Read(environment));

        Assert.Equal(name, exception.VariableName);
        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenHandlerIsBlank_ShouldThrowNamingIt()
    {
        var environment = new DictionaryEnvironment { { EnvironmentVariables.Handler, "  " } };

        var exception = Assert.Throws<SettingsException>(() => FunctionSettings.Read(environment));

        Assert.Equal(EnvironmentVariables.Handler, exception.VariableName);
    }

    [Fact]
    public void Log_WhenLevelIsEnabled_ShouldWriteOneJsonObjectWithCountsAndReasons()
    {
        using var output = new StringWriter();
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2026-01-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logger = new StructuredLogger(output, DiagnosticLevel.Information, time, "svc");

        logger.Info("Batch processed.", "req-1", [new("invocations", 3)], [new("invalid_json", 2)]);

        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("INFO", root.GetProperty("level").GetString());
        Assert.Equal("2026-01-01T10:00:00.000Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("svc", root.GetProperty("service").GetString());
        Assert.Equal("req-1", root.GetProperty("requestId").GetString());
        Assert.Equal(3, root.GetProperty("counts").GetProperty("invocations").GetInt64());
        Assert.Equal(2, root.GetProperty("reasons").GetProperty("invalid_json").GetInt64());
    }

    [Fact]
    public void Log_WhenLevelIsBelowMinimum_ShouldWriteNothing()
    {
        using var output = new StringWriter();
        var logger = new StructuredLogger(output, DiagnosticLevel.Warning, TimeProvider.System, "svc");

        logger.Info("ignored");
        logger.Debug("ignored");

        Assert.Equal(string.Empty, output.ToString());
    }
}
