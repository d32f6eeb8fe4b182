using System.Buffers;

namespace BadgeIssuer.Core.Internal;

/// <summary>
/// base58btc decoding (the multibase 'z' alphabet) that refuses any character outside the alphabet before decoding:
/// SimpleBase looks characters up in a 128-entry table and throws IndexOutOfRangeException for non-ASCII input.
/// </summary>
internal static class Base58Btc
{
    private static readonly SearchValues<char> s_alphabet = SearchValues.Create("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");

    public static bool IsValid(ReadOnlySpan<char> encoded) => !encoded.IsEmpty && !encoded.ContainsAnyExcept(s_alphabet);

    /// <summary>Decodes into <paramref name="destination"/>; false for characters outside the alphabet or too small a destination.</summary>
    public static bool TryDecode(ReadOnlySpan<char> encoded, Span<byte> destination, out int written)
    {
        written = 0;
        return IsValid(encoded) && SimpleBase.Base58.Bitcoin.TryDecode(encoded, destination, out written);
    }

    /// <summary>The decoded bytes, or null for characters outside the alphabet.</summary>
    public static byte[]? Decode(ReadOnlySpan<char> encoded) => IsValid(encoded) ? SimpleBase.Base58.Bitcoin.Decode(encoded) : null;
}
