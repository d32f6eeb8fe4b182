using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Tests.Verification;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Tests.DataIntegrity;

/// <summary>
/// Ed25519Signature2018 (detached JWS) against credentials the JavaScript library signed
/// (TestData/ed25519-signature-2018, see its README): they verify, the signing input is re-derived here step by step,
/// and every malformed or changed part fails with a message, never an exception.
/// </summary>
public class Ed25519Signature2018Tests
{
    private const string Issuer = "did:key:z6Mkt17iN2P4V1BgvejxZETWJUEAkQFRWNR14YrdSLX27X75";
    private const string Method = Issuer + "#z6Mkt17iN2P4V1BgvejxZETWJUEAkQFRWNR14YrdSLX27X75";
    private const string Header = """{"alg":"EdDSA","b64":false,"crit":["b64"]}""";

    public static TheoryData<string> Fixtures => new("ob-vcdm-2.0.signed.json", "ob-vcdm-1.1.signed.json");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Credentials_signed_by_the_js_library_verify(string file)
    {
        ProofVerificationResult r = CryptosuiteSet.Default.VerifyAll(Fixture(file), new DidKeyProofResolver()).Should().ContainSingle().Which;

        r.Verified.Should().BeTrue($"{r.Failure}: {r.Message}");
        r.ProofType.Should().Be("Ed25519Signature2018");
        r.Cryptosuite.Should().BeNull();
        r.VerificationMethod.Should().Be(Method);
        r.Controller.Should().Be(Issuer);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Signing_input_is_rederived_step_by_step(string file)
    {
        // jsonld-signatures: SHA-256(RDFC(proof options − jws, with the document's @context)) ‖ SHA-256(RDFC(document − proof)),
        // signed as ASCII(BASE64URL(header) + ".") ‖ that (RFC 7797, b64 false).
        JsonElement signed = Fixture(file);
        JsonObject options = JsonNode.Parse(signed.GetProperty("proof").GetRawText())!.AsObject();
        string jws = options["jws"]!.GetValue<string>();
        options.Remove("jws");
        options.Insert(0, "@context", JsonNode.Parse(signed.GetProperty("@context").GetRawText()));
        using JsonDocument config = JsonDocument.Parse(options.ToJsonString());

        byte[] proofHash = SHA256.HashData(Encoding.UTF8.GetBytes(JsonLdProcessor.Canonicalize(config.RootElement, JsonLdOptions.Safe)));
        byte[] docHash = SHA256.HashData(Encoding.UTF8.GetBytes(JsonLdProcessor.CanonicalizeWithout(signed, "proof", JsonLdOptions.Safe)));
        string[] parts = jws.Split('.');
        parts.Should().HaveCount(3);
        parts[1].Should().BeEmpty("the payload is detached");
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])).Should().Be(Header);
        byte[] input = [.. Encoding.ASCII.GetBytes(parts[0] + "."), .. proofHash, .. docHash];

        DidKey.TryParsePublicKey(Method, out VerificationKey? key).Should().BeTrue();
        using (key)
        {
            key!.Verify(input, Base64Url.DecodeFromChars(parts[2])).Should().BeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Credential_verifier_passes_the_proof_step_naming_the_suite(string file)
    {
        byte[] signed = File.ReadAllBytes(PathOf(file));

        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(signed, TestContext.Current.CancellationToken);

        VerificationCheck proof = ReportAssert.Single(report, CheckNames.Proof);
        proof.Status.Should().Be(CheckStatus.Passed, ReportAssert.Describe(report));
        proof.Message.Should().Be($"Ed25519Signature2018: signature verified with {Method}");
        report.Verified.Should().BeTrue(ReportAssert.Describe(report));
    }

    [Fact]
    public async Task Ed25519VerificationKey2018_method_resolves_from_publicKeyBase58()
    {
        // The JS side's form of the key: an Ed25519VerificationKey2018 with the raw key in base58btc.
        DidKey.TryParsePublicKey(Method, out VerificationKey? parsed).Should().BeTrue();
        using var key = (Ed25519PublicKey)parsed!;
        string base58 = SimpleBase.Base58.Bitcoin.Encode(key.RawKey);
        string document = $$"""
            {"id": "did:web:issuer.example", "verificationMethod": [{"id": "did:web:issuer.example#k", "type": "Ed25519VerificationKey2018", "controller": "did:web:issuer.example", "publicKeyBase58": "{{base58}}"}],
             "assertionMethod": ["#k"]}
            """;
        var registry = new LocalControllerRegistry();
        registry.Register(Encoding.UTF8.GetBytes(document));

        VerificationMethodResolution resolution = await registry.ResolveVerificationMethodAsync("did:web:issuer.example#k", TestContext.Current.CancellationToken);

        resolution.Succeeded.Should().BeTrue(resolution.Detail);
        resolution.Method!.PublicKey.HasSameKey(key).Should().BeTrue();
        var resolver = new FixedResolver(new ResolvedProofKey(resolution.Method.PublicKey, Issuer, AuthorizedForPurpose: true));
        CryptosuiteSet.Default.VerifyAll(Fixture("ob-vcdm-1.1.signed.json"), resolver).Should().ContainSingle().Which.Verified.Should().BeTrue();
    }

    [Theory]
    [InlineData("2222", "publicKeyBase58: an Ed25519 public key is 32 bytes.")]
    [InlineData("zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP", "publicKeyBase58: an Ed25519 public key is 32 bytes.")]
    [InlineData("0OIl", "publicKeyBase58: not a base58btc value.")]
    [InlineData("", "publicKeyBase58: not a base58btc value.")]
    [InlineData("222222222222222222222222222222222222222222222222222222222222222222222222222", "publicKeyBase58: longer than any Ed25519 key (not decoded).")]
    public void Malformed_publicKeyBase58_refuses_the_document(string base58, string reason)
    {
        string document = $$"""
            {"id": "did:web:issuer.example", "verificationMethod": [{"id": "did:web:issuer.example#k", "type": "Ed25519VerificationKey2018", "controller": "did:web:issuer.example", "publicKeyBase58": "{{base58}}"}]}
            """;
        FluentActions.Invoking(() => new LocalControllerRegistry().Register(Encoding.UTF8.GetBytes(document)))
            .Should().ThrowExactly<ArgumentException>().Which.Message.Should().EndWith(reason);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Tampered_document_fails(string file)
    {
        JsonNode doc = JsonNode.Parse(File.ReadAllText(PathOf(file)))!;
        doc["name"] = "Data Stewardship Foundations (changed)";
        ProofVerificationResult r = Verify(doc);
        r.Failure.Should().Be(ProofFailure.SignatureInvalid);
        r.Message.Should().Be("the signature does not match the credential");
    }

    [Fact]
    public void Tampered_proof_option_fails()
    {
        JsonNode doc = JsonNode.Parse(File.ReadAllText(PathOf("ob-vcdm-2.0.signed.json")))!;
        doc["proof"]!["created"] = "2025-03-01T09:00:06Z";
        Verify(doc).Failure.Should().Be(ProofFailure.SignatureInvalid);
    }

    [Theory]
    [InlineData("""{"alg":"EdDSA","b64":true,"crit":["b64"]}""")]
    [InlineData("""{"alg":"EdDSA","crit":["b64"]}""")]
    [InlineData("""{"alg":"EdDSA","b64":false}""")]
    [InlineData("""{"alg":"ES256","b64":false,"crit":["b64"]}""")]
    [InlineData("""{"alg":"EdDSA","b64":false,"crit":["b64"],"kid":"x"}""")]
    [InlineData("""{"alg":"EdDSA","b64":false,"crit":["b64","exp"]}""")]
    [InlineData("""{"alg":"EdDSA","b64":"false","crit":["b64"]}""")]
    [InlineData("""{"alg":"EdDSA","alg":"EdDSA","b64":false,"crit":["b64"]}""")]
    [InlineData("""["alg","EdDSA"]""")]
    [InlineData("""{"alg":"EdDSA","b64":false,"crit":["b64"]} {}""")]
    [InlineData("not json")]
    public void Wrong_jws_header_is_refused(string header)
    {
        ProofVerificationResult r = VerifyWithJws(Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + ".." + Signature());
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be("the JWS header must be exactly {\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\"]} (an unencoded, detached payload)");
    }

    [Fact]
    public void The_exact_header_with_the_fixture_signature_verifies()
    {
        // The header tests above change only the header: with the exact one, the same signature verifies.
        VerifyWithJws(Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Header)) + ".." + Signature()).Verified.Should().BeTrue();
    }

    [Theory]
    [InlineData("eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19=", "the JWS header is not base64url")]
    [InlineData("eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il1+", "the JWS header is not base64url")]
    [InlineData("eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il1", "the JWS header is not base64url")]
    [InlineData("", "the JWS header is not base64url")]
    public void Bad_base64url_header_is_refused(string encodedHeader, string message)
    {
        ProofVerificationResult r = VerifyWithJws(encodedHeader + ".." + Signature());
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be(message);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(0)]
    public void Signature_of_the_wrong_length_is_refused(int length)
    {
        ProofVerificationResult r = VerifyWithJws(EncodedHeader() + ".." + Base64Url.EncodeToString(new byte[length]));
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be("the JWS signature is not a base64url 64-byte Ed25519 signature");
    }

    [Theory]
    [InlineData("==")]
    [InlineData("+/")]
    public void Bad_base64url_signature_is_refused(string junk)
    {
        string signature = Signature();
        ProofVerificationResult r = VerifyWithJws(EncodedHeader() + ".." + signature[..^2] + junk);
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be("the JWS signature is not a base64url 64-byte Ed25519 signature");
    }

    [Theory]
    [InlineData("{0}.payload.{1}")]
    [InlineData("{0}.{1}")]
    [InlineData("{0}..{1}.")]
    [InlineData("{0}...{1}")]
    [InlineData("{0}")]
    public void Jws_that_is_not_detached_compact_is_refused(string shape)
    {
        ProofVerificationResult r = VerifyWithJws(string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, EncodedHeader(), Signature()));
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be("jws is not a detached JWS (BASE64URL(header)..BASE64URL(signature))");
    }

    [Fact]
    public void Overlong_jws_is_refused_before_decoding()
    {
        ProofVerificationResult r = VerifyWithJws(new string('A', 4000) + ".." + Signature());
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be("jws is not a detached JWS (BASE64URL(header)..BASE64URL(signature))");
    }

    [Fact]
    public void Missing_jws_is_a_malformed_proof()
    {
        JsonNode doc = JsonNode.Parse(File.ReadAllText(PathOf("ob-vcdm-2.0.signed.json")))!;
        doc["proof"]!.AsObject().Remove("jws");
        ProofVerificationResult r = Verify(doc);
        r.Failure.Should().Be(ProofFailure.MalformedProof);
        r.Message.Should().Be("the proof lacks verificationMethod, proofPurpose or jws");
    }

    [Fact]
    public void A_p256_key_is_the_wrong_key_type()
    {
        using P256KeyPair p256 = P256KeyPair.Generate();
        ProofVerificationResult r = CryptosuiteSet.Default.VerifyAll(Fixture("ob-vcdm-2.0.signed.json"), new FixedResolver(new ResolvedProofKey(p256.PublicKey, Issuer, AuthorizedForPurpose: true)))
            .Should().ContainSingle().Which;
        r.Failure.Should().Be(ProofFailure.WrongKeyType);
    }

    [Fact]
    public void Disabled_suite_is_reported_by_name()
    {
        ProofVerificationResult r = CryptosuiteSet.FromNames(["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]).VerifyAll(Fixture("ob-vcdm-2.0.signed.json"), new DidKeyProofResolver())
            .Should().ContainSingle().Which;
        r.Failure.Should().Be(ProofFailure.UnsupportedCryptosuite);
        r.Message.Should().Be("unsupported cryptosuite Ed25519Signature2018 (not enabled in this verifier; enabled: eddsa-rdfc-2022, ecdsa-rdfc-2019)");
    }

    private static ProofVerificationResult VerifyWithJws(string jws)
    {
        JsonNode doc = JsonNode.Parse(File.ReadAllText(PathOf("ob-vcdm-2.0.signed.json")))!;
        doc["proof"]!["jws"] = jws;
        return Verify(doc);
    }

    private static ProofVerificationResult Verify(JsonNode doc)
    {
        using JsonDocument parsed = JsonDocument.Parse(doc.ToJsonString());
        return CryptosuiteSet.Default.VerifyAll(parsed.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which;
    }

    private static string EncodedHeader() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Header));

    private static string Signature() => Fixture("ob-vcdm-2.0.signed.json").GetProperty("proof").GetProperty("jws").GetString()!.Split('.')[2];

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", "ed25519-signature-2018", file);

    private static JsonElement Fixture(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(PathOf(file)));
        return doc.RootElement.Clone();
    }

    private sealed class FixedResolver(ResolvedProofKey key) : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose) => key;
    }
}
