using System.Buffers;
using BadgeIssuer.Core;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// A credential a caller submitted for issuing (W3C VC-API <c>/credentials/issue</c>), completed for signing: every
/// member is copied byte for byte, plus the data-integrity context for a VC 1.1 credential secured with Data Integrity,
/// an <c>id</c> (after <c>@context</c>) when the credential has none, a validity start when absent
/// (<c>issuanceDate</c> for VC 1.1, <c>validFrom</c> for VC 2.0) and the status entries.
/// </summary>
/// <remarks>The credential element is written, not copied: the template must not outlive its document.</remarks>
public sealed class SubmittedCredentialTemplate : ICredentialTemplate
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonElement _credential;
    private readonly bool _dataIntegrity;
    private readonly DateTimeOffset _now;

    /// <summary>A submitted credential to complete.</summary>
    /// <param name="credential">The unsigned credential (a JSON object; its shape is the caller's to check first).</param>
    /// <param name="format">How it will be secured: Data Integrity (alone or with a JWT) needs the data-integrity context on VC 1.1.</param>
    /// <param name="now">The validity start written when the credential has none.</param>
    public SubmittedCredentialTemplate(JsonElement credential, SecuringFormat format, DateTimeOffset now)
    {
        if (credential.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The credential must be a JSON object.", nameof(credential));
        }

        _credential = credential;
        _dataIntegrity = format != SecuringFormat.Jwt;
        _now = now;
        IsV1 = IsCredentialsV1(credential);
        HasId = credential.TryGetProperty("id"u8, out _);
    }

    /// <summary>True when the first <c>@context</c> is the VC 1.1 context.</summary>
    public bool IsV1 { get; }

    /// <summary>True when the credential has an <c>id</c> of its own (kept; the id given to <see cref="Build"/> is then not written).</summary>
    public bool HasId { get; }

    /// <summary>True when <paramref name="credential"/>'s first <c>@context</c> is the VC 1.1 context.</summary>
    public static bool IsCredentialsV1(JsonElement credential)
        => credential.ValueKind == JsonValueKind.Object
            && credential.TryGetProperty("@context"u8, out JsonElement context)
            && context.ValueKind == JsonValueKind.Array && context.GetArrayLength() > 0
            && context[0].ValueKind == JsonValueKind.String && context[0].ValueEquals(ContextUrls.CredentialsV1);

    /// <inheritdoc/>
    /// <remarks>
    /// The VC Data Model rules of the credential's version and the rules of the profile its types claim (OB schema and
    /// rules, endorsement schema, CLR rules, or none), then JSON-LD safe mode, for any credential
    /// (<see cref="CredentialChecks.Profile"/>).
    /// </remarks>
    public CredentialChecks Checks => CredentialChecks.Profile;

    /// <inheritdoc/>
    /// <remarks><paramref name="credentialId"/> is written only when the credential has no id (<see cref="HasId"/>).</remarks>
    public byte[] Build(string credentialId, byte[]? credentialStatus)
    {
        string? newId = HasId ? null : credentialId;
        var buffer = JsonScratch.Rent();
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            foreach (JsonProperty p in _credential.EnumerateObject())
            {
                if (p.NameEquals("@context") && IsV1 && _dataIntegrity
                    && !p.Value.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.ValueEquals(ContextUrls.DataIntegrityV2)))
                {
                    w.WriteStartArray("@context");
                    foreach (JsonElement c in p.Value.EnumerateArray())
                    {
                        c.WriteTo(w);
                    }

                    w.WriteStringValue(ContextUrls.DataIntegrityV2);
                    w.WriteEndArray();
                }
                else
                {
                    p.WriteTo(w);
                }

                if (p.NameEquals("@context") && newId is not null)
                {
                    w.WriteString("id", newId);
                }
            }

            string dateMember = IsV1 ? "issuanceDate" : "validFrom";
            if (!_credential.TryGetProperty(dateMember, out _))
            {
                w.WriteString(dateMember, _now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }

            if (credentialStatus is not null)
            {
                w.WritePropertyName("credentialStatus");
                w.WriteRawValue(credentialStatus, skipInputValidation: true);
            }

            w.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }
}
