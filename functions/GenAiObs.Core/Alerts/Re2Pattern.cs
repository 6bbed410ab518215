using System.Globalization;
using System.Text;

namespace GenAiObs.Core.Alerts;

/// <summary>
/// Translates a regular expression written for Go's RE2 engine (what Alertmanager compiles
/// <c>match_re</c> and <c>=~</c> values with, https://github.com/google/re2/wiki/Syntax and
/// https://pkg.go.dev/regexp/syntax) into an equivalent .NET pattern, so a value copied from an
/// Alertmanager configuration matches the same label values here:
/// <list type="bullet">
/// <item><c>$</c> outside <c>(?m)</c> is end of text (RE2), not "end or before a final newline" (.NET): it becomes <c>\z</c>.</item>
/// <item><c>\d \w \s</c> (and their negations, also inside <c>[…]</c>) are ASCII-only in RE2; .NET's are Unicode.</item>
/// <item>RE2-only syntax is rewritten: <c>\pL</c>, <c>\x{…}</c>, octal escapes, <c>\Q…\E</c>,
/// <c>(?P&lt;name&gt;…)</c>, ASCII classes such as <c>[[:alpha:]]</c>, the <c>U</c> flag (greediness does not
/// change whether a fully anchored pattern matches).</item>
/// <item>What RE2 rejects is rejected (look-around, back-references, <c>\Z</c>, unknown escapes,
/// flags other than <c>imsU</c>, repeat counts above 1000), so a configuration Alertmanager refuses is refused here too.</item>
/// </list>
/// Known difference: <c>\b</c> uses .NET's Unicode word characters.
/// </summary>
internal static class Re2Pattern
{
    private const int MaxRepeat = 1000;

    private static readonly (int Low, int High)[] Digit = [('0', '9')];
    private static readonly (int Low, int High)[] Word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
    private static readonly (int Low, int High)[] Space = [('\t', '\n'), ('\f', '\r'), (' ', ' ')];

    // https://github.com/google/re2/wiki/Syntax, "ASCII character classes".
    private static readonly Dictionary<string, (int Low, int High)[]> AsciiClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = [('0', '9'), ('A', 'Z'), ('a', 'z')],
        ["alpha"] = [('A', 'Z'), ('a', 'z')],
        ["ascii"] = [(0x00, 0x7F)],
        ["blank"] = [('\t', '\t'), (' ', ' ')],
        ["cntrl"] = [(0x00, 0x1F), (0x7F, 0x7F)],
        ["digit"] = [('0', '9')],
        ["graph"] = [('!', '~')],
        ["lower"] = [('a', 'z')],
        ["print"] = [(' ', '~')],
        ["punct"] = [('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        ["space"] = [('\t', '\r'), (' ', ' ')],
        ["upper"] = [('A', 'Z')],
        ["word"] = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        ["xdigit"] = [('0', '9'), ('A', 'F'), ('a', 'f')],
    };

    /// <summary>The .NET pattern matching what <paramref name="pattern"/> matches under RE2.</summary>
    /// <exception cref="ArgumentException">RE2 would reject the pattern; the message says why.</exception>
    public static string ToDotNet(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 16);
        // Whether (?m) is in force, per open group: a flag set inside a group ends with it.
        var multiline = false;
        var groups = new Stack<bool>();
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    i = Escape(pattern, i, output, inClass: false);
                    continue;
                case '[':
                    i = CharacterClass(pattern, i, output);
                    continue;
                case '$':
                    output.Append(multiline ? "$" : @"\z");
                    break;
                case '(':
                    groups.Push(multiline);
                    i = GroupOpening(pattern, i, output, ref multiline, groups);
                    continue;
                case ')':
                    if (groups.Count == 0)
                    {
                        throw new ArgumentException("unexpected )");
                    }

                    multiline = groups.Pop();
                    output.Append(')');
                    break;
                case '{':
                    CheckRepeat(pattern, i);
                    output.Append(c);
                    break;
                default:
                    output.Append(c);
                    break;
            }

