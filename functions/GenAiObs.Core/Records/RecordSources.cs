namespace GenAiObs.Core.Records;

/// <summary>Record kinds a rejection can be attributed to.</summary>
public static class RecordSources
{
    public const string Invocation = "invocation";
    public const string Span = "span";
    public const string Feedback = "feedback";
}
