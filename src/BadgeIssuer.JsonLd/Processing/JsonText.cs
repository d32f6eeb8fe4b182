using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// <see cref="JsonDocument"/> accepts strings it cannot decode (invalid UTF-8, an unpaired <c>\uD800</c> escape) and only
/// fails when one is read, with an <see cref="InvalidOperationException"/>; processing checks every string up front so
/// such input is a <see cref="JsonLdException"/> (<c>loading document failed</c>) instead.
/// </summary>
internal static class JsonText
{
    public static void EnsureReadable(JsonElement root)
    {
        if (!JsonStrings.AreReadable(root))
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingDocumentFailed, "The document has a string that is not valid UTF-8 or holds an unpaired surrogate.");
        }
    }
}
