// Strict base64url (RFC 4648 §5) as RFC 7515 §2 uses it: no padding, no whitespace, and
// canonical trailing bits, so one byte string has exactly one encoding (no signature malleability).

using System.Buffers.Text;

namespace BadgeIssuer.Core.Internal;

internal static class Base64UrlStrict
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // Vectorized alphabet checks: a JWS payload is kilobytes, checked on every verification.
    private static readonly System.Buffers.SearchValues<byte> s_alphabetBytes = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);
    private static readonly System.Buffers.SearchValues<char> s_alphabetChars = System.Buffers.SearchValues.Create(Alphabet);

    /// <summary>Checks the alphabet, the length and the unused trailing bits; returns the decoded length.</summary>
    public static bool IsValid(ReadOnlySpan<byte> utf8, out int decodedLength)
    {
        decodedLength = 0;
        int remainder = utf8.Length & 3;
        if (remainder == 1)
        {
            return false;
        }

        if (utf8.IndexOfAnyExcept(s_alphabetBytes) >= 0)
        {
            return false;
        }

        int last = utf8.IsEmpty ? -1 : Value(utf8[^1]);

        // 2 trailing chars carry 1 byte (4 unused bits); 3 chars carry 2 bytes (2 unused bits).
        if ((remainder == 2 && (last & 0x0F) != 0) || (remainder == 3 && (last & 0x03) != 0))
        {
            return false;
        }

        decodedLength = Base64Url.GetMaxDecodedLength(utf8.Length);
        return true;
    }

    public static bool IsValid(ReadOnlySpan<char> chars, out int decodedLength)
    {
        decodedLength = 0;
        int remainder = chars.Length & 3;
        if (remainder == 1)
        {
            return false;
        }

        if (chars.IndexOfAnyExcept(s_alphabetChars) >= 0)
        {
            return false;
        }

        int last = chars.IsEmpty ? -1 : Value((byte)chars[^1]);

        if ((remainder == 2 && (last & 0x0F) != 0) || (remainder == 3 && (last & 0x03) != 0))
        {
            return false;
        }

        decodedLength = Base64Url.GetMaxDecodedLength(chars.Length);
        return true;
    }

    public static bool TryDecode(ReadOnlySpan<byte> utf8, Span<byte> destination, out int written)
    {
        written = 0;
        if (!IsValid(utf8, out int length) || destination.Length < length)
        {
            return false;
        }

        return Base64Url.TryDecodeFromUtf8(utf8, destination, out written);
    }

    public static bool TryDecode(ReadOnlySpan<char> chars, Span<byte> destination, out int written)
    {
        written = 0;
        if (!IsValid(chars, out int length) || destination.Length < length)
        {
            return false;
        }

        return Base64Url.TryDecodeFromChars(chars, destination, out written);
    }

    /// <summary>Decodes a value that must be exactly <paramref name="destination"/>.Length bytes long.</summary>
    public static bool TryDecodeExact(ReadOnlySpan<char> chars, Span<byte> destination)
    {
        return IsValid(chars, out int length)
            && length == destination.Length
            && Base64Url.TryDecodeFromChars(chars, destination, out int written)
            && written == destination.Length;
    }

    public static byte[]? TryDecodeToArray(ReadOnlySpan<char> chars, int maxLength)
    {
        if (!IsValid(chars, out int length) || length > maxLength)
        {
            return null;
        }

        byte[] result = new byte[length];
        return Base64Url.TryDecodeFromChars(chars, result, out int written) && written == length ? result : null;
    }

    private static int Value(byte b) => b switch
    {
        >= (byte)'A' and <= (byte)'Z' => b - 'A',
        >= (byte)'a' and <= (byte)'z' => b - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => b - '0' + 52,
        (byte)'-' => 62,
        (byte)'_' => 63,
        _ => -1,
    };
}
