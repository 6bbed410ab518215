namespace GenAiObs.Adapters.Sns;

/// <summary>A delivery setting is missing or unreadable; the message names the variable.</summary>
public sealed class DeliveryConfigException : Exception
{
    public DeliveryConfigException(string variable, string problem)
        : base($"{variable}: {problem}")
    {
        Variable = variable;
    }

    public DeliveryConfigException()
        : this("delivery", "invalid delivery configuration")
    {
    }

    public DeliveryConfigException(string message)
        : this("delivery", message)
    {
    }

    public DeliveryConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Variable = "delivery";
    }

    public string Variable { get; } = "delivery";
}
