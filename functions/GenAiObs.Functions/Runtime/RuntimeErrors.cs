using GenAiObs.Adapters.Configuration;

namespace GenAiObs.Functions.Runtime;

/// <summary>Builds the error reports posted to the Runtime API without leaking record content.</summary>
public static class RuntimeErrors
{
    /// <summary>
    /// An error report for <paramref name="exception"/>. Messages are kept only for exception types
    /// whose messages are known to be content-free (ours, settings, HTTP and AWS SDK errors);
    /// parser exceptions from the BCL (JSON, format, decoding) can quote the input, which may hold
    /// prompt text, so their message is replaced by the type name.
    /// </summary>
    public static RuntimeError From(Exception exception)
    {
        var type = exception.GetType();
        var message = IsContentFree(type)
            ? exception.Message
            : $"{type.Name} (message withheld: it may quote record content)";
        return new RuntimeError(type.Name, message, StackFrames(exception));
    }

    public static RuntimeError Timeout(TimeSpan margin) =>
        new("HandlerTimeout", $"The handler was cancelled {margin.TotalMilliseconds:0} ms before the invocation deadline.", []);

    private static bool IsContentFree(Type type)
    {
        var ns = type.Namespace ?? string.Empty;
        return ns.StartsWith("GenAiObs", StringComparison.Ordinal) ||
               ns.StartsWith("Amazon", StringComparison.Ordinal) ||
               type == typeof(SettingsException) ||
               type == typeof(HttpRequestException) ||
               type == typeof(TimeoutException) ||
               type == typeof(FileNotFoundException) ||
               type == typeof(DirectoryNotFoundException) ||
               type == typeof(UnauthorizedAccessException) ||
               typeof(OperationCanceledException).IsAssignableFrom(type);
    }

    private static string[] StackFrames(Exception exception) =>
        exception.StackTrace is { } trace
            ? trace.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}
