using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Model;

/// <summary>What is wrong with an achievement: a JSON Pointer into the achievement and a message.</summary>
/// <param name="Path">Where, relative to the achievement (<c>/</c> for the whole of it).</param>
/// <param name="Message">What.</param>
public readonly record struct AchievementViolation(string Path, string Message);

/// <summary>
/// Checks an OB 3.0 <c>Achievement</c> before it is stored, so that every credential awarding it conforms: the OB JSON
/// Schema and JSON-LD safe mode, run on a probe <c>OpenBadgeCredential</c> embedding it (OB defines Achievement only
/// inside a credential). Violations point into the achievement.
/// </summary>
public static class AchievementValidator
{
    private const string SubjectPointer = "/credentialSubject/achievement";
    private const int ProbeMaxDepth = 1000;
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The schema violations of <paramref name="achievement"/> (with or without <c>@context</c>), or, when there are
    /// none, its JSON-LD safe-mode failure; empty when it is valid.
    /// </summary>
    /// <param name="achievement">The Achievement object.</param>
    /// <param name="issuerProfile">The issuer's Profile as a UTF-8 JSON object (without <c>@context</c>), the probe's <c>issuer</c>.</param>
    public static IReadOnlyList<AchievementViolation> Validate(JsonElement achievement, ReadOnlySpan<byte> issuerProfile)
    {
        if (achievement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The achievement must be a JSON object.", nameof(achievement));
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            w.WriteStartArray("@context");
            w.WriteStringValue(ContextUrls.CredentialsV2);
            w.WriteStringValue(ContextUrls.OpenBadgesV3);
            w.WriteEndArray();
            w.WriteString("id", "urn:uuid:00000000-0000-4000-8000-000000000000");
            OpenBadgeCredentialBuilder.WriteTypes(w, "VerifiableCredential", "OpenBadgeCredential");
            w.WritePropertyName("issuer");
            w.WriteRawValue(issuerProfile);
            w.WriteString("validFrom", "2024-01-01T00:00:00Z");
            w.WriteStartObject("credentialSubject");
            w.WriteString("id", "urn:example:probe");
            OpenBadgeCredentialBuilder.WriteTypes(w, "AchievementSubject");
            w.WritePropertyName("achievement");
            CredentialJson.WithoutContext(achievement, w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        List<AchievementViolation> violations = [];
        // The probe nests the achievement two levels down: its own depth (already bounded by whoever parsed it) plus two.
        using JsonDocument probe = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = ProbeMaxDepth });
        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(probe.RootElement);
        foreach (SchemaViolation v in result.Violations)
        {
            string path = v.InstanceLocation.StartsWith(SubjectPointer, StringComparison.Ordinal) ? v.InstanceLocation[SubjectPointer.Length..] : v.InstanceLocation;
            violations.Add(new(path.Length == 0 ? "/" : path, v.Message));
        }

        if (violations.Count > 0)
        {
            return violations;
        }

        try
        {
            // As signing will: a number jsonld.js canonicalizes differently would make every award of it unsignable.
            JsonLdProcessor.ToRdf(probe.RootElement, JsonLdOptions.SafeForSigning);
        }
        catch (JsonLdException e) when (e.Code == JsonLdErrorCode.NumberNotPortable)
        {
            foreach ((string pointer, double value) in JsonLdJsCompatibility.FindNumbersReadAsIntegers(probe.RootElement))
            {
                string path = pointer.StartsWith(SubjectPointer, StringComparison.Ordinal) ? pointer[SubjectPointer.Length..] : pointer;
                violations.Add(new(path.Length == 0 ? "/" : path,
                    JsonLdJsCompatibility.BothForms(value) + ", so no credential of it would verify in Digital Bazaar-based verifiers; " + JsonLdJsCompatibility.WhatToSend));
            }
        }
        catch (JsonLdException e)
        {
            violations.Add(new("/", "JSON-LD (" + e.SpecCode + "): " + e.Message));
        }

        return violations;
    }
}
