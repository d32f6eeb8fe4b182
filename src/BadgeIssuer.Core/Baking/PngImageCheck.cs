// A PNG that will be stored and served as a badge image (an achievement's own image), checked with bounded work.
//
// The chunk layer is PngBaking.ReadChunks, the same reader the baker and unbaker use (signature, lengths, types,
// CRC-32 of every chunk, 13-byte IHDR first, IEND last, nothing after it). On top of that:
//
// - IHDR (PNG 3rd ed. §11.2.1): width and height 1..MaxDimension, a bit depth allowed for the colour type,
//   compression 0, filter method 0, interlace 0 or 1.
// - IDAT: at least one, consecutive (§5.6). Their concatenated zlib stream is inflated by PngBaking.BoundedInflate,
//   the routine that bounds compressed iTXt text in downloads, with the limit the header dictates: the exact number
//   of filtered scanline bytes (one filter byte per row, Adam7 passes summed), itself at most MaxImageDataBytes.
//   A stream that inflates past it (a decompression bomb) stops there; one that ends short or is not valid zlib is
//   refused too.
// - Compressed ancillary chunks (zTXt, compressed iTXt, iCCP) inflate against one shared budget of
//   BakedBadge.MaxPayloadBytes for the whole image, the cap baked text has in downloads, so many small bombs cost
//   no more than one.
//
// Pixels are not decoded further (filter types, palette indexes): browsers and decoders handle those safely; what
// must not happen is unbounded inflation or an image whose decoded size the service did not agree to.
using System.Buffers.Binary;

namespace BadgeIssuer.Core.Baking;

internal static class PngImageCheck
{
    private const uint TypeIdat = 0x49444154; // "IDAT"
    private const uint TypeZtxt = 0x7A545874; // "zTXt"
    private const uint TypeIccp = 0x69434350; // "iCCP"

    // Adam7 passes: x start, y start, x step, y step (§8.2).
    private static readonly (int X, int Y, int Dx, int Dy)[] s_adam7 =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    public static void Check(ReadOnlySpan<byte> png)
    {
        List<PngBaking.Chunk> chunks = PngBaking.ReadChunks(png);
        long expected = ImageDataBytes(png.Slice(chunks[0].DataOffset, chunks[0].DataLength), chunks[0].Offset);

        using var idat = new MemoryStream();
        int firstIdat = -1;
        int lastIdat = -1;
        long textBudget = BakedBadge.MaxPayloadBytes;
        for (int i = 1; i < chunks.Count; i++)
        {
            PngBaking.Chunk chunk = chunks[i];
            ReadOnlySpan<byte> data = png.Slice(chunk.DataOffset, chunk.DataLength);
            switch (chunk.Type)
            {
                case TypeIdat:
                    if (lastIdat >= 0 && lastIdat != i - 1)
                    {
                        throw new BakingException(BakingErrorReason.InvalidImageData, "The PNG's IDAT chunks are not consecutive.", chunk.Offset);
                    }

                    firstIdat = firstIdat < 0 ? i : firstIdat;
                    lastIdat = i;
                    idat.Write(data);
                    break;
                case PngBaking.TypeIhdr:
                    throw new BakingException(BakingErrorReason.InvalidImageHeader, "The PNG has more than one IHDR chunk.", chunk.Offset);
                case TypeZtxt:
                case TypeIccp:
                    // Keyword or profile name (1-79 bytes), NUL, compression method 0, zlib data.
                    textBudget -= InflateAncillary(data, SkipKeyword(data, chunk.Offset) + 1, textBudget, chunk.Offset);
                    break;
                case PngBaking.TypeItxt:
                    int at = SkipKeyword(data, chunk.Offset);
                    if (data.Length - at >= 3 && data[at + 1] == 1)
                    {
                        // Flag 1, then the method; the text after the language tag and translated keyword is zlib.
                        int language = data[(at + 3)..].IndexOf((byte)0);
                        int translated = language < 0 ? -1 : data[(at + 3 + language + 1)..].IndexOf((byte)0);
                        if (translated < 0)
                        {
                            throw new BakingException(BakingErrorReason.MalformedTextChunk, "An iTXt chunk lacks the language tag or translated keyword terminator.", chunk.Offset);
                        }

                        textBudget -= InflateAncillary(data, at + 2, textBudget, chunk.Offset, at + 3 + language + 1 + translated + 1);
                    }

                    break;
            }
        }

        if (firstIdat < 0)
        {
            throw new BakingException(BakingErrorReason.InvalidImageData, "The PNG has no IDAT chunk.");
        }

        idat.Position = 0;
        long inflated;
        try
        {
            inflated = PngBaking.BoundedInflate(idat, expected, destination: null);
        }
        catch (InvalidDataException ex)
        {
            throw new BakingException(BakingErrorReason.InvalidImageData, "The PNG's image data is not a valid zlib stream.", chunks[firstIdat].Offset, ex);
        }

        if (inflated != expected)
        {
            throw new BakingException(
                BakingErrorReason.InvalidImageData,
                inflated < 0
                    ? $"The PNG's image data inflates past the {expected} bytes its header declares."
                    : $"The PNG's image data inflates to {inflated} bytes; its header declares {expected}.",
                chunks[firstIdat].Offset);
        }
    }

