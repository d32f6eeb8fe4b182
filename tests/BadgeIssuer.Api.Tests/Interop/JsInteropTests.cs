using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// Credentials signed by BadgeIssuer.Core must verify with the JavaScript reference stack (tests/interop, offline):
/// @digitalbazaar/vc + data-integrity + eddsa-rdfc-2022 (and ecdsa-rdfc-2019 for P-256 issuers) for Data Integrity, jose for VC-JWT,
/// @digitalbazaar/vc-bitstring-status-list (and an independent zlib decode) for status. Needs node and npm.
/// </summary>
public sealed class JsInteropTests
{
    /// <summary>The verifier's clock (the service tests' fixed "now").</summary>
    private static readonly DateTimeOffset s_now = BadgeIssuerApplication.Now;

    private static readonly DateTimeOffset s_validFrom = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// vc-bitstring-status-list verifies the list credential with the real clock (it passes no "now" on), so the
    /// list's validFrom must be in the real past.
    /// </summary>
    private static readonly DateTimeOffset s_listValidFrom = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const string StatusListUrl = "https://issuer.example.org/status/1";
    private const long StatusIndex = 94_567;
    private const string AchievementName = "Data Stewardship Foundations";

    [Fact]
    public async Task DataIntegrity_DidKeyIssuer_VerifiesInJs()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        byte[] signed = SignDataIntegrity(Credential(DidKey.Create(key.Ed25519PublicKey)), key, DidKey.GetVerificationMethodId(key.Ed25519PublicKey));

        InteropResult result = await NodeInterop.VerifyOneAsync(new InteropJob { Now = s_now }.AddDataIntegrity(signed), TestContext.Current.CancellationToken);

