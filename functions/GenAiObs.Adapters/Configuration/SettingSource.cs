namespace GenAiObs.Adapters.Configuration;

/// <summary>Who sets an environment variable a function reads.</summary>
public enum SettingSource
{
    /// <summary>The deployment (template.yaml, or the user for the CLI).</summary>
    Deployment,

    /// <summary>Lambda itself (reserved: a template must not set it).</summary>
    LambdaRuntime,

    /// <summary>An endpoint override for local runs and tests; never set in a deployment.</summary>
    LocalOverride,
}
