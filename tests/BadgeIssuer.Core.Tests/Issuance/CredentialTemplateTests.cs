using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Tests.Issuance;

public class CredentialTemplateTests
{
    private const string CredentialId = "https://badges.example.edu/credentials/Zx9-AbC_dEf0123456789a";
    private const string ListUrl = "https://badges.example.edu/status/3f2a";

    private static readonly byte[] s_issuerProfile = Encoding.UTF8.GetBytes(
        """{"id":"did:web:badges.example.edu:issuers:office","type":["Profile"],"name":"Example University – Badge Office","url":"https://www.example.edu","email":"badges@example.edu"}""");

    private static readonly byte[] s_achievement = Encoding.UTF8.GetBytes(
        """{"id":"https://badges.example.edu/achievements/dsf","type":["Achievement"],"name":"Data Stewardship Foundations","description":"Basics of data governance.","criteria":{"narrative":"Pass the final assessment with at least 80% & <submit> \"all\" modules."},"achievementType":"Course","tag":["data","governance"]}""");

    private static readonly DateTimeOffset s_validFrom = new(2026, 3, 1, 9, 0, 0, 123, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset s_validUntil = new(2028, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> AwardCases => ["hashed-email", "plain-email-and-name", "id", "id-and-identifiers", "until", "evidence-results", "two-statuses", "no-status", "unicode-name"];

    [Theory]
    [MemberData(nameof(AwardCases))]
    public void OpenBadgeTemplate_EveryAwardShape_WritesWhatTheServiceWrote(string shape)
    {
        using JsonDocument extras = JsonDocument.Parse(
            """{"evidence":[{"id":"https://portfolio.example.org/learner/42","type":["Evidence"],"narrative":"Built a <data> catalogue – with \"lineage\"."}],"results":[{"type":["Result"],"resultDescription":"urn:uuid:rd-1","value":"92"}]}""");
        Recipient recipient = shape switch
        {
            "plain-email-and-name" => Recipient.Create(null, [new IdentityObject(IdentityObject.EmailAddress, false, "learner@example.org"), new IdentityObject("name", false, "Ada Lovelace")]),
            "id" => Recipient.FromId("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
            "id-and-identifiers" => Recipient.Create("https://learners.example.org/ada", [new IdentityObject("name", false, "Ada")]),
            _ => Recipient.FromEmail("learner@example.org", "c0ffee5a1t"),
        };
        string name = shape == "unicode-name" ? "Ciência de Dados – nível 2 ✓ \"quoted\" <b>" : "Data Stewardship Foundations";
        DateTimeOffset? until = shape == "until" ? s_validUntil : null;
        JsonElement? evidence = shape == "evidence-results" ? extras.RootElement.GetProperty("evidence") : null;
        JsonElement? results = shape == "evidence-results" ? extras.RootElement.GetProperty("results") : null;
        byte[]? status = shape switch
        {
            "no-status" => null,
            "two-statuses" => LegacyServiceWriters.WriteStatusEntries([(ListUrl, 7), (ListUrl + "s", 131071)], ["revocation", "suspension"]),
            _ => LegacyServiceWriters.WriteStatusEntries([(ListUrl, 42)], ["revocation"]),
        };
        var template = new OpenBadgeCredentialTemplate
        {
            IssuerProfile = s_issuerProfile,
            Achievement = s_achievement,
            Name = name,
            Recipient = recipient,
            ValidFrom = s_validFrom,
            ValidUntil = until,
            Evidence = evidence,
            Results = results,
        };

        byte[] built = template.Build(CredentialId, status);

        byte[] legacy = LegacyServiceWriters.WriteCredential(CredentialId, s_issuerProfile, s_achievement, name, recipient, s_validFrom, until, evidence, results, status);
        Encoding.UTF8.GetString(built).Should().Be(Encoding.UTF8.GetString(legacy));
    }

    [Fact]
    public void OpenBadgeTemplate_HashedEmailAward_MatchesGoldenCredential()
    {
        var template = new OpenBadgeCredentialTemplate
        {
            IssuerProfile = s_issuerProfile,
            Achievement = s_achievement,
            Name = "Data Stewardship Foundations",
            Recipient = Recipient.FromEmail("learner@example.org", "c0ffee5a1t"),
            ValidFrom = s_validFrom,
            ValidUntil = s_validUntil,
        };
        byte[] status = CredentialStatusJson.Write([new BitstringStatusListEntry("revocation", 42, ListUrl)]);

        string built = Encoding.UTF8.GetString(OpenBadgeCredentialBuilder.Build(template, CredentialId, status));

        // Captured from AwardsApi.WriteCredential before the move (commit 0230748).
        built.Should().Be(GoldenAward);
        byte[] legacy = LegacyServiceWriters.WriteCredential(CredentialId, s_issuerProfile, s_achievement, template.Name, template.Recipient, s_validFrom, s_validUntil, null, null, status);
        Encoding.UTF8.GetString(legacy).Should().Be(GoldenAward);
    }

    [Fact]
    public void OpenBadgeTemplate_Award_ConformsToSchemaAndSafeMode()
    {
        using JsonDocument extras = JsonDocument.Parse(
            """{"evidence":[{"id":"https://portfolio.example.org/learner/42","type":["Evidence"],"narrative":"Catalogue."}],"results":[{"type":["Result"],"value":"92"}]}""");
        var template = new OpenBadgeCredentialTemplate
        {
            IssuerProfile = s_issuerProfile,
            Achievement = s_achievement,
            Name = "Data Stewardship Foundations",
            Recipient = Recipient.Create("did:example:ada", [new IdentityObject("name", false, "Ada")]),
            ValidFrom = s_validFrom,
            Evidence = extras.RootElement.GetProperty("evidence"),
            Results = extras.RootElement.GetProperty("results"),
        };

        using JsonDocument credential = JsonDocument.Parse(template.Build(CredentialId, CredentialStatusJson.Write([new BitstringStatusListEntry("suspension", 9, ListUrl)])));

        CredentialValidationResult validation = CredentialValidator.Default.Validate(credential.RootElement);
        validation.Violations.Should().BeEmpty();
    }

    [Fact]
    public void OpenBadgeTemplate_EvidenceItems_AreWrittenAsEvidenceBeforeTheCallersAndConform()
    {
        using JsonDocument extras = JsonDocument.Parse("""[{"id":"https://portfolio.example.org/learner/42","type":["Evidence"],"narrative":"Catalogue."}]""");
        var template = new OpenBadgeCredentialTemplate
        {
            IssuerProfile = s_issuerProfile,
            Achievement = s_achievement,
            Name = "Data Stewardship Certificate",
            Recipient = Recipient.FromEmail("learner@example.org", "c0ffee5a1t"),
            ValidFrom = s_validFrom,
            EvidenceItems =
            [
                new Evidence { Id = CredentialId + "-part-1", Name = "Part one", Description = "Counted toward this credential." },
                new Evidence { Id = CredentialId + "-part-2", Name = "Part \"two\"" },
            ],
            Evidence = extras.RootElement,
        };

        template.Checks.Should().Be(CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode);
        using JsonDocument credential = JsonDocument.Parse(template.Build(CredentialId, CredentialStatusJson.Write([new BitstringStatusListEntry("revocation", 9, ListUrl)])));

        credential.RootElement.GetProperty("evidence").GetRawText().Should().Be(
            "[{\"id\":\"" + CredentialId + "-part-1\",\"type\":[\"Evidence\"],\"name\":\"Part one\",\"description\":\"Counted toward this credential.\"},"
            + "{\"id\":\"" + CredentialId + "-part-2\",\"type\":[\"Evidence\"],\"name\":\"Part \\\"two\\\"\"},"
            + "{\"id\":\"https://portfolio.example.org/learner/42\",\"type\":[\"Evidence\"],\"narrative\":\"Catalogue.\"}]");
        CredentialValidator.Default.Validate(credential.RootElement).Violations.Should().BeEmpty();
    }

    public static TheoryData<string, SecuringFormat, bool> SubmittedCases => new()
    {
        { """{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}""", SecuringFormat.DataIntegrity, false },
        { """{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"urn:uuid:own","type":"VerifiableCredential","issuer":{"id":"did:example:i"},"validFrom":"2020-01-01T00:00:00+01:00","credentialSubject":{"name":"x \u00e9 \"q\""}}""", SecuringFormat.Both, true },
        { """{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{}}""", SecuringFormat.DataIntegrity, true },
        { """{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{}}""", SecuringFormat.Jwt, false },
        { """{"@context":["https://www.w3.org/2018/credentials/v1","https://w3id.org/security/data-integrity/v2"],"issuanceDate":"2020-01-01T00:00:00Z","type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{}}""", SecuringFormat.Both, false },
        { """{"type":["VerifiableCredential"],"issuer":"did:example:i","@context":["https://www.w3.org/ns/credentials/v2"],"credentialSubject":{},"credentialStatus":{"id":"x","type":"T"}}""", SecuringFormat.Jwt, false },
    };

    [Theory]
    [MemberData(nameof(SubmittedCases))]
    public void SubmittedTemplate_EveryRequestShape_WritesWhatTheServiceWrote(string json, SecuringFormat format, bool withStatus)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement credential = document.RootElement;
        byte[]? status = withStatus ? LegacyServiceWriters.WriteStatusEntries([(ListUrl, 5)], ["revocation"]) : null;
        bool isV1 = credential.GetProperty("@context")[0].GetString() == ContextUrls.CredentialsV1;
        bool addId = !credential.TryGetProperty("id", out _);
        DateTimeOffset now = new(2026, 12, 7, 14, 0, 1, 999, TimeSpan.Zero);

        var template = new SubmittedCredentialTemplate(credential, format, now);
        byte[] built = template.Build(CredentialId, status);

        template.IsV1.Should().Be(isV1);
        byte[] legacy = LegacyServiceWriters.Rewrite(credential, addId ? CredentialId : null, status, isV1, format, now);
        Encoding.UTF8.GetString(built).Should().Be(Encoding.UTF8.GetString(legacy));
    }

    [Fact]
    public void CredentialStatusJson_OneOrSeveralEntries_WritesWhatTheServiceWrote()
    {
        byte[] one = CredentialStatusJson.Write([new BitstringStatusListEntry("revocation", 0, ListUrl)]);
        byte[] two = CredentialStatusJson.Write([new BitstringStatusListEntry("revocation", 131071, ListUrl), new BitstringStatusListEntry("suspension", 12, ListUrl + "b")]);

        Encoding.UTF8.GetString(one).Should().Be(Encoding.UTF8.GetString(LegacyServiceWriters.WriteStatusEntries([(ListUrl, 0)], ["revocation"])));
        Encoding.UTF8.GetString(two).Should().Be(Encoding.UTF8.GetString(LegacyServiceWriters.WriteStatusEntries([(ListUrl, 131071), (ListUrl + "b", 12)], ["revocation", "suspension"])));
    }

    [Fact]
    public void EnvelopedCredentialJson_Jwt_WritesTheVcApiEnvelope()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            EnvelopedCredentialJson.Write(writer, "eyJhbGciOiJFZERTQSJ9.e30.c2ln");
        }

        Encoding.UTF8.GetString(buffer.WrittenSpan).Should().Be(
            """{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"data:application/vc+jwt,eyJhbGciOiJFZERTQSJ9.e30.c2ln","type":"EnvelopedVerifiableCredential"}""");
    }