            i++;
        }

        if (groups.Count > 0)
        {
            throw new ArgumentException("missing closing )");
        }

        return output.ToString();
    }

    /// <summary>Handles <c>(</c> at <paramref name="start"/>; returns the index after what it consumed.</summary>
    private static int GroupOpening(string pattern, int start, StringBuilder output, ref bool multiline, Stack<bool> groups)
    {
        if (start + 1 >= pattern.Length || pattern[start + 1] != '?')
        {
            output.Append('(');
            return start + 1;
        }

        var rest = pattern.AsSpan(start + 2);
        if (rest.StartsWith("P<") || rest.StartsWith("<"))
        {
            // Named capture: RE2 spells it (?P<name>…) or (?<name>…), .NET (?<name>…).
            var nameStart = start + 2 + (rest[0] == 'P' ? 2 : 1);
            var nameEnd = pattern.IndexOf('>', nameStart);
            if (nameEnd < 0 || nameEnd == nameStart || !IsGroupName(pattern.AsSpan(nameStart, nameEnd - nameStart)))
            {
                throw new ArgumentException("invalid named capture");
            }

            output.Append("(?<").Append(pattern, nameStart, nameEnd - nameStart).Append('>');
            return nameEnd + 1;
        }

        // Flags: (?flags) or (?flags:…), flags from "imsU" with an optional '-' before the ones cleared.
        var position = start + 2;
        var negated = false;
        var flags = new StringBuilder();
        var groupMultiline = multiline;
        while (position < pattern.Length)
        {
            var flag = pattern[position];
            if (flag is ')' or ':')
            {
                if (flags.Length == 0 || flags[^1] == '-')
                {
                    throw new ArgumentException("invalid or unsupported Perl syntax: empty flags group");
                }

                var dotNetFlags = flags.ToString().Replace("U", string.Empty, StringComparison.Ordinal);
                if (flag == ')')
                {
                    // (?flags) sets the flags until the end of the enclosing group; it opened no group itself.
                    groups.Pop();
                    multiline = groupMultiline;
                    if (dotNetFlags.Length > 0 && dotNetFlags != "-")
                    {
                        output.Append("(?").Append(dotNetFlags).Append(')');
                    }
                }
                else
                {
                    multiline = groupMultiline;
                    output.Append(dotNetFlags.Length > 0 && dotNetFlags != "-" ? $"(?{dotNetFlags}:" : "(?:");
                }

                return position + 1;
            }

            switch (flag)
            {
                case 'i' or 's' or 'U':
                    break;
                case 'm':
                    groupMultiline = !negated;
                    break;
                case '-' when !negated:
                    negated = true;
                    break;
                default:
                    // Look-around (?= (?! (?<= (?<!, atomic (?>, comments (?#, .NET-only flags: RE2 has none of them.
                    throw new ArgumentException($"invalid or unsupported Perl syntax: '(?{flag}'");
            }

            flags.Append(flag);
            position++;
        }

        throw new ArgumentException("missing closing )");
    }

    private static bool IsGroupName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return !char.IsAsciiDigit(name[0]);
    }

    /// <summary>Rejects <c>{n}</c>, <c>{n,}</c>, <c>{n,m}</c> with a count above RE2's limit; anything else is a literal brace in both engines.</summary>
    private static void CheckRepeat(string pattern, int start)
    {
        var end = pattern.IndexOf('}', start);
        if (end < 0)
        {
            return;
        }

        var body = pattern.AsSpan(start + 1, end - start - 1);
        var comma = body.IndexOf(',');
        var low = comma < 0 ? body : body[..comma];
        var high = comma < 0 ? [] : body[(comma + 1)..];
        if (!IsDigits(low) || (high.Length > 0 && !IsDigits(high)))
        {
            return;
        }

        if (int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out var min) is false || min > MaxRepeat
            || (high.Length > 0 && (int.TryParse(high, NumberStyles.None, CultureInfo.InvariantCulture, out var max) is false || max > MaxRepeat || max < min)))
        {
            throw new ArgumentException($"invalid repeat count '{body}'");
        }

        static bool IsDigits(ReadOnlySpan<char> text)
        {
            if (text.IsEmpty)
            {
                return false;
            }

            foreach (var c in text)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Copies the bracket expression at <paramref name="start"/>; returns the index after its closing <c>]</c>.</summary>
    private static int CharacterClass(string pattern, int start, StringBuilder output)
    {
        output.Append('[');
        var i = start + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            output.Append('^');
            i++;
        }

        var first = true;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == ']' && !first)
            {
                output.Append(']');
                return i + 1;
            }

            first = false;
            if (c == '\\')
            {
                i = Escape(pattern, i, output, inClass: true);
                continue;
            }

            if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                var close = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (close > 0)
                {
                    var name = pattern[(i + 2)..close];
                    var negate = name.StartsWith('^');
                    if (!AsciiClasses.TryGetValue(negate ? name[1..] : name, out var ranges))
                    {
                        throw new ArgumentException($"invalid character class range '[:{name}:]'");
                    }

                    AppendRanges(output, negate ? Complement(ranges) : ranges);
                    i = close + 2;
                    continue;
                }
            }

            // '[' is a literal inside an RE2 class; in .NET "-[" would start a class subtraction.
            // ']' first in the class is a literal in both.
            output.Append(c is '[' or ']' ? "\\" + c : c.ToString());
            i++;
        }

        throw new ArgumentException("missing closing ]");
    }

    /// <summary>Translates the escape at <paramref name="start"/>; returns the index after it.</summary>
    private static int Escape(string pattern, int start, StringBuilder output, bool inClass)
    {
        if (start + 1 >= pattern.Length)
        {
            throw new ArgumentException("trailing backslash at end of expression");
        }

        var c = pattern[start + 1];
        var next = start + 2;
        switch (c)
        {
            case 'd':
                AppendClass(output, Digit, inClass);
                return next;
            case 'D':
                AppendClass(output, Complement(Digit), inClass);
                return next;
            case 'w':
                AppendClass(output, Word, inClass);
                return next;
            case 'W':
                AppendClass(output, Complement(Word), inClass);
                return next;
            case 's':
                AppendClass(output, Space, inClass);
                return next;
            case 'S':
                AppendClass(output, Complement(Space), inClass);
                return next;
            case 'a' or 'f' or 't' or 'n' or 'r' or 'v':
                output.Append('\\').Append(c);
                return next;
            case 'A' or 'z' or 'b' or 'B' when !inClass:
                output.Append('\\').Append(c);
                return next;
            case 'p' or 'P':
                return UnicodeClass(pattern, start, output, c);
            case 'x':
                return HexEscape(pattern, start, output);
            case >= '0' and <= '7':
                return OctalEscape(pattern, start, output);
            case 'Q' when !inClass:
                var end = pattern.IndexOf(@"\E", next, StringComparison.Ordinal);
                var literal = end < 0 ? pattern[next..] : pattern[next..end];
                foreach (var ch in literal)
                {
                    AppendLiteral(output, ch);
                }

                return end < 0 ? pattern.Length : end + 2;
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit(c))
                {
                    // Any escaped ASCII punctuation is that character in RE2; .NET rejects some (e.g. "\_").
                    AppendLiteral(output, c);
                    return next;
                }

                throw new ArgumentException($"invalid escape sequence '\\{c}'");
        }
    }

    private static int UnicodeClass(string pattern, int start, StringBuilder output, char kind)
    {
        var position = start + 2;
        if (position >= pattern.Length)
        {
            throw new ArgumentException("invalid character class range");
        }

        string name;
        if (pattern[position] == '{')
        {
            var close = pattern.IndexOf('}', position);
            if (close < 0)
            {
                throw new ArgumentException("invalid character class range");
            }

            name = pattern[(position + 1)..close];
            position = close + 1;
        }
        else
        {
            name = pattern[position].ToString();
            position++;
        }

        if (name.StartsWith('^'))
        {
            kind = kind == 'p' ? 'P' : 'p';
            name = name[1..];
        }

        // RE2 accepts Unicode general categories and scripts; .NET accepts the categories (and
        // rejects script names, which then fail validation as an invalid regular expression).
        output.Append('\\').Append(kind).Append('{').Append(name).Append('}');
        return position;
    }

    private static int HexEscape(string pattern, int start, StringBuilder output)
    {
        var position = start + 2;
        string digits;
        if (position < pattern.Length && pattern[position] == '{')
        {
            var close = pattern.IndexOf('}', position);
            if (close < 0)
            {
                throw new ArgumentException("invalid escape sequence '\\x{'");
            }

            digits = pattern[(position + 1)..close];
            position = close + 1;
        }
        else
        {
            if (position + 2 > pattern.Length)
            {
                throw new ArgumentException("invalid escape sequence '\\x'");
            }

            digits = pattern.Substring(position, 2);
            position += 2;
        }

        if (digits.Length == 0
            || !int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var codePoint)
            || codePoint > 0x10FFFF)
        {
            throw new ArgumentException($"invalid escape sequence '\\x{digits}'");
        }

        AppendCodePoint(output, codePoint);
        return position;
    }

    private static int OctalEscape(string pattern, int start, StringBuilder output)
    {
        // RE2: "\123" is an octal character code (up to three digits); a lone non-zero digit
        // would be a back-reference, which RE2 does not support.
        var position = start + 1;
        if (pattern[position] != '0' && (position + 1 >= pattern.Length || pattern[position + 1] is < '0' or > '7'))
        {
            throw new ArgumentException($"invalid escape sequence '\\{pattern[position]}' (back-references are not supported)");
        }

        var value = 0;
        var digits = 0;
        while (digits < 3 && position < pattern.Length && pattern[position] is >= '0' and <= '7')
        {
            value = (value * 8) + (pattern[position] - '0');
            position++;
            digits++;
        }

        AppendCodePoint(output, value);
        return position;
    }

    private static void AppendCodePoint(StringBuilder output, int codePoint)
    {
        foreach (var ch in char.ConvertFromUtf32(codePoint))
        {
            AppendLiteral(output, ch);
        }
    }

    private static void AppendLiteral(StringBuilder output, char c) =>
        output.Append(char.IsAsciiLetterOrDigit(c) ? c.ToString() : $"\\u{(int)c:X4}");

    private static void AppendClass(StringBuilder output, (int Low, int High)[] ranges, bool inClass)
    {
        if (!inClass)
        {
            output.Append('[');
        }

        AppendRanges(output, ranges);
        if (!inClass)
        {
            output.Append(']');
        }
    }

    private static void AppendRanges(StringBuilder output, (int Low, int High)[] ranges)
    {
        foreach (var (low, high) in ranges)
        {
            output.Append($"\\u{low:X4}");
            if (high != low)
            {
                output.Append($"-\\u{high:X4}");
            }
        }
    }

    /// <summary>The ranges of UTF-16 code units outside <paramref name="ranges"/> (sorted, disjoint).</summary>
    private static (int Low, int High)[] Complement((int Low, int High)[] ranges)
    {
        var result = new List<(int, int)>();
        var next = 0;
        foreach (var (low, high) in ranges)
        {
            if (low > next)
            {
                result.Add((next, low - 1));
            }

            next = high + 1;
        }

        if (next <= 0xFFFF)
        {
            result.Add((next, 0xFFFF));
        }

        return [.. result];
    }
}
