using Xunit;

namespace GenAiObs.Tests.Template;

/// <summary>Every metric a dashboard or alarm reads is one the functions (or AWS) actually publish.</summary>
public sealed class MetricReferenceTests : IClassFixture<ServiceSpecFixture>
{
    private readonly ServiceSpec _spec;
    private readonly TemplateDocument _template = TemplateDocument.LoadRepositoryTemplate();
    private readonly MetricCatalogue _catalogue = MetricCatalogue.Load();

    public MetricReferenceTests(ServiceSpecFixture fixture)
    {
        _spec = fixture.Spec;
    }

    /// <summary>Amazon Bedrock runtime metrics (AWS/Bedrock), which the CDK spec does not list.</summary>
    private static readonly HashSet<string> BedrockRuntimeMetrics = new(StringComparer.Ordinal)
    {
        "Invocations", "InvocationLatency", "InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles",
        "InputTokenCount", "OutputTokenCount", "ModelInvocationLogsCloudWatchDeliveryFailure",
    };

    [Fact]
    public void BedrockAlarms_WhenRead_ShouldWatchThrottlesErrorsLatencyAndTheHeartbeatAcrossAllModels()
    {
        var bedrock = MetricReferences.Find(_template)
            .Where(r => r.Namespace == "AWS/Bedrock" && r.Source.StartsWith("alarm ", StringComparison.Ordinal)).ToList();

        Assert.Equal(
            ["InvocationClientErrors", "InvocationLatency", "InvocationServerErrors", "InvocationThrottles", "Invocations"],
            bedrock.Select(r => r.Name).Distinct().Order(StringComparer.Ordinal));
        Assert.All(bedrock, r => Assert.Empty(r.Dimensions));
    }

    [Fact]
    public void PipelineHealthAlarms_WhenFired_ShouldReachATopicTheNotifierDoesNotServe()
    {
        var notifier = _template.Functions.Single(f => (string?)f.Properties["Handler"] == "notifier");
        var notifierTopics = ((Dictionary<string, object?>)notifier.Properties["Events"]!).Values
            .Select(e => CloudFormationYaml.AsIntrinsic(((Dictionary<string, object?>)((Dictionary<string, object?>)e!)["Properties"]!)["Topic"]))
            .Select(t => (string)t!.Value.Argument!)
            .ToHashSet(StringComparer.Ordinal);
        var heartbeat = _template.Resources["PipelineHeartbeatAlarm"];

        Assert.DoesNotContain("PipelineHealthTopic", notifierTopics);
        Assert.Equal("breaching", heartbeat.Properties["TreatMissingData"]);
        foreach (var alarm in new[] { "PipelineHeartbeatAlarm", "DeadLetterQueueAlarm", "FunctionErrorsAlarm" })
        {
            var actions = ((List<object?>)_template.Resources[alarm].Properties["AlarmActions"]!).Select(a => (string?)CloudFormationYaml.AsIntrinsic(a)?.Argument);
            Assert.Contains("PipelineHealthTopic", actions);
        }
    }

    [Fact]
    public void Find_WhenReadingTemplateYaml_ShouldSeeTheDashboardAndTheAlarms()
    {
        var references = MetricReferences.Find(_template);

        var dashboards = _template.Resources.Values.Where(r => r.Type == "AWS::CloudWatch::Dashboard")
            .Select(r => new SubstitutionResolver(_template).Resolve(r.Properties["DashboardName"]))
            .Order(StringComparer.Ordinal);
        // One dashboard with a section per audience ($3 a month instead of $12 for four).
        Assert.Equal(["genaiobs-genai"], dashboards);
        Assert.Contains(references, r => r.Source.StartsWith("alarm ", StringComparison.Ordinal));
        Assert.True(references.Count > 40, $"only {references.Count} metric references found");
    }

