using System.Globalization;
using System.Text.Json.Nodes;

namespace BadgeIssuer.Core.Tests.Model;

/// <summary>
/// One credential per VC Data Model rule: a valid plain VC 2.0 or 1.1 credential with one edit that breaks (or, for the
/// positive cases, keeps) the rule. Shared by the rule tests on both sides: the rules themselves, the issuing check
/// (<c>CredentialValidator.ValidateProfile</c>) and the verifier's <c>vc-data-model</c> step (for the signable ones:
/// those JSON-LD safe mode accepts, so they can be signed and verified).
/// </summary>
internal static class VcRuleCases
{
    private const string V2Context = "https://www.w3.org/ns/credentials/v2";
    private const string V1Context = "https://www.w3.org/2018/credentials/v1";

    /// <summary>name, version, edits (pointer → value, null removes), the pointer and code of the one violation, signable.</summary>
    public static IEnumerable<(string Name, string Version, string Edits, string Pointer, string Code, bool Signable)> Negative { get; } =
    [
        ("no context", "2.0", """{"/@context": null}""", "/@context", "VCDM-CONTEXT", false),
        ("unknown first context", "2.0", """{"/@context": ["https://www.w3.org/ns/credentials/v3"]}""", "/@context/0", "VCDM-CONTEXT", false),
        ("context not an array", "2.0", """{"/@context": {"@vocab": "https://example.org/"}}""", "/@context", "VCDM-CONTEXT", false),
        ("id not a URL", "2.0", """{"/id": "not a url"}""", "/id", "VCDM-ID", false),
        ("id not a string", "2.0", """{"/id": ["urn:uuid:1", "urn:uuid:2"]}""", "/id", "VCDM-ID", false),
        ("no type", "2.0", """{"/type": null}""", "/type", "VCDM-TYPE", false),
        ("type without VerifiableCredential", "2.0", """{"/type": ["https://example.org/MyCredential"]}""", "/type", "VCDM-TYPE", false),
        ("type empty array", "2.0", """{"/type": []}""", "/type", "VCDM-TYPE", false),
        ("type a number", "2.0", """{"/type": 7}""", "/type", "VCDM-TYPE", false),
        ("no issuer", "2.0", """{"/issuer": null}""", "/issuer", "VCDM-ISSUER", true),
        ("issuer not a URL", "2.0", """{"/issuer": "issuer"}""", "/issuer", "VCDM-ISSUER", false),
        ("issuer object without id", "2.0", """{"/issuer": {"name": "Nameless"}}""", "/issuer/id", "VCDM-ISSUER", true),
        ("issuer a number", "2.0", """{"/issuer": 5}""", "/issuer", "VCDM-ISSUER", false),
        ("issuer name not text", "2.0", """{"/issuer": {"id": "did:example:issuer", "name": 5}}""", "/issuer/name", "VCDM-TEXT", true),
        ("no credentialSubject", "2.0", """{"/credentialSubject": null}""", "/credentialSubject", "VCDM-SUBJECT", true),
        ("empty credentialSubject", "2.0", """{"/credentialSubject": {}}""", "/credentialSubject", "VCDM-SUBJECT", true),
        ("empty array of subjects", "2.0", """{"/credentialSubject": []}""", "/credentialSubject", "VCDM-SUBJECT", false),
        ("an empty subject among others", "2.0", """{"/credentialSubject": [{"id": "did:example:a"}, {}]}""", "/credentialSubject/1", "VCDM-SUBJECT", true),
        ("subject a string", "2.0", """{"/credentialSubject": "did:example:a"}""", "/credentialSubject", "VCDM-SUBJECT", true),
        ("validFrom without time zone", "2.0", """{"/validFrom": "2026-01-01T00:00:00"}""", "/validFrom", "VCDM-DATE", true),
        ("validFrom not a date", "2.0", """{"/validFrom": "2026-02-30T00:00:00Z"}""", "/validFrom", "VCDM-DATE", true),
        ("validFrom a date only", "2.0", """{"/validFrom": "2026-01-01"}""", "/validFrom", "VCDM-DATE", true),
        ("validUntil before validFrom", "2.0", """{"/validUntil": "2025-12-31T23:59:59Z"}""", "/validUntil", "VCDM-DATE", true),
        ("name a number", "2.0", """{"/name": 5}""", "/name", "VCDM-TEXT", true),
        ("description a language object with another key", "2.0", """{"/description": {"@value": "x", "@language": "en", "@type": "x"}}""", "/description", "VCDM-TEXT", false),
        ("credentialStatus without type", "2.0", """{"/credentialStatus": {"id": "https://example.org/status/1"}}""", "/credentialStatus/type", "VCDM-CREDENTIALSTATUS", true),
        ("credentialStatus id not a URL", "2.0", """{"/credentialStatus": {"id": "status 1", "type": "https://example.org/Status"}}""", "/credentialStatus/id", "VCDM-CREDENTIALSTATUS", false),
        ("credentialStatus a string", "2.0", """{"/credentialStatus": "https://example.org/status/1"}""", "/credentialStatus", "VCDM-CREDENTIALSTATUS", true),
        ("credentialSchema without id", "2.0", """{"/credentialSchema": {"type": "JsonSchema"}}""", "/credentialSchema/id", "VCDM-CREDENTIALSCHEMA", true),
        ("credentialSchema without type", "2.0", """{"/credentialSchema": [{"id": "https://example.org/schema.json"}]}""", "/credentialSchema/0/type", "VCDM-CREDENTIALSCHEMA", true),
        ("refreshService without type", "2.0", """{"/refreshService": {"id": "https://example.org/refresh"}}""", "/refreshService/type", "VCDM-REFRESHSERVICE", true),
        ("termsOfUse without type", "2.0", """{"/termsOfUse": {"id": "https://example.org/terms"}}""", "/termsOfUse/type", "VCDM-TERMSOFUSE", true),
        ("evidence without type", "2.0", """{"/evidence": [{"id": "https://example.org/evidence/1"}]}""", "/evidence/0/type", "VCDM-EVIDENCE", true),
        ("evidence empty array", "2.0", """{"/evidence": []}""", "/evidence", "VCDM-EVIDENCE", false),
        ("relatedResource without digest", "2.0", """{"/relatedResource": {"id": "https://www.w3.org/ns/credentials/v2"}}""", "/relatedResource", "VCDM-RELATEDRESOURCE", true),
        ("relatedResource without id", "2.0", """{"/relatedResource": [{"digestMultibase": "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"}]}""", "/relatedResource/0/id", "VCDM-RELATEDRESOURCE", true),
        ("relatedResource ids not unique", "2.0", """{"/relatedResource": [{"id": "https://www.w3.org/ns/credentials/v2", "digestMultibase": "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"}, {"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"}]}""", "/relatedResource/1/id", "VCDM-RELATEDRESOURCE", true),
        ("relatedResource digestSRI of another algorithm", "2.0", """{"/relatedResource": {"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "md5-ZGlnZXN0"}}""", "/relatedResource/digestSRI", "VCDM-RELATEDRESOURCE", true),
        ("relatedResource mediaType not a media type", "2.0", """{"/relatedResource": {"id": "https://www.w3.org/ns/credentials/v2", "digestMultibase": "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA", "mediaType": "json"}}""", "/relatedResource/mediaType", "VCDM-RELATEDRESOURCE", true),
        ("1.1 without issuanceDate", "1.1", """{"/issuanceDate": null}""", "/issuanceDate", "VCDM-DATE", true),
        ("1.1 issuanceDate not a date-time", "1.1", """{"/issuanceDate": "yesterday"}""", "/issuanceDate", "VCDM-DATE", true),
        ("1.1 expirationDate not a date-time", "1.1", """{"/expirationDate": "2030-01-01"}""", "/expirationDate", "VCDM-DATE", true),
        ("1.1 refreshService without id", "1.1", """{"/refreshService": {"type": "https://example.org/Refresh"}}""", "/refreshService/id", "VCDM-REFRESHSERVICE", true),
        ("1.1 evidence without type", "1.1", """{"/evidence": {"id": "https://example.org/evidence/1"}}""", "/evidence/type", "VCDM-EVIDENCE", true),
        ("1.1 type without VerifiableCredential", "1.1", """{"/type": "https://example.org/MyCredential"}""", "/type", "VCDM-TYPE", false),
    ];

