using System.Text;
using System.Text.Unicode;

namespace GenAiObs.Core.Envelopes;

/// <summary>
/// Reads one escaped JSON string (RFC 8259 §7) with vectorized searches, for the messages of a
/// DATA_MESSAGE payload: a message there is a whole JSON record escaped into a string, so it has an
/// escape every few bytes, and <c>Utf8JsonReader</c> checks such a string one byte at a time after its
/// first escape and then unescapes it in a second pass (<c>CopyString</c>). Here the end is found by
/// searching for the next quote, backslash or control byte, and the text is unescaped by copying the
/// runs between backslashes. Only strings the reader accepts and <c>CopyString</c> unescapes without
/// error pass; anything else (a control byte, a bad escape, a lone surrogate escape, invalid UTF-8)
/// returns -1 and the caller falls back to the reader, so rejections stay the reader's.
/// Measured on the 104 subscription events of tests/perf/end-to-end.sh: see the commit that added it.
/// </summary>
internal static class JsonStringScanner
{
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
