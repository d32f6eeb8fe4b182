// PNG baking, OB 3.0 §"Baked Badge" (BAKE-2..4) over PNG (ISO/IEC 15948, W3C PNG 3rd ed.) §5.3
// chunk layout and §11.3.3.5 iTXt.
//
// iTXt data: keyword (1-79 bytes) 0x00, compression flag, compression method, language tag 0x00,
// translated keyword 0x00, UTF-8 text. Baking writes flag 0, method 0, empty tag and translated keyword
// just before IEND, after removing any chunk with the same keyword (or failing, on request).
//
// Unbaking validates every chunk (length, type, CRC), requires IHDR first and IEND last with nothing
// after it, and returns the one openbadgecredential iTXt (two are refused: BAKE-3 allows at most one). Decision where the spec is silent: a
// compressed chunk (flag 1, method 0) is not conformant but is still read, inflating zlib with the
// same 2 MiB cap as uncompressed text, so a credential baked by a sloppy tool is not lost.
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using BadgeIssuer.Core.Internal;

namespace BadgeIssuer.Core.Baking;

internal static class PngBaking
{
    public const uint TypeIhdr = 0x49484452; // "IHDR"
    public const uint TypeIend = 0x49454E44; // "IEND"
    public const uint TypeItxt = 0x69545874; // "iTXt"

    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static ReadOnlySpan<byte> Keyword => "openbadgecredential"u8;

    // An iTXt chunk's data may hold the keyword, four separator/flag bytes and at most MaxPayloadBytes of text
    // plus a language tag and translated keyword; anything larger cannot be ours and is refused.
    private const int MaxCredentialChunkData = BakedBadge.MaxPayloadBytes + 4096;

    public readonly record struct Chunk(int Offset, int DataLength, uint Type)
    {
        public int DataOffset => Offset + 8;

        public int TotalLength => DataLength + 12;
    }