    private const string GoldenAward =
        """{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json","https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"],"id":"https://badges.example.edu/credentials/Zx9-AbC_dEf0123456789a","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"did:web:badges.example.edu:issuers:office","type":["Profile"],"name":"Example University – Badge Office","url":"https://www.example.edu","email":"badges@example.edu"},"validFrom":"2026-03-01T07:00:00Z","validUntil":"2028-03-01T09:00:00Z","name":"Data Stewardship Foundations","credentialSubject":{"type":["AchievementSubject"],"identifier":[{"type":"IdentityObject","identityHash":"sha256$59d03ad10992eadaca9dd953fd49cfffe54e3fc3e8e6a50ecbb088bccc649974","identityType":"emailAddress","hashed":true,"salt":"c0ffee5a1t"}],"achievement":{"id":"https://badges.example.edu/achievements/dsf","type":["Achievement"],"name":"Data Stewardship Foundations","description":"Basics of data governance.","criteria":{"narrative":"Pass the final assessment with at least 80% & <submit> \"all\" modules."},"achievementType":"Course","tag":["data","governance"]}},"credentialSchema":[{"id":"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json","type":"1EdTechJsonSchemaValidator2019"}],"credentialStatus":{"id":"https://badges.example.edu/status/3f2a#42","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"42","statusListCredential":"https://badges.example.edu/status/3f2a"}}""";
}
