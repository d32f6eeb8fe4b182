using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.Core.Tests.Verification;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Tests.Issuance;

public class CredentialSigningTests
{
    [Fact]
    public async Task Sign_EndorsementFromBuilder_VerifiesAndConformsToEndorsementSchema()
    {
        using TestIssuer endorser = TestIssuer.Create();
        byte[] unsigned = EndorsementCredentialBuilder.Build(new EndorsementCredential
        {
            Id = OpenBadgeCredentialBuilder.NewUrnUuid(),
            Name = "Endorsement of the Badge Office",
            Description = "Reviewed the assessment process.",
            Issuer = new Profile { Id = endorser.Id, Name = "Accrediting Body", Url = "https://accreditor.example" },
            ValidFrom = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ValidUntil = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            SubjectId = "https://badges.example.edu/issuers/office",
            EndorsementComment = "Sound assessment *and* records.",
        });
        using JsonDocument document = JsonDocument.Parse(unsigned);

        ObSchemaValidationResult schema = ObSchemaValidator.Shared.Validate(document.RootElement, ObSchemaKind.EndorsementCredential, ObSchemaBuild.Current);
        SigningOutcome outcome = CredentialSigning.Sign(document.RootElement, new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            Checks = CredentialChecks.Full,
            DataIntegrityKey = endorser.Key,
            Proof = new ProofOptions { VerificationMethod = endorser.VerificationMethod, Created = TestClock.Now.AddDays(-30) },
        });

