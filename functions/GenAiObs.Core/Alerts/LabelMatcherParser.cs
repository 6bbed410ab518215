using System.Text;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// Parses Alertmanager's matcher strings as its classic parser does (pkg/labels, documented at
/// https://prometheus.io/docs/alerting/latest/configuration/#matcher): a comma-separated list,
/// optionally inside <c>{…}</c>, of <c>name op value</c> where op is <c>=</c>, <c>!=</c>,
/// <c>=~</c> or <c>!~</c>; whitespace around each part is ignored; the value may be in double
/// quotes, inside which commas do not separate and <c>\"</c>, <c>\\</c>, <c>\n</c> are escapes
/// (any other backslash is literal); a trailing comma is allowed.
/// </summary>
public static class LabelMatcherParser
{
    /// <summary>Every matcher in <paramref name="input"/> (none for an empty string).</summary>
    /// <exception cref="FormatException">A matcher is malformed or its regex invalid; the message quotes it.</exception>
    public static IReadOnlyList<LabelMatcher> ParseMatchers(string input)
    {
        var text = input.StartsWith('{') ? input[1..] : input;
        text = text.EndsWith('}') ? text[..^1] : text;

        var tokens = new List<string>();
        var token = new StringBuilder();
        var insideQuotes = false;
        var escaped = false;
        foreach (var c in text)
        {
            switch (c)
            {
                case ',' when !insideQuotes:
                    tokens.Add(token.ToString());
                    token.Clear();
                    continue;
                case ',':
                    break;
                case '"':
                    if (!escaped)
                    {
                        insideQuotes = !insideQuotes;
                    }
                    else
                    {
                        escaped = false;
                    }

                    break;
                case '\\':
                    escaped = !escaped;
                    break;
                default:
                    escaped = false;
                    break;
            }

            token.Append(c);
        }

        var last = token.ToString().Trim();
        if (last.Length > 0)
        {
            tokens.Add(last);
        }

        return [.. tokens.Select(ParseMatcher)];
    }

    /// <summary>One matcher, e.g. <c>severity="critical"</c> or <c>team =~ a|b</c>.</summary>
    /// <exception cref="FormatException">The matcher is malformed or its regex invalid; the message quotes it.</exception>
    public static LabelMatcher ParseMatcher(string input)
    {
        var position = SkipSpace(input, 0);
        var nameStart = position;
        while (position < input.Length && IsNameChar(input[position], first: position == nameStart))
        {
            position++;
        }

        var name = input[nameStart..position];
        position = SkipSpace(input, position);
        LabelMatchType? type = input.AsSpan(position) switch
        {
            var rest when rest.StartsWith("=~") => LabelMatchType.Regex,
            var rest when rest.StartsWith("=") => LabelMatchType.Equal,
            var rest when rest.StartsWith("!=") => LabelMatchType.NotEqual,
            var rest when rest.StartsWith("!~") => LabelMatchType.NotRegex,
            _ => null,
        };
        if (name.Length == 0 || type is not { } matchType)
        {
            throw new FormatException($"bad matcher format: {input}");
        }

        position = SkipSpace(input, position + (matchType == LabelMatchType.Equal ? 1 : 2));
        var end = input.Length;
        while (end > position && IsSpace(input[end - 1]))
        {
            end--;
        }

        var raw = input[position..end];
        var value = Unescape(raw);
        try
        {
            return LabelMatcher.Create(matchType, name, value);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"invalid regular expression in {input.Trim()}: {ex.Message}", ex);
        }
    }

    private static string Unescape(string raw)
    {
        var value = new StringBuilder(raw.Length);
        var text = raw;
        var expectTrailingQuote = false;
        if (text.StartsWith('"'))
        {
            text = text[1..];
            expectTrailingQuote = true;
        }

        var escaped = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (escaped)
            {
                escaped = false;
                value.Append(c switch
                {
                    'n' => "\n",
                    '"' or '\\' => c.ToString(),
                    // A spurious escape: the backslash is literal.
                    _ => "\\" + c,
                });
                continue;
            }

            switch (c)
            {
                case '\\' when i < text.Length - 1:
                    escaped = true;
                    break;
                case '"':
                    if (!expectTrailingQuote || i < text.Length - 1)
                    {
                        throw new FormatException($"matcher value contains unescaped double quote: {raw}");
                    }

                    expectTrailingQuote = false;
                    break;
                default:
                    value.Append(c);
                    break;
            }
        }

        if (expectTrailingQuote)
        {
            throw new FormatException($"matcher value contains unescaped double quote: {raw}");
        }

        return value.ToString();
    }

    // The classic parser's label names: [a-zA-Z_:][a-zA-Z0-9_:]*.
    private static bool IsNameChar(char c, bool first) =>
        char.IsAsciiLetter(c) || c is '_' or ':' || (!first && char.IsAsciiDigit(c));

    // Go's regexp \s: ASCII whitespace only.
    private static bool IsSpace(char c) => c is '\t' or '\n' or '\f' or '\r' or ' ';

    private static int SkipSpace(string text, int position)
    {
        while (position < text.Length && IsSpace(text[position]))
        {
            position++;
        }

        return position;
    }
}
