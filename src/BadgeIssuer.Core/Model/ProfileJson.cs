using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// The one writer of an OB 3.0 <c>Profile</c>: as a standalone JSON-LD document (an issuer's published profile, with
/// <c>@context</c> <c>[credentials/v2, ob/v3p0/context-3.0.3.json]</c>) and as the object embedded in a credential's
/// <c>issuer</c> or an achievement's <c>creator</c> (<see cref="Write"/>). Members: <c>id</c>, <c>type</c>
/// <c>["Profile"]</c>, then name, url, email, phone, description and image when not empty.
/// </summary>
public static class ProfileJson
{
    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The profile as a JSON-LD document (compact UTF-8 JSON, with <c>@context</c>).</summary>
    /// <exception cref="ArgumentException">The profile (or its image) has no id.</exception>
    public static byte[] Build(Profile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, s_compact))
        {
            WriteObject(w, profile, withContext: true);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the profile as an embedded object (without <c>@context</c>).</summary>
    /// <exception cref="ArgumentException">The profile (or its image) has no id.</exception>
    public static void Write(Utf8JsonWriter writer, Profile profile)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(profile);
        WriteObject(writer, profile, withContext: false);
    }

    private static void WriteObject(Utf8JsonWriter w, Profile p, bool withContext)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(p.Id);
        w.WriteStartObject();
        if (withContext)
        {
            w.WriteStartArray("@context");
            w.WriteStringValue(ContextUrls.CredentialsV2);
            w.WriteStringValue(ContextUrls.OpenBadgesV3);
            w.WriteEndArray();
        }

        w.WriteString("id", p.Id);
        OpenBadgeCredentialBuilder.WriteTypes(w, "Profile");
        OpenBadgeCredentialBuilder.WriteOptional(w, "name", p.Name);
        OpenBadgeCredentialBuilder.WriteOptional(w, "url", p.Url);
        OpenBadgeCredentialBuilder.WriteOptional(w, "email", p.Email);
        OpenBadgeCredentialBuilder.WriteOptional(w, "phone", p.Phone);
        OpenBadgeCredentialBuilder.WriteOptional(w, "description", p.Description);
        OpenBadgeCredentialBuilder.WriteImage(w, p.Image);
        w.WriteEndObject();
    }
}
