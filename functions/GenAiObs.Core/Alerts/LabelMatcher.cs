using System.Text;
using System.Text.RegularExpressions;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// One Alertmanager label matcher (<c>name="value"</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>). A label
/// the alert does not have matches as the empty string, as in Alertmanager
/// (https://prometheus.io/docs/alerting/latest/configuration/#matcher).
/// </summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    private LabelMatcher(LabelMatchType type, string name, string value, Regex? regex)
    {
        Type = type;
        Name = name;
        Value = value;
        _regex = regex;
    }

    public LabelMatchType Type { get; }

    public string Name { get; }

    /// <summary>The value or, for the regex operators, the pattern as written.</summary>
    public string Value { get; }

    public bool IsRegex => _regex is not null;

    public static LabelMatcher Equal(string name, string value) => new(LabelMatchType.Equal, name, value, null);

    /// <summary>An <c>=~</c> matcher; see <see cref="Create"/>.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid RE2 expression.</exception>
    public static LabelMatcher Regex(string name, string pattern) => Create(LabelMatchType.Regex, name, pattern);

    /// <summary>
    /// A matcher of any type. Regex patterns are anchored as Alertmanager anchors them —
    /// <c>^(?:pattern)$</c> in RE2, where <c>$</c> is end of text, so <c>\z</c> here — and
    /// translated from RE2 (see <see cref="Re2Pattern"/>). The non-backtracking engine keeps a
    /// hostile pattern from stalling the evaluator, and like RE2 it has no back-references or look-around.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not a valid RE2 expression; the message says why.</exception>
    public static LabelMatcher Create(LabelMatchType type, string name, string value)
    {
        if (type is not (LabelMatchType.Regex or LabelMatchType.NotRegex))
        {
            return new(type, name, value, null);
        }

        Regex regex;
        try
        {
            regex = new Regex("^(?:" + Re2Pattern.ToDotNet(value) + @")\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException(ex.Message, nameof(value), ex);
        }

        return new(type, name, value, regex);
    }

    public bool Matches(LabelSet labels)
    {
        var actual = labels.Get(Name) ?? string.Empty;
        return Type switch
        {
            LabelMatchType.Equal => string.Equals(actual, Value, StringComparison.Ordinal),
            LabelMatchType.NotEqual => !string.Equals(actual, Value, StringComparison.Ordinal),
            LabelMatchType.Regex => _regex!.IsMatch(actual),
            _ => !_regex!.IsMatch(actual),
        };
    }

    /// <summary>Alertmanager's order: by name, then value, then operator (how it prints a route's matchers).</summary>
    public static int Compare(LabelMatcher left, LabelMatcher right)
    {
        var byName = string.CompareOrdinal(left.Name, right.Name);
        if (byName != 0)
        {
            return byName;
        }

        var byValue = string.CompareOrdinal(left.Value, right.Value);
        return byValue != 0 ? byValue : left.Type.CompareTo(right.Type);
    }

    /// <summary>As Alertmanager prints a matcher: <c>name=~"value"</c>, the value escaped as in OpenMetrics (<c>\\</c>, <c>\n</c>, <c>\"</c>).</summary>
    public override string ToString()
    {
        var op = Type switch
        {
            LabelMatchType.Equal => "=",
            LabelMatchType.NotEqual => "!=",
            LabelMatchType.Regex => "=~",
            _ => "!~",
        };
        var escaped = new StringBuilder(Value.Length + 2);
        foreach (var c in Value)
        {
            escaped.Append(c switch
            {
                '\\' => @"\\",
                '\n' => @"\n",
                '"' => "\\\"",
                _ => c.ToString(),
            });
        }

        return $"{Name}{op}\"{escaped}\"";
    }
}