        schema.Violations.Should().BeEmpty();
        outcome.Succeeded.Should().BeTrue(outcome.Validation is null ? outcome.Failure.ToString() : string.Join("; ", outcome.Validation.Violations.Select(v => v.Message)));
        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(outcome.DataIntegrity!, TestContext.Current.CancellationToken);
        report.Verified.Should().BeTrue(ReportAssert.Describe(report));
    }

    [Fact]
    public void EndorsementBuilder_TestKitEndorsement_WritesTheShapeTestsRelyOn()
    {
        string json = TestDocuments.Endorsement("did:example:endorser", "did:example:issuer", "Solid.").ToJsonString();

        json.Should().MatchRegex(
            """^\{"@context":\["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"\],"id":"urn:uuid:[0-9a-f-]{36}","type":\["VerifiableCredential","EndorsementCredential"\],"name":"An endorsement","issuer":\{"id":"did:example:endorser","type":\["Profile"\],"name":"Endorser"\},"validFrom":"2026-01-01T00:00:00Z","credentialSubject":\{"id":"did:example:issuer","type":\["EndorsementSubject"\],"endorsementComment":"Solid."\}\}$""");
    }

    [Fact]
    public void EndorsementBuilder_ValidUntilNotAfterValidFrom_Throws()
    {
        var endorsement = new EndorsementCredential
        {
            Id = "urn:uuid:1",
            Name = "E",
            Issuer = new Profile { Id = "did:example:e" },
            ValidFrom = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ValidUntil = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            SubjectId = "did:example:s",
        };

        FluentActions.Invoking(() => EndorsementCredentialBuilder.Build(endorsement)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Sign_BothFormats_ProofVerifiesAndJwtCarriesTheUnsignedBytes()
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] unsigned = TestDocuments.Utf8(TestDocuments.Credential(issuer.Id));
        using JsonDocument document = JsonDocument.Parse(unsigned);
        var jwt = new VcJwtSigner(issuer.Key, new VcJwtSignerOptions { KeyId = issuer.VerificationMethod });

        SigningOutcome outcome = CredentialSigning.Sign(document.RootElement, new CredentialSigningOptions
        {
            Format = SecuringFormat.Both,
            Checks = CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode,
            DataIntegrityKey = issuer.Key,
            Proof = new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now },
            EdDsaJwt = jwt,
        });

        outcome.Succeeded.Should().BeTrue();
        using JsonDocument signed = JsonDocument.Parse(outcome.DataIntegrity!);
        EddsaRdfc2022.VerifyAll(signed.RootElement, new SingleKey(issuer)).Should().ContainSingle().Which.Verified.Should().BeTrue();
        outcome.Jwt.Should().Be(jwt.Sign(unsigned));
    }

    [Fact]
    public void Sign_P256Key_ProofOptionsForTheKey_SignEcdsaRdfc2019()
    {
        using P256KeyPair key = P256KeyPair.Generate();
        string did = DidKey.Create(key.PublicKey);
        ProofOptions proof = CredentialSigning.ProofOptionsFor(key, DidKey.GetVerificationMethodId(key.PublicKey), TestClock.Now.AddMilliseconds(250));
        proof.Cryptosuite.Should().Be("ecdsa-rdfc-2019");
        proof.Created.Should().Be(TestClock.Now);

        SigningOutcome outcome = CredentialSigning.Sign(TestDocuments.Utf8(TestDocuments.Credential(did)), new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            Checks = CredentialChecks.Full,
            DataIntegrityKey = key,
            Proof = proof,
        });

        outcome.Succeeded.Should().BeTrue(outcome.Exception?.Message);
        using JsonDocument signed = JsonDocument.Parse(outcome.DataIntegrity!);
        signed.RootElement.GetProperty("proof").GetProperty("cryptosuite").GetString().Should().Be("ecdsa-rdfc-2019");
        CryptosuiteSet.Default.VerifyAll(signed.RootElement, new Tests.DataIntegrity.DidKeyProofResolver()).Should().ContainSingle().Which.Verified.Should().BeTrue();
    }

    [Fact]
    public void Sign_ProofOptionsOfAnotherKeyType_IsTheCallersError_NotAnInvalidCredential()
    {
        // An Ed25519 suite named for a P-256 key is a wiring mistake: an exception, never "the credential is invalid".
        using P256KeyPair key = P256KeyPair.Generate();
        var options = new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            DataIntegrityKey = key,
            Proof = new ProofOptions { VerificationMethod = "did:example:issuer#key-1", Created = TestClock.Now },
        };

        FluentActions.Invoking(() => CredentialSigning.Sign(TestDocuments.Utf8(TestDocuments.Credential("did:example:issuer")), options))
            .Should().Throw<ArgumentException>().WithMessage("eddsa-rdfc-2022 cannot sign with a P256 key (it needs an Ed25519 key).*");
        FluentActions.Invoking(() => CredentialSigning.ProofOptionsFor(RsaKeyPair.Generate(), "did:example:issuer#rsa", TestClock.Now))
            .Should().Throw<ArgumentException>().WithMessage("No enabled cryptosuite signs with a Rsa key*");
    }

    [Fact]
    public void Sign_OpenBadgeBreakingSchema_ReportsSchemaViolationsWithoutSigning()
    {
        using TestIssuer issuer = TestIssuer.Create();
        var credential = TestDocuments.Credential(issuer.Id);
        credential.Remove("name");
        credential["credentialSubject"]!["achievement"]!.AsObject().Remove("criteria");
        using JsonDocument document = JsonDocument.Parse(TestDocuments.Utf8(credential));

        SigningOutcome outcome = CredentialSigning.Sign(document.RootElement, Options(issuer, SecuringFormat.DataIntegrity, CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode));

        outcome.Failure.Should().Be(SigningFailure.SchemaViolations);
        outcome.Schema!.Violations.Should().NotBeEmpty();
        outcome.DataIntegrity.Should().BeNull();
    }

    [Theory]
    [InlineData(CredentialChecks.JsonLdSafeMode, SigningFailure.JsonLd)]
    [InlineData(CredentialChecks.None, SigningFailure.None)]
    public void Sign_JwtAloneWithUndefinedTerm_FailsOnlyWhenSafeModeIsChecked(CredentialChecks checks, SigningFailure expected)
    {
        using TestIssuer issuer = TestIssuer.Create();
        var credential = TestDocuments.Credential(issuer.Id);
        credential["notInAnyContext"] = "x";
        using JsonDocument document = JsonDocument.Parse(TestDocuments.Utf8(credential));

        SigningOutcome outcome = CredentialSigning.Sign(document.RootElement, Options(issuer, SecuringFormat.Jwt, checks));

        outcome.Failure.Should().Be(expected);
        if (expected == SigningFailure.JsonLd)
        {
            outcome.Exception.Should().BeOfType<JsonLdException>();
        }
    }

    [Fact]
    public void Sign_Rs256WithoutRsaSigner_ReportsTheUnsupportedAlgorithm()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using JsonDocument document = JsonDocument.Parse(TestDocuments.Utf8(TestDocuments.Credential(issuer.Id)));

        SigningOutcome outcome = CredentialSigning.Sign(document.RootElement, Options(issuer, SecuringFormat.Jwt, CredentialChecks.None) with { JwtAlgorithm = "RS256" });

        outcome.Failure.Should().Be(SigningFailure.UnsupportedAlgorithm);
        outcome.Algorithm.Should().Be("RS256");
    }

    private static CredentialSigningOptions Options(TestIssuer issuer, SecuringFormat format, CredentialChecks checks) => new()
    {
        Format = format,
        Checks = checks,
        DataIntegrityKey = issuer.Key,
        Proof = new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now },
        EdDsaJwt = new VcJwtSigner(issuer.Key, new VcJwtSignerOptions { KeyId = issuer.VerificationMethod }),
    };

    private sealed class SingleKey(TestIssuer issuer) : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose)
            => new(issuer.Key.Ed25519PublicKey.RawKey.ToArray(), issuer.Id, AuthorizedForPurpose: true);
    }
}
