using System.Runtime.InteropServices;
using System.Text;
using GenAiObs.Adapters.Configuration;
using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Functions;
using GenAiObs.Functions.Runtime;

// The provided.al2023 custom runtime starts this executable (`bootstrap`) once per sandbox; it
// serves invocations through the Runtime API until Lambda stops the sandbox.
var environment = new ProcessEnvironment();
var time = TimeProvider.System;
var diagnostics = Console.Error;
var bootLogger = new StructuredLogger(diagnostics, DiagnosticLevel.Information, time, FunctionSettings.DefaultServiceName);

var runtimeApi = environment.GetVariable(EnvironmentVariables.RuntimeApi);
if (string.IsNullOrWhiteSpace(runtimeApi))
{
    // Without the Runtime API address there is nobody to report init/error to.
    bootLogger.Log(DiagnosticLevel.Critical, $"Required environment variable {EnvironmentVariables.RuntimeApi} is not set.");
    return RuntimeLoop.ExitInitFailed;
}

// EMF lines go to stdout through a buffered writer flushed once per batch, not once per line.
await using var metricsOutput = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
using var stopping = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

using var client = new LambdaRuntimeClient(runtimeApi);
var loop = new RuntimeLoop(client, environment, time, bootLogger);
return await loop.RunAsync(() => HandlerRegistry.Initialise(environment, metricsOutput, diagnostics, time), stopping.Token);
