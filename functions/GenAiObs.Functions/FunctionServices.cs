using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;

namespace GenAiObs.Functions;

/// <summary>What every function factory receives: settings read once at cold start and the process seams.</summary>
/// <param name="Settings">The shared settings.</param>
/// <param name="Environment">The environment, for function-specific settings (read once, in the factory).</param>
/// <param name="MetricsOutput">Where EMF lines go (stdout in Lambda); the function flushes it after each batch.</param>
/// <param name="Logger">Structured diagnostics (stderr in Lambda).</param>
/// <param name="Time">The clock.</param>
public sealed record FunctionServices(
    FunctionSettings Settings,
    IEnvironment Environment,
    TextWriter MetricsOutput,
    StructuredLogger Logger,
    TimeProvider Time);
