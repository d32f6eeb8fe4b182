using System.Buffers;
using BadgeIssuer.Core;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// A holder-bound re-issue of a credential already issued (delivery to a learner's wallet): the original's members
/// byte for byte — issuer, name, validity dates, achievement, identifiers, results, evidence — with a new <c>id</c>,
/// <c>credentialSubject.id</c> set to the holder's DID (the wallet proved control of its key), the status entries the
/// issuing service passes (the original's, shared) and no proof. A VC 1.1 credential secured with Data Integrity gets
/// the data-integrity context as <see cref="SubmittedCredentialTemplate"/> gives it.
/// </summary>
/// <remarks>The original element is written, not copied: the template must not outlive its document.</remarks>
public sealed class HolderBoundCredentialTemplate : ICredentialTemplate
{
    /// <summary>The registered claims a VC-JWT adds to the credential (OB 3.0 §8.2), dropped when its payload is the original.</summary>
    private static readonly string[] s_jwtClaims = ["iss", "jti", "sub", "nbf", "exp", "iat", "aud"];

    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonElement _original;
    private readonly bool _fromJwtPayload;
    private readonly bool _dataIntegrity;
    private readonly bool _isV1;

    /// <param name="original">The original credential: its Data Integrity JSON (the proof is dropped) or, with <paramref name="fromJwtPayload"/>, its VC-JWT payload.</param>
    /// <param name="holderDid">The DID the new credential is about and bound to.</param>
    /// <param name="format">How the new credential will be secured.</param>
    /// <param name="fromJwtPayload">True when <paramref name="original"/> is a VC-JWT payload (its registered claims are dropped).</param>
    public HolderBoundCredentialTemplate(JsonElement original, string holderDid, SecuringFormat format, bool fromJwtPayload = false)
    {
        if (original.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The original credential must be a JSON object.", nameof(original));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(holderDid);
        if (!original.TryGetProperty("credentialSubject"u8, out JsonElement subject) || subject.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The original credential must have one credentialSubject object.", nameof(original));
        }

        _original = original;
        HolderDid = holderDid;
        _fromJwtPayload = fromJwtPayload;
        _dataIntegrity = format != SecuringFormat.Jwt;
        _isV1 = SubmittedCredentialTemplate.IsCredentialsV1(original);
        ExistingSubjectId = subject.TryGetProperty("id"u8, out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
    }

    public string HolderDid { get; }

    /// <summary>The original's <c>credentialSubject.id</c>, when it names one: a re-issue may only bind that same DID.</summary>
    public string? ExistingSubjectId { get; }

    /// <summary>The payload of a compact VC-JWT as a JSON document, or null when it is not one.</summary>
    public static JsonDocument? ParseJwtPayload(string compactJws)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        string[] parts = compactJws.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The OB JSON Schema (an Open Badges credential) and JSON-LD safe mode: the subject changed.</remarks>
    public CredentialChecks Checks => CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode;

    /// <inheritdoc/>
    public byte[] Build(string credentialId, byte[]? credentialStatus)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(credentialId);
        var buffer = JsonScratch.Rent();
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            bool wroteId = false;
            foreach (JsonProperty p in _original.EnumerateObject())
            {
                if (p.NameEquals("id"u8) || p.NameEquals("proof"u8) || p.NameEquals("credentialStatus"u8)
                    || (_fromJwtPayload && s_jwtClaims.Contains(p.Name, StringComparer.Ordinal)))
                {
                    continue;
                }

                if (p.NameEquals("@context"u8))
                {
                    WriteContext(w, p.Value);
                    w.WriteString("id"u8, credentialId);
                    wroteId = true;
                }
                else if (p.NameEquals("credentialSubject"u8))
                {
                    w.WritePropertyName("credentialSubject"u8);
                    w.WriteStartObject();
                    w.WriteString("id"u8, HolderDid);
                    foreach (JsonProperty s in p.Value.EnumerateObject())
                    {
                        if (!s.NameEquals("id"u8))
                        {
                            s.WriteTo(w);
                        }
                    }

                    w.WriteEndObject();
                }
                else
                {
                    p.WriteTo(w);
                }
            }

            if (!wroteId)
            {
                w.WriteString("id"u8, credentialId);
            }

            if (credentialStatus is not null)
            {
                w.WritePropertyName("credentialStatus"u8);
                w.WriteRawValue(credentialStatus, skipInputValidation: true);
            }

            w.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }

    private void WriteContext(Utf8JsonWriter w, JsonElement context)
    {
        if (_isV1 && _dataIntegrity && context.ValueKind == JsonValueKind.Array
            && !context.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.ValueEquals(ContextUrls.DataIntegrityV2)))
        {
            w.WriteStartArray("@context"u8);
            foreach (JsonElement c in context.EnumerateArray())
            {
                c.WriteTo(w);
            }

            w.WriteStringValue(ContextUrls.DataIntegrityV2);
            w.WriteEndArray();
            return;
        }

        w.WritePropertyName("@context"u8);
        context.WriteTo(w);
    }
}
