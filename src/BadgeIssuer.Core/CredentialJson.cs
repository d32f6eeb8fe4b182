using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BadgeIssuer.Core;

/// <summary>Small readers for credential JSON shared by the proof suites, the JWT verifier and the verifier pipeline.</summary>
public static class CredentialJson
{
    private static readonly JsonWriterOptions s_relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// A JSON-LD document (an Achievement, a Profile) as embedded in a credential: every member but <c>@context</c>, in
    /// order, as compact UTF-8 JSON.
    /// </summary>
    public static byte[] WithoutContext(JsonElement document)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, s_relaxed))
        {
            WithoutContext(document, writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="document"/> (a JSON object) without its <c>@context</c> member.</summary>
    public static void WithoutContext(JsonElement document, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (JsonProperty p in document.EnumerateObject())
        {
            if (!p.NameEquals("@context"))
            {
                p.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The issuer id: <c>issuer</c> when it is a string, else <c>issuer.id</c>; null when absent or malformed.</summary>
    public static string? IssuerId(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object || !credential.TryGetProperty("issuer"u8, out JsonElement issuer))
        {
            return null;
        }

        return issuer.ValueKind == JsonValueKind.String ? issuer.GetString() : StringMember(issuer, "id"u8);
    }

    /// <summary>The string value of member <paramref name="name"/> of an object, or null.</summary>
    public static string? StringMember(JsonElement obj, ReadOnlySpan<byte> name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    /// <inheritdoc cref="StringMember(JsonElement, ReadOnlySpan{byte})"/>
    public static string? StringMember(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    /// <summary>True when <c>type</c> (a string or an array) includes <c>OpenBadgeCredential</c> or <c>AchievementCredential</c>.</summary>
    public static bool IsOpenBadge(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object || !credential.TryGetProperty("type"u8, out JsonElement type))
        {
            return false;
        }

        if (type.ValueKind != JsonValueKind.Array)
        {
            return IsOpenBadgeType(type);
        }

        foreach (JsonElement t in type.EnumerateArray())
        {
            if (IsOpenBadgeType(t))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOpenBadgeType(JsonElement type)
        => type.ValueKind == JsonValueKind.String && (type.ValueEquals("OpenBadgeCredential"u8) || type.ValueEquals("AchievementCredential"u8));
}
