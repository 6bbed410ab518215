namespace GenAiObs.Core.Processing;

/// <summary>
/// Tells a too-deep document from a malformed one after <c>Utf8JsonReader</c> refused it (both
/// surface as <c>JsonException</c>, and its message is not a contract).
/// </summary>
internal static class JsonDepth
{
    /// <summary>True when brackets outside strings nest deeper than <paramref name="maxDepth"/> (the reader's MaxDepth meaning).</summary>
    public static bool Exceeds(ReadOnlySpan<byte> json, int maxDepth)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    if (++depth > maxDepth)
                    {
                        return true;
                    }

                    break;
                case (byte)'}' or (byte)']':
                    depth--;
                    break;
            }
        }

        return false;
    }
}
