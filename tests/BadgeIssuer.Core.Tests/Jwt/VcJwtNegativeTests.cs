using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Jwt;

public class VcJwtNegativeTests
{
    private static string Jwk(SigningKey key) => Encoding.UTF8.GetString(key.PublicKey.ExportJwk());

    private static string Payload(string issuer = "https://issuer.example/issuers/1", string? extra = null)
    {
        string credential = VcJwtRoundTripTests.Credential(issuer: issuer).TrimEnd();
        return credential[..^1] + ",\"iss\":\"https://issuer.example/issuers/1\",\"jti\":\"urn:uuid:7a4e2b1c-3d5f-4e6a-8b9c-0d1e2f3a4b5c\",\"sub\":\"did:example:ebfeb1f712ebc6f1c276e12ec21\",\"nbf\":1714557600,\"exp\":1893456000" + extra + "}";
    }

    private static VcJwtVerificationResult Verify(string jws, VcJwtVerifierOptions? options = null)
        => new VcJwtVerifier(options ?? new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(VcJwtRoundTripTests.Now) }).Verify(jws);

    [Fact]
    public void Baseline_HandBuiltToken_Verifies()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", Payload()));

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public void AlgNone_IsRefused(string alg)
    {
        string token = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}","typ":"JWT"}""")) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Payload())) + ".";

        using VcJwtVerificationResult result = Verify(token);

        result.Failure.Should().Be(VcJwtFailure.AlgorithmNone);
    }

    [Fact]
    public void SignedPayloadWithUnpairedSurrogate_IsInvalidPayload()
    {
        // JsonDocument parses "\ud800" and throws only when the string is read; a signer of its own key can send it.
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", Payload(extra: ",\"name\":\"\\ud800\"")));

        result.Failure.Should().Be(VcJwtFailure.InvalidPayload);
    }

    [Fact]
    public void HeaderWithInvalidUtf8_IsInvalidHeader()
    {
        // Found by fuzzing: an InvalidOperationException escaped from reading the header's strings.
        byte[] header = [.. "{\"alg\":\"EdDSA\",\"kid\":\""u8, 0xAF, .. "\"}"u8];
        string token = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Payload())) + ".AAAA";

        using VcJwtVerificationResult result = Verify(token);

        result.Failure.Should().Be(VcJwtFailure.InvalidHeader);
    }

    [Fact]
    public void Hs256_SignedWithRsaPublicKeyAsSecret_IsRefused()
    {
        // Classic algorithm confusion: HMAC keyed with the (public) RSA key bytes.
        using RsaKeyPair rsa = RsaKeyPair.Generate();
        string header = """{"alg":"HS256","typ":"JWT","jwk":""" + Jwk(rsa) + "}";
        string signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Payload()));
        byte[] mac = HMACSHA256.HashData(Encoding.ASCII.GetBytes(rsa.PublicKey.ExportSubjectPublicKeyInfoPem()), Encoding.ASCII.GetBytes(signingInput));

        using VcJwtVerificationResult result = Verify(signingInput + "." + Base64Url.EncodeToString(mac));

        result.Failure.Should().Be(VcJwtFailure.UnsupportedAlgorithm);
        result.SignatureVerified.Should().BeFalse();
    }

    [Theory]
    [InlineData("EdDSA", KeyType.Rsa)]
    [InlineData("RS256", KeyType.Ed25519)]
    [InlineData("ES256", KeyType.Ed25519)]
    [InlineData("RS256", KeyType.P256)]
    public void AlgNotMatchingKeyType_IsRefused(string alg, KeyType keyType)
    {
        using SigningKey key = VcJwtRoundTripTests.Create(keyType);

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, $$"""{"alg":"{{alg}}","typ":"JWT","jwk":{{Jwk(key)}}}""", Payload()));

        result.Failure.Should().Be(VcJwtFailure.AlgorithmKeyMismatch);
    }

    [Fact]
    public void ExtraHeaderMembers_AreRefusedAndNamed()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","cty":"JWT","x5c":[],"jwk":""" + Jwk(key) + "}", Payload()));

        result.Failure.Should().Be(VcJwtFailure.UnexpectedHeaderParameter);
        result.UnexpectedHeaderParameters.Should().Equal(["cty", "x5c"]);
    }

    [Theory]
    [InlineData("vc+jwt")]
    [InlineData("JOSE")]
    [InlineData("at+jwt")]
    public void WrongTyp_IsRefused(string typ)
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, $$"""{"alg":"EdDSA","typ":"{{typ}}","jwk":{{Jwk(key)}}}""", Payload()));

        result.Failure.Should().Be(VcJwtFailure.InvalidType);
    }

    [Fact]
    public void TamperedSignature_IsInvalidSignature()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(VcJwtRoundTripTests.Credential()));
        int s = jws.LastIndexOf('.') + 1;
        string tampered = jws[..s] + (jws[s] == 'A' ? 'B' : 'A') + jws[(s + 1)..];

        using VcJwtVerificationResult result = Verify(tampered);

        result.Failure.Should().Be(VcJwtFailure.InvalidSignature);
    }

    [Fact]
    public void TamperedPayload_IsInvalidSignature()
    {
        using RsaKeyPair key = RsaKeyPair.Generate();
        string[] parts = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(VcJwtRoundTripTests.Credential())).Split('.');
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("Teamwork Badge", "Teamwork Award", StringComparison.Ordinal);

        using VcJwtVerificationResult result = Verify(parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2]);

        result.Failure.Should().Be(VcJwtFailure.InvalidSignature);
    }

    [Fact]
    public void WrongKey_IsInvalidSignature()
    {
        using Ed25519KeyPair signer = Ed25519KeyPair.Generate();
        using Ed25519KeyPair other = Ed25519KeyPair.Generate();
        string jws = new VcJwtSigner(signer, new VcJwtSignerOptions { KeyId = "did:example:issuer#key-1" }).Sign(Encoding.UTF8.GetBytes(VcJwtRoundTripTests.Credential()));

        using VcJwtVerificationResult result = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(VcJwtRoundTripTests.Now) }).Verify(jws, other.PublicKey);

        result.Failure.Should().Be(VcJwtFailure.InvalidSignature);
    }

    [Fact]
    public void KidOnly_WithoutResolverOrKey_IsKeyResolutionFailed()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string jws = new VcJwtSigner(key, new VcJwtSignerOptions { KeyId = "https://issuer.example/issuers/1#key-1" }).Sign(Encoding.UTF8.GetBytes(VcJwtRoundTripTests.Credential()));

        using VcJwtVerificationResult result = Verify(jws);

        result.Failure.Should().Be(VcJwtFailure.KeyResolutionFailed);
    }

    [Fact]
    public void NoKidNoJwk_IsMissingKey()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT"}""", Payload()));

        result.Failure.Should().Be(VcJwtFailure.MissingKey);
    }

    [Fact]
    public void PrivateJwkInHeader_IsRefused()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate(allowExport: true);

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Encoding.UTF8.GetString(key.ExportPrivateJwk()) + "}", Payload()));

        result.Failure.Should().Be(VcJwtFailure.PrivateKeyInHeader);
    }

    [Fact]
    public void Expired_AndNotYetValid_WithFakeClock()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(VcJwtRoundTripTests.Credential(validUntil: "2026-01-01T00:00:00Z")));
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 59, TimeSpan.Zero));
        var verifier = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = clock, ClockSkew = TimeSpan.FromSeconds(60) });

        using (VcJwtVerificationResult withinSkew = verifier.Verify(jws))
        {
            withinSkew.IsValid.Should().BeTrue();
        }

        clock.Now = new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero);
        using (VcJwtVerificationResult expired = verifier.Verify(jws))
        {
            expired.Failure.Should().Be(VcJwtFailure.Expired);
        }

        clock.Now = new DateTimeOffset(2024, 5, 1, 9, 58, 0, TimeSpan.Zero);
        using (VcJwtVerificationResult early = verifier.Verify(jws))
        {
            early.Failure.Should().Be(VcJwtFailure.NotYetValid);
        }

        using VcJwtVerificationResult unchecked_ = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = clock, ValidateLifetime = false }).Verify(jws);
        unchecked_.IsValid.Should().BeTrue();
    }

    [Theory]
    [InlineData("\"iss\":\"https://issuer.example/issuers/1\"", "\"iss\":\"https://evil.example/\"", VcJwtFailure.IssuerMismatch)]
    [InlineData("\"jti\":\"urn:uuid:7a4e2b1c-3d5f-4e6a-8b9c-0d1e2f3a4b5c\"", "\"jti\":\"urn:uuid:other\"", VcJwtFailure.IdMismatch)]
    [InlineData("\"sub\":\"did:example:ebfeb1f712ebc6f1c276e12ec21\"", "\"sub\":\"did:example:someone-else\"", VcJwtFailure.SubjectMismatch)]
    [InlineData("\"nbf\":1714557600", "\"nbf\":1714557601", VcJwtFailure.NotBeforeMismatch)]
    [InlineData("\"exp\":1893456000", "\"exp\":1893456001", VcJwtFailure.ExpirationMismatch)]
    [InlineData(",\"iss\":\"https://issuer.example/issuers/1\"", "", VcJwtFailure.MissingIssuerClaim)]
    [InlineData(",\"jti\":\"urn:uuid:7a4e2b1c-3d5f-4e6a-8b9c-0d1e2f3a4b5c\"", "", VcJwtFailure.MissingIdClaim)]
    [InlineData(",\"sub\":\"did:example:ebfeb1f712ebc6f1c276e12ec21\"", "", VcJwtFailure.MissingSubjectClaim)]
    [InlineData(",\"exp\":1893456000", "", VcJwtFailure.MissingExpiration)]
    [InlineData("\"nbf\":1714557600", "\"nbf\":\"1714557600\"", VcJwtFailure.InvalidDate)]
    [InlineData("\"iss\":\"https://issuer.example/issuers/1\"", "\"iss\":1", VcJwtFailure.InvalidPayload)]
    public void ClaimsNotMatchingCredential_AreRefused(string from, string to, VcJwtFailure expected)
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string payload = Payload().Replace(from, to, StringComparison.Ordinal);

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", payload));

        result.SignatureVerified.Should().BeTrue();
        result.Failure.Should().Be(expected);
    }

    [Fact]
    public void DuplicateClaim_IsInvalidPayload()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", Payload(extra: ",\"iss\":\"https://issuer.example/issuers/1\"")));

        result.Failure.Should().Be(VcJwtFailure.InvalidPayload);
    }

    [Fact]
    public void DeeplyNestedPayload_IsInvalidPayload()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string deep = new string('[', 100) + new string(']', 100);

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", Payload(extra: ",\"x\":" + deep)));

        result.Failure.Should().Be(VcJwtFailure.InvalidPayload);
    }

    [Fact]
    public void PayloadNotJson_IsInvalidPayload()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", "not json"));

        result.Failure.Should().Be(VcJwtFailure.InvalidPayload);
    }

    [Theory]
    [InlineData("abc", VcJwtFailure.MalformedCompactSerialization)]
    [InlineData("a.b", VcJwtFailure.MalformedCompactSerialization)]
    [InlineData("a.b.c.d", VcJwtFailure.MalformedCompactSerialization)]
    [InlineData(".eyJ9.abc", VcJwtFailure.MalformedCompactSerialization)]
    [InlineData("eyJhbGciOiJFZERTQSJ9.é.abc", VcJwtFailure.MalformedCompactSerialization)]
    [InlineData("eyJhbGciOiJFZERTQSJ9=.eyJ9.abc", VcJwtFailure.InvalidBase64Url)]
    [InlineData("eyJhbGciOiJFZERTQSJ9.eyJ 9.abc", VcJwtFailure.InvalidBase64Url)]
    [InlineData("eyJhbGciOiJFZERTQSJ9.eyJ+9.abc", VcJwtFailure.InvalidBase64Url)]
    [InlineData("eyJhbGciOiJFZERTQSJ9.eyJ9.abcde", VcJwtFailure.InvalidBase64Url)] // length 5 mod 4 = 1
    [InlineData("eyJhbGciOiJFZERTQSJ9.eyJ9.ab", VcJwtFailure.InvalidBase64Url)] // non-zero trailing bits
    [InlineData("bm90IGpzb24.eyJ9.abc", VcJwtFailure.InvalidHeader)] // "not json"
    [InlineData("WzFd.eyJ9.abc", VcJwtFailure.InvalidHeader)] // [1]
    [InlineData("eyJ0eXAiOiJKV1QifQ.eyJ9.abc", VcJwtFailure.InvalidHeader)] // no alg
    [InlineData("eyJhbGciOiJFZERTQSIsImFsZyI6IlJTMjU2In0.eyJ9.abc", VcJwtFailure.InvalidHeader)] // duplicate alg
    [InlineData("eyJhbGciOiJQUzI1NiJ9.eyJ9.abc", VcJwtFailure.UnsupportedAlgorithm)] // PS256
    public void MalformedInput_IsRefused(string token, VcJwtFailure expected)
    {
        using VcJwtVerificationResult result = Verify(token);

        result.Failure.Should().Be(expected);
    }

    [Fact]
    public void OversizedInput_IsRefusedBeforeParsing()
    {
        string token = new string('A', VcJwtVerifierOptions.DefaultMaxTokenLength + 1);

        using VcJwtVerificationResult result = Verify(token);

        result.Failure.Should().Be(VcJwtFailure.InputTooLarge);
    }

    [Fact]
    public void Detail_NeverContainsKeyOrCredentialText()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string payload = Payload().Replace("\"iss\":\"https://issuer.example/issuers/1\"", "\"iss\":\"https://evil.example/\"", StringComparison.Ordinal);

        using VcJwtVerificationResult result = Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", payload));

        result.Detail.Should().NotContain("evil");
        result.Detail.Should().NotContain(Base64Url.EncodeToString(key.Ed25519PublicKey.RawKey));
    }
}