        AssertVerified(result);
        result.StatusChecked.Should().BeFalse();
    }

    [Fact]
    public async Task DataIntegrity_P256DidKeyIssuer_SignsEcdsaRdfc2019_ThatVerifiesInJs()
    {
        // The issuing path (CredentialSigning with the key's proof options): a P-256 key chooses ecdsa-rdfc-2019.
        using P256KeyPair key = P256KeyPair.Generate();
        string vm = DidKey.GetVerificationMethodId(key.PublicKey);
        SigningOutcome outcome = CredentialSigning.Sign(Credential(DidKey.Create(key.PublicKey)), new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            Checks = CredentialChecks.Full,
            DataIntegrityKey = key,
            Proof = CredentialSigning.ProofOptionsFor(key, vm, s_validFrom),
        });
        outcome.Succeeded.Should().BeTrue(outcome.Exception?.Message);
        byte[] signed = outcome.DataIntegrity!;
        Encoding.UTF8.GetString(signed).Should().Contain("\"cryptosuite\":\"ecdsa-rdfc-2019\"");

        // A copy with the achievement renamed after signing is the negative control: JS must refuse it.
        byte[] tampered = Replace(signed, AchievementName, "Forged Achievement");
        IReadOnlyList<InteropResult> results = await NodeInterop.VerifyAsync(
            new InteropJob { Now = s_now }.AddDataIntegrity(signed).AddDataIntegrity(tampered), TestContext.Current.CancellationToken);

        AssertVerified(results[0]);
        results[0].Json.Should().Contain("DataIntegrityProof/ecdsa-rdfc-2019");
        results[1].Verified.Should().BeFalse(results[1].Json);
    }

    [Theory]
    [InlineData("did:web:issuer.example.org", false)]
    [InlineData("did:web:issuer.example.org:badges:office", false)]
    [InlineData("https://issuer.example.org/issuers/1", false)]
    [InlineData("did:web:issuer.example.org", true)]
    public async Task DataIntegrity_ControllerDocumentSupplied_VerifiesInJs(string issuerId, bool jsonWebKeyMethod)
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        using Ed25519KeyPair rotatedOut = Ed25519KeyPair.Generate();
        DidWebDocumentBuilder document = new DidWebDocumentBuilder(issuerId).AddMultikey(rotatedOut.Ed25519PublicKey, "key-1");
        document = jsonWebKeyMethod ? document.AddJsonWebKey(key.PublicKey, "key-2") : document.AddMultikey(key.Ed25519PublicKey, "key-2");
        byte[] signed = SignDataIntegrity(Credential(issuerId), key, document.VerificationMethodIds[1]);

        InteropJob job = new InteropJob { Now = s_now }.AddDocument(issuerId, document.Build()).AddDataIntegrity(signed);
        InteropResult result = await NodeInterop.VerifyOneAsync(job, TestContext.Current.CancellationToken);

        AssertVerified(result);
    }

    [Fact]
    public async Task DataIntegrity_ControllerDocumentNotSupplied_FailsClosed()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        const string issuerId = "did:web:issuer.example.org";
        DidWebDocumentBuilder document = new DidWebDocumentBuilder(issuerId).AddMultikey(key.Ed25519PublicKey);
        byte[] signed = SignDataIntegrity(Credential(issuerId), key, document.VerificationMethodIds[0]);

        InteropResult result = await NodeInterop.VerifyOneAsync(new InteropJob { Now = s_now }.AddDataIntegrity(signed), TestContext.Current.CancellationToken);

        result.Verified.Should().BeFalse(result.Json);
        result.Errors.Should().Contain(e => e.Contains("offline document loader: refusing " + issuerId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DataIntegrity_TamperedAfterSigning_FailsInJs()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        byte[] signed = SignDataIntegrity(Credential(DidKey.Create(key.Ed25519PublicKey)), key, DidKey.GetVerificationMethodId(key.Ed25519PublicKey));
        byte[] tampered = Replace(signed, $"\"name\": \"{AchievementName}\"", "\"name\": \"Forged Achievement\"");

        IReadOnlyList<InteropResult> results = await NodeInterop.VerifyAsync(
            new InteropJob { Now = s_now }.AddDataIntegrity(signed).AddDataIntegrity(tampered), TestContext.Current.CancellationToken);

        AssertVerified(results[0]);
        results[1].Verified.Should().BeFalse(results[1].Json);
        results[1].Errors.Should().Contain(e => e.Contains("Invalid signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DataIntegrity_IssuerIsNotKeyController_FailsInJs()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        using Ed25519KeyPair other = Ed25519KeyPair.Generate();
        byte[] signed = SignDataIntegrity(Credential(DidKey.Create(other.Ed25519PublicKey)), key, DidKey.GetVerificationMethodId(key.Ed25519PublicKey));

        InteropResult result = await NodeInterop.VerifyOneAsync(new InteropJob { Now = s_now }.AddDataIntegrity(signed), TestContext.Current.CancellationToken);

        result.Verified.Should().BeFalse(result.Json);
        result.Errors.Should().Contain(e => e.Contains("issuer must match the verification method controller", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(KeyType.Rsa)]
    [InlineData(KeyType.Ed25519)]
    [InlineData(KeyType.P256)]
    public async Task Jwt_SignedWithProjectKey_VerifiesWithJose(KeyType keyType)
    {
        using SigningKey key = keyType switch
        {
            KeyType.Rsa => RsaKeyPair.Generate(2048),
            KeyType.Ed25519 => Ed25519KeyPair.Generate(),
            _ => P256KeyPair.Generate(),
        };
        string jwt = VcJwtSigner.Sign(key, Credential("https://issuer.example.org/issuers/1"));

        InteropResult result = await NodeInterop.VerifyOneAsync(
            new InteropJob { Now = s_now }.AddJwt(jwt, key.PublicKey.ExportJwk()), TestContext.Current.CancellationToken);

        AssertVerified(result);
        using JsonDocument json = JsonDocument.Parse(result.Json);
        json.RootElement.GetProperty("details").GetProperty("alg").GetString().Should().Be(key.JwsAlgorithm);
    }

    [Fact]
    public async Task Jwt_EdDsaWithDidKeyKid_VerifiesWithJoseThroughResolvedKey()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string vm = DidKey.GetVerificationMethodId(key.Ed25519PublicKey);
        string jwt = new VcJwtSigner(key, new VcJwtSignerOptions { KeyId = vm }).Sign(Credential(DidKey.Create(key.Ed25519PublicKey)));

        InteropResult result = await NodeInterop.VerifyOneAsync(new InteropJob { Now = s_now }.AddJwt(jwt), TestContext.Current.CancellationToken);

        AssertVerified(result);
        result.Json.Should().Contain("\"keySource\": \"kid " + vm + "\"");
    }

    [Theory]
    [InlineData(KeyType.Rsa)]
    [InlineData(KeyType.Ed25519)]
    [InlineData(KeyType.P256)]
    public async Task Jwt_KidInDidWebDocument_VerifiesWithJoseThroughResolvedKey(KeyType keyType)
    {
        using SigningKey key = keyType switch
        {
            KeyType.Rsa => RsaKeyPair.Generate(2048),
            KeyType.Ed25519 => Ed25519KeyPair.Generate(),
            _ => P256KeyPair.Generate(),
        };
        const string issuerId = "did:web:issuer.example.org";
        DidWebDocumentBuilder document = new DidWebDocumentBuilder(issuerId).AddJsonWebKey(key.PublicKey);
        string vm = document.VerificationMethodIds[0];
        string jwt = new VcJwtSigner(key, new VcJwtSignerOptions { KeyId = vm }).Sign(Credential(issuerId));

        InteropResult result = await NodeInterop.VerifyOneAsync(
            new InteropJob { Now = s_now }.AddDocument(issuerId, document.Build()).AddJwt(jwt), TestContext.Current.CancellationToken);

        AssertVerified(result);
        result.Json.Should().Contain("\"keySource\": \"kid " + vm + "\"");
    }

    [Fact]
    public async Task Jwt_PayloadTampered_FailsWithJose()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string jwt = VcJwtSigner.Sign(key, Credential("https://issuer.example.org/issuers/1"));
        string[] parts = jwt.Split('.');
        string payload = Encoding.UTF8.GetString(Convert.FromBase64String(ToBase64(parts[1])));
        string forged = payload.Replace(AchievementName, "Forged Achievement", StringComparison.Ordinal);
        forged.Should().NotBe(payload);
        string tampered = parts[0] + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes(forged)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + parts[2];

        InteropResult result = await NodeInterop.VerifyOneAsync(
            new InteropJob { Now = s_now }.AddJwt(tampered, key.PublicKey.ExportJwk()), TestContext.Current.CancellationToken);

        result.Verified.Should().BeFalse(result.Json);
        result.Errors.Should().Contain(e => e.Contains("signature verification failed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StatusList_BitSetOrClear_JsReportsRevokedAccordingly(bool revoked)
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string issuer = DidKey.Create(key.Ed25519PublicKey);
        string vm = DidKey.GetVerificationMethodId(key.Ed25519PublicKey);

        var list = new BitstringStatusList();
        list.Set(StatusIndex, revoked);
        list.Set(StatusIndex - 1, true); // neighbours set, so an off-by-one reads the wrong answer either way
        list.Set(StatusIndex + 1, true);
        byte[] listCredential = SignDataIntegrity(
            BitstringStatusListCredential.Create(StatusListUrl, issuer, StatusPurpose.Revocation, list, s_listValidFrom).ToUtf8Json(), key, vm);

        var entry = new BitstringStatusListEntry(StatusPurpose.Revocation, StatusIndex, StatusListUrl) { Id = $"{StatusListUrl}#{StatusIndex}" };
        byte[] unsigned = Credential(issuer, entry);
        byte[] signed = SignDataIntegrity(unsigned, key, vm);
        string jwt = VcJwtSigner.Sign(key, unsigned);

        IReadOnlyList<InteropResult> results = await NodeInterop.VerifyAsync(
            new InteropJob { Now = s_now }
                .AddDocument(StatusListUrl, listCredential)
                .AddDataIntegrity(signed)
                .AddJwt(jwt, key.PublicKey.ExportJwk()),
            TestContext.Current.CancellationToken);

        results.Should().AllSatisfy(r =>
        {
            AssertVerified(r);
            r.StatusChecked.Should().BeTrue(r.Json);
            r.Revoked.Should().Be(revoked);
        });
    }

    [Fact]
    public async Task BundledContexts_SharedWithJsStack_AreIdentical()
    {
        InteropResult result = await NodeInterop.VerifyOneAsync(new InteropJob().AddContextsCheck(), TestContext.Current.CancellationToken);

        AssertVerified(result);
        using JsonDocument json = JsonDocument.Parse(result.Json);
        string compared = json.RootElement.GetProperty("details").GetProperty("compared").GetRawText();
        foreach (string url in (string[])[
            "https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2", "https://w3id.org/security/multikey/v1",
            "https://www.w3.org/ns/did/v1", "https://www.w3.org/ns/credentials/status/v1"])
        {
            compared.Should().Contain(url + " (");
        }
    }

    /// <summary>An OpenBadgeCredential with most of the model filled in, so the JS canonicalization sees every term we write.</summary>
    private static byte[] Credential(string issuerId, BitstringStatusListEntry? status = null)
    {
        JsonElement? credentialStatus = null;
        if (status is not null)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                status.WriteTo(writer);
            }

            using JsonDocument parsed = JsonDocument.Parse(buffer.ToArray());
            credentialStatus = parsed.RootElement.Clone();
        }

        return OpenBadgeCredentialBuilder.Build(new OpenBadgeCredential
        {
            Id = "urn:uuid:2f5e9d0c-7a41-4c1e-9b7e-3f1d6a8c0b21",
            Issuer = new Profile
            {
                Id = issuerId,
                Name = "Example University Badge Office",
                Url = "https://www.example.edu",
                Email = "badges@example.edu",
                Image = new Image("https://www.example.edu/logo.png", "Logo"),
            },
            Achievement = new Achievement
            {
                Id = "https://badges.example.edu/achievements/data-stewardship-foundations",
                Name = AchievementName,
                Description = "Demonstrates the basics of data governance, quality and privacy: ünïcödé, \"quotes\" & <angles>.",
                Criteria = new Criteria(Narrative: "Complete all six modules and pass the final assessment with at least 80%."),
                Image = new Image("https://badges.example.edu/images/dsf.png", "Badge image"),
                AchievementType = "Course",
                Alignment =
                [
                    new Alignment { TargetName = "Data governance", TargetUrl = "https://frameworks.example.org/skills/dg", TargetFramework = "Example Skills", TargetCode = "DG-1", TargetType = "CFItem" },
                ],
                ResultDescription =
                [
                    new ResultDescription { Id = "urn:uuid:6c1f0a52-3d3e-4a57-9a45-0c1b2f6e7d11", Name = "Final grade", ResultType = "LetterGrade", AllowedValue = ["A", "B", "C", "D"], RequiredValue = "C" },
                ],
                Tag = ["data", "governance"],
                InLanguage = "en",
                Version = "1.0",
            },
            Recipient = Recipient.FromEmail("learner@example.org", "c0ffee5a1t"),
            ValidFrom = s_validFrom,
            ValidUntil = s_validFrom.AddYears(3),
            AwardedDate = s_validFrom.AddDays(-2),
            Description = "Awarded for completing the course.",
            Evidence = [new Evidence { Id = "https://badges.example.edu/evidence/1", Name = "Final project", Narrative = "Built a data catalogue.", Genre = "Project" }],
            Results = [new Result { ResultDescription = "urn:uuid:6c1f0a52-3d3e-4a57-9a45-0c1b2f6e7d11", Value = "A" }],
            SubjectNarrative = "Completed with distinction.",
            CredentialStatus = credentialStatus,
        });
    }

    private static byte[] SignDataIntegrity(byte[] unsigned, Ed25519KeyPair key, string verificationMethod)
    {
        using JsonDocument document = JsonDocument.Parse(unsigned);
        return EddsaRdfc2022.Sign(document.RootElement, new ProofOptions { Created = s_validFrom, VerificationMethod = verificationMethod }, key);
    }

    private static byte[] Replace(byte[] json, string oldValue, string newValue)
    {
        string text = Encoding.UTF8.GetString(json);
        text.Should().Contain(oldValue);
        return Encoding.UTF8.GetBytes(text.Replace(oldValue, newValue, StringComparison.Ordinal));
    }

    private static string ToBase64(string base64Url)
    {
        string s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }

    private static void AssertVerified(InteropResult result)
    {
        result.Verified.Should().BeTrue($"JS did not verify item {result.Index} ({result.Kind}):\n{result.Json}");
        result.Errors.Should().BeEmpty();
    }
}
