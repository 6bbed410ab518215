using System.Text;
using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using Xunit;

namespace GenAiObs.Tests.Parsing;

public class InvocationLogParserRejectionTests
{
    private const string Head = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0" """;

    public static TheoryData<string, string> BadRecords => new()
    {
        { """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":""", RejectReasons.InvalidJson },
        { "not json at all", RejectReasons.InvalidJson },
        { "", RejectReasons.InvalidJson },
        { """{"schemaType":"ModelInvocationLog"} trailing""", RejectReasons.InvalidJson },
        { "[1,2,3]", RejectReasons.NotAnObject },
        { "\"a string\"", RejectReasons.NotAnObject },
        { """{"schemaType":"ModelInvocationLog","operation":"Converse"}""", RejectReasons.MissingModelId },
        { """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":""}""", RejectReasons.MissingModelId },
        { """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":null}""", RejectReasons.MissingModelId },
        { """{"schemaType":"ModelInvocationLog","modelId":"amazon.nova-lite-v1:0"}""", RejectReasons.MissingField },
        { """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":42}""", RejectReasons.WrongType },
        { Head + ""","input":{"inputTokenCount":"1200"}}""", RejectReasons.WrongType },
        { Head + ""","output":{"outputTokenCount":true}}""", RejectReasons.WrongType },
        { Head + ""","input":"oops"}""", RejectReasons.WrongType },
        { Head + ""","timestamp":1731000000}""", RejectReasons.WrongType },
        { Head + ""","input":{"inputTokenCount":-5}}""", RejectReasons.InvalidTokenCount },
        { Head + ""","output":{"outputTokenCount":10000000001}}""", RejectReasons.InvalidTokenCount },
        { Head + ""","input":{"cacheReadInputTokenCount":1.5}}""", RejectReasons.InvalidTokenCount },
        { Head + ""","input":{"cacheWriteInputTokenCount":-1}}""", RejectReasons.InvalidTokenCount },
        { Head + ""","timestamp":"yesterday"}""", RejectReasons.InvalidTimestamp },
        { Head + ""","timestamp":"2026-13-45T99:00:00Z"}""", RejectReasons.InvalidTimestamp },
        { """{"schemaType":"SomethingElse","operation":"Converse","modelId":"amazon.nova-lite-v1:0"}""", RejectReasons.UnsupportedSchema },
        { """{"schemaType":7,"operation":"Converse","modelId":"amazon.nova-lite-v1:0"}""", RejectReasons.UnsupportedSchema },
    };

    [Theory]
    [MemberData(nameof(BadRecords))]
    public void TryParse_WhenRecordIsBad_ShouldRejectWithNamedReason(string json, string reason)
    {
        var logEvent = TestEvents.Event(json, id: "ev-1");

        var parsed = InvocationLogParser.TryParse(logEvent, out var record, out var rejection);

        Assert.False(parsed);
        Assert.Null(record);
        Assert.Equal(reason, rejection!.Reason);
        Assert.Equal("ev-1", rejection.EventId);
        Assert.Equal(1, rejection.Count);
    }

    [Fact]
    public void TryParse_WhenNestedDeeperThanLimit_ShouldRejectTooDeep()
    {
        var deep = new StringBuilder(Head + ""","output":{"outputBodyJson":""");
        for (var i = 0; i < 80; i++)
        {
            deep.Append("{\"a\":");
        }

        deep.Append('1').Append('}', 80).Append("}}");

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(deep.ToString()), out _, out var rejection, maxJsonDepth: 64);

        Assert.False(parsed);
        Assert.Equal(RejectReasons.TooDeep, rejection!.Reason);
    }

    [Fact]
    public void TryParse_WhenNestingWithinLimit_ShouldAccept()
    {
        var json = Head + ""","output":{"outputBodyJson":""" + string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40)) + "}}";

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out _, out var rejection, maxJsonDepth: 64);

        Assert.True(parsed, rejection?.Reason);
    }

    [Fact]
    public void TryParse_WhenRejected_ShouldGiveDetailWithoutRecordContent()
    {
        const string json = """{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"m","input":{"inputTokenCount":"CANARY-PROMPT-7f3a"}}""";

        Assert.False(InvocationLogParser.TryParse(TestEvents.Event(json), out _, out var rejection));

        Assert.Equal(RejectReasons.WrongType, rejection!.Reason);
        Assert.Equal("input.inputTokenCount", rejection.Detail);
    }

    [Fact]
    public void TryParse_WhenInvalidUtf8InIdentifier_ShouldRejectInvalidJson()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"ab"}""");
        bytes[^4] = 0xFF;

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(bytes), out _, out var rejection);

        Assert.False(parsed);
        Assert.Equal(RejectReasons.InvalidJson, rejection!.Reason);
    }

    [Fact]
    public void TryParse_WhenModelIdIsAbsurdlyLong_ShouldRejectWrongType()
    {
        var json = "{\"schemaType\":\"ModelInvocationLog\",\"operation\":\"Converse\",\"modelId\":\"" + new string('m', 5000) + "\"}";

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out _, out var rejection);

        Assert.False(parsed);
        Assert.Equal(RejectReasons.WrongType, rejection!.Reason);
    }

    [Fact]
    public void TryParse_WhenTokenCountIsExactlyTheMaximum_ShouldAccept()
    {
        var json = Head + ""","input":{"inputTokenCount":10000000000}}""";

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _);

        Assert.True(parsed);
        Assert.Equal(10_000_000_000, record!.InputTokens);
    }
}
