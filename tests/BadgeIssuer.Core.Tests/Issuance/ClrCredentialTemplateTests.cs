using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Issuance;

public class ClrCredentialTemplateTests
{
    private const string CredentialId = "https://badges.example.edu/credentials/clr-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary><paramref name="count"/> signed OB credentials for the test learner, each with its own id and achievement.</summary>
    private static List<ReadOnlyMemory<byte>> Badges(TestIssuer issuer, int count)
    {
        var badges = new List<ReadOnlyMemory<byte>>(count);
        for (int i = 0; i < count; i++)
        {
            badges.Add(issuer.Sign(TestDocuments.OpenBadge(issuer.Id, achievementName: "Badge " + i, id: $"urn:uuid:00000000-0000-4000-8000-{i:D12}", achievementId: $"urn:uuid:10000000-0000-4000-8000-{i:D12}")));
        }

        return badges;
    }

    private static ClrCredentialTemplate Template(TestIssuer issuer, IReadOnlyList<ReadOnlyMemory<byte>> credentials, IReadOnlyList<ClrAssociation>? associations = null) => new()
    {
        IssuerProfile = Encoding.UTF8.GetBytes($$"""{"id":"{{issuer.Id}}","type":["Profile"],"name":"Test issuer"}"""),
        Name = "Transcript",
        Learner = Recipient.FromId(TestDocuments.LearnerId),
        Credentials = credentials,
        ValidFrom = TestClock.Now.AddDays(-1),
        Achievements = [.. credentials.Select(c => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(JsonNode.Parse(c.Span)!["credentialSubject"]!["achievement"]!.ToJsonString()))],
        Associations = associations ?? [],
    };

    private static SigningOutcome Sign(TestIssuer issuer, ClrCredentialTemplate template, byte[]? status = null)
    {
        using JsonDocument unsigned = JsonDocument.Parse(template.Build(CredentialId, status));
        return CredentialSigning.Sign(unsigned.RootElement, new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            Checks = template.Checks,
            DataIntegrityKey = issuer.Key,
            Proof = new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now.AddDays(-1) },
        });
    }

    private static string Describe(SigningOutcome outcome)
        => outcome.Validation is null ? outcome.Failure + " " + outcome.Exception?.Message : string.Join("; ", outcome.Validation.Violations.Select(v => v.InstanceLocation + " " + v.Message));

    [Fact]
    public void Build_WritesAClrCredential_EmbeddingEachCredentialByteForByte()
    {
        using TestIssuer issuer = TestIssuer.Create();
        List<ReadOnlyMemory<byte>> badges = Badges(issuer, 2);
        ClrCredentialTemplate template = Template(issuer, badges, [new ClrAssociation("isChildOf", "urn:a", "urn:b")]);

        byte[] built = template.Build(CredentialId, null);
        JsonNode clr = JsonNode.Parse(built)!;

        clr["@context"]!.AsArray().Select(c => (string)c!).Should().Equal(ContextUrls.CredentialsV2, ContextUrls.ClrV2, ContextUrls.OpenBadgesV3, ContextUrls.OpenBadgesExtensions);
        clr["type"]!.AsArray().Select(c => (string)c!).Should().Equal("VerifiableCredential", "ClrCredential");
        ((string)clr["id"]!).Should().Be(CredentialId);
        ((string)clr["credentialSubject"]!["id"]!).Should().Be(TestDocuments.LearnerId);
        ((string)clr["credentialSubject"]!["type"]!).Should().Be("ClrSubject");
        JsonArray embedded = clr["credentialSubject"]!["verifiableCredential"]!.AsArray();
        embedded.Should().HaveCount(2);
        string text = Encoding.UTF8.GetString(built);
        text.Should().Contain("\"verifiableCredential\":[" + Encoding.UTF8.GetString(badges[0].Span) + "," + Encoding.UTF8.GetString(badges[1].Span) + "]");
        clr["credentialSubject"]!["association"]![0]!.ToJsonString().Should().Be("""{"type":"Association","associationType":"isChildOf","sourceId":"urn:a","targetId":"urn:b"}""");
        clr["credentialSchema"].Should().BeNull("no CLR JSON Schema is bundled to name");
    }

    [Fact]
    public void Checks_AreTheProfileRules_AndAnUnsecuredOrUnknownAssociationIsRefused()
    {
        using TestIssuer issuer = TestIssuer.Create();
        ReadOnlyMemory<byte> unsigned = Encoding.UTF8.GetBytes(JsonNode.Parse(TestDocuments.OpenBadge(issuer.Id))!.ToJsonString());

        SigningOutcome outcome = Sign(issuer, Template(issuer, [unsigned], [new ClrAssociation("isCousinOf", "urn:a", "urn:b")]));

        outcome.Succeeded.Should().BeFalse();
        string violations = Describe(outcome);
        violations.Should().Contain("/credentialSubject/verifiableCredential/0").And.Contain("/credentialSubject/association/0/associationType");
    }

    [Fact]
    public async Task AThousandCredentials_AreSignedAndVerified()
    {
        using TestIssuer issuer = TestIssuer.Create();
        List<ReadOnlyMemory<byte>> badges = Badges(issuer, 1000);

        SigningOutcome outcome = Sign(issuer, Template(issuer, badges));

        outcome.Succeeded.Should().BeTrue(Describe(outcome));
        var verifier = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now), MaxEmbeddedCredentials = 1000, MaxCredentialBytes = 8 * 1024 * 1024 });
        VerificationReport report = await verifier.VerifyAsync(outcome.DataIntegrity!, Ct);
        report.Verified.Should().BeTrue(report.Verdict);
        report.Profile.Should().Be("clr");
        report.EmbeddedCredentials.Should().HaveCount(1000);
        report.EmbeddedCredentials.Count(e => e.Report.Verified).Should().Be(1000);
    }
}