    [Fact]
    public void Errors_WhenCheckingTemplateYaml_ShouldFindOnlyEmittedMetricsAndDimensionSets()
    {
        var errors = Errors(_template);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void ServiceDimension_WhenSelectedByDashboardsAndAlarms_ShouldEqualTheProcessorsServiceName()
    {
        var resolver = new SubstitutionResolver(_template);
        var processor = _template.Functions.Single(f => (f.Properties.GetValueOrDefault("Handler") as string) == "invocation-logs");
        var serviceName = resolver.Resolve(_template.EnvironmentOf(processor)["POWERTOOLS_SERVICE_NAME"]);

        var selected = MetricReferences.Find(_template)
            .Where(r => r.Dimensions.TryGetValue("Service", out var value) && value is not null)
            .Select(r => (r.Source, Value: r.Dimensions["Service"]))
            .ToList();

        Assert.NotEmpty(selected);
        Assert.All(selected, s => Assert.True(s.Value == serviceName, $"{s.Source} selects Service={s.Value}, the processor emits {serviceName}"));
    }

    [Fact]
    public void Errors_WhenAlarmOrWidgetReadsUnknownMetrics_ShouldReportEach()
    {
        var template = new TemplateDocument(CloudFormationYaml.Parse("""
            Parameters:
              MetricsNamespace: {Type: String, Default: GenAI/Observability}
            Resources:
              Alarm:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  Namespace: !Ref MetricsNamespace
                  MetricName: CostUsd
                  Dimensions: [{Name: Region, Value: x}]
              Lambda:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  Namespace: AWS/Lambda
                  MetricName: Erors
                  Dimensions: [{Name: FunctionName, Value: f}]
              Board:
                Type: AWS::CloudWatch::Dashboard
                Properties:
                  DashboardBody: !Sub |
                    {"widgets": [{"type": "metric", "properties": {"title": "t", "metrics": [
                      ["${MetricsNamespace}", "NoSuchMetric", "Service", "s"],
                      [{"expression": "SEARCH('{${MetricsNamespace},Service,ModelId} MetricName=\"CostUsdd\"', 'Sum', 300)"}],
                      ["Custom/Elsewhere", "X"]]}}]}
            """));

        var errors = Errors(template);

        Assert.Contains(errors, e => e.Contains("alarm Alarm: CostUsd by [Region]", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("alarm Lambda: AWS/Lambda Erors is not a documented metric", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("NoSuchMetric is not emitted", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("CostUsdd is not emitted", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("namespace 'Custom/Elsewhere'", StringComparison.Ordinal));
    }

    private List<string> Errors(TemplateDocument template)
    {
        // The namespace the functions publish to (POWERTOOLS_METRICS_NAMESPACE, stack-scoped in
        // template.yaml); a widget that reads the bare prefix would show nothing.
        var resolver = new SubstitutionResolver(template);
        var ownNamespace = template.Functions.Any()
            ? resolver.Resolve(template.EnvironmentOf(template.Functions.First())["POWERTOOLS_METRICS_NAMESPACE"])
            : resolver.Variable("MetricsNamespace");
        var errors = new List<string>();
        foreach (var reference in MetricReferences.Find(template))
        {
            var dimensions = $"[{reference.DimensionKey}]";
            if (reference.Namespace == ownNamespace)
            {
                if (!_catalogue.Emits(reference.Name))
                {
                    errors.Add($"{reference.Source}: {reference.Name} is not emitted by the functions");
                }
                else if (!_catalogue.Emits(reference.Name, reference.DimensionKey))
                {
                    errors.Add($"{reference.Source}: {reference.Name} by {dimensions} is not emitted (emitted by: {string.Join(" | ", _catalogue.DimensionSetsOf(reference.Name))})");
                }
            }
            else if (reference.Namespace == "AWS/Bedrock" && BedrockRuntimeMetrics.Contains(reference.Name))
            {
                // Not in the CDK spec; documented at
                // https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html
                // with no dimension ("across all model IDs") or ModelId.
                if (reference.Dimensions.Keys.Any(k => k != "ModelId"))
                {
                    errors.Add($"{reference.Source}: AWS/Bedrock {reference.Name} has no dimension set {dimensions}");
                }
            }
            else if (reference.Namespace.StartsWith("AWS/", StringComparison.Ordinal))
            {
                var sets = _spec.MetricDimensionSets(reference.Namespace, reference.Name) ?? VendedMetrics.DimensionSets(reference.Namespace, reference.Name);
                if (sets is null)
                {
                    errors.Add($"{reference.Source}: {reference.Namespace} {reference.Name} is not a documented metric");
                }
                else if (!sets.Any(s => s.SetEquals(reference.Dimensions.Keys)))
                {
                    errors.Add($"{reference.Source}: {reference.Namespace} {reference.Name} has no dimension set {dimensions}");
                }
            }
            else
            {
                errors.Add($"{reference.Source}: namespace '{reference.Namespace}' is neither {ownNamespace} nor AWS/*");
            }
        }

        return errors;
    }
}
