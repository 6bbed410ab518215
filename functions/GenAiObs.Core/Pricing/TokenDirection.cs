namespace GenAiObs.Core.Pricing;

/// <summary>A token direction a Price List dimension charges for.</summary>
public enum TokenDirection
{
    Input,
    Output,
    CacheRead,
    CacheWrite,
}
