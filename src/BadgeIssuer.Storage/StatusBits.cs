using System.Diagnostics;

namespace BadgeIssuer.Storage;

/// <summary>Bit access in a Bitstring Status List: entry 0 starts at the most significant bit of byte 0.</summary>
internal static class StatusBits
{
    public static int Read(ReadOnlySpan<byte> bits, int index, int statusSize) => ReadAt(bits, (long)index * statusSize, statusSize);

    public static void Write(Span<byte> bits, int index, int statusSize, int value) => WriteAt(bits, (long)index * statusSize, statusSize, value);

    /// <summary>Reads <paramref name="statusSize"/> bits starting at bit <paramref name="firstBit"/> (a window of a list works too).</summary>
    public static int ReadAt(ReadOnlySpan<byte> bits, long firstBit, int statusSize)
    {
        Debug.Assert(statusSize is >= 1 and <= 8);
        int value = 0;
        for (int i = 0; i < statusSize; i++)
        {
            long bit = firstBit + i;
            int b = (bits[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1;
            value = (value << 1) | b;
        }
        return value;
    }

    public static void WriteAt(Span<byte> bits, long firstBit, int statusSize, int value)
    {
        Debug.Assert(statusSize is >= 1 and <= 8);
        for (int i = 0; i < statusSize; i++)
        {
            long bit = firstBit + i;
            int mask = 1 << (7 - (int)(bit & 7));
            bool set = ((value >> (statusSize - 1 - i)) & 1) != 0;
            ref byte target = ref bits[(int)(bit >> 3)];
            target = set ? (byte)(target | mask) : (byte)(target & ~mask);
        }
    }
}
