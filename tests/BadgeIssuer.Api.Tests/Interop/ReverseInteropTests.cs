using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// Reverse interop: the JavaScript reference stack issues Open Badges 3.0 credentials (tests/interop/sign.mjs, offline:
/// @digitalbazaar/vc with DataIntegrityProof/eddsa-rdfc-2022, DataIntegrityProof/ecdsa-rdfc-2019 (P-256 did:key),
/// Ed25519Signature2020 and Ed25519Signature2018, jose VC-JWTs in EdDSA, ES256 and RS256) and our
/// <c>POST /credentials/verify</c> must verify them; copies tampered after signing must fail
/// the proof step with a reason. Keys derive from a fixed seed, so every run signs the same credentials.
/// <para>
/// Assertions read only <c>verified</c> and <c>checks[].name/status</c> (see <see cref="VerifyEndpoint"/>): the
/// report is gaining warnings/errors/a display summary, and unverified credentials may answer 200 or 422.
/// </para>
/// </summary>
public sealed class ReverseInteropTests(ReverseInteropTests.JsIssued issued) : IClassFixture<ReverseInteropTests.JsIssued>
{
    private const string Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string LearnerId = "did:example:learner-5f2c";
    private const string StatusListUrl = "https://status.example.net/credentials/status/3";
    private const int RevokedIndex = 7;
    private const int ActiveIndex = 8;
    private const string ForgedName = "Forged Achievement";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Credentials the JS stack issues with an authenticated key (did:key or did:jwk in kid / verificationMethod): each must verify.</summary>
    public static TheoryData<string> Authenticated => new(
        Cases.DataIntegrityEddsaRdfc2022,
        Cases.DataIntegrityEd25519Signature2020,
        Cases.DataIntegrityEcdsaRdfc2019,
        Cases.DataIntegrityEd25519Signature2018,
        Cases.JwtEdDsaDidKey,
        Cases.JwtEs256DidJwk,
        Cases.JwtRs256DidJwk);

    /// <summary>Every JS-issued credential, for the tamper test.</summary>
    public static TheoryData<string> All => new(
        Cases.DataIntegrityEddsaRdfc2022,
        Cases.DataIntegrityEd25519Signature2020,
        Cases.DataIntegrityEcdsaRdfc2019,
        Cases.DataIntegrityEd25519Signature2018,
        Cases.JwtEdDsaDidKey,
        Cases.JwtEs256DidJwk,
        Cases.JwtRs256DidJwk,
        Cases.JwtRs256EmbeddedJwk,
        Cases.DataIntegrityStatusRevoked,
        Cases.DataIntegrityStatusActive,
        Cases.JwtEdDsaStatusRevoked);

    [Theory]
    [MemberData(nameof(All))]
    public void JsIssuedCredential_SelfCheck_VerifiesInJs(string name)
    {
        JsIssuedCredential credential = issued.Get(name);

        // Anything we reject below is then a disagreement with the JS stack, not a bad fixture.
        credential.SelfVerified.Should().BeTrue($"{credential}: {string.Join("; ", credential.SelfCheckErrors)}");
    }

