using GenAiObs.Cli.Export;
using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using GenAiObs.Core.Envelopes;
using GenAiObs.Core.Pricing;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Parsing;

public class BatchProcessorTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    [Fact]
    public void ProcessLambdaEvent_WhenEveryFixtureInOneDelivery_ShouldAcceptAllAndPriceKnownModels()
    {
        var names = TestEvents.AllFixtureNames().ToList();
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(names.Select(TestEvents.CompactFixture).ToArray()));
        var processor = new BatchProcessor(Prices);

        var result = processor.ProcessLambdaEvent(lambdaEvent);

        Assert.Empty(result.Rejections);
        Assert.Equal(names.Count, result.EventCount);
        Assert.Equal(names.Count, result.Invocations.Count);
        var converse = result.Invocations.Single(i => i.Record.ModelId == "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        Assert.True(converse.Priced);
        // 1.1 × (1200×3 + 310×15 + 800×0.3) / 10⁶
        Assert.Equal(0.009339m, converse.CostUsd);
        Assert.Equal("anthropic.claude-sonnet-4-5-20250929-v1:0", converse.PriceKey);
        var titan = result.Invocations.Single(i => i.Record.ModelId == "amazon.titan-text-express-v1");
        Assert.True(titan.Priced);
        // (18×0.20 + 128×0.60) / 10⁶ at the default table's Titan Text Express prices.
        Assert.Equal(0.0000804m, titan.CostUsd);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenOneBadRecordAmongGoodOnes_ShouldProcessTheRest()
    {
        var good = TestEvents.CompactFixture("invoke-llama.json");
        var payload = TestEvents.DataMessage(good, "{\"schemaType\":\"ModelInvocationLog\",\"operation\":\"Converse\",\"modelId\":"u8.ToArray(), good, """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","input":{"inputTokenCount":-1}}"""u8.ToArray(), good);

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(payload));

        Assert.Equal(3, result.Invocations.Count);
        Assert.Equal([RejectReasons.InvalidJson, RejectReasons.InvalidTokenCount], result.Rejections.Select(r => r.Reason));
        Assert.Equal([TestEvents.EventId(1), TestEvents.EventId(3)], result.Rejections.Select(r => r.EventId));
        Assert.Equal(2, result.RejectedCount);
        Assert.Equal(5, result.EventCount);
    }

    public static TheoryData<string, string> RoutedRejections => new()
    {
        { """{"schemaType":"CloudTrailEvent","eventName":"x"}""", RejectReasons.UnsupportedSchema },
        { """{"hello":"world"}""", RejectReasons.UnknownRecordType },
        { """{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"chat"}""", RejectReasons.MissingField },
        { """CWL CONTROL MESSAGE""", RejectReasons.InvalidJson },
        { """[{"schemaType":"ModelInvocationLog"}]""", RejectReasons.NotAnObject },
        { new string('[', 100) + new string(']', 100), RejectReasons.TooDeep },
    };

    [Theory]
    [MemberData(nameof(RoutedRejections))]
    public void ProcessDelivery_WhenRecordIsNotAnInvocationLog_ShouldRejectByContent(string message, string reason)
    {
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(Encoding.UTF8.GetBytes(message)));
        using var delivery = LambdaEventDecoder.Decode(lambdaEvent);

        var result = new BatchProcessor(Prices).ProcessDelivery(delivery);

        Assert.Empty(result.Invocations);
        Assert.Equal(reason, Assert.Single(result.Rejections).Reason);
    }

    [Fact]
    public void ProcessDelivery_WhenSchemaTypeComesLast_ShouldStillRouteToInvocationParser()
    {
        const string record = """{"operation":"Converse","modelId":"amazon.nova-lite-v1:0","timestamp":"2026-11-20T11:00:00Z","output":{"outputBodyJson":{"stopReason":"end_turn"}},"schemaType":"ModelInvocationLog"}""";
        using var delivery = ExportFileReader.ReadWhole(Encoding.UTF8.GetBytes(record));

        var result = new BatchProcessor(Prices).ProcessDelivery(delivery);

        Assert.Equal(StopReasons.EndTurn, Assert.Single(result.Invocations).Record.StopReason);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenFailedCallOfPricedModel_ShouldBePricedAtZero()
    {
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(TestEvents.CompactFixture("error-throttled.json")));

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent);

        var failed = Assert.Single(result.Invocations);
        Assert.True(failed.Record.IsError);
        Assert.True(failed.Priced);
        Assert.Equal(0m, failed.CostUsd);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenFailedCallWithTokensOfPricedModel_ShouldStillCostZero()
    {
        const string record = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-pro-v1:0","errorCode":"ValidationException","input":{"inputTokenCount":5000}}""";

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Encoding.UTF8.GetBytes(record))));

        Assert.Equal(0m, Assert.Single(result.Invocations).CostUsd);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenFailedCallOfUnpricedModel_ShouldStayUnpriced()
    {
        const string record = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"vendor.unknown-model-v1:0","errorCode":"ThrottlingException"}""";

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.DataMessage(Encoding.UTF8.GetBytes(record))));

        var failed = Assert.Single(result.Invocations);
        Assert.False(failed.Priced);
        Assert.Equal(0m, failed.CostUsd);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenControlMessage_ShouldCountItAndNoEvents()
    {
        var result = new BatchProcessor(Prices).ProcessLambdaEvent(TestEvents.SubscriptionEvent(TestEvents.ControlMessage()));

        Assert.Equal(1, result.ControlMessages);
        Assert.Equal(0, result.EventCount);
        Assert.Empty(result.Rejections);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenEnvelopeBroken_ShouldReturnRejectionNotThrow()
    {
        var result = new BatchProcessor(Prices).ProcessLambdaEvent("""{"awslogs":{"data":"bm90IGd6aXA="}}"""u8);

        Assert.Equal(RejectReasons.InvalidGzip, Assert.Single(result.Rejections).Reason);
        Assert.Equal(1, result.RejectedCount);
        Assert.Empty(result.Invocations);
    }

    [Fact]
    public void ProcessDelivery_BatchId_ShouldBeSha256PrefixOverEventIdsJoinedByNewline()
    {
        var record = TestEvents.CompactFixture("invoke-llama.json");
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage([("111", 1L, record), ("222", 2L, record)]));
        var expected = Convert.ToHexStringLower(SHA256.HashData("111\n222"u8))[..32];

        var first = new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent);
        var again = new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent);

        Assert.Equal(expected, first.BatchId);
        Assert.Equal(first.BatchId, again.BatchId);
    }

    [Fact]
    public void ProcessLambdaEvent_WhenPromptAndResponseHoldCanaries_ShouldKeepNoContentInAnyStringField()
    {
        var messages = TestEvents.AllFixtureNames().Select(TestEvents.CompactFixture).ToList();
        messages.Add("""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","input":{"inputBodyJson":{"text":"CANARY-PROMPT-7f3a"},"inputTokenCount":"CANARY-PROMPT-7f3a"}}"""u8.ToArray());
        messages.Add("""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","output":{"outputBodyJson":{"stopReason":"CANARY-RESPONSE-7f3a"}}}"""u8.ToArray());
        messages.Add("""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","timestamp":"CANARY-PROMPT-7f3a"}"""u8.ToArray());
        messages.Add("""{"schemaType":"ModelInvocationLog","text":"CANARY-PROMPT-7f3a" """u8.ToArray());
        var lambdaEvent = TestEvents.SubscriptionEvent(TestEvents.DataMessage(messages.ToArray()));

        var result = new BatchProcessor(Prices).ProcessLambdaEvent(lambdaEvent);

        Assert.NotEmpty(result.Invocations);
        Assert.NotEmpty(result.Rejections);
        var strings = result.Invocations.SelectMany(i => AllStrings(i)).Concat(result.Rejections.SelectMany(r => AllStrings(r))).ToList();
        Assert.NotEmpty(strings);
        Assert.DoesNotContain(strings, s => s.Contains("CANARY", StringComparison.Ordinal));
        Assert.DoesNotContain(strings, s => s.Contains("jane.doe", StringComparison.Ordinal));
    }

    /// <summary>Every string reachable from an object's public properties (records, dictionaries, lists).</summary>
    private static IEnumerable<string> AllStrings(object? value, int depth = 0)
    {
        switch (value)
        {
            case null:
                yield break;
            case string s:
                yield return s;
                yield break;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    foreach (var inner in AllStrings(entry.Key, depth + 1).Concat(AllStrings(entry.Value, depth + 1)))
                    {
                        yield return inner;
                    }
                }

                yield break;
            case IEnumerable sequence:
                foreach (var item in sequence)
                {
                    foreach (var inner in AllStrings(item, depth + 1))
                    {
                        yield return inner;
                    }
                }

                yield break;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is decimal or DateTimeOffset or DateTime || depth > 5)
        {
            yield break;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0)
            {
                foreach (var inner in AllStrings(property.GetValue(value), depth + 1))
                {
                    yield return inner;
                }
            }
        }
    }
}
