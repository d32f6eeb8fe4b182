using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// Writes an unsigned OB 3.0 EndorsementCredential: <c>@context</c> <c>[credentials/v2, ob/v3p0/context-3.0.3.json]</c>
/// (+ <c>extensions.json</c> with the <c>credentialSchema</c> entry), <c>type</c>
/// <c>[VerifiableCredential, EndorsementCredential]</c>, the endorser's Profile, UTC dates and an
/// <c>EndorsementSubject</c>. Sign it like any credential (<see cref="Issuance.CredentialSigning"/>), or issue it
/// through <see cref="Issuance.EndorsementCredentialTemplate"/>.
/// </summary>
public static class EndorsementCredentialBuilder
{
    private static readonly JsonWriterOptions s_indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };
    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Returns the endorsement as UTF-8 JSON.</summary>
    /// <exception cref="ArgumentException">A required member is empty, or validUntil is not after validFrom.</exception>
    public static byte[] Build(EndorsementCredential endorsement, bool indented = true)
    {
        ArrayBufferWriter<byte> buffer = new(1024);
        Write(endorsement, buffer, indented);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the endorsement as UTF-8 JSON into <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A required member is empty, or validUntil is not after validFrom.</exception>
    public static void Write(EndorsementCredential endorsement, IBufferWriter<byte> output, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(endorsement);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(endorsement.Issuer);
        ArgumentException.ThrowIfNullOrWhiteSpace(endorsement.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(endorsement.SubjectId);
        ArgumentException.ThrowIfNullOrWhiteSpace(endorsement.Name);
        if (endorsement.ValidUntil is { } until && until <= endorsement.ValidFrom)
        {
            throw new ArgumentException("validUntil must be after validFrom.", nameof(endorsement));
        }

        if (endorsement.CredentialStatus is { } status && status.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            throw new ArgumentException("credentialStatus must be a JSON object (or an array of objects).", nameof(endorsement));
        }

        using Utf8JsonWriter w = new(output, indented ? s_indented : s_compact);
        w.WriteStartObject();
        w.WriteStartArray("@context");
        w.WriteStringValue(ContextUrls.CredentialsV2);
        w.WriteStringValue(ContextUrls.OpenBadgesV3);
        if (endorsement.IncludeCredentialSchema)
        {
            w.WriteStringValue(ContextUrls.OpenBadgesExtensions);
        }

        w.WriteEndArray();
        w.WriteString("id", endorsement.Id);
        OpenBadgeCredentialBuilder.WriteTypes(w, "VerifiableCredential", "EndorsementCredential");
        w.WriteString("name", endorsement.Name);
        OpenBadgeCredentialBuilder.WriteOptional(w, "description", endorsement.Description);
        w.WritePropertyName("issuer");
        ProfileJson.Write(w, endorsement.Issuer);
        w.WriteString("validFrom", OpenBadgeCredentialBuilder.FormatDate(endorsement.ValidFrom));
        if (endorsement.ValidUntil is { } validUntil)
        {
            w.WriteString("validUntil", OpenBadgeCredentialBuilder.FormatDate(validUntil));
        }

        w.WriteStartObject("credentialSubject");
        w.WriteString("id", endorsement.SubjectId);
        OpenBadgeCredentialBuilder.WriteTypes(w, "EndorsementSubject");
        OpenBadgeCredentialBuilder.WriteOptional(w, "endorsementComment", endorsement.EndorsementComment);
        w.WriteEndObject();
        if (endorsement.IncludeCredentialSchema)
        {
            OpenBadgeCredentialBuilder.WriteCredentialSchema(w, ObSchemaKind.EndorsementCredential);
        }

        if (endorsement.CredentialStatus is { } credentialStatus)
        {
            w.WritePropertyName("credentialStatus");
            credentialStatus.WriteTo(w);
        }

        w.WriteEndObject();
    }
}
