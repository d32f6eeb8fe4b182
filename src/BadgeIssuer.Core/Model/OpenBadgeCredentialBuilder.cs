using System.Buffers;
using BadgeIssuer.Core;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// Writes an unsigned OB 3.0 credential in the canonical non-compacted form (SER-1, SER-3, T-7): every <c>type</c> is
/// an array except Image and IdentityObject (plain strings, as the schema requires), <c>@context</c> is
/// <c>[credentials/v2, ob/v3p0/context-3.0.3.json]</c> (+ <c>extensions.json</c> only when a 1EdTech extension type is
/// used), nulls and empty arrays are omitted, dates are UTC <c>yyyy-MM-ddTHH:mm:ssZ</c>. Never writes
/// <c>endorsementJwt</c> or <c>jti</c> (T-1).
/// </summary>
public static class OpenBadgeCredentialBuilder
{
    private static readonly JsonWriterOptions s_indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };
    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Types defined only by the OB extensions context (GEN-2).
    private static readonly string[] s_extensionTypes = ["1EdTechRevocationList", "1EdTechCredentialRefresh", ObSchemaValidator.SchemaValidatorType];

    /// <summary>A new random credential id, <c>urn:uuid:&lt;v4&gt;</c>.</summary>
    public static string NewUrnUuid() => "urn:uuid:" + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);

    /// <summary>Returns the credential as UTF-8 JSON.</summary>
    public static byte[] Build(OpenBadgeCredential credential, bool indented = true)
    {
        ArrayBufferWriter<byte> buffer = JsonScratch.Rent();
        Write(credential, buffer, indented);
        return JsonScratch.ToArrayAndReturn(buffer);
    }

    /// <summary>Writes the credential as UTF-8 JSON into <paramref name="output"/>.</summary>
    public static void Write(OpenBadgeCredential credential, IBufferWriter<byte> output, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(output);
        Validate(credential);
        using Utf8JsonWriter writer = new(output, indented ? s_indented : s_compact);
        WriteCore(writer, credential);
    }

    /// <summary>
    /// Returns an award (<see cref="OpenBadgeCredentialTemplate"/>) as compact UTF-8 JSON, in the form an issuing service
    /// signs: <c>@context</c> [credentials/v2, OB 3.0.3, OB extensions], <c>id</c>, <c>type</c>, the embedded
    /// <c>issuer</c>, <c>validFrom</c>/<c>validUntil</c>, <c>name</c>, the <c>credentialSubject</c> (id, type,
    /// identifier, achievement, result), <c>evidence</c>, the OB-DM-9 <c>credentialSchema</c> entry and
    /// <c>credentialStatus</c> (written as given). Credentials already issued were written in exactly this form.
    /// </summary>
    /// <param name="template">The award.</param>
    /// <param name="credentialId">The credential's id.</param>
    /// <param name="credentialStatus">The <c>credentialStatus</c> value as UTF-8 JSON, or null for none.</param>
    public static byte[] Build(OpenBadgeCredentialTemplate template, string credentialId, byte[]? credentialStatus)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentException.ThrowIfNullOrEmpty(credentialId);
        var buffer = JsonScratch.Rent();
        using (var w = new Utf8JsonWriter(buffer, s_compact))
        {
            WriteAward(w, template, credentialId, credentialStatus);
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }

    private static void WriteAward(Utf8JsonWriter w, OpenBadgeCredentialTemplate t, string id, byte[]? status)
    {
        w.WriteStartObject();
        w.WriteStartArray("@context");
        w.WriteStringValue(ContextUrls.CredentialsV2);
        w.WriteStringValue(ContextUrls.OpenBadgesV3);
        w.WriteStringValue(ContextUrls.OpenBadgesExtensions);
        w.WriteEndArray();
        w.WriteString("id", id);
        WriteTypes(w, "VerifiableCredential", "OpenBadgeCredential");
        w.WritePropertyName("issuer");
        w.WriteRawValue(t.IssuerProfile.Span, skipInputValidation: true);
        w.WriteString("validFrom", FormatDate(t.ValidFrom));
        if (t.ValidUntil is { } until)
        {
            w.WriteString("validUntil", FormatDate(until));
        }

        w.WriteString("name", t.Name);
        w.WriteStartObject("credentialSubject");
        if (t.Recipient.Id is not null)
        {
            w.WriteString("id", t.Recipient.Id);
        }

        WriteTypes(w, "AchievementSubject");
        WriteIdentifiers(w, t.Recipient.Identifiers);

        w.WritePropertyName("achievement");
        w.WriteRawValue(t.Achievement.Span, skipInputValidation: true);
        if (t.Results is { } results)
        {
            w.WritePropertyName("result");
            results.WriteTo(w);
        }

        w.WriteEndObject();
        if (t.EvidenceItems is { Count: > 0 } items)
        {
            // The service's own evidence first, then the caller's items in the same array.
            w.WriteStartArray("evidence");
            foreach (Evidence item in items)
            {
                WriteEvidence(w, item);
            }

            if (t.Evidence is { } callerEvidence)
            {
                foreach (JsonElement e in callerEvidence.EnumerateArray())
                {
                    e.WriteTo(w);
                }
            }

            w.WriteEndArray();
        }
        else if (t.Evidence is { } evidence)
        {
            w.WritePropertyName("evidence");
            evidence.WriteTo(w);
        }

        WriteCredentialSchema(w, ObSchemaKind.AchievementCredential);
        if (status is not null)
        {
            w.WritePropertyName("credentialStatus");
            w.WriteRawValue(status, skipInputValidation: true);
        }

        w.WriteEndObject();
    }

    private static void Validate(OpenBadgeCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential.Issuer);
        ArgumentNullException.ThrowIfNull(credential.Achievement);
        ArgumentNullException.ThrowIfNull(credential.Recipient);
        ArgumentNullException.ThrowIfNull(credential.Achievement.Criteria);
        ArgumentException.ThrowIfNullOrWhiteSpace(credential.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(credential.Issuer.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(credential.Achievement.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(credential.Achievement.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(credential.Achievement.Description);
        if (credential.ValidUntil is { } until && until <= credential.ValidFrom)
        {
            throw new ArgumentException("validUntil must be after validFrom.", nameof(credential));
        }

        if (credential.CredentialStatus is { } status && status.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            throw new ArgumentException("credentialStatus must be a JSON object (or an array of objects).", nameof(credential));
        }
    }

    private static void WriteCore(Utf8JsonWriter w, OpenBadgeCredential c)
    {
        w.WriteStartObject();

        w.WriteStartArray("@context");
        w.WriteStringValue(ContextUrls.CredentialsV2);
        w.WriteStringValue(ContextUrls.OpenBadgesV3);
        if (NeedsExtensionsContext(c))
        {
            w.WriteStringValue(ContextUrls.OpenBadgesExtensions);
        }

        w.WriteEndArray();

        w.WriteString("id", c.Id);
        WriteTypes(w, "VerifiableCredential", "OpenBadgeCredential");
        WriteOptional(w, "name", c.Name ?? c.Achievement.Name);
        WriteOptional(w, "description", c.Description);
        WriteImage(w, c.Image);

        w.WritePropertyName("issuer");
        ProfileJson.Write(w, c.Issuer);

        w.WriteString("validFrom", FormatDate(c.ValidFrom));
        if (c.ValidUntil is { } until)
        {
            w.WriteString("validUntil", FormatDate(until));
        }

        if (c.AwardedDate is { } awarded)
        {
            w.WriteString("awardedDate", FormatDate(awarded));
        }

        WriteSubject(w, c);
        WriteArray(w, "evidence", c.Evidence, WriteEvidence);

        if (c.IncludeCredentialSchema)
        {
            WriteCredentialSchema(w, ObSchemaKind.AchievementCredential);
        }

        if (c.CredentialStatus is { } status)
        {
            w.WritePropertyName("credentialStatus");
            status.WriteTo(w);
        }

        w.WriteEndObject();
    }

    private static void WriteSubject(Utf8JsonWriter w, OpenBadgeCredential c)
    {
        w.WriteStartObject("credentialSubject");
        WriteOptional(w, "id", c.Recipient.Id);
        WriteTypes(w, "AchievementSubject");
        WriteArray(w, "identifier", c.Recipient.Identifiers, static (w, identity) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "IdentityObject");
            w.WriteBoolean("hashed", identity.Hashed);
            w.WriteString("identityHash", identity.IdentityHash);
            w.WriteString("identityType", identity.IdentityType);
            WriteOptional(w, "salt", identity.Salt);
            w.WriteEndObject();
        });
        WriteOptional(w, "narrative", c.SubjectNarrative);
        w.WritePropertyName("achievement");
        WriteAchievement(w, c.Achievement);
        WriteArray(w, "result", c.Results, WriteResult);
        w.WriteEndObject();
    }

    private static void WriteAchievement(Utf8JsonWriter w, Achievement a)
    {
        w.WriteStartObject();
        w.WriteString("id", a.Id);
        WriteTypes(w, "Achievement");
        w.WriteString("name", a.Name);
        w.WriteString("description", a.Description);
        w.WriteStartObject("criteria");
        WriteOptional(w, "id", a.Criteria.Id);
        WriteOptional(w, "narrative", a.Criteria.Narrative);
        w.WriteEndObject();
        WriteImage(w, a.Image);
        WriteOptional(w, "achievementType", a.AchievementType);
        WriteArray(w, "alignment", a.Alignment, WriteAlignment);
        WriteArray(w, "resultDescription", a.ResultDescription, WriteResultDescription);
        WriteArray(w, "tag", a.Tag, static (w, tag) => w.WriteStringValue(tag));
        if (a.Creator is not null)
        {
            w.WritePropertyName("creator");
            ProfileJson.Write(w, a.Creator);
        }

        WriteOptional(w, "inLanguage", a.InLanguage);
        WriteOptional(w, "version", a.Version);
        w.WriteEndObject();
    }

    private static void WriteAlignment(Utf8JsonWriter w, Alignment a)
    {
        w.WriteStartObject();
        WriteTypes(w, "Alignment");
        w.WriteString("targetName", a.TargetName);
        w.WriteString("targetUrl", a.TargetUrl);
        WriteOptional(w, "targetCode", a.TargetCode);
        WriteOptional(w, "targetDescription", a.TargetDescription);
        WriteOptional(w, "targetFramework", a.TargetFramework);
        WriteOptional(w, "targetType", a.TargetType);
        w.WriteEndObject();
    }

    private static void WriteResultDescription(Utf8JsonWriter w, ResultDescription d)
    {
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        WriteTypes(w, "ResultDescription");
        w.WriteString("name", d.Name);
        w.WriteString("resultType", d.ResultType);
        WriteArray(w, "allowedValue", d.AllowedValue, static (w, v) => w.WriteStringValue(v));
        WriteOptional(w, "requiredValue", d.RequiredValue);
        WriteOptional(w, "valueMin", d.ValueMin);
        WriteOptional(w, "valueMax", d.ValueMax);
        w.WriteEndObject();
    }

    private static void WriteEvidence(Utf8JsonWriter w, Evidence e)
    {
        w.WriteStartObject();
        WriteOptional(w, "id", e.Id);
        WriteTypes(w, "Evidence");
        WriteOptional(w, "name", e.Name);
        WriteOptional(w, "description", e.Description);
        WriteOptional(w, "narrative", e.Narrative);
        WriteOptional(w, "genre", e.Genre);
        WriteOptional(w, "audience", e.Audience);
        w.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter w, Result r)
    {
        w.WriteStartObject();
        WriteTypes(w, "Result");
        WriteOptional(w, "resultDescription", r.ResultDescription);
        WriteOptional(w, "achievedLevel", r.AchievedLevel);
        WriteOptional(w, "status", r.Status);
        WriteOptional(w, "value", r.Value);
        WriteArray(w, "alignment", r.Alignment, WriteAlignment);
        w.WriteEndObject();
    }

    internal static void WriteImage(Utf8JsonWriter w, Image? image)
    {
        if (image is null)
        {
            return;
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(image.Id);
        w.WriteStartObject("image");
        w.WriteString("id", image.Id);
        w.WriteString("type", "Image");
        WriteOptional(w, "caption", image.Caption);
        w.WriteEndObject();
    }

    /// <summary>A <c>credentialSchema</c> array naming the official OB JSON Schema of <paramref name="kind"/> (current build).</summary>
    internal static void WriteCredentialSchema(Utf8JsonWriter w, ObSchemaKind kind)
    {
        w.WriteStartArray("credentialSchema");
        w.WriteStartObject();
        w.WriteString("id", ObSchemaValidator.GetSchema(kind, ObSchemaBuild.Current).OfficialUrl);
        w.WriteString("type", ObSchemaValidator.SchemaValidatorType);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    internal static void WriteTypes(Utf8JsonWriter w, params ReadOnlySpan<string> types)
    {
        w.WriteStartArray("type");
        foreach (string type in types)
        {
            w.WriteStringValue(type);
        }

        w.WriteEndArray();
    }

    internal static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.WriteString(name, value);
        }
    }

    // SER-1: empty arrays are omitted.
    private static void WriteArray<T>(Utf8JsonWriter w, string name, IReadOnlyList<T>? items, Action<Utf8JsonWriter, T> writeItem)
    {
        if (items is null || items.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (T item in items)
        {
            writeItem(w, item);
        }

        w.WriteEndArray();
    }

    internal static string FormatDate(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    private static bool NeedsExtensionsContext(OpenBadgeCredential c)
    {
        if (c.IncludeCredentialSchema)
        {
            return true;
        }

        if (c.CredentialStatus is not { } status)
        {
            return false;
        }

        IEnumerable<JsonElement> entries = status.ValueKind == JsonValueKind.Array ? status.EnumerateArray() : [status];
        foreach (JsonElement entry in entries)
        {
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("type", out JsonElement type))
            {
                IEnumerable<JsonElement> types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray() : [type];
                foreach (JsonElement t in types)
                {
                    if (t.ValueKind == JsonValueKind.String && s_extensionTypes.Contains(t.GetString(), StringComparer.Ordinal))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The subject's <c>identifier</c> array of OB IdentityObjects, when there is one, in the award form's member order
    /// (type, identityHash, identityType, hashed, salt) that signed credentials keep. Shared by the OB and CLR builders.
    /// </summary>
    internal static void WriteIdentifiers(Utf8JsonWriter w, IReadOnlyList<IdentityObject> identifiers)
    {
        if (identifiers.Count == 0)
        {
            return;
        }

        w.WriteStartArray("identifier");
        foreach (IdentityObject identity in identifiers)
        {
            w.WriteStartObject();
            w.WriteString("type", "IdentityObject");
            w.WriteString("identityHash", identity.IdentityHash);
            w.WriteString("identityType", identity.IdentityType);
            w.WriteBoolean("hashed", identity.Hashed);
            if (identity.Salt is not null)
            {
                w.WriteString("salt", identity.Salt);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
