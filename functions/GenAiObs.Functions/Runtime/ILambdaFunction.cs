namespace GenAiObs.Functions.Runtime;

/// <summary>What a function sees of one invocation besides its event.</summary>
public sealed record InvocationContext(string RequestId, DateTimeOffset Deadline, string? FunctionArn, string? TraceId);

/// <summary>One Lambda function served by the <c>bootstrap</c> executable (picked by <c>_HANDLER</c>).</summary>
public interface ILambdaFunction
{
    /// <summary>
    /// Handles one event and returns the response body (JSON). Throw only for transient
    /// infrastructure failures that deserve a redelivery — never for bad data (an invocation error makes
    /// Lambda retry the whole delivery).
    /// </summary>
    Task<byte[]> HandleAsync(ReadOnlyMemory<byte> eventBody, InvocationContext context, CancellationToken cancellationToken);
}
