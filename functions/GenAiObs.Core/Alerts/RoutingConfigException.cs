namespace GenAiObs.Core.Alerts;

/// <summary>
/// A routing configuration failed validation. <see cref="Setting"/> names where the problem is
/// (the environment variable or file, then the path inside it, e.g.
/// <c>GENAIOBS_ROUTING: route.routes[1].group_wait</c>) so a failed cold start says what to fix.
/// </summary>
public sealed class RoutingConfigException : Exception
{
    public RoutingConfigException(string setting, string problem)
        : base($"{setting}: {problem}")
    {
        Setting = setting;
        Problem = problem;
    }

    public RoutingConfigException()
        : this("routing", "invalid routing configuration")
    {
    }

    public RoutingConfigException(string message)
        : this("routing", message)
    {
    }

    public RoutingConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = "routing";
        Problem = message;
    }

    public string Setting { get; } = "routing";

    public string Problem { get; } = string.Empty;
}