    [Theory]
    [MemberData(nameof(Authenticated))]
    public async Task JsIssuedCredential_PostedToVerify_IsVerifiedWithProofAndIssuerKeyPassed(string name)
    {
        JsIssuedCredential credential = issued.Get(name);

        VerifyReport report = await VerifyEndpoint.PostCredentialAsync(issued.App, credential.Document, Ct);

        report.ProofChecks.Should().Contain(c => c.Status == "passed");
        report.ProofChecks.Should().NotContain(c => c.Status == "failed");
        report.Named("issuer-key").Should().Contain(c => c.Status == "passed");
        await AssertVerifiedUnlessOnlyCompactedProofRejectedAsync(credential, report);
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task JsIssuedCredential_TamperedAfterSigning_IsNotVerifiedAndProofFailsWithReason(string name)
    {
        JsIssuedCredential credential = issued.Get(name);
        string tampered = Tamper(credential);
        (credential.Format == "jwt" ? DecodeJwtPayload(tampered) : tampered).Should().Contain(ForgedName);

        VerifyReport report = await VerifyEndpoint.PostCredentialAsync(issued.App, tampered, Ct);

        report.Verified.Should().BeFalse($"{credential}\n{report}");
        report.AnyProofPassed.Should().BeFalse(report.Json);
        VerifyCheck proof = report.ProofChecks.Should().ContainSingle(c => c.Status == "failed").Which;
        proof.Message.Should().ContainEquivalentOf("signature");
    }

    [Theory]
    [InlineData(Cases.DataIntegrityEcdsaRdfc2019, "ecdsa-rdfc-2019: signature verified with did:key:zDn")]
    [InlineData(Cases.DataIntegrityEd25519Signature2018, "Ed25519Signature2018: signature verified with did:key:z6Mk")]
    public async Task JsIssuedCredential_OtherSuites_ProofStepNamesTheSuite(string name, string message)
    {
        JsIssuedCredential credential = issued.Get(name);

        VerifyReport report = await VerifyEndpoint.PostCredentialAsync(issued.App, credential.Document, Ct);

        report.ProofChecks.Should().ContainSingle().Which.Message.Should().StartWith(message);
    }

    [Fact]
    public async Task JsIssuedCredential_SuiteNotConfigured_IsNotVerifiedAndNamesTheSuite()
    {
        // Verify:Cryptosuites without ecdsa-rdfc-2019: the same JS-issued credential is refused, and the report says why.
        JsIssuedCredential credential = issued.Get(Cases.DataIntegrityEcdsaRdfc2019);
        using var app = new BadgeIssuerApplication(("Verify:Cryptosuites:0", "eddsa-rdfc-2022"), ("Verify:Cryptosuites:1", "Ed25519Signature2018"));

        VerifyReport report = await VerifyEndpoint.PostCredentialAsync(app, credential.Document, Ct);

        report.Verified.Should().BeFalse(report.Json);
        report.ProofChecks.Should().ContainSingle().Which.Message.Should()
            .Be("ecdsa-rdfc-2019: UnsupportedCryptosuite: unsupported cryptosuite ecdsa-rdfc-2019 (not enabled in this verifier; enabled: eddsa-rdfc-2022, Ed25519Signature2018)");
    }

    [Fact]
    public async Task JsIssuedJwt_WithEmbeddedJwkOnly_SignatureVerifies()
    {
        // As the OB spec's own examples: RS256 with the key in the header. The signature must check; whether the
        // embedded key is accepted as the issuer's is the trust policy's call (issuer-key), so it is not asserted.
        JsIssuedCredential credential = issued.Get(Cases.JwtRs256EmbeddedJwk);

        VerifyReport report = await VerifyEndpoint.PostCredentialAsync(issued.App, credential.Document, Ct);

        report.ProofChecks.Should().Contain(c => c.Status == "passed");
        report.Named("issuer-key").Should().ContainSingle();
    }

    [Fact]
    public async Task JsIssuedCredentials_PostedAsVcApiRequest_AreVerified()
    {
        JsIssuedCredential di = issued.Get(Cases.DataIntegrityEd25519Signature2020);
        JsIssuedCredential jwt = issued.Get(Cases.JwtEs256DidJwk);

        VerifyReport jwtReport = await VerifyEndpoint.PostAsync(
            issued.App, Encoding.UTF8.GetBytes($$$"""{"verifiableCredential": "{{{jwt.Document}}}"}"""), "application/json", Ct);
        jwtReport.Verified.Should().BeTrue(jwtReport.Json);

        VerifyReport diReport = await VerifyEndpoint.PostAsync(
            issued.App, Encoding.UTF8.GetBytes($$$"""{"verifiableCredential": {{{di.Document}}}, "options": {}}"""), "application/json", Ct);
        diReport.ProofChecks.Should().Contain(c => c.Status == "passed");
        await AssertVerifiedUnlessOnlyCompactedProofRejectedAsync(di, diReport);
    }

    [Theory]
    [InlineData(Cases.DataIntegrityStatusActive, false)]
    [InlineData(Cases.DataIntegrityStatusRevoked, true)]
    [InlineData(Cases.JwtEdDsaStatusRevoked, true)]
    public async Task JsIssuedCredential_WithJsSignedStatusList_CoreVerifierReadsTheBit(string name, bool revoked)
    {
        // The endpoint reads only status lists this service publishes (and, once configured, allow-listed remote
        // ones), so a JS-signed list cannot reach it; CredentialVerifier — the pipeline the endpoint runs — takes
        // the list from an in-memory source instead.
        JsIssuedCredential credential = issued.Get(name);
        InteropSignOutput.SignedStatusList list = issued.Output.StatusLists.Should().ContainSingle().Which;
        var verifier = new CredentialVerifier(new CredentialVerifierOptions
        {
            TimeProvider = new MutableTimeProvider(BadgeIssuerApplication.Now),
            StatusLists = new InMemoryStatusListSource().Add(list.Url, Encoding.UTF8.GetBytes(list.Document)),
        });

        VerificationReport report = await verifier.VerifyAsync(Encoding.UTF8.GetBytes(credential.Document), Ct);

        string describe = string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}"));
        report.Checks.Should().Contain(c => c.Name == CheckNames.Proof && c.Status == CheckStatus.Passed);
        VerificationCheck status = report.Checks.Should().ContainSingle(c => c.Name == CheckNames.Status).Which;
        (status.Status == (revoked ? CheckStatus.Failed : CheckStatus.Passed)).Should().BeTrue(describe);
        status.Message.Should().Contain(revoked ? "revoked" : "not revoked");
        if (revoked)
        {
            report.Verified.Should().BeFalse(describe);
        }
        else if (!report.Verified)
        {
            IEnumerable<VerificationCheck> failed = report.Checks.Where(c => c.Status == CheckStatus.Failed);
            OnlyCompactedProofRejected(failed.Select(c => (c.Name, c.Message))).Should().BeTrue(describe);
            Assert.Skip(CompactedProofBug);
        }
    }

