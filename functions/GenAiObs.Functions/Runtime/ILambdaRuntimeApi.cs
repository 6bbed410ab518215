namespace GenAiObs.Functions.Runtime;

/// <summary>The Lambda Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), narrowed to what the loop needs.</summary>
public interface ILambdaRuntimeApi
{
    Task<LambdaInvocation> NextAsync(CancellationToken cancellationToken);

    /// <summary>Posts the result; false when the Runtime API refused it (400/403/413) so the loop can report an error instead.</summary>
    Task<bool> PostResponseAsync(string requestId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    Task PostErrorAsync(string requestId, RuntimeError error, CancellationToken cancellationToken);

    Task PostInitErrorAsync(RuntimeError error, CancellationToken cancellationToken);
}
