using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>A did:key issuer that signs credentials and status lists for verifier tests.</summary>
internal sealed class TestIssuer : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private TestIssuer(Ed25519KeyPair key, string id, string verificationMethod)
    {
        Key = key;
        Id = id;
        VerificationMethod = verificationMethod;
    }

    public Ed25519KeyPair Key { get; }

    /// <summary>The issuer id (the did:key, or an https URL for <see cref="CreateHttps"/>).</summary>
    public string Id { get; }

    public string VerificationMethod { get; }

    /// <summary>A self-certifying did:key issuer.</summary>
    public static TestIssuer Create()
    {
        Ed25519KeyPair key = Ed25519KeyPair.Generate();
        return new TestIssuer(key, DidKey.Create(key.Ed25519PublicKey), DidKey.GetVerificationMethodId(key.Ed25519PublicKey));
    }

    /// <summary>An https issuer whose key is named by a <c>#z6Mk…</c> fragment (what the OB examples do).</summary>
    public static TestIssuer CreateHttps(string id)
    {
        Ed25519KeyPair key = Ed25519KeyPair.Generate();
        return new TestIssuer(key, id, id + "#" + key.Ed25519PublicKey.PublicKeyMultibase);
    }

    /// <summary>Signs with eddsa-rdfc-2022 (VC 2.0) or, for VC 1.1 documents, the same suite under data-integrity/v1.</summary>
    public byte[] Sign(JsonNode credential, string? verificationMethod = null)
    {
        using JsonDocument doc = JsonDocument.Parse(credential.ToJsonString());
        return EddsaRdfc2022.Sign(doc.RootElement, new ProofOptions { Created = Now.AddDays(-60), VerificationMethod = verificationMethod ?? VerificationMethod }, Key);
    }

    public JsonNode SignToNode(JsonNode credential) => JsonNode.Parse(Sign(credential))!;

    public string SignJwt(JsonNode credential, bool includeJwk = false)
    {
        using JsonDocument doc = JsonDocument.Parse(credential.ToJsonString());
        var options = new VcJwtSignerOptions { KeyId = includeJwk ? null : VerificationMethod, IncludeJwk = includeJwk };
        return new VcJwtSigner(Key, options).Sign(doc.RootElement);
    }

    /// <summary>A signed BitstringStatusListCredential at <paramref name="url"/> with the given indexes set.</summary>
    public byte[] StatusList(string url, StatusPurpose purpose, params long[] set)
    {
        var list = new BitstringStatusList();
        foreach (long index in set)
        {
            list.Set(index, true);
        }

        byte[] unsigned = BitstringStatusListCredential.Create(url, Id, purpose, list, Now.AddDays(-90)).ToUtf8Json();
        return Sign(JsonNode.Parse(unsigned)!);
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>Credential JSON for verifier tests.</summary>
internal static class TestDocuments
{
    public const string ObContext = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

    /// <summary>A minimal OB 3.0 (VC 2.0) OpenBadgeCredential.</summary>
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

/// <summary>Shorthands over a <see cref="VerificationReport"/>.</summary>
internal static class ReportAssert
{
    public static VerificationCheck Single(VerificationReport report, string name) => report.Checks.Should().ContainSingle(c => c.Name == name).Which;

    public static string Describe(VerificationReport report)
        => string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}"));

    public static JsonDocument ToJson(VerificationReport report)
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            report.WriteTo(writer);
        }

        return JsonDocument.Parse(ms.ToArray());
    }

    public static CredentialVerifier Verifier(
        IStatusListCredentialSource? statusLists = null,
        DateTimeOffset? now = null,
        bool trustFragment = false,
        KnownIssuers? knownIssuers = null,
        Func<string, CancellationToken, ValueTask<bool>>? hosted = null,
        int maxEndorsementDepth = 3,
        int maxEndorsements = 16,
        string? recipient = null)
        => new(new CredentialVerifierOptions
        {
            TimeProvider = new FixedTimeProvider(now ?? TestIssuer.Now),
            StatusLists = statusLists,
            TrustVerificationMethodFragment = trustFragment,
            KnownIssuers = knownIssuers,
            IsHostedIssuer = hosted,
            MaxEndorsementDepth = maxEndorsementDepth,
            MaxEndorsements = maxEndorsements,
            ExpectedRecipient = recipient,
        });

    /// <summary>
    /// Empty 1EdTech revocation lists at the URLs the spec examples name (nothing is revoked): with no list at all their
    /// status is unknown, and an unknown status fails verification (fail closed).
    /// </summary>
    public static InMemoryStatusListSource SpecExampleRevocationLists()
    {
        var source = new InMemoryStatusListSource();
        foreach (string url in (string[])["https://1edtech.edu/credentials/3732/revocations", "https://state.gov/credentials/3732/revocations"])
        {
            source.Add(url, Encoding.UTF8.GetBytes($$"""{"id": "{{url}}", "type": "1EdTechRevocationList", "revokedCredential": []}"""));
        }

        return source;
    }

    /// <summary>The spec examples' fictional issuers (TestData/known-issuers, see PROVENANCE.md there).</summary>
    public static KnownIssuers SpecExampleIssuers { get; } = KnownIssuers.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "known-issuers", "ob-spec-example-issuers.json"));
}
