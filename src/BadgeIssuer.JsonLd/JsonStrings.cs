using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

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
        while (pending.Count > 0)
        {
            JsonElement element = pending.Pop();
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    if (!IsReadable(JsonMarshal.GetRawUtf8Value(element), element, default))
                    {
                        return false;
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        if (!IsReadable(JsonMarshal.GetRawUtf8PropertyName(property), default, property))
                        {
                            return false;
                        }

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

        return true;
    }

    // The raw (still escaped) UTF-8 of one string or member name. Without a backslash it decodes exactly when it is valid
    // UTF-8, checked without allocating; a string with escapes (rare in credentials) is decoded to find an unpaired
    // surrogate escape, which only decoding reports.
    private static bool IsReadable(ReadOnlySpan<byte> raw, JsonElement value, JsonProperty name)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Utf8.IsValid(raw);
        }

        try
        {
            _ = value.ValueKind == JsonValueKind.String ? value.GetString() : name.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
