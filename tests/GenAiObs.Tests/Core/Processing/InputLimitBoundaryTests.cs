using GenAiObs.Core.Processing;
using GenAiObs.Core.Records;
using GenAiObs.Tests.Spans;
using Xunit;

namespace GenAiObs.Tests.Parsing;

/// <summary>
/// The input limits (docs/operations.md, Input limits), each at its boundary: the largest value
/// accepted and the smallest refused.
/// </summary>
public sealed class InputLimitBoundaryTests
{
    [Theory]
    [InlineData(2048, true)]
    [InlineData(2049, false)]
    public void InvocationLog_WhenModelIdIsAtThe2048CharacterLimit_ShouldAcceptItAndRejectOneMore(int length, bool accepted)
    {
        var modelId = "m" + new string('x', length - 1);
        var json = $$"""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"{{modelId}}"}""";

        var parsed = InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out var rejection);

        Assert.Equal(accepted, parsed);
        if (accepted)
        {
            Assert.Equal(2048, record!.ModelId.Length);
        }
        else
        {
            Assert.Equal(RejectReasons.WrongType, rejection!.Reason);
        }
    }

    [Theory]
    [InlineData(256, true)]
    [InlineData(257, false)]
    public void InvocationLog_WhenRoleNameIsAtThe256CharacterLimit_ShouldKeepItAndReportUnknownForOneMore(int length, bool kept)
    {
        var role = new string('r', length);
        var arn = "arn:aws:sts::111122223333:assumed-role/" + role + "/session-1";
        var json = $$"""{"schemaType":"ModelInvocationLog","operation":"Converse","modelId":"amazon.nova-lite-v1:0","identity":{"arn":"{{arn}}"} }""";

        Assert.True(InvocationLogParser.TryParse(TestEvents.Event(json), out var record, out _));

        Assert.Equal(kept ? role : PrincipalParser.Unknown, record!.Principal);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    public void Span_WhenNameIsAtThe1024ByteLimit_ShouldAcceptItAndRejectOneMore(int length, bool accepted)
    {
        var name = new string('n', length);

        var result = SpanParser.Parse(SpanFixtures.Event(SpanFixtures.Minimal(name: name)));

        Assert.Equal(accepted, result.IsAccepted);
        if (accepted)
        {
            Assert.Equal(name, result.Span!.Name);
        }
        else
        {
            Assert.Equal(RejectReasons.WrongType, result.Rejection!.Reason);
        }
    }
}