    public static bool HasSignature(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    public static List<Chunk> ReadChunks(ReadOnlySpan<byte> png)
    {
        if (!HasSignature(png))
        {
            throw new BakingException(BakingErrorReason.InvalidPngSignature, "The input does not start with the PNG signature.", 0);
        }

        var chunks = new List<Chunk>();
        int pos = Signature.Length;
        while (true)
        {
            if (png.Length - pos < 12)
            {
                throw pos == png.Length
                    ? new BakingException(BakingErrorReason.MissingEnd, "The PNG ends without an IEND chunk.", pos)
                    : new BakingException(BakingErrorReason.TruncatedChunk, "A PNG chunk header is truncated.", pos);
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 4)..]);
            if (length > int.MaxValue)
            {
                throw new BakingException(BakingErrorReason.InvalidChunk, $"PNG chunk length {length} exceeds 2^31-1.", pos);
            }

            if (length > (uint)(png.Length - pos - 12))
            {
                throw new BakingException(BakingErrorReason.TruncatedChunk, $"PNG chunk of {length} bytes runs past the end of the input.", pos);
            }

            if (!IsValidType(png.Slice(pos + 4, 4)))
            {
                throw new BakingException(BakingErrorReason.InvalidChunk, "PNG chunk type is not four ASCII letters.", pos + 4);
            }

            int dataLength = (int)length;
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + dataLength)..]);
            if (Crc32.Compute(png.Slice(pos + 4, dataLength + 4)) != stored)
            {
                throw new BakingException(BakingErrorReason.ChunkCrcMismatch, $"PNG chunk {TypeName(type)} has a bad CRC.", pos);
            }

            if (chunks.Count == 0 && (type != TypeIhdr || dataLength != 13))
            {
                throw new BakingException(BakingErrorReason.MissingHeader, "The first PNG chunk is not a 13-byte IHDR.", pos);
            }

            var chunk = new Chunk(pos, dataLength, type);
            chunks.Add(chunk);
            pos += chunk.TotalLength;
            if (type == TypeIend)
            {
                if (pos != png.Length)
                {
                    throw new BakingException(BakingErrorReason.DataAfterEnd, $"{png.Length - pos} byte(s) follow the IEND chunk.", pos);
                }

                return chunks;
            }
        }
    }

    public static string Unbake(ReadOnlySpan<byte> png)
    {
        Chunk? found = null;
        foreach (Chunk chunk in ReadChunks(png))
        {
            if (chunk.Type == TypeItxt && HasOurKeyword(png.Slice(chunk.DataOffset, chunk.DataLength)))
            {
                if (found is not null)
                {
                    // BAKE-3: at most one; two credentials in one image is ambiguous, so neither is trusted.
                    throw new BakingException(BakingErrorReason.DuplicateCredential, "The PNG carries more than one 'openbadgecredential' iTXt chunk.", chunk.Offset);
                }

                found = chunk;
            }
        }

        return found is Chunk c
            ? ReadText(png.Slice(c.DataOffset, c.DataLength), c.Offset)
            : throw new BakingException(BakingErrorReason.CredentialNotFound, "The PNG has no iTXt chunk with keyword 'openbadgecredential'.");
    }

    public static void Bake(ReadOnlySpan<byte> png, string payload, ExistingCredentialHandling existing, IBufferWriter<byte> destination)
    {
        List<Chunk> chunks = ReadChunks(png);
        byte[] text = Encoding.UTF8.GetBytes(payload);

        // Keyword, NUL, flag 0, method 0, empty language tag NUL, empty translated keyword NUL.
        int dataLength = Keyword.Length + 5 + text.Length;
        Span<byte> header = stackalloc byte[8 + 19 + 5];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)dataLength);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], TypeItxt);
        Keyword.CopyTo(header[8..]);
        header[^5..].Clear();
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, Crc32.Append(Crc32.Append(0xFFFFFFFFu, header[4..]), text) ^ 0xFFFFFFFFu);

        Write(destination, Signature);
        foreach (Chunk chunk in chunks)
        {
            ReadOnlySpan<byte> raw = png.Slice(chunk.Offset, chunk.TotalLength);
            if (chunk.Type == TypeItxt && HasOurKeyword(png.Slice(chunk.DataOffset, chunk.DataLength)))
            {
                if (existing == ExistingCredentialHandling.Throw)
                {
                    throw new BakingException(BakingErrorReason.CredentialAlreadyPresent, "The PNG already carries an openbadgecredential iTXt chunk.", chunk.Offset);
                }

                continue;
            }

            if (chunk.Type == TypeIend)
            {
                Write(destination, header);
                Write(destination, text);
                Write(destination, crcBytes);
            }

            Write(destination, raw);
        }
    }

    private static string ReadText(ReadOnlySpan<byte> data, int chunkOffset)
    {
        // Keyword and its NUL are already matched.
        ReadOnlySpan<byte> rest = data[(Keyword.Length + 1)..];
        if (rest.Length < 2)
        {
            throw new BakingException(BakingErrorReason.MalformedTextChunk, "The iTXt chunk ends before its compression fields.", chunkOffset);
        }

        byte flag = rest[0];
        byte method = rest[1];
        rest = rest[2..];
        int languageEnd = rest.IndexOf((byte)0);
        int translatedEnd = languageEnd < 0 ? -1 : rest[(languageEnd + 1)..].IndexOf((byte)0);
        if (translatedEnd < 0)
        {
            throw new BakingException(BakingErrorReason.MalformedTextChunk, "The iTXt chunk lacks the language tag or translated keyword terminator.", chunkOffset);
        }

        ReadOnlySpan<byte> text = rest[(languageEnd + 1 + translatedEnd + 1)..];
        byte[]? inflated = null;
        switch (flag)
        {
            case 0:
                if (text.Length > BakedBadge.MaxPayloadBytes)
                {
                    throw new BakingException(BakingErrorReason.PayloadTooLarge, $"The baked text is larger than {BakedBadge.MaxPayloadBytes} bytes.", chunkOffset);
                }

                break;
            case 1:
                if (method != 0)
                {
                    throw new BakingException(BakingErrorReason.UnsupportedCompression, $"iTXt compression method {method} is not defined.", chunkOffset);
                }

                inflated = Inflate(text, chunkOffset);
                text = inflated;
                break;
            default:
                throw new BakingException(BakingErrorReason.MalformedTextChunk, $"iTXt compression flag {flag} is neither 0 nor 1.", chunkOffset);
        }

        try
        {
            return BakingPayload.StrictUtf8.GetString(text);
        }
        catch (DecoderFallbackException ex)
        {
            throw new BakingException(BakingErrorReason.InvalidPayloadEncoding, "The baked text is not valid UTF-8.", chunkOffset, ex);
        }
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed, int chunkOffset)
    {
        var output = new ArrayBufferWriter<byte>(Math.Min(BakedBadge.MaxPayloadBytes, Math.Max(256, compressed.Length * 4)));
        try
        {
            using var source = new MemoryStream(compressed.ToArray(), writable: false);
            if (BoundedInflate(source, BakedBadge.MaxPayloadBytes, output) < 0)
            {
                throw new BakingException(BakingErrorReason.PayloadTooLarge, $"The compressed iTXt text inflates past {BakedBadge.MaxPayloadBytes} bytes.", chunkOffset);
            }

            return output.WrittenSpan.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new BakingException(BakingErrorReason.MalformedTextChunk, "The compressed iTXt text is not a valid zlib stream.", chunkOffset, ex);
        }
    }

    /// <summary>
    /// Inflates the zlib stream in <paramref name="compressed"/> into <paramref name="destination"/> (or only counts the bytes
    /// when it is null), stopping as soon as more than <paramref name="limit"/> bytes come out: the work done is bounded by
    /// the limit, not by what the stream claims. Returns the inflated length, or -1 past the limit.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not valid zlib (bad header, data or Adler-32, or an error zlib reports as an I/O error).</exception>
    internal static long BoundedInflate(Stream compressed, long limit, IBufferWriter<byte>? destination)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress, leaveOpen: true);
            long total = 0;
            int read;
            // Ask for at most one byte past the limit (no overflow for a limit near long.MaxValue).
            while ((read = zlib.Read(scratch, 0, limit - total >= scratch.Length ? scratch.Length : (int)(limit - total) + 1)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    return -1;
                }

                destination?.Write(scratch.AsSpan(0, read));
            }

            return total;
        }
        catch (IOException ex)
        {
            // zlib reports some corrupt streams (an invalid distance, a bad dictionary request) as ZLibException, an
            // IOException, instead of InvalidDataException; the source is a memory stream, so no real I/O fails here.
            throw new InvalidDataException("The zlib stream is corrupt.", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static bool HasOurKeyword(ReadOnlySpan<byte> data) =>
        data.Length > Keyword.Length && data.StartsWith(Keyword) && data[Keyword.Length] == 0;

    private static bool IsValidType(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private static string TypeName(uint type) => string.Create(4, type, static (span, t) =>
    {
        for (int i = 0; i < 4; i++)
        {
            span[i] = (char)((t >> (24 - (8 * i))) & 0xFF);
        }
    });

    private static void Write(IBufferWriter<byte> destination, ReadOnlySpan<byte> bytes)
    {
        Span<byte> span = destination.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        destination.Advance(bytes.Length);
    }
}
