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
        // Iterative: the caller's JsonDocument may allow more nesting than the stack would like.
        var pending = new Stack<JsonElement>();
        pending.Push(root);
        try
        {
            while (pending.Count > 0)
            {
                JsonElement element = pending.Pop();
                switch (element.ValueKind)
                {
                    case JsonValueKind.String:
                        _ = element.GetString();
                        break;
                    case JsonValueKind.Object:
                        foreach (JsonProperty property in element.EnumerateObject())
                        {
                            _ = property.Name;
                            pending.Push(property.Value);
                        }

                        break;
                    case JsonValueKind.Array:
                        foreach (JsonElement item in element.EnumerateArray())
                        {
                            pending.Push(item);
                        }

                        break;
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingDocumentFailed, "The document has a string that is not valid UTF-8 or holds an unpaired surrogate.", ex);
        }
    }
}
