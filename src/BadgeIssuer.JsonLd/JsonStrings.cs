using System.Text.Json;

namespace BadgeIssuer.JsonLd;

/// <summary>
/// <see cref="JsonDocument"/> accepts strings it cannot decode (an unpaired <c>\uD800</c> escape; invalid UTF-8 when the
/// bytes were not checked) and throws <see cref="InvalidOperationException"/> only when one is read. Parsers of
/// untrusted JSON check every string once, right after parsing, so later reads cannot fail.
/// </summary>
public static class JsonStrings
{
    /// <summary>True when every string and member name under <paramref name="root"/> can be read.</summary>
    public static bool AreReadable(JsonElement root)
    {
        // Iterative: depth is bounded by the caller's JsonDocumentOptions, but the stack need not be.
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
        catch (InvalidOperationException)
        {
            return false;
        }

        return true;
    }
}
