using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Issuance;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// A CLR 2.0 association between two achievements of a <c>ClrSubject</c> (<see cref="ClrRules.AssociationTypes"/>):
/// <paramref name="SourceId"/> <paramref name="AssociationType"/> <paramref name="TargetId"/>, e.g. a part
/// <c>isChildOf</c> its pathway achievement.
/// </summary>
public sealed record ClrAssociation(string AssociationType, string SourceId, string TargetId);

/// <summary>
/// Writes an unsigned <c>ClrCredential</c> (CLR 2.0 on VC 2.0): the VC 2.0, CLR 2.0.1, OB 3.0.3 and 1EdTech extensions
/// contexts (the order of the CLR implementation guide's signed example), type <c>VerifiableCredential</c> +
/// <c>ClrCredential</c>, the issuer's Profile, <c>validFrom</c>, <c>name</c>, and a <c>ClrSubject</c> that names the
/// learner (its id, or its IdentityObjects) and embeds each credential exactly as given (as issued, proofs intact), with
/// the achievements they are for and the associations between those achievements. No <c>credentialSchema</c> entry: no
/// CLR JSON Schema is bundled to validate it against (<see cref="ClrRules"/> checks the CLR data model instead).
/// </summary>
public static class ClrCredentialBuilder
{
    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The unsigned ClrCredential of <paramref name="template"/> with id <paramref name="credentialId"/> and the given status JSON.</summary>
    public static byte[] Build(ClrCredentialTemplate template, string credentialId, byte[]? credentialStatus)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentException.ThrowIfNullOrEmpty(credentialId);
        if (template.Credentials.Count == 0)
        {
            throw new ArgumentException("A ClrSubject embeds at least one credential.", nameof(template));
        }

        int size = 4096;
        foreach (ReadOnlyMemory<byte> credential in template.Credentials)
        {
            size += credential.Length;
        }

        var buffer = new ArrayBufferWriter<byte>(size);
        using (var w = new Utf8JsonWriter(buffer, s_compact))
        {
            Write(w, template, credentialId, credentialStatus);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, ClrCredentialTemplate t, string id, byte[]? status)
    {
        w.WriteStartObject();
        w.WriteStartArray("@context");
        w.WriteStringValue(ContextUrls.CredentialsV2);
        w.WriteStringValue(ContextUrls.ClrV2);
        w.WriteStringValue(ContextUrls.OpenBadgesV3);
        w.WriteStringValue(ContextUrls.OpenBadgesExtensions);
        w.WriteEndArray();
        w.WriteString("id", id);
        OpenBadgeCredentialBuilder.WriteTypes(w, "VerifiableCredential", "ClrCredential");
        w.WritePropertyName("issuer");
        w.WriteRawValue(t.IssuerProfile.Span, skipInputValidation: true);
        w.WriteString("validFrom", OpenBadgeCredentialBuilder.FormatDate(t.ValidFrom));
        if (t.ValidUntil is { } until)
        {
            w.WriteString("validUntil", OpenBadgeCredentialBuilder.FormatDate(until));
        }

        w.WriteString("name", t.Name);
        if (t.Description is not null)
        {
            w.WriteString("description", t.Description);
        }

        if (t.Partial is { } partial)
        {
            w.WriteBoolean("partial", partial);
        }

        w.WriteStartObject("credentialSubject");
        if (t.Learner.Id is not null)
        {
            w.WriteString("id", t.Learner.Id);
        }

        w.WriteString("type", "ClrSubject");
        OpenBadgeCredentialBuilder.WriteIdentifiers(w, t.Learner.Identifiers);

        // Each credential byte for byte as it was issued, so its own proof still verifies inside the CLR.
        w.WriteStartArray("verifiableCredential");
        foreach (ReadOnlyMemory<byte> credential in t.Credentials)
        {
            w.WriteRawValue(credential.Span, skipInputValidation: true);
        }

        w.WriteEndArray();
        if (t.Achievements.Count > 0)
        {
            w.WriteStartArray("achievement");
            foreach (ReadOnlyMemory<byte> achievement in t.Achievements)
            {
                w.WriteRawValue(achievement.Span, skipInputValidation: true);
            }

            w.WriteEndArray();
        }

        if (t.Associations.Count > 0)
        {
            w.WriteStartArray("association");
            foreach (ClrAssociation association in t.Associations)
            {
                w.WriteStartObject();
                w.WriteString("type", "Association");
                w.WriteString("associationType", association.AssociationType);
                w.WriteString("sourceId", association.SourceId);
                w.WriteString("targetId", association.TargetId);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        if (status is not null)
        {
            w.WritePropertyName("credentialStatus");
            w.WriteRawValue(status, skipInputValidation: true);
        }

        w.WriteEndObject();
    }
}
