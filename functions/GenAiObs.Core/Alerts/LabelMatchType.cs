namespace GenAiObs.Core.Alerts;

/// <summary>The four Alertmanager matcher operators, in Alertmanager's sort order.</summary>
public enum LabelMatchType
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>=~</c>: the whole value matches the (RE2) regular expression.</summary>
    Regex,

    /// <summary><c>!~</c>: the whole value does not match the (RE2) regular expression.</summary>
    NotRegex,
}
