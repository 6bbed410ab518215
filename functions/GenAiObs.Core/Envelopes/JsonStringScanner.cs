using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Reads one escaped JSON string (RFC 8259 §7) with vectorized searches, for the messages of a
/// DATA_MESSAGE payload: a message there is a whole JSON record escaped into a string, so it has an
/// escape every few bytes, and <c>Utf8JsonReader</c> checks such a string one byte at a time after its
/// first escape and then unescapes it in a second pass (<c>CopyString</c>). Here the end is found by
/// searching for the next quote, backslash or control byte, and the text is unescaped by copying the
/// runs between backslashes. <see cref="FindEnd"/> accepts only strings the reader accepts (anything
/// else, a control byte or a bad escape, returns -1 and the caller leaves it to the reader, so the
/// reader refuses it as before), and <see cref="Unescape"/> refuses what <c>CopyString</c> would throw
/// on (a lone surrogate escape, invalid UTF-8).
/// Measured on the 104 subscription events of tests/perf/end-to-end.sh: see the commit that added it.
/// A string value found this way is passed past the reader: the reader is resumed just after it
/// (<see cref="ResumeAfterString"/>), which is how <see cref="SkipPropertyValue"/> passes a request's
/// prompts, escaped text read one byte at a time by the reader too.
/// </summary>
internal static class JsonStringScanner
{
    /// <summary>
    /// The reader is on a property name and <paramref name="source"/> is what it reads: when the
    /// property's value is a string <see cref="FindEnd"/> accepts, its content (between the quotes) is
    /// <paramref name="source"/>[<paramref name="contentStart"/>..][..<paramref name="length"/>]. The
    /// reader does not move; false when the value is something else.
    /// </summary>
    public static bool TryFindStringValue(
        in Utf8JsonReader reader, ReadOnlySpan<byte> source, out int contentStart, out int length, out bool isEscaped)
    {
        // The reader has consumed the property name and its colon; the value follows after any whitespace.
        var start = (int)reader.BytesConsumed;
        while (start < source.Length && source[start] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            start++;
        }

        contentStart = start + 1;
        isEscaped = false;
        length = start < source.Length && source[start] == (byte)'"' ? FindEnd(source[contentStart..], out isEscaped) : -1;
        return length >= 0;
    }

    /// <summary>
    /// Moves the reader, which is on a property name, past its string value, whose closing quote is
    /// <paramref name="source"/>[<paramref name="next"/> - 1]: <paramref name="reader"/> becomes a reader
    /// over the rest of <paramref name="source"/> (which becomes that rest) in the state the reader would
    /// have after reading the string itself, so it reads on as if it had, with the same options and nesting.
    /// </summary>
    public static void ResumeAfterString(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source, int next)
    {
        // The state after a string value, from the state before it: read an empty string in that state.
        var primer = new Utf8JsonReader("\"\""u8, isFinalBlock: false, reader.CurrentState);
        primer.Read();
        source = source[next..];
        reader = new Utf8JsonReader(source, isFinalBlock: true, primer.CurrentState);
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.Skip"/> from a property name: passes the property's value, leaving the
    /// reader on its last token, but every property value inside it (or itself) that is a string the
    /// reader would accept is passed with <see cref="FindEnd"/> instead of being read. Anything the reader
    /// would refuse is left to it, so the same documents are refused, with the same exceptions.
    /// </summary>
    public static void SkipPropertyValue(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source)
    {
        if (TryPassStringValue(ref reader, ref source))
        {
            return;
        }

        reader.Read();
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }

        var depth = reader.CurrentDepth;
        do
        {
            if (reader.TokenType == JsonTokenType.PropertyName && TryPassStringValue(ref reader, ref source))
            {
                continue;
            }

            reader.Read();
        }
        while (depth < reader.CurrentDepth);
    }

    private static bool TryPassStringValue(ref Utf8JsonReader reader, ref ReadOnlySpan<byte> source)
    {
        if (!TryFindStringValue(reader, source, out var contentStart, out var length, out _))
        {
            return false;
        }

        ResumeAfterString(ref reader, ref source, contentStart + length + 1);
        return true;
    }

    /// <summary>
    /// The length of the string content that starts at <paramref name="content"/>[0] (just past the
    /// opening quote), up to its closing quote; -1 when it has no closing quote, a control byte or an
    /// escape the reader would refuse. <paramref name="isEscaped"/> tells whether it has any escape.
    /// </summary>
    public static int FindEnd(ReadOnlySpan<byte> content, out bool isEscaped)
    {
        isEscaped = false;
        var position = 0;
        while (true)
        {
            // Two-value IndexOfAny rather than SearchValues with the control bytes: ReadyToRun code has no
            // instantiation of the SearchValues search, which then starts out unoptimized (perf showed it at
            // 4 % of the events' CPU); the control bytes are looked for once, in the whole string, below.
            var found = content[position..].IndexOfAny((byte)'"', (byte)'\\');
            if (found < 0)
            {
                return -1;
            }

            position += found;
            var current = content[position];
            if (current == (byte)'"')
            {
                return content[..position].IndexOfAnyInRange((byte)0x00, (byte)0x1f) < 0 ? position : -1;
            }

            if (position + 1 >= content.Length)
            {
                return -1;
            }

            isEscaped = true;
            switch (content[position + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    position += 2;
                    break;
                case (byte)'u':
                    if (position + 6 > content.Length || ParseHex4(content.Slice(position + 2, 4)) < 0)
                    {
                        return -1;
                    }

                    position += 6;
                    break;
                default:
                    return -1;
            }
        }
    }

    /// <summary>
    /// Unescapes string content that <see cref="FindEnd"/> accepted into <paramref name="destination"/>
    /// (at least as long as the content); the bytes written, or -1 for a lone or mismatched surrogate
    /// escape or text that is not valid UTF-8 — the cases where <c>Utf8JsonReader.CopyString</c> throws.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        var written = 0;
        var position = 0;
        while (true)
        {
            var found = escaped[position..].IndexOf((byte)'\\');
            if (found < 0)
            {
                escaped[position..].CopyTo(destination[written..]);
                written += escaped.Length - position;
                break;
            }

            escaped.Slice(position, found).CopyTo(destination[written..]);
            written += found;
            position += found;
            if (position + 1 >= escaped.Length)
            {
                return -1;
            }

            var kind = escaped[position + 1];
            if (kind != (byte)'u')
            {
                destination[written++] = kind switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => kind,
                };
                position += 2;
                continue;
            }

            var scalar = position + 6 <= escaped.Length ? ParseHex4(escaped.Slice(position + 2, 4)) : -1;
            if (scalar < 0 || scalar is >= 0xdc00 and <= 0xdfff)
            {
                return -1;
            }

            position += 6;
            if (scalar is >= 0xd800 and <= 0xdbff)
            {
                // A high surrogate must be followed by a \u escape of a low one (RFC 8259 §7).
                if (position + 6 > escaped.Length || escaped[position] != (byte)'\\' || escaped[position + 1] != (byte)'u')
                {
                    return -1;
                }

                var low = ParseHex4(escaped.Slice(position + 2, 4));
                if (low is < 0xdc00 or > 0xdfff)
                {
                    return -1;
                }

                scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00);
                position += 6;
            }

            written += new Rune(scalar).EncodeToUtf8(destination[written..]);
        }

        return Utf8.IsValid(destination[..written]) ? written : -1;
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        var value = 0;
        foreach (var digit in hex)
        {
            var nibble = digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
            {
                return -1;
            }

            value = (value << 4) | nibble;
        }

        return value;
    }
}
