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
        subject.TryGetProperty("id", out _).Should().BeFalse();
        JsonElement identity = subject.GetProperty("identifier").EnumerateArray().Should().ContainSingle().Which;
        identity.GetProperty("type").GetString().Should().Be("IdentityObject");
        identity.GetProperty("hashed").GetBoolean().Should().BeTrue();
        identity.GetProperty("identityHash").GetString().Should().Be("sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399");
        identity.GetProperty("identityType").GetString().Should().Be("emailAddress");
        identity.GetProperty("salt").GetString().Should().Be("Kosher");
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_EmailRecipientWithoutSalt_GeneratesSaltAndMatches()
    {
        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(TestCredentials.Minimal(Recipient.FromEmail("learner@example.org"))));

        string salt = json.GetProperty("credentialSubject").GetProperty("identifier")[0].GetProperty("salt").GetString()!;
        salt.Length.Should().Be(32);
        RecipientMatcher.MatchesEmail(json, "learner@example.org").Should().BeTrue();
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_PlaintextEmail_WritesUnhashedIdentity()
    {
        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(TestCredentials.Minimal(Recipient.FromEmailPlaintext("learner@example.org"))));

        JsonElement identity = json.GetProperty("credentialSubject").GetProperty("identifier")[0];
        identity.GetProperty("hashed").GetBoolean().Should().BeFalse();
        identity.GetProperty("identityHash").GetString().Should().Be("learner@example.org");
        identity.TryGetProperty("salt", out _).Should().BeFalse();
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_DidRecipient_CanonicalForm()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"));

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        json.GetProperty("@context").EnumerateArray().Select(static e => e.GetString()).Should().Equal(["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]);
        json.GetProperty("type").EnumerateArray().Select(static e => e.GetString()).Should().Equal(["VerifiableCredential", "OpenBadgeCredential"]);
        json.GetProperty("validFrom").GetString().Should().Be("2024-05-01T10:00:00Z");
        json.GetProperty("name").GetString().Should().Be("Teamwork");

        JsonElement issuer = json.GetProperty("issuer");
        issuer.GetProperty("type").ValueKind.Should().Be(JsonValueKind.Array);
        issuer.GetProperty("name").GetString().Should().Be("Example University");

        JsonElement subject = json.GetProperty("credentialSubject");
        subject.GetProperty("id").GetString().Should().Be("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
        subject.TryGetProperty("identifier", out _).Should().BeFalse();
        subject.GetProperty("type").ValueKind.Should().Be(JsonValueKind.Array);

        JsonElement schema = json.GetProperty("credentialSchema").EnumerateArray().Should().ContainSingle().Which;
        schema.GetProperty("id").GetString().Should().Be("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json");
        schema.GetProperty("type").GetString().Should().Be("1EdTechJsonSchemaValidator2019");

        json.TryGetProperty("endorsementJwt", out _).Should().BeFalse();
        json.TryGetProperty("jti", out _).Should().BeFalse();
        json.TryGetProperty("validUntil", out _).Should().BeFalse();
        json.TryGetProperty("evidence", out _).Should().BeFalse();
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_WithoutCredentialSchema_OmitsExtensionsContext()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:123")) with { IncludeCredentialSchema = false };

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        json.GetProperty("@context").GetArrayLength().Should().Be(2);
        json.TryGetProperty("credentialSchema", out _).Should().BeFalse();
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

        json.GetProperty("validUntil").GetString().Should().Be("2026-05-01T10:00:00Z");
        json.GetProperty("awardedDate").GetString().Should().Be("2024-04-30T23:59:59Z");
        json.GetProperty("image").GetProperty("type").GetString().Should().Be("Image");
        json.GetProperty("evidence").GetArrayLength().Should().Be(2);
        json.GetProperty("credentialStatus").GetProperty("type").GetString().Should().Be("BitstringStatusListEntry");
        JsonElement achievement = json.GetProperty("credentialSubject").GetProperty("achievement");
        achievement.GetProperty("alignment")[0].GetProperty("type").ValueKind.Should().Be(JsonValueKind.Array);
        json.GetProperty("credentialSubject").GetProperty("result").GetArrayLength().Should().Be(2);
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_RevocationListStatusWithoutSchema_AddsExtensionsContext()
    {
        using JsonDocument status = JsonDocument.Parse("""{ "id": "https://example.edu/revocations", "type": "1EdTechRevocationList" }""");
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:123")) with { IncludeCredentialSchema = false, CredentialStatus = status.RootElement };

        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential));

        json.GetProperty("@context").GetArrayLength().Should().Be(3);
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

        json.GetProperty("name").GetString().Should().Be(name);
        json.GetProperty("credentialSubject").GetProperty("achievement").GetProperty("name").GetString().Should().Be(name);
        RecipientMatcher.MatchesEmail(json, "名前@example.jp").Should().BeTrue();
        AssertValidAndCanonicalizes(json);
    }

    [Fact]
    public void Build_NonAscii_IsWrittenReadably()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1")) with { Name = "Acme® “Pro” élève" };

        string text = Encoding.UTF8.GetString(OpenBadgeCredentialBuilder.Build(credential));

        text.Should().Contain("Acme® “Pro” élève");
    }

    [Fact]
    public void Build_CompactOutput_SameContent()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1"));

        string compact = Encoding.UTF8.GetString(OpenBadgeCredentialBuilder.Build(credential, indented: false));

        compact.Should().NotContain("\n");
        JsonLdProcessor.Canonicalize(TestCredentials.Parse(Encoding.UTF8.GetBytes(compact)), JsonLdOptions.Safe).Should().Be(JsonLdProcessor.Canonicalize(TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(credential)), JsonLdOptions.Safe));
    }

    [Fact]
    public void Build_ValidUntilNotAfterValidFrom_Throws()
    {
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1")) with { ValidUntil = TestCredentials.ValidFrom };

        FluentActions.Invoking(() => OpenBadgeCredentialBuilder.Build(credential)).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void Build_ScalarCredentialStatus_Throws()
    {
        using JsonDocument status = JsonDocument.Parse("\"https://example.edu/status\"");
        OpenBadgeCredential credential = TestCredentials.Minimal(Recipient.FromId("did:example:1")) with { CredentialStatus = status.RootElement };

        FluentActions.Invoking(() => OpenBadgeCredentialBuilder.Build(credential)).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void NewUrnUuid_IsUrnUuid()
    {
        string id = OpenBadgeCredentialBuilder.NewUrnUuid();

        id.Should().StartWith("urn:uuid:");
        Guid.TryParse(id["urn:uuid:".Length..], out _).Should().BeTrue();
    }

    private static void AssertValidAndCanonicalizes(JsonElement json)
    {
        ObSchemaValidationResult schema = ObSchemaValidator.Shared.Validate(json);
        schema.IsValid.Should().BeTrue(string.Join("\n", schema.Violations));

        CredentialValidationResult result = CredentialValidator.Default.Validate(json);
        result.IsValid.Should().BeTrue(string.Join("\n", result.Violations));
        result.Warnings.Should().BeEmpty();

        string nquads = JsonLdProcessor.Canonicalize(json, JsonLdOptions.Safe);
        string.IsNullOrEmpty(nquads).Should().BeFalse();
    }
}
