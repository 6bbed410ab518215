namespace GenAiObs.Cli.Export;

/// <summary>What one JSON value of an export file holds.</summary>
internal enum ExportValueKind
{
    Raw,
    LambdaEvent,
    DataMessage,
    EventsExport,
    Array,
    Incomplete,
}
