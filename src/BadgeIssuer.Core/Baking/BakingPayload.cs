using System.Buffers;
using System.Text;

namespace BadgeIssuer.Core.Baking;

internal enum PayloadKind
{
    Json,
    CompactJws,
}

// BAKE-2/BAKE-5: the baked text is either credential JSON (embedded proof) or a compact JWS (VC-JWT).
internal static class BakingPayload
{
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly SearchValues<char> s_jwsChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static PayloadKind Classify(string payload)
    {
        int utf8Length;
        try
        {
            utf8Length = StrictUtf8.GetByteCount(payload);
        }
        catch (EncoderFallbackException ex)
        {
            throw new BakingException(BakingErrorReason.InvalidPayload, "The payload holds an unpaired surrogate and cannot be encoded as UTF-8.", null, ex);
        }

        if (utf8Length > BakedBadge.MaxPayloadBytes)
        {
            throw new BakingException(BakingErrorReason.PayloadTooLarge, $"The payload is {utf8Length} bytes; at most {BakedBadge.MaxPayloadBytes} can be baked.");
        }

        ReadOnlySpan<char> trimmed = payload.AsSpan().TrimStart(" \t\r\n");
        if (!trimmed.IsEmpty && trimmed[0] == '{')
        {
            return PayloadKind.Json;
        }

        if (IsCompactJws(payload))
        {
            return PayloadKind.CompactJws;
        }

        throw new BakingException(BakingErrorReason.InvalidPayload, "The payload is neither a JSON object nor a compact JWS.");
    }

    // Three base64url segments separated by two dots; header and signature not empty.
    public static bool IsCompactJws(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.ContainsAnyExcept(s_jwsChars) || value.Count('.') != 2)
        {
            return false;
        }

        int first = value.IndexOf('.');
        int last = value.LastIndexOf('.');
        return first > 0 && last < value.Length - 1;
    }
}
