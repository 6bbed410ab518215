namespace GenAiObs.Adapters.DynamoDb;

/// <summary>The outcome of <see cref="TableLayout.CreateAsync"/>.</summary>
/// <param name="Created">False when the table already existed.</param>
/// <param name="TtlEnabled">False when the endpoint has no TTL API (dynalite).</param>
public sealed record TableCreation(bool Created, bool TtlEnabled);
