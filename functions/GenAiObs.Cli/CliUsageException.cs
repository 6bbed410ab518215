namespace GenAiObs.Cli;

/// <summary>A command line that cannot be run as given; the message says what is wrong.</summary>
public sealed class CliUsageException(string message) : Exception(message);
