using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Tests.Shared;

/// <summary>Unsigned credential and presentation JSON for the tests; sign them with <see cref="TestIssuer"/> or <see cref="TestHolder"/>.</summary>
internal static class TestDocuments
{
    public const string ObContext = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

    /// <summary>The credentialSubject id of <see cref="OpenBadge"/>.</summary>
    public const string LearnerId = "did:example:learner";

    /// <summary>
    /// A minimal OB 3.0 (VC 2.0) OpenBadgeCredential with fixed ids (the same document every time, unlike
    /// <see cref="Credential"/>): valid from 2026-01-01, issued to <see cref="LearnerId"/>, with an optional
    /// <paramref name="credentialStatus"/> (e.g. <see cref="BitstringEntry"/>).
    /// </summary>
    public static string OpenBadge(
        string issuer,
        string issuerName = "Test issuer",
        string achievementName = "A",
        string id = "urn:uuid:1b9d7c6e-3f0a-4d2b-8c55-2a1e0f9b7d31",
        string achievementId = "urn:uuid:0c2f4a7b-9d1e-4f3a-8b6c-5e7d9a1b3c2f",
        JsonObject? credentialStatus = null)
    {
        string status = credentialStatus is null ? string.Empty : ",\"credentialStatus\": " + credentialStatus.ToJsonString();
        return $$$"""
            {
              "@context": ["https://www.w3.org/ns/credentials/v2", "{{{ObContext}}}"],
              "id": "{{{id}}}",
              "type": ["VerifiableCredential", "OpenBadgeCredential"],
              "issuer": {"id": "{{{issuer}}}", "type": ["Profile"], "name": "{{{issuerName}}}"},
              "validFrom": "2026-01-01T00:00:00Z",
              "credentialSubject": {
                "type": ["AchievementSubject"], "id": "{{{LearnerId}}}",
                "achievement": {"id": "{{{achievementId}}}", "type": ["Achievement"], "name": "{{{achievementName}}}", "description": "B", "criteria": {"narrative": "C"}}
              }{{{status}}}
            }
            """;
    }

    /// <summary>An unsigned VC 2.0 presentation of <paramref name="credentials"/> (raw JSON objects or JWT strings as JSON values).</summary>
    public static string Presentation(string? holder, params string[] credentials)
        => $$"""{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],{{(holder is null ? string.Empty : $"\"holder\":\"{holder}\",")}}"verifiableCredential":[{{string.Join(",", credentials)}}]}""";

    /// <summary>A minimal OB 3.0 (VC 2.0) OpenBadgeCredential with a fresh random id, as a node to edit before signing.</summary>
    public static JsonObject Credential(string issuer, string validFrom = "2026-01-01T00:00:00Z", string? validUntil = null)
    {
        var credential = new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", ObContext),
            ["id"] = "urn:uuid:" + Guid.NewGuid().ToString(),
            ["type"] = new JsonArray("VerifiableCredential", "OpenBadgeCredential"),
            ["issuer"] = new JsonObject { ["id"] = issuer, ["type"] = new JsonArray("Profile"), ["name"] = "Test Issuer", ["url"] = "https://issuer.example" },
            ["validFrom"] = validFrom,
            ["name"] = "Test badge",
            ["credentialSubject"] = new JsonObject
            {
                ["type"] = new JsonArray("AchievementSubject"),
                ["id"] = "did:example:learner",
                ["achievement"] = new JsonObject
                {
                    ["id"] = "urn:uuid:0c2f4a7b-9d1e-4f3a-8b6c-5e7d9a1b3c2f",
                    ["type"] = new JsonArray("Achievement"),
                    ["name"] = "Achievement",
                    ["description"] = "Did the thing.",
                    ["criteria"] = new JsonObject { ["narrative"] = "Do the thing." },
                },
            },
        };
        if (validUntil is not null)
        {
            credential["validUntil"] = validUntil;
        }

        return credential;
    }

    /// <summary>A VC 1.1-era OB credential (issuanceDate/expirationDate), as drafts of OB 3.0 issued them.</summary>
    public static JsonObject LegacyCredential(string issuer, string issuanceDate, string? expirationDate = null, params string[] extraContexts)
    {
        var contexts = new JsonArray("https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json");
        foreach (string c in extraContexts)
        {
            contexts.Add(c);
        }

        contexts.Add("https://w3id.org/security/data-integrity/v1");
        var credential = new JsonObject
        {
            ["@context"] = contexts,
            ["type"] = new JsonArray("VerifiableCredential", "AchievementCredential"),
            ["id"] = "urn:uuid:" + Guid.NewGuid().ToString(),
            ["issuanceDate"] = issuanceDate,
            ["name"] = "Legacy badge",
            ["issuer"] = new JsonObject { ["id"] = issuer, ["type"] = new JsonArray("Profile") },
            ["credentialSubject"] = new JsonObject
            {
                ["type"] = new JsonArray("AchievementSubject"),
                ["id"] = "did:example:learner",
                ["achievement"] = new JsonObject
                {
                    ["id"] = "urn:uuid:5d1c1a43-7bb7-4f5e-9d4a-0b8d1d6e2f11",
                    ["type"] = new JsonArray("Achievement"),
                    ["criteria"] = new JsonObject { ["narrative"] = "some narrative" },
                    ["description"] = "some description",
                    ["name"] = "some name",
                },
            },
        };
        if (expirationDate is not null)
        {
            credential["expirationDate"] = expirationDate;
        }

        return credential;
    }

    /// <summary>An EndorsementCredential endorsing <paramref name="subjectId"/> (Core's <see cref="EndorsementCredentialBuilder"/>, without credentialSchema).</summary>
    public static JsonObject Endorsement(string issuer, string subjectId, string comment = "Good work.")
        => JsonNode.Parse(EndorsementCredentialBuilder.Build(
            new EndorsementCredential
            {
                Id = OpenBadgeCredentialBuilder.NewUrnUuid(),
                Name = "An endorsement",
                Issuer = new Profile { Id = issuer, Name = "Endorser" },
                ValidFrom = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
                SubjectId = subjectId,
                EndorsementComment = comment,
                IncludeCredentialSchema = false,
            },
            indented: false))!.AsObject();

    public static JsonObject BitstringEntry(string listUrl, string purpose, long index) => new()
    {
        ["id"] = listUrl + "#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["type"] = "BitstringStatusListEntry",
        ["statusPurpose"] = purpose,
        ["statusListIndex"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["statusListCredential"] = listUrl,
    };

    public static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
