namespace GenAiObs.Core.Alerts;

/// <summary>The state a CloudWatch alarm moved to (<c>NewStateValue</c>).</summary>
public enum AlarmState
{
    Ok,
    Alarm,
    InsufficientData,
}
