using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BadgeIssuer.JsonLd.Tests.Contexts;

/// <summary>
/// Every bundled context is the published file: its SHA-256 matches the provenance table (Contexts/PROVENANCE.md,
/// copied beside the tests), every served URL has a provenance row, and the contexts added for real-world credentials
/// (plugfest, DCC, 2018-era security suites, RevocationList2020, ODRL) process in the combinations credentials use.
/// </summary>
public sealed partial class BundledContextTests
{
    private static readonly string s_provenance = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "BundledContexts", "PROVENANCE.md"));

    // "| https://… | file | 64-hex or abbreviated digest | notes |" (the URL table)
    [GeneratedRegex(@"^\| (https://\S+) \| (\S+) \| ([0-9a-f]{64}|[0-9a-f]{8}…[0-9a-f]{4}) \|", RegexOptions.Multiline)]
    private static partial Regex UrlRow();

    // "| file | owner/repo | path | commit | 16-hex | note |" (the Sources table)
    [GeneratedRegex(@"^\| ([^|\s]+\.(?:json|jsonld)) \| [^|]+ \| [^|]+ \| [0-9a-f]{40} \| ([0-9a-f]{16}) \|", RegexOptions.Multiline)]
    private static partial Regex SourceRow();

    public static TheoryData<string> Urls => new(BundledDocumentLoader.BundledUrls.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Urls))]
    public void BundledContext_HashMatchesItsProvenanceRow(string url)
    {
        byte[] bytes = BundledDocumentLoader.GetBundledBytes(url)!;
        string digest = Convert.ToHexStringLower(SHA256.HashData(bytes));

        Match urlRow = UrlRow().Matches(s_provenance).SingleOrDefault(m => m.Groups[1].Value == url)
            ?? throw new Xunit.Sdk.XunitException($"{url} has no row in the provenance URL table");
        string file = urlRow.Groups[2].Value;
        string published = urlRow.Groups[3].Value;
        if (published.Length == 64)
        {
            digest.Should().Be(published, url);
        }
        else
        {
            digest.Should().StartWith(published[..8], url).And.EndWith(published[^4..], url);
        }

        Match source = SourceRow().Matches(s_provenance).SingleOrDefault(m => m.Groups[1].Value == file)
            ?? throw new Xunit.Sdk.XunitException($"{file} has no row in the provenance Sources table");
        digest.Should().StartWith(source.Groups[2].Value, file);
    }

    [Fact]
    public void ProvenanceTable_ListsOnlyBundledUrls()
    {
        string[] listed = UrlRow().Matches(s_provenance).Select(m => m.Groups[1].Value).ToArray();

        listed.Should().BeEquivalentTo(BundledDocumentLoader.BundledUrls);
    }

    public static TheoryData<string, string[], string, string> Combinations => new()
    {
        {
            "DCC course credential", ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/dcc/v1", "https://w3id.org/security/suites/ed25519-2020/v1"],
            """{"type": ["VerifiableCredential"], "credentialSubject": {"type": "Person", "hasCredential": {"type": "EducationalOccupationalCredential", "name": "Course"}}}""",
            "http://schema.org/EducationalOccupationalCredential"
        },
        {
            "JFF plugfest 1", ["https://www.w3.org/2018/credentials/v1", "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json"],
            """{"type": ["VerifiableCredential", "OpenBadgeCredential"], "credentialSubject": {"type": "AchievementSubject", "achievement": {"type": "Achievement", "name": "Plugfest"}}}""",
            "https://imsglobal.github.io/openbadges-specification/ob_v3p0.html#OpenBadgeCredential"
        },
        {
            "RevocationList2020", ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc-revocation-list-2020/v1"],
            """{"type": ["VerifiableCredential"], "credentialStatus": {"id": "https://example.org/rl#3", "type": "RevocationList2020Status", "revocationListIndex": "3", "revocationListCredential": "https://example.org/rl"}}""",
            "https://w3id.org/vc-revocation-list-2020#RevocationList2020Status"
        },
        {
            "ODRL terms of use", ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/odrl.jsonld"],
            """{"type": ["VerifiableCredential"], "termsOfUse": {"type": "Policy", "permission": [{"target": "https://example.org/x", "action": ["use"]}]}}""",
            "http://www.w3.org/ns/odrl/2/Policy"
        },
        {
            "VC 1.1 examples (imports ODRL)", ["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/2018/credentials/examples/v1"],
            """{"type": ["VerifiableCredential", "UniversityDegreeCredential"], "credentialSubject": {"degree": {"type": "BachelorDegree"}}}""",
            "https://example.org/examples#UniversityDegreeCredential"
        },
        {
            "Ed25519Signature2018 proof", ["https://w3id.org/security/suites/ed25519-2018/v1"],
            """{"type": "Ed25519Signature2018", "created": "2022-01-01T00:00:00Z", "jws": "eyJhbGciOiJFZERTQSJ9..c2ln", "proofPurpose": "assertionMethod", "verificationMethod": "did:key:z6Mk#z6Mk"}""",
            "https://w3id.org/security#Ed25519Signature2018"
        },
        {
            "Linked Data Signatures v2", ["https://w3id.org/security/v2"],
            """{"type": "Ed25519Signature2018", "proofPurpose": "assertionMethod", "jws": "eyJhbGciOiJFZERTQSJ9..c2ln"}""",
            "https://w3id.org/security#jws"
        },
        {
            "Linked Data Signatures v1", ["https://w3id.org/security/v1"],
            """{"type": "Ed25519Signature2018", "signatureValue": "abc"}""",
            "https://w3id.org/security#signatureValue"
        },
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void AddedContext_ProcessesInTheCombinationCredentialsUse(string name, string[] contexts, string body, string expectedIri)
    {
        string context = JsonSerializer.Serialize(contexts);
        using JsonDocument document = JsonDocument.Parse($$"""{"@context": {{context}}, {{body[1..]}}""");

        string expanded = JsonLdProcessor.Expand(document.RootElement).GetRawText();

        expanded.Should().Contain($"\"{expectedIri}\"", name);
    }

    [Fact]
    public void Security_AfterCredentialsV1_FailsAsPublished_ProtectedTermRedefinition()
    {
        // credentials/v1 protects Ed25519Signature2018; security/v2 defines it differently. jsonld.js fails the same way.
        using JsonDocument document = JsonDocument.Parse("""{"@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/v2"], "type": "VerifiableCredential"}""");

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Expand(document.RootElement)).Should().Throw<JsonLdException>().Which;

        ex.Code.Should().Be(JsonLdErrorCode.ProtectedTermRedefinition);
    }

    [Fact]
    public void DraftClrContext_IsNotBundled_AndFailsClosedNamingTheUrl()
    {
        // No public copy of the pre-release CLR 2.0 draft context exists (see PROVENANCE.md); we do not invent one.
        const string Draft = "https://dc.imsglobal.org/draft/clr/v2p0/context";
        using JsonDocument document = JsonDocument.Parse($$"""{"@context": ["https://www.w3.org/2018/credentials/v1", "{{Draft}}"], "type": "VerifiableCredential"}""");

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Expand(document.RootElement)).Should().Throw<JsonLdException>().Which;

        ex.Code.Should().Be(JsonLdErrorCode.LoadingRemoteContextFailed);
        ex.Message.Should().Contain(Draft);
    }
}
