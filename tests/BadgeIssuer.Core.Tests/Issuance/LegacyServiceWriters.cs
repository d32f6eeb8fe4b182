using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Tests.Issuance;

/// <summary>
/// The credential writers the Api had before credentials were built in Core (AwardsApi.WriteCredential,
/// IssueApi.Rewrite and IssuanceService.WriteStatusEntries at commit 0230748), kept verbatim but for their Api-only
/// parameter types: the reference the Core templates must match byte for byte, so that what the service signs is
/// unchanged and credentials already issued keep verifying.
/// </summary>
internal static class LegacyServiceWriters
{
    private const string DataIntegrityV2 = "https://w3id.org/security/data-integrity/v2";
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] WriteCredential(
        string id, byte[] issuerEmbeddedProfile, byte[] achievement, string achievementName, Recipient recipient,
        DateTimeOffset validFrom, DateTimeOffset? validUntil, JsonElement? evidence, JsonElement? results, byte[]? status)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            w.WriteStartArray("@context");
            w.WriteStringValue(ContextUrls.CredentialsV2);
            w.WriteStringValue(ContextUrls.OpenBadgesV3);
            w.WriteStringValue(ContextUrls.OpenBadgesExtensions);
            w.WriteEndArray();
            w.WriteString("id", id);
            w.WriteStartArray("type");
            w.WriteStringValue("VerifiableCredential");
            w.WriteStringValue("OpenBadgeCredential");
            w.WriteEndArray();
            w.WritePropertyName("issuer");
            w.WriteRawValue(issuerEmbeddedProfile, skipInputValidation: true);
            w.WriteString("validFrom", FormatDate(validFrom));
            if (validUntil is { } until)
            {
                w.WriteString("validUntil", FormatDate(until));
            }

            w.WriteString("name", achievementName);
            w.WriteStartObject("credentialSubject");
            if (recipient.Id is not null)
            {
                w.WriteString("id", recipient.Id);
            }

            w.WriteStartArray("type");
            w.WriteStringValue("AchievementSubject");
            w.WriteEndArray();
            if (recipient.Identifiers.Count > 0)
            {
                w.WriteStartArray("identifier");
                foreach (IdentityObject identity in recipient.Identifiers)
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

            w.WritePropertyName("achievement");
            w.WriteRawValue(achievement, skipInputValidation: true);
            if (results is { } r)
            {
                w.WritePropertyName("result");
                r.WriteTo(w);
            }

            w.WriteEndObject();
            if (evidence is { } e)
            {
                w.WritePropertyName("evidence");
                e.WriteTo(w);
            }

            w.WriteStartArray("credentialSchema");
            w.WriteStartObject();
            w.WriteString("id", ObSchemaValidator.GetSchema(ObSchemaKind.AchievementCredential, ObSchemaBuild.Current).OfficialUrl);
            w.WriteString("type", ObSchemaValidator.SchemaValidatorType);
            w.WriteEndObject();
            w.WriteEndArray();
            if (status is not null)
            {
                w.WritePropertyName("credentialStatus");
                w.WriteRawValue(status, skipInputValidation: true);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Rewrite(JsonElement credential, string? newId, byte[]? status, bool isV1, SecuringFormat format, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            foreach (JsonProperty p in credential.EnumerateObject())
            {
                if (p.NameEquals("@context") && isV1 && format != SecuringFormat.Jwt
                    && !p.Value.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.GetString() == DataIntegrityV2))
                {
                    w.WriteStartArray("@context");
                    foreach (JsonElement c in p.Value.EnumerateArray())
                    {
                        c.WriteTo(w);
                    }

                    w.WriteStringValue(DataIntegrityV2);
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

            string dateMember = isV1 ? "issuanceDate" : "validFrom";
            if (!credential.TryGetProperty(dateMember, out _))
            {
                w.WriteString(dateMember, now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }

            if (status is not null)
            {
                w.WritePropertyName("credentialStatus");
                w.WriteRawValue(status, skipInputValidation: true);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] WriteStatusEntries(IReadOnlyList<(string ListUrl, int Index)> indexes, IReadOnlyList<string> purposes)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * indexes.Count);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            if (indexes.Count > 1)
            {
                w.WriteStartArray();
            }

            for (int i = 0; i < indexes.Count; i++)
            {
                string list = indexes[i].ListUrl;
                string index = indexes[i].Index.ToString(CultureInfo.InvariantCulture);
                w.WriteStartObject();
                w.WriteString("id", list + "#" + index);
                w.WriteString("type", "BitstringStatusListEntry");
                w.WriteString("statusPurpose", purposes[i]);
                w.WriteString("statusListIndex", index);
                w.WriteString("statusListCredential", list);
                w.WriteEndObject();
            }

            if (indexes.Count > 1)
            {
                w.WriteEndArray();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string FormatDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
