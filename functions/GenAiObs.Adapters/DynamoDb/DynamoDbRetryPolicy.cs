using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace GenAiObs.Adapters.DynamoDb;

/// <summary>
/// Bounded retries with exponential backoff and full jitter for throttling, 5xx and transport
/// errors. When the attempts are exhausted the last exception escapes, so the Lambda invocation
/// fails and the delivery is redelivered (exactly-once makes that safe).
/// </summary>
public sealed class DynamoDbRetryPolicy
{
    private readonly TimeProvider _time;
    private readonly Random _random;

    public DynamoDbRetryPolicy(int maxAttempts = 6, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, TimeProvider? time = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        MaxAttempts = maxAttempts;
        BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(50);
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(5);
        _time = time ?? TimeProvider.System;
        _random = random ?? new Random();
    }

    public int MaxAttempts { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }

    /// <summary>Retries seen so far (for diagnostics and tests).</summary>
    public int Retries => _retries;

    private int _retries;

    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (attempt < MaxAttempts && IsTransient(exception, cancellationToken))
            {
                Interlocked.Increment(ref _retries);
                await Task.Delay(DelayFor(attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Full jitter: uniform in [0, min(max, base · 2^(attempt−1))].</summary>
    public TimeSpan DelayFor(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        double fraction;
        lock (_random)
        {
            fraction = _random.NextDouble();
        }

        return TimeSpan.FromMilliseconds(ceiling * fraction);
    }

    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ConditionalCheckFailedException => false,
        ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException => true,
        AmazonServiceException service when service.ErrorCode is "ThrottlingException" or "Throttling" or "TransactionConflict" => true,
        AmazonServiceException service => (int)service.StatusCode >= 500 || service.StatusCode == HttpStatusCode.TooManyRequests,
        HttpRequestException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AmazonClientException client => client.InnerException is HttpRequestException or IOException,
        _ => false,
    };
}