    /// <summary>name, version, edits: credentials that keep every rule (so the rule tests cannot pass vacuously).</summary>
    public static IEnumerable<(string Name, string Version, string Edits)> Positive { get; } =
    [
        ("plain VC 2.0", "2.0", "{}"),
        ("plain VC 1.1", "1.1", "{}"),
        ("issuer object with a language name", "2.0", """{"/issuer": {"id": "did:example:issuer", "name": {"@value": "Issuer", "@language": "en"}}}"""),
        ("two subjects", "2.0", """{"/credentialSubject": [{"id": "did:example:a"}, {"id": "did:example:b"}]}"""),
        ("subject with only an id", "2.0", """{"/credentialSubject": {"id": "did:example:a"}}"""),
        ("validUntil equal to validFrom, with an offset and fractions", "2.0", """{"/validFrom": "2026-01-01T01:00:00.250+01:00", "/validUntil": "2026-01-01T00:00:00.25Z"}"""),
        ("name in two languages", "2.0", """{"/name": [{"@value": "Badge", "@language": "en"}, {"@value": "Abzeichen", "@language": "de", "@direction": "ltr"}]}"""),
        ("refreshService without id in 2.0", "2.0", """{"/refreshService": {"type": "https://example.org/Refresh"}}"""),
        ("typed status, schema, terms and evidence", "2.0", """{"/credentialStatus": [{"id": "https://example.org/status/1#3", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "3", "statusListCredential": "https://example.org/status/1"}], "/credentialSchema": {"id": "https://example.org/schema.json", "type": "JsonSchema"}, "/termsOfUse": {"id": "https://example.org/terms", "type": "https://example.org/Terms"}, "/evidence": {"type": ["https://example.org/Evidence"]}}"""),
        ("relatedResource with SRI and multibase digests", "2.0", """{"/relatedResource": [{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU sha256-WZVc7WaX1h4D8rJVb+vlMIqxaEKEb1tYbX8fet7JJzQ=", "mediaType": "application/ld+json"}, {"id": "https://www.w3.org/ns/credentials/examples/v2", "digestMultibase": ["uEiBXOT-8adbvubm13Jy2uYgLCUQ2Cr_i6vRZyeWM8iedfA"]}]}"""),
        ("1.1 issuanceDate without time zone and a typed refresh service with id", "1.1", """{"/issuanceDate": "2026-01-01T00:00:00", "/refreshService": {"id": "https://example.org/refresh", "type": "https://example.org/Refresh"}}"""),
    ];