    // The filtered image data size IHDR declares (§7.2, §8.2), refusing headers outside the limits.
    private static long ImageDataBytes(ReadOnlySpan<byte> ihdr, int offset)
    {
        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        byte depth = ihdr[8];
        byte colourType = ihdr[9];
        if (width is 0 or > BakedBadge.MaxPngDimension || height is 0 or > BakedBadge.MaxPngDimension)
        {
            throw new BakingException(BakingErrorReason.ImageDimensionsTooLarge, $"The PNG is {width}x{height} pixels; each side must be 1 to {BakedBadge.MaxPngDimension}.", offset);
        }

        int channels = colourType switch
        {
            0 when depth is 1 or 2 or 4 or 8 or 16 => 1,
            2 when depth is 8 or 16 => 3,
            3 when depth is 1 or 2 or 4 or 8 => 1,
            4 when depth is 8 or 16 => 2,
            6 when depth is 8 or 16 => 4,
            _ => throw new BakingException(BakingErrorReason.InvalidImageHeader, $"PNG colour type {colourType} with bit depth {depth} is not defined.", offset),
        };
        if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
        {
            throw new BakingException(BakingErrorReason.InvalidImageHeader, "The PNG's compression, filter or interlace method is not defined.", offset);
        }

        long bitsPerPixel = (long)depth * channels;
        long total = 0;
        if (ihdr[12] == 0)
        {
            total = height * (1 + (((width * bitsPerPixel) + 7) / 8));
        }
        else
        {
            foreach ((int x, int y, int dx, int dy) in s_adam7)
            {
                long passWidth = width > x ? (width - x + dx - 1) / dx : 0;
                long passHeight = height > y ? (height - y + dy - 1) / dy : 0;
                if (passWidth > 0 && passHeight > 0)
                {
                    total += passHeight * (1 + (((passWidth * bitsPerPixel) + 7) / 8));
                }
            }
        }

        if (total > BakedBadge.MaxPngImageDataBytes)
        {
            throw new BakingException(BakingErrorReason.ImageDimensionsTooLarge, $"The PNG's image data would be {total} bytes decoded; at most {BakedBadge.MaxPngImageDataBytes} are accepted.", offset);
        }

        return total;
    }

    // Offset of the NUL that ends a chunk's 1-79 byte keyword.
    private static int SkipKeyword(ReadOnlySpan<byte> data, int offset)
    {
        int nul = data[..Math.Min(data.Length, 80)].IndexOf((byte)0);
        if (nul < 1)
        {
            throw new BakingException(BakingErrorReason.MalformedTextChunk, "A PNG text or profile chunk has no 1-79 byte keyword.", offset);
        }

        return nul;
    }

    // Inflates the zlib data of a compressed ancillary chunk against what is left of the image's budget; returns its size.
    private static long InflateAncillary(ReadOnlySpan<byte> data, int methodAt, long budget, int offset, int dataAt = -1)
    {
        dataAt = dataAt < 0 ? methodAt + 1 : dataAt;
        if (data.Length <= methodAt || data[methodAt] != 0)
        {
            throw new BakingException(BakingErrorReason.UnsupportedCompression, "A PNG chunk names a compression method other than 0 (zlib).", offset);
        }

        long inflated;
        try
        {
            using var source = new MemoryStream(data[dataAt..].ToArray(), writable: false);
            inflated = PngBaking.BoundedInflate(source, budget, destination: null);
        }
        catch (InvalidDataException ex)
        {
            throw new BakingException(BakingErrorReason.MalformedTextChunk, "A compressed PNG chunk is not a valid zlib stream.", offset, ex);
        }

        return inflated >= 0
            ? inflated
            : throw new BakingException(BakingErrorReason.PayloadTooLarge, $"The PNG's compressed text and profile chunks inflate past {BakedBadge.MaxPayloadBytes} bytes in all.", offset);
    }
}