    [Fact]
    public async Task JsIssuedCredential_WithRemoteStatusList_EndpointDoesNotReportStatusPassed()
    {
        // The JS-signed list lives at a URL this service does not publish and no allow-list names: the endpoint
        // cannot read the bit, so it must not claim the status check passed (the signature still verifies).
        JsIssuedCredential credential = issued.Get(Cases.DataIntegrityStatusRevoked);

        VerifyReport report = await VerifyEndpoint.PostCredentialAsync(issued.App, credential.Document, Ct);

        report.ProofChecks.Should().Contain(c => c.Status == "passed");
        VerifyCheck status = report.Named("status").Should().ContainSingle().Which;
        status.Status.Should().NotBe("passed");
    }

    [Fact]
    public void JsDerivedKeys_FromSeed_MatchOurDerivation()
    {
        // RFC 8032: the Ed25519 key (and so the did:key) follows from the seed alone; did:jwk from the public JWK.
        using Ed25519KeyPair key = Ed25519KeyPair.Import(Convert.FromHexString(Seed));
        issued.Output.Keys["Ed25519"].Issuer.Should().Be(DidKey.Create(key.Ed25519PublicKey));
        issued.Output.Keys["Ed25519"].VerificationMethod.Should().Be(DidKey.GetVerificationMethodId(key.Ed25519PublicKey));
        foreach (string name in new[] { "P-256", "RSA-2048" })
        {
            InteropSignOutput.IssuedKey jsKey = issued.Output.Keys[name];
            using VerificationKey publicKey = Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(jsKey.PublicJwk));
            jsKey.Issuer.Should().Be(DidJwk.Create(publicKey));
            jsKey.VerificationMethod.Should().Be(jsKey.Issuer + "#0");
        }

