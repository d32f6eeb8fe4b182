using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Tests.Model;

public class OpenBadgeCredentialBuilderTests
{
    [Fact]
    public void Build_EmailRecipient_WritesHashedIdentityObject()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromEmail("a@example.com", "Kosher"));

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        JsonElement subject = json.GetProperty("credentialSubject");
        Assert.False(subject.TryGetProperty("id", out _));
        JsonElement identity = Assert.Single(subject.GetProperty("identifier").EnumerateArray());
        Assert.Equal("IdentityObject", identity.GetProperty("type").GetString());
        Assert.True(identity.GetProperty("hashed").GetBoolean());
        Assert.Equal("sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399", identity.GetProperty("identityHash").GetString());
        Assert.Equal("emailAddress", identity.GetProperty("identityType").GetString());
        Assert.Equal("Kosher", identity.GetProperty("salt").GetString());
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_EmailRecipientWithoutSalt_GeneratesSaltAndMatches()
    {
        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(TestCredentials.Minimal(Recipient.FromEmail("learner@example.org"))));

        string salt = json.GetProperty("credentialSubject").GetProperty("identifier")[0].GetProperty("salt").GetString()!;
        Assert.Equal(32, salt.Length);
        Assert.True(RecipientMatcher.MatchesEmail(json, "learner@example.org"));
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_PlaintextEmail_WritesUnhashedIdentity()
    {
        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(TestCredentials.Minimal(Recipient.FromEmailPlaintext("learner@example.org"))));

        JsonElement identity = json.GetProperty("credentialSubject").GetProperty("identifier")[0];
        Assert.False(identity.GetProperty("hashed").GetBoolean());
        Assert.Equal("learner@example.org", identity.GetProperty("identityHash").GetString());
        Assert.False(identity.TryGetProperty("salt", out _));
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_DidRecipient_CanonicalForm()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"));

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        Assert.Equal(
            ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"],
            json.GetProperty("@context").EnumerateArray().Select(static e => e.GetString()));
        Assert.Equal(["VerifiableCredential", "OpenBadgeCredential"], json.GetProperty("type").EnumerateArray().Select(static e => e.GetString()));
        Assert.Equal("2024-05-01T10:00:00Z", json.GetProperty("validFrom").GetString());
        Assert.Equal("Teamwork", json.GetProperty("name").GetString());

        JsonElement issuer = json.GetProperty("issuer");
        Assert.Equal(JsonValueKind.Array, issuer.GetProperty("type").ValueKind);
        Assert.Equal("Example University", issuer.GetProperty("name").GetString());

        JsonElement subject = json.GetProperty("credentialSubject");
        Assert.Equal("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", subject.GetProperty("id").GetString());
        Assert.False(subject.TryGetProperty("identifier", out _));
        Assert.Equal(JsonValueKind.Array, subject.GetProperty("type").ValueKind);

        JsonElement schema = Assert.Single(json.GetProperty("credentialSchema").EnumerateArray());
        Assert.Equal("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json", schema.GetProperty("id").GetString());
        Assert.Equal("1EdTechJsonSchemaValidator2019", schema.GetProperty("type").GetString());

        Assert.False(json.TryGetProperty("endorsementJwt", out _));
        Assert.False(json.TryGetProperty("jti", out _));
        Assert.False(json.TryGetProperty("validUntil", out _));
        Assert.False(json.TryGetProperty("evidence", out _));
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_WithoutCredentialSchema_OmitsExtensionsContext()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:123")) with { IncludeCredentialSchema = false };

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        Assert.Equal(2, json.GetProperty("@context").GetArrayLength());
        Assert.False(json.TryGetProperty("credentialSchema", out _));
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_FullCredential_EvidenceResultsAlignmentsStatus()
    {
        using JsonDocument status = JsonDocument.Parse("""
            {
              "id": "https://example.edu/status/3#94567",
              "type": "BitstringStatusListEntry",
              "statusPurpose": "revocation",
              "statusListIndex": "94567",
              "statusListCredential": "https://example.edu/status/3"
            }
            """);
        Alignment alignment = new()
        {
            TargetName = "Collaboration",
            TargetUrl = "https://example.org/frameworks/skills/collaboration",
            TargetCode = "C-1",
            TargetDescription = "Works with others.",
            TargetFramework = "Example Skills",
            TargetType = "CFItem",
        };
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("https://example.org/learners/42")) with
        {
            Name = "Teamwork Badge",
            Description = "Awarded for teamwork.",
            Image = new Image("https://example.edu/badges/teamwork.png", "Teamwork badge"),
            ValidUntil = TestCredentials.ValidFrom.AddYears(2),
            AwardedDate = new DateTimeOffset(2024, 4, 30, 23, 59, 59, 999, TimeSpan.Zero),
            Achievement = TestCredentials.Achievement with
            {
                Image = new Image("data:image/png;base64,iVBORw0KGgo="),
                Alignment = [alignment],
                Tag = ["teamwork", "collaboration"],
                Creator = new Profile { Id = "https://example.edu/issuers/dept", Name = "Department" },
                InLanguage = "en-GB",
                Version = "1.0",
                ResultDescription =
                [
                    new ResultDescription
                    {
                        Id = "urn:uuid:f6ab24cd-86e8-4eaf-b8c6-ded74e8fd41c",
                        Name = "Final grade",
                        ResultType = "LetterGrade",
                        AllowedValue = ["A", "B", "C", "D", "F"],
                        RequiredValue = "C",
                    },
                ],
            },
            Evidence =
            [
                new Evidence { Id = "https://example.org/portfolio/42", Name = "Portfolio", Description = "Group project", Narrative = "Led the **retrospective**.", Genre = "Project", Audience = "Employers" },
                new Evidence { Narrative = "Observed in class." },
            ],
            Results =
            [
                new Result { ResultDescription = "urn:uuid:f6ab24cd-86e8-4eaf-b8c6-ded74e8fd41c", Value = "A", Alignment = [alignment] },
                new Result { Status = "Completed" },
            ],
            SubjectNarrative = "Completed the team project.",
            CredentialStatus = status.RootElement,
        };

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        Assert.Equal("2026-05-01T10:00:00Z", json.GetProperty("validUntil").GetString());
        Assert.Equal("2024-04-30T23:59:59Z", json.GetProperty("awardedDate").GetString());
        Assert.Equal("Image", json.GetProperty("image").GetProperty("type").GetString());
        Assert.Equal(2, json.GetProperty("evidence").GetArrayLength());
        Assert.Equal("BitstringStatusListEntry", json.GetProperty("credentialStatus").GetProperty("type").GetString());
        JsonElement achievement = json.GetProperty("credentialSubject").GetProperty("achievement");
        Assert.Equal(JsonValueKind.Array, achievement.GetProperty("alignment")[0].GetProperty("type").ValueKind);
        Assert.Equal(2, json.GetProperty("credentialSubject").GetProperty("result").GetArrayLength());
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_RevocationListStatusWithoutSchema_AddsExtensionsContext()
    {
        using JsonDocument status = JsonDocument.Parse("""{ "id": "https://example.edu/revocations", "type": "1EdTechRevocationList" }""");
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:123")) with { IncludeCredentialSchema = false, CredentialStatus = status.RootElement };

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        Assert.Equal(3, json.GetProperty("@context").GetArrayLength());
        AssertValidAndCanonicalizes(json);
    }

    [Theory]
    [InlineData("Acme® Widgets “Pro” Certification")]
    [InlineData("Badge de réussite — élève")]
    [InlineData("Team player 🏆🤝")]
    [InlineData("شارة العمل الجماعي")]
    [InlineData("צוות \u200F(RTL)")]
    [InlineData("Line\nbreak and \"quotes\" and \\ backslash")]
    public void Build_NonAsciiNames_RoundTripAndValidate(string name)
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromEmail("名前@example.jp")) with
        {
            Name = name,
            Issuer = TestCredentials.Issuer with { Name = name, Description = name },
            Achievement = TestCredentials.Achievement with { Name = name, Description = name, Tag = [name] },
        };

        byte[] utf8 = OpenBadgeCredentialBuilder.Build(credential);
        JsonElement json = TestCredentials.Parse(utf8);

        Assert.Equal(name, json.GetProperty("name").GetString());
        Assert.Equal(name, json.GetProperty("credentialSubject").GetProperty("achievement").GetProperty("name").GetString());
        Assert.True(RecipientMatcher.MatchesEmail(json, "名前@example.jp"));
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_NonAscii_IsWrittenReadably()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1")) with { Name = "Acme® “Pro” élève" };

        string text = Encoding.UTF8.GetString(OpenBadgeCredentialBuilder.Build(credential));

        Assert.Contains("Acme® “Pro” élève", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CompactOutput_SameContent()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1"));

        string compact = Encoding.UTF8.GetString(OpenBadgeCredentialBuilder.Build(credential, indented: false));

        Assert.DoesNotContain('\n', compact);
        Assert.Equal(
            JsonLdProcessor.Canonicalize(TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential)), JsonLdOptions.Safe),
            JsonLdProcessor.Canonicalize(TestCredentials.Parse(Encoding.UTF8.GetBytes(compact)), JsonLdOptions.Safe));
    }

    [Fact]
    public void Build_ValidUntilNotAfterValidFrom_Throws()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1")) with { ValidUntil = TestCredentials.ValidFrom };

        Assert.Throws<ArgumentException>(() => OpenBadgeCredentialBuilder.Build(credential));
    }

    [Fact]
    public void Build_ScalarCredentialStatus_Throws()
    {
        using JsonDocument status = JsonDocument.Parse("\"https://example.edu/status\"");
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1")) with { CredentialStatus = status.RootElement };

        Assert.Throws<ArgumentException>(() => OpenBadgeCredentialBuilder.Build(credential));
    }

    [Fact]
    public void NewUrnUuid_IsUrnUuid()
    {
        string id = OpenBadgeCredentialBuilder.NewUrnUuid();

        Assert.StartsWith("urn:uuid:", id, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(id["urn:uuid:".Length..], out _));
    }

    private static void AssertValidAndCanonicalizes(JsonElement json)
    {
        ObSchemaValidationResult schema = ObSchemaValidator.Shared.Validate(json);
        Assert.True(schema.IsValid, string.Join("\n", schema.Violations));

        CredentialValidationResult result = CredentialValidator.Default.Validate(json);
        Assert.True(result.IsValid, string.Join("\n", result.Violations));
        Assert.Empty(result.Warnings);

        string nquads = JsonLdProcessor.Canonicalize(json, JsonLdOptions.Safe);
        Assert.False(string.IsNullOrEmpty(nquads));
    }
}
