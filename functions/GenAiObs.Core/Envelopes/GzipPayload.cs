using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using GenAiObs.Core.Records;

namespace GenAiObs.Core.Envelopes;

/// <summary>Gunzipping one bounded payload (a subscription delivery's <c>data</c>) into a pooled buffer.</summary>
internal static class GzipPayload
{
    /// <summary>RFC 1952: every gzip member starts with ID1 = 0x1f, ID2 = 0x8b.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>
    /// Gunzips into one pooled buffer of the payload's size. The size comes from the gzip trailer
    /// (RFC 1952 ISIZE: the uncompressed length mod 2^32) when it is plausible. When the trailer
    /// claims more than <paramref name="maxBytes"/> (a bomb, or a corrupt trailer) or the stream
    /// contradicts it (a forged trailer, several members), the stream is first inflated into a
    /// small scratch buffer only to measure it, stopping just past the cap. So a bomb is rejected
    /// having allocated kilobytes rather than the cap's worth of ever-doubling buffers, and a sound
    /// payload costs one right-sized buffer. Returns null on success, else the reject reason.
    /// </summary>
    public static string? Gunzip(byte[] compressed, int compressedLength, long maxBytes, out byte[] output, out int length)
    {
        output = [];
        length = 0;
        if (!HasMagic(compressed.AsSpan(0, compressedLength)))
        {
            return RejectReasons.InvalidGzip;
        }

        var cap = (int)Math.Min(maxBytes, Array.MaxLength - 1);

        // The smallest gzip member is 18 bytes (10 header, 2 empty deflate block, 8 trailer).
        long size = compressedLength >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressedLength - 4, 4)) : 0;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (size == 0 || size > cap || attempt > 0)
            {
                var reason = Measure(compressed, compressedLength, cap, out size);
                if (reason is not null)
                {
                    return reason;
                }
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)size);
            var outcome = InflateInto(compressed, compressedLength, buffer.AsSpan(0, (int)size), out var total);
            if (outcome == InflateOutcome.Complete && total > 0)
            {
                output = buffer;
                length = total;
                return null;
            }

            ArrayPool<byte>.Shared.Return(buffer);
            if (outcome == InflateOutcome.Invalid || total == 0)
            {
                // A truncated member yields nothing rather than an exception; a real payload is never empty.
                return RejectReasons.InvalidGzip;
            }
        }

        // Inflating is deterministic: a stream that outgrows its own measured size cannot happen.
        return RejectReasons.DecompressedTooLarge;
    }

    /// <summary>The inflated size, counted through a small pooled scratch buffer; stops as soon as it passes <paramref name="cap"/>.</summary>
    private static string? Measure(byte[] compressed, int compressedLength, int cap, out long size)
    {
        size = 0;
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var input = new MemoryStream(compressed, 0, compressedLength, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            int read;
            while ((read = gzip.Read(scratch, 0, scratch.Length)) > 0)
            {
                size += read;
                if (size > cap)
                {
                    return RejectReasons.DecompressedTooLarge;
                }
            }
        }
        catch (InvalidDataException)
        {
            return RejectReasons.InvalidGzip;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return size == 0 ? RejectReasons.InvalidGzip : null;
    }

    /// <summary>Inflates into <paramref name="destination"/>; <see cref="InflateOutcome.Overflow"/> when the stream holds more than it.</summary>
    private static InflateOutcome InflateInto(byte[] compressed, int compressedLength, Span<byte> destination, out int total)
    {
        total = 0;
        try
        {
            using var input = new MemoryStream(compressed, 0, compressedLength, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            int read;
            while (total < destination.Length && (read = gzip.Read(destination[total..])) > 0)
            {
                total += read;
            }

            Span<byte> probe = stackalloc byte[1];
            return total == destination.Length && gzip.Read(probe) > 0 ? InflateOutcome.Overflow : InflateOutcome.Complete;
        }
        catch (InvalidDataException)
        {
            return InflateOutcome.Invalid;
        }
    }

    private enum InflateOutcome
    {
        Complete,
        Overflow,
        Invalid,
    }
}
