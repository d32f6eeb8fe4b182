namespace BadgeIssuer.Core.Internal;

// CRC-32 (ISO-HDLC / PNG, reflected polynomial 0xEDB88320), PNG spec §5.5 and Annex D.
// Table-driven, one byte at a time: inputs are bounded by the 16 MiB caps (PNG images, gzip status
// lists), and this keeps the Core project free of a package for 20 lines of code.
internal static class Crc32
{
    private static readonly uint[] s_table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) =>
        Append(Append(0xFFFFFFFFu, first), second) ^ 0xFFFFFFFFu;

    // `crc` is the running register (pre-inverted); callers invert at the end.
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
