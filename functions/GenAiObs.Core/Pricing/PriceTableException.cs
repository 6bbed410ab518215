namespace GenAiObs.Core.Pricing;

/// <summary>A price file that cannot be used; the message names the problem (a JSON path and what is wrong).</summary>
public sealed class PriceTableException : Exception
{
    public PriceTableException()
    {
    }

    public PriceTableException(string message)
        : base(message)
    {
    }

    public PriceTableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
