using System.Collections.Frozen;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Functions.Deploy;
using GenAiObs.Functions.Notifier;
using GenAiObs.Functions.Runtime;

namespace GenAiObs.Functions;

/// <summary>
/// The functions this <c>bootstrap</c> serves, keyed by the template's <c>Handler</c> values (read
/// back from <c>_HANDLER</c>). Adding a function is one line in <see cref="Registrations"/>:
/// its factory and the environment variables it reads.
/// </summary>
public static class HandlerRegistry
{
    private sealed record Registration(Func<FunctionServices, ILambdaFunction> Create, IReadOnlyList<SettingVariable> Variables, IReadOnlyList<string> AwsActions);

    public const string InvocationLogs = "invocation-logs";
    public const string Spans = "spans";
    public const string Evaluator = "evaluator";
    public const string Notifier = "notifier";
    public const string LoggingSetup = "logging-setup";

    private static readonly FrozenDictionary<string, Registration> Registrations =
        new Dictionary<string, Registration>(StringComparer.Ordinal)
        {
            [InvocationLogs] = new(InvocationLogFunction.Create, InvocationLogFunction.Variables, InvocationLogFunction.AwsActions),
            [Spans] = new(SpanFunction.Create, SpanFunction.Variables, SpanFunction.AwsActions),
            [Evaluator] = new(EvaluatorFunction.Create, EvaluatorFunction.Variables, EvaluatorFunction.AwsActions),
            [Notifier] = new(NotifierFunction.Create, NotifierFunction.Variables, NotifierFunction.AwsActions),
            [LoggingSetup] = new(LoggingSetupFunction.Create, LoggingSetupFunction.Variables, LoggingSetupFunction.AwsActions),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every dispatch key served, sorted.</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. Registrations.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Builds the function named by <paramref name="handler"/>.</summary>
    public static ILambdaFunction Create(string handler, FunctionServices services) =>
        Registrations.TryGetValue(handler, out var registration)
            ? registration.Create(services)
            : throw new UnknownHandlerException(handler, Keys);

    /// <summary>
    /// The environment variables the function behind <paramref name="handler"/> reads and uses
    /// (one entry per name), declared by its settings readers. The shared settings read a few
    /// more for every function (<see cref="FunctionSettings.Variables"/>) that only some use.
    /// </summary>
    public static IReadOnlyList<SettingVariable> VariablesOf(string handler) =>
        Registrations.TryGetValue(handler, out var registration)
            ? [.. registration.Variables.DistinctBy(v => v.Name, StringComparer.Ordinal)]
            : throw new UnknownHandlerException(handler, Keys);

    /// <summary>
    /// The AWS API actions (IAM names, e.g. <c>dynamodb:UpdateItem</c>) the function behind
    /// <paramref name="handler"/> calls, declared next to the adapters that call them; the
    /// template tests check its role grants exactly these plus logs and the dead-letter queue.
    /// </summary>
    public static IReadOnlyList<string> AwsActionsOf(string handler) =>
        Registrations.TryGetValue(handler, out var registration)
            ? [.. registration.AwsActions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
            : throw new UnknownHandlerException(handler, Keys);

    /// <summary>
    /// The cold start: reads the settings once from <paramref name="environment"/> (failing fast on
    /// a missing or malformed variable), configures logging and builds the handler's function.
    /// </summary>
    public static FunctionHost Initialise(IEnvironment environment, TextWriter metricsOutput, TextWriter diagnosticsOutput, TimeProvider time)
    {
        var settings = FunctionSettings.Read(environment);
        var logger = new StructuredLogger(diagnosticsOutput, settings.LogLevel, time, settings.ServiceName);
        var function = Create(settings.Handler, new FunctionServices(settings, environment, metricsOutput, logger, time));
        logger.Debug("Function initialised.");
        return new FunctionHost(function, logger);
    }
}
