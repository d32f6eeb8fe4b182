using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Jwt;

namespace BadgeIssuer.Core.Tests.Issuance;

/// <summary>The holder-bound re-issue: the original's content, a new id, the holder as subject, the given status, and it signs.</summary>
public class HolderBoundCredentialTemplateTests
{
    private const string Holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

    [Fact]
    public void Build_KeepsContent_NewIdHolderSubjectAndGivenStatus_NoProof()
    {
        using TestIssuer issuer = TestIssuer.Create();
        string signed = Encoding.UTF8.GetString(issuer.Sign(TestDocuments.OpenBadge(issuer.Id)));
        using JsonDocument original = JsonDocument.Parse(signed);
        var template = new HolderBoundCredentialTemplate(original.RootElement, Holder, SecuringFormat.DataIntegrity);
        byte[] status = """{"id":"https://s.example/1#7","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"7","statusListCredential":"https://s.example/1"}"""u8.ToArray();

        JsonNode built = JsonNode.Parse(template.Build("https://issuer.example/credentials/copy", status))!;

        ((string?)built["id"]).Should().Be("https://issuer.example/credentials/copy");
        ((string?)built["credentialSubject"]!["id"]).Should().Be(Holder);
        built["proof"].Should().BeNull();
        ((string?)built["credentialStatus"]!["statusListIndex"]).Should().Be("7");
        JsonNode source = JsonNode.Parse(signed)!;
        built["credentialSubject"]!["achievement"]!.ToJsonString().Should().Be(source["credentialSubject"]!["achievement"]!.ToJsonString());
        built["issuer"]!.ToJsonString().Should().Be(source["issuer"]!.ToJsonString());
        ((string?)built["validFrom"]).Should().Be((string?)source["validFrom"]);
        template.ExistingSubjectId.Should().Be((string?)source["credentialSubject"]!["id"]);
    }

    [Fact]
    public void Build_FromVcJwtPayload_DropsTheRegisteredClaims_AndSignsBothWays()
    {
        using TestIssuer issuer = TestIssuer.Create();
        string jwt = issuer.SignJwt(TestDocuments.OpenBadge(issuer.Id));
        using JsonDocument payload = HolderBoundCredentialTemplate.ParseJwtPayload(jwt)!;
        var template = new HolderBoundCredentialTemplate(payload.RootElement, Holder, SecuringFormat.Both, fromJwtPayload: true);

        byte[] unsigned = template.Build("urn:uuid:5c1d8f40-0c48-4f2f-9d0b-0b5c1b6a1e11", null);
        JsonNode built = JsonNode.Parse(unsigned)!;
        SigningOutcome outcome = CredentialSigning.Sign(unsigned, new CredentialSigningOptions
        {
            Format = SecuringFormat.Both,
            Checks = template.Checks,
            DataIntegrityKey = issuer.Key,
            Proof = new BadgeIssuer.Core.DataIntegrity.ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now },
            EdDsaJwt = new VcJwtSigner(issuer.Key),
        });

        foreach (string claim in new[] { "iss", "jti", "sub", "nbf" })
        {
            built[claim].Should().BeNull(claim + " is a JWT claim, not part of the credential");
        }

        outcome.Failure.Should().Be(SigningFailure.None, outcome.Exception?.Message);
        outcome.DataIntegrity.Should().NotBeNull();
        outcome.Jwt.Should().NotBeNull();
    }

    [Fact]
    public void Constructor_WithoutOneSubjectObject_Throws()
    {
        using JsonDocument noSubject = JsonDocument.Parse("""{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"]}""");

        FluentActions.Invoking(() => new HolderBoundCredentialTemplate(noSubject.RootElement, Holder, SecuringFormat.Jwt)).Should().Throw<ArgumentException>();
    }
}
