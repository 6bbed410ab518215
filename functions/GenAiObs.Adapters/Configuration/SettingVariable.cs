namespace GenAiObs.Adapters.Configuration;

/// <summary>
/// One environment variable a settings reader reads, declared next to the reader (each
/// <c>*Settings</c> type's <c>Variables</c>) so the template tests can check that every one a
/// function reads is set — or deliberately left to its default — and that nothing reserved is.
/// </summary>
/// <param name="Name">The variable (a constant of <see cref="EnvironmentVariables"/>).</param>
/// <param name="Source">Who sets it.</param>
/// <param name="Purpose">What it configures, for people and test messages.</param>
/// <param name="IsRequired">The cold start fails without it.</param>
public sealed record SettingVariable(string Name, SettingSource Source, string Purpose, bool IsRequired = false)
{
    public static SettingVariable Deployment(string name, string purpose, bool required = false) => new(name, SettingSource.Deployment, purpose, required);

    public static SettingVariable Lambda(string name, string purpose) => new(name, SettingSource.LambdaRuntime, purpose);

    public static SettingVariable LocalOverride(string name, string purpose) => new(name, SettingSource.LocalOverride, purpose);
}
