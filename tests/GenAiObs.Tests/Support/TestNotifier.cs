using GenAiObs.Adapters.Diagnostics;
using GenAiObs.Adapters.Http;
using GenAiObs.Adapters.Receivers;
using GenAiObs.Functions.Notifier;

namespace GenAiObs.Tests.Delivery;

/// <summary>A notifier wired as <c>NotifierFunction.Create</c> wires it, but with loopback receivers admitted and the waits recorded.</summary>
internal static class TestNotifier
{
    /// <summary>
    /// Unless <paramref name="keepAgeBound"/>, the age bound is lifted: most tests replay fixed
    /// dates against the system clock and are not about staleness.
    /// </summary>
    public static NotifierFunction Create(NotifierSettings settings, ISecretSource secrets, HttpClient http, RecordingDelay delay, TextWriter log, TimeProvider? time = null, IResolveLedger? ledger = null, bool keepAgeBound = false) =>
        new(
            keepAgeBound ? settings : settings with { MaxNotificationAge = TimeSpan.MaxValue },
            new IntegrationRunner(secrets, RetryPolicy.Default, delay.DelayAsync),
            new IntegrationServices(new HttpPoster(http, time ?? TimeProvider.System, RetryPolicy.Default), WebhookUrlPolicy.LoopbackAllowed),
            new StructuredLogger(log, DiagnosticLevel.Debug, TimeProvider.System, "test"),
            time,
            ledger);
}
