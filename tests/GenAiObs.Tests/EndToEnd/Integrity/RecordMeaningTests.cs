using System.Text;
using GenAiObs.Cli;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Parsing;
using Xunit;

namespace GenAiObs.Tests.Integrity;

/// <summary>What a record means: guardrail stops, where an unreadable message belongs, duplicate keys, personal names.</summary>
public sealed class RecordMeaningTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    private static string Invoke(string operation, string body, string principal = "arn:aws:sts::111122223333:assumed-role/app-role/s") =>
        """{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-20T11:00:00Z","accountId":"111122223333","region":"us-east-1","requestId":"r-1","operation":"@OPERATION","modelId":"anthropic.claude-3-haiku-20240307-v1:0","identity":{"arn":"@PRINCIPAL"},"input":{"inputTokenCount":100},"output":{"outputTokenCount":20,"outputBodyJson":@BODY}}"""
            .Replace("@OPERATION", operation, StringComparison.Ordinal)
            .Replace("@PRINCIPAL", principal, StringComparison.Ordinal)
            .Replace("@BODY", body, StringComparison.Ordinal);

    private static InvocationRecord Parse(string json)
    {
        Assert.True(InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out var rejection), rejection?.Reason);
        return record;
    }

    [Fact]
    public void TryParse_WhenAnInvokeModelBodySaysTheGuardrailIntervened_ShouldReportGuardrailIntervened()
    {
        var record = Parse(Invoke("InvokeModel", """{"type":"message","stop_reason":"end_turn","content":[{"type":"text","text":"Sorry."}],"amazon-bedrock-guardrailAction":"INTERVENED"}"""));

        Assert.Equal(StopReasons.GuardrailIntervened, record.StopReason);
    }

    [Fact]
    public void TryParse_WhenAStreamChunkSaysTheGuardrailIntervened_ShouldReportGuardrailIntervened()
    {
        var record = Parse(Invoke("InvokeModelWithResponseStream", """[{"type":"message_start"},{"type":"message_delta","delta":{"stop_reason":"end_turn"},"amazon-bedrock-guardrailAction":"INTERVENED"},{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":100,"outputTokenCount":20}}]"""));

        Assert.Equal(StopReasons.GuardrailIntervened, record.StopReason);
    }

    [Fact]
    public void TryParse_WhenTheGuardrailDidNotIntervene_ShouldKeepTheModelsStopReason()
    {
        var record = Parse(Invoke("InvokeModel", """{"stop_reason":"max_tokens","amazon-bedrock-guardrailAction":"NONE"}"""));

        Assert.Equal(StopReasons.MaxTokens, record.StopReason);
    }

    [Fact]
    public void TryParse_WhenABodyRepeatsItsStopReason_ShouldKeepTheFirst()
    {
        // docs/operations.md, Input limits: in a response object the first stop reason wins; record fields keep the last.
        var record = Parse(Invoke("InvokeModel", """{"stop_reason":"max_tokens","stop_reason":"end_turn"}"""));

        Assert.Equal(StopReasons.MaxTokens, record.StopReason);
    }

    [Fact]
    public void ProcessDelivery_WhenAnAwsSpansMessageIsNotJson_ShouldCountItAsARejectedSpan()
    {
        var processor = new BatchProcessor(Prices);
        var payload = TestEvents.DataMessage([(TestEvents.EventId(0), 1_795_000_000_000L, Encoding.UTF8.GetBytes("{not json"))], logGroup: BatchProcessor.SpansLogGroup);
        var invocations = new InvocationSummary();
        var spans = new SpanSummary();

        var result = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(payload));
        ReplayCommand.Accumulate(result, invocations, spans);

        Assert.Equal(RecordSources.Span, Assert.Single(result.Rejections).Source);
        Assert.Equal((0L, 1L), (invocations.Rejected, spans.Rejected));
    }

    [Fact]
    public void ProcessDelivery_InTheSpanFunction_ShouldCountAnUnreadableMessageAsASpan()
    {
        var processor = new BatchProcessor(Prices, DecoderLimits.Default, new ProcessingOptions { DefaultSource = RecordSources.Span });
        var payload = TestEvents.DataMessage([(TestEvents.EventId(0), 1_795_000_000_000L, Encoding.UTF8.GetBytes("[1,2]"))], logGroup: "/custom/otel");

        var result = processor.ProcessLambdaEvent(TestEvents.SubscriptionEvent(payload));

        Assert.Equal(RecordSources.Span, Assert.Single(result.Rejections).Source);
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:user/jane.doe@example.com", "user/")]
    [InlineData("arn:aws:sts::111122223333:federated-user/jane.doe@example.com", "federated-user/")]
    public void ProcessDelivery_WhenThePrincipalIsAPersonalName_ShouldKeepOnlyASaltedHash(string arn, string prefix)
    {
        BatchResult Run(PrincipalPrivacy privacy) =>
            new BatchProcessor(Prices, DecoderLimits.Default, new ProcessingOptions { Principals = privacy })
                .ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Encoding.UTF8.GetBytes(Invoke("Converse", """{"stopReason":"end_turn"}""", arn)))));

        var stackA = Run(new PrincipalPrivacy(true, "stack-a")).Invocations.Single().Record.Principal;
        var again = Run(new PrincipalPrivacy(true, "stack-a")).Invocations.Single().Record.Principal;
        var stackB = Run(new PrincipalPrivacy(true, "stack-b")).Invocations.Single().Record.Principal;
        var verbatim = Run(new PrincipalPrivacy(false, "stack-a")).Invocations.Single().Record.Principal;

        Assert.Matches("^" + prefix + "h-[0-9a-f]{16}$", stackA);
        Assert.Equal(stackA, again);
        Assert.NotEqual(stackA, stackB);
        Assert.Equal(prefix + "jane.doe@example.com", verbatim);
        Assert.DoesNotContain("jane", stackA, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_WhenThePrincipalIsARole_ShouldKeepIt() =>
        Assert.Equal("app-role", PrincipalPrivacy.Default.Apply("app-role"));
}
