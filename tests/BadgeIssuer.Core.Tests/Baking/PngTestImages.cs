using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.Internal;

namespace BadgeIssuer.Core.Tests.Baking;

// Builds small PNGs chunk by chunk so tests can shape exactly the bytes they need.
internal static class PngTestImages
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // 1x1 grey pixel: IHDR, IDAT, IEND.
    public static byte[] Minimal(params byte[][] extraChunksBeforeEnd) =>
        Build([Ihdr(), Chunk("IDAT", Zlib([0, 0x80])), .. extraChunksBeforeEnd, Chunk("IEND", [])]);

    public static byte[] Build(IEnumerable<byte[]> chunks) => [.. Signature, .. chunks.SelectMany(c => c)];

    public static byte[] Ihdr()
    {
        byte[] data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, 1);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), 1);
        data[8] = 8; // bit depth
        data[9] = 0; // greyscale
        return Chunk("IHDR", data);
    }

    public static byte[] Chunk(string type, byte[] data)
    {
        byte[] chunk = new byte[data.Length + 12];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(chunk.AsSpan(4, data.Length + 4)));
        return chunk;
    }

    public static byte[] ITxt(string keyword, byte flag, byte method, byte[] text) =>
        Chunk("iTXt", [.. Encoding.Latin1.GetBytes(keyword), 0, flag, method, 0, 0, .. text]);

    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    // (type, keyword-or-null) for every chunk, for layout assertions.
    public static List<(string Type, string? Keyword)> Chunks(byte[] png)
    {
        var list = new List<(string, string?)>();
        int pos = 8;
        while (pos < png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            string? keyword = null;
            if (type is "iTXt" or "tEXt")
            {
                ReadOnlySpan<byte> data = png.AsSpan(pos + 8, length);
                keyword = Encoding.Latin1.GetString(data[..data.IndexOf((byte)0)]);
            }

            list.Add((type, keyword));
            pos += length + 12;
        }

        return list;
    }
}
