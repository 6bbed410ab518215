namespace GenAiObs.Adapters.Receivers;

/// <summary>How one delivery attempt ended.</summary>
public enum IntegrationOutcome
{
    Delivered,
    Skipped,
    Failed,
}