        // The same P-256 key as a did:key (zDn…, @digitalbazaar/ecdsa-multikey's encoding): ours encodes it alike.
        InteropSignOutput.IssuedKey p256 = issued.Output.Keys["P-256 did:key"];
        using VerificationKey p256Key = Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(p256.PublicJwk));
        p256.Issuer.Should().Be(DidKey.Create(p256Key));
        p256.VerificationMethod.Should().Be(DidKey.GetVerificationMethodId(p256Key));
        issued.Output.Keys["Ed25519 2018"].VerificationMethod.Should().Be(DidKey.GetVerificationMethodId(key.Ed25519PublicKey));
    }

    /// <summary>
    /// KNOWN INTEROP BUG in our verifier, found by these tests: a Data Integrity credential whose <c>proof</c> is a
    /// single object — what @digitalbazaar/vc (and most VC 2.0 issuers) write — fails the <c>schema</c> step with
    /// <c>$.proof: Value is "object" but should be "array"</c>, so <c>verified</c> is false although the signature and
    /// the issuer key pass. The VC 2.0 build of the OB JSON Schema types <c>proof</c> as an array, but OB 3.0 allows
    /// the compacted single value (DIGEST SER-3: "verify leniently"; T-7). The fix belongs in the verifier (validate
    /// single-valued <c>proof</c>/<c>type</c>/<c>credentialSchema</c>/<c>termsOfUse</c> as one-element arrays).
    /// Until then the affected assertions end in a skip that names the bug — but only when that is the sole failure
    /// and the same credential verifies with <c>proof</c> wrapped in an array; once fixed, they assert verified.
    /// </summary>
    private const string CompactedProofBug =
        "KNOWN INTEROP BUG (our verifier, OB SER-3): a single-object `proof` (as @digitalbazaar/vc writes it) fails the "
        + "schema step ($.proof: Value is \"object\" but should be \"array\"), so verified=false although proof and issuer-key "
        + "passed; the same credential with `proof: [ … ]` verifies.";

    private const string CompactedProofViolation = "$.proof: Value is \"object\" but should be \"array\"";

    private static bool OnlyCompactedProofRejected(IEnumerable<(string Name, string Message)> failedChecks)
    {
        List<(string Name, string Message)> failed = [.. failedChecks];
        return failed.Count > 0
            && failed.All(c => c.Name == "schema" && c.Message.Split("; ").All(v => v == CompactedProofViolation));
    }

    private async Task AssertVerifiedUnlessOnlyCompactedProofRejectedAsync(JsIssuedCredential credential, VerifyReport report)
    {
        if (report.Verified)
        {
            return;
        }

        OnlyCompactedProofRejected(report.Checks.Where(c => c.Status == "failed").Select(c => (c.Name, c.Message))).Should().BeTrue($"{credential}\n{report}");

        // The same RDF dataset and signature, with proof as a one-element array: must verify.
        JsonNode document = JsonNode.Parse(credential.Document)!;
        JsonNode proof = document["proof"]!;
        document["proof"] = new JsonArray(proof.DeepClone());
        VerifyReport arrayForm = await VerifyEndpoint.PostCredentialAsync(issued.App, document.ToJsonString(), Ct);
        arrayForm.Verified.Should().BeTrue($"{credential} with proof as an array\n{arrayForm}");

        Assert.Skip(CompactedProofBug);
    }

    /// <summary>Renames the achievement (what an employer reads) in the signed credential, leaving the proof or signature as it was.</summary>
    private static string Tamper(JsIssuedCredential credential)
    {
        if (credential.Format == "jwt")
        {
            string[] parts = credential.Document.Split('.');
            JsonNode payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
            payload["credentialSubject"]!["achievement"]!["name"] = ForgedName;
            parts[1] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
            return string.Join('.', parts);
        }

        JsonNode document = JsonNode.Parse(credential.Document)!;
        document["credentialSubject"]!["achievement"]!["name"] = ForgedName;
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string DecodeJwtPayload(string jws) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.Split('.')[1]));

    /// <summary>The names of the credentials the fixture asks the JS stack for.</summary>
    public static class Cases
    {
        public const string DataIntegrityEddsaRdfc2022 = "di DataIntegrityProof eddsa-rdfc-2022, did:key";
        public const string DataIntegrityEd25519Signature2020 = "di Ed25519Signature2020, did:key";
        public const string DataIntegrityEcdsaRdfc2019 = "di DataIntegrityProof ecdsa-rdfc-2019, did:key P-256";
        public const string DataIntegrityEd25519Signature2018 = "di Ed25519Signature2018 (detached JWS), did:key";
        public const string JwtEdDsaDidKey = "jwt EdDSA, kid did:key";
        public const string JwtEs256DidJwk = "jwt ES256, kid did:jwk";
        public const string JwtRs256DidJwk = "jwt RS256, kid did:jwk";
        public const string JwtRs256EmbeddedJwk = "jwt RS256, header jwk";
        public const string DataIntegrityStatusRevoked = "di eddsa-rdfc-2022, status bit set";
        public const string DataIntegrityStatusActive = "di eddsa-rdfc-2022, status bit clear";
        public const string JwtEdDsaStatusRevoked = "jwt EdDSA, status bit set";
    }

    /// <summary>Runs sign.mjs once for the class and keeps one in-memory service to post to.</summary>
    public sealed class JsIssued : IAsyncLifetime
    {
        private static readonly string[] s_order =
        [
            Cases.DataIntegrityEddsaRdfc2022,
            Cases.DataIntegrityEd25519Signature2020,
            Cases.JwtEdDsaDidKey,
            Cases.JwtEs256DidJwk,
            Cases.JwtRs256DidJwk,
            Cases.JwtRs256EmbeddedJwk,
            Cases.DataIntegrityStatusRevoked,
            Cases.DataIntegrityStatusActive,
            Cases.JwtEdDsaStatusRevoked,
            Cases.DataIntegrityEcdsaRdfc2019,
            Cases.DataIntegrityEd25519Signature2018,
        ];

        private InteropSignOutput? _output;

        public BadgeIssuerApplication App { get; } = new();

        public InteropSignOutput Output => _output ?? throw new InvalidOperationException("Not signed yet.");

        public JsIssuedCredential Get(string name) => Output.Items[Array.IndexOf(s_order, name)];

        public async ValueTask InitializeAsync()
        {
            var revoked = new InteropSignJob.StatusEntry(StatusListUrl, RevokedIndex);
            InteropSignJob job = new InteropSignJob { Seed = Seed, SubjectId = LearnerId }
                .AddStatusList(StatusListUrl, "revocation", RevokedIndex)
                .AddDataIntegrity("eddsa-rdfc-2022")
                .AddDataIntegrity("Ed25519Signature2020")
                .AddJwt("EdDSA")
                .AddJwt("ES256")
                .AddJwt("RS256")
                .AddJwt("RS256", keyRef: "jwk")
                .AddDataIntegrity("eddsa-rdfc-2022", revoked)
                .AddDataIntegrity("eddsa-rdfc-2022", new InteropSignJob.StatusEntry(StatusListUrl, ActiveIndex))
                .AddJwt("EdDSA", "kid", revoked)
                .AddDataIntegrity("ecdsa-rdfc-2019")
                .AddDataIntegrity("Ed25519Signature2018");
            if (job.Items.Count != s_order.Length)
            {
                throw new InvalidOperationException("The job and the case names are out of step.");
            }

            _output = await NodeInterop.SignAsync(job, TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
