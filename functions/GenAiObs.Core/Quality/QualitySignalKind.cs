namespace GenAiObs.Core.Quality;

/// <summary>Which kind of quality signal a <see cref="QualitySignal"/> is.</summary>
public enum QualitySignalKind
{
    Feedback = 0,
    Evaluation,
}
