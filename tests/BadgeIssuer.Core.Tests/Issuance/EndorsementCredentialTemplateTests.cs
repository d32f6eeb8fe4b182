using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Tests.Issuance;

public class EndorsementCredentialTemplateTests
{
    private const string CredentialId = "https://badges.example.edu/credentials/endorsement-1";

    private static EndorsementCredential Endorsement(string issuerId) => new()
    {
        Id = "urn:uuid:replaced-by-issuance",
        Name = "Endorsement of the Badge Office",
        Issuer = new Profile { Id = issuerId, Name = "Accrediting Body", Url = "https://accreditor.example" },
        ValidFrom = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        SubjectId = "https://badges.example.edu/issuers/office",
        EndorsementComment = "Sound assessment *and* records.",
    };

    [Fact]
    public void Build_IdAndStatus_WritesTheBuildersCompactForm()
    {
        byte[] status = CredentialStatusJson.Write([new BitstringStatusListEntry("revocation", 42, "https://badges.example.edu/status/3f2a")]);
        using JsonDocument statusDocument = JsonDocument.Parse(status);

        byte[] built = new EndorsementCredentialTemplate(Endorsement("did:example:endorser")).Build(CredentialId, status);

        built.Should().Equal(EndorsementCredentialBuilder.Build(
            Endorsement("did:example:endorser") with { Id = CredentialId, CredentialStatus = statusDocument.RootElement },
            indented: false));
    }

    [Fact]
    public void Checks_Endorsement_AreTheFullValidationAndSignPasses()
    {
        using TestIssuer endorser = TestIssuer.Create();
        var template = new EndorsementCredentialTemplate(Endorsement(endorser.Id));
        using JsonDocument unsigned = JsonDocument.Parse(template.Build(CredentialId, null));

        SigningOutcome outcome = CredentialSigning.Sign(unsigned.RootElement, new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            Checks = template.Checks,
            DataIntegrityKey = endorser.Key,
            Proof = new ProofOptions { VerificationMethod = endorser.VerificationMethod, Created = TestClock.Now.AddDays(-30) },
        });

        template.Checks.Should().Be(CredentialChecks.Full);
        outcome.Succeeded.Should().BeTrue(outcome.Validation is null ? outcome.Failure.ToString() : string.Join("; ", outcome.Validation.Violations.Select(v => v.Message)));
    }

    [Fact]
    public void Checks_AwardWithoutCallerParts_IsSafeModeOnlyElseSchemaToo()
    {
        using JsonDocument evidence = JsonDocument.Parse("""[{"type":["Evidence"],"narrative":"n"}]""");
        OpenBadgeCredentialTemplate Award(JsonElement? evidence) => new()
        {
            IssuerProfile = "{}"u8.ToArray(),
            Achievement = "{}"u8.ToArray(),
            Name = "n",
            Recipient = Recipient.FromId("did:example:learner"),
            ValidFrom = TestClock.Now,
            Evidence = evidence,
        };

        Award(null).Checks.Should().Be(CredentialChecks.JsonLdSafeMode);
        Award(evidence.RootElement).Checks.Should().Be(CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode);
        new SubmittedCredentialTemplate(evidence.RootElement[0], SecuringFormat.Jwt, TestClock.Now).Checks.Should().Be(CredentialChecks.Profile);
    }
}