    /// <summary>The negative cases as xunit rows (name only: the rest is looked up).</summary>
    public static TheoryData<string> NegativeNames => [.. Negative.Select(c => c.Name)];

    /// <summary>The negative cases JSON-LD safe mode accepts (they can be signed and verified).</summary>
    public static TheoryData<string> SignableNegativeNames => [.. Negative.Where(c => c.Signable).Select(c => c.Name)];

    public static TheoryData<string> PositiveNames => [.. Positive.Select(c => c.Name)];

    public static (string Name, string Version, string Edits, string Pointer, string Code, bool Signable) NegativeCase(string name) => Negative.Single(c => c.Name == name);

    /// <summary>The credential of a case: a plain VC of <paramref name="version"/> issued by <paramref name="issuer"/>, edited.</summary>
    public static JsonObject Build(string version, string edits, string issuer = "did:example:issuer")
    {
        JsonObject credential = version == "2.0"
            ? new JsonObject { ["@context"] = new JsonArray(V2Context), ["validFrom"] = "2026-01-01T00:00:00Z" }
            : new JsonObject { ["@context"] = new JsonArray(V1Context, "https://w3id.org/security/data-integrity/v2"), ["issuanceDate"] = "2026-01-01T00:00:00Z" };
        credential["id"] = "urn:uuid:7e3c1a52-93b4-4a8e-b1f0-6d2c9e8a4b17";
        credential["type"] = new JsonArray("VerifiableCredential");
        credential["issuer"] = issuer;
        // VC 1.1's context defines no name (its terms are scoped to the credential's type in VC 2.0).
        credential["credentialSubject"] = version == "2.0"
            ? new JsonObject { ["id"] = "did:example:learner", ["name"] = "Ada" }
            : new JsonObject { ["id"] = "did:example:learner" };
        foreach ((string pointer, JsonNode? value) in JsonNode.Parse(edits)!.AsObject())
        {
            string[] parts = pointer.Split('/')[1..];
            JsonNode node = credential;
            foreach (string part in parts[..^1])
            {
                node = node is JsonArray array ? array[int.Parse(part, CultureInfo.InvariantCulture)]! : node[part]!;
            }

            if (value is null)
            {
                node.AsObject().Remove(parts[^1]);
            }
            else
            {
                node[parts[^1]] = value.DeepClone();
            }
        }

        return credential;
    }
}
