using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Jwt;

/// <summary>OpenID4VCI key proofs: every header and claim rule, each with the proof it refuses.</summary>
public class KeyProofVerifierTests
{
    private const string Audience = "https://issuer.example.edu/issuers/default";
    private static readonly DateTimeOffset s_now = TestClock.Now;

    private static KeyProofExpectations Expect => new() { Audience = Audience, Now = s_now };

    private static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    internal static string Sign(SigningKey key, JsonObject header, JsonObject payload)
    {
        string input = Encode(header) + "." + Encode(payload);
        return input + "." + Base64Url.EncodeToString(key.Sign(Encoding.ASCII.GetBytes(input)));
    }

    private static JsonObject Payload(string? nonce = "n-1", string aud = Audience, long? iat = null) => new()
    {
        ["aud"] = aud,
        ["iat"] = iat ?? s_now.ToUnixTimeSeconds(),
        ["nonce"] = nonce,
    };

    private static JsonObject DidKeyHeader(Ed25519KeyPair key) => new()
    {
        ["alg"] = "EdDSA",
        ["typ"] = KeyProofVerifier.ProofType,
        ["kid"] = DidKey.GetVerificationMethodId(key.Ed25519PublicKey),
    };

    [Fact]
    public void DidKeyProof_Verifies_HolderIsTheDid()
    {
        using var key = Ed25519KeyPair.Generate();

        KeyProofResult result = KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), Payload()), Expect);

        result.Failure.Should().Be(KeyProofFailure.None, result.Message);
        (result.HolderDid, result.Nonce, result.Algorithm).Should().Be((DidKey.Create(key.Ed25519PublicKey), "n-1", "EdDSA"));
    }

    [Fact]
    public void DidJwkP256Proof_Verifies_HolderIsTheDidJwk()
    {
        using P256KeyPair key = P256KeyPair.Generate();
        string did = DidJwk.Create(key.PublicKey);

        KeyProofResult result = KeyProofVerifier.Verify(Sign(key, new JsonObject { ["alg"] = "ES256", ["typ"] = KeyProofVerifier.ProofType, ["kid"] = did + "#0" }, Payload()), Expect);

        result.Failure.Should().Be(KeyProofFailure.None, result.Message);
        result.HolderDid.Should().Be(did);
    }

    [Fact]
    public void HeaderJwkProof_BindsToItsDidJwk()
    {
        using P256KeyPair key = P256KeyPair.Generate();
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = KeyProofVerifier.ProofType, ["jwk"] = JsonNode.Parse(key.PublicKey.ExportJwk()) };

        KeyProofResult result = KeyProofVerifier.Verify(Sign(key, header, Payload()), Expect);

        result.Failure.Should().Be(KeyProofFailure.None, result.Message);
        result.HolderDid.Should().Be(DidJwk.Create(key.PublicKey));
    }

    [Fact]
    public void SignedByAnotherKey_IsInvalidSignature()
    {
        using var named = Ed25519KeyPair.Generate();
        using var signer = Ed25519KeyPair.Generate();

        KeyProofVerifier.Verify(Sign(signer, DidKeyHeader(named), Payload()), Expect).Failure.Should().Be(KeyProofFailure.InvalidSignature);
    }

    [Theory]
    [InlineData("JWT", KeyProofFailure.WrongType)]
    [InlineData(null, KeyProofFailure.WrongType)]
    public void WrongTyp_IsRefused(string? typ, KeyProofFailure expected)
    {
        using var key = Ed25519KeyPair.Generate();
        JsonObject header = DidKeyHeader(key);
        header["typ"] = typ;
        if (typ is null)
        {
            header.Remove("typ");
        }

        KeyProofVerifier.Verify(Sign(key, header, Payload()), Expect).Failure.Should().Be(expected);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public void AlgNotAcceptedOrNotTheKeys_IsUnsupportedAlgorithm(string alg)
    {
        using var key = Ed25519KeyPair.Generate();
        JsonObject header = DidKeyHeader(key);
        header["alg"] = alg;

        KeyProofVerifier.Verify(Sign(key, header, Payload()), Expect).Failure.Should().Be(KeyProofFailure.UnsupportedAlgorithm);
    }

    [Fact]
    public void BothKidAndJwk_OrNeither_OrX5c_IsUnsupportedKey()
    {
        using var key = Ed25519KeyPair.Generate();
        JsonObject both = DidKeyHeader(key);
        both["jwk"] = JsonNode.Parse(key.PublicKey.ExportJwk());
        JsonObject neither = DidKeyHeader(key);
        neither.Remove("kid");
        JsonObject x5c = DidKeyHeader(key);
        x5c["x5c"] = new JsonArray("MIIB");

        KeyProofVerifier.Verify(Sign(key, both, Payload()), Expect).Failure.Should().Be(KeyProofFailure.UnsupportedKey);
        KeyProofVerifier.Verify(Sign(key, neither, Payload()), Expect).Failure.Should().Be(KeyProofFailure.UnsupportedKey);
        KeyProofVerifier.Verify(Sign(key, x5c, Payload()), Expect).Failure.Should().Be(KeyProofFailure.UnsupportedKey);
    }

    [Theory]
    [InlineData("did:web:example.org#key-1", KeyProofFailure.UnsupportedKey)]
    [InlineData("did:key:z6MkBAD", KeyProofFailure.InvalidKey)]
    [InlineData("did:jwk:e30#0", KeyProofFailure.InvalidKey)]
    public void UnusableKid_IsRefused(string kid, KeyProofFailure expected)
    {
        using var key = Ed25519KeyPair.Generate();
        JsonObject header = DidKeyHeader(key);
        header["kid"] = kid;

        KeyProofVerifier.Verify(Sign(key, header, Payload()), Expect).Failure.Should().Be(expected);
    }

    [Fact]
    public void PrivateJwkInHeader_IsInvalidKey()
    {
        using var key = P256KeyPair.Generate(allowExport: true);
        JsonObject jwk = JsonNode.Parse(key.PublicKey.ExportJwk())!.AsObject();
        jwk["d"] = "AAAA";
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = KeyProofVerifier.ProofType, ["jwk"] = jwk };

        KeyProofVerifier.Verify(Sign(key, header, Payload()), Expect).Failure.Should().Be(KeyProofFailure.InvalidKey);
    }

    [Fact]
    public void WrongAudience_StaleOrFutureIat_MissingNonce_AreRefused()
    {
        using var key = Ed25519KeyPair.Generate();
        long now = s_now.ToUnixTimeSeconds();

        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), Payload(aud: "https://other.example")), Expect).Failure.Should().Be(KeyProofFailure.WrongAudience);
        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), Payload(iat: now - 301)), Expect).Failure.Should().Be(KeyProofFailure.StaleOrFutureIssuedAt);
        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), Payload(iat: now + 61)), Expect).Failure.Should().Be(KeyProofFailure.StaleOrFutureIssuedAt);
        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), Payload(iat: now - 300)), Expect).Failure.Should().Be(KeyProofFailure.None);
        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), Payload(nonce: null)), Expect).Failure.Should().Be(KeyProofFailure.MissingNonce);
        JsonObject textIat = Payload();
        textIat["iat"] = "1700000000";
        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), textIat), Expect).Failure.Should().Be(KeyProofFailure.StaleOrFutureIssuedAt);
        JsonObject arrayAud = Payload();
        arrayAud["aud"] = new JsonArray(Audience);
        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), arrayAud), Expect).Failure.Should().Be(KeyProofFailure.WrongAudience);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("eyJ9.e30.AAAA")]
    [InlineData("W10.e30.AAAA")]
    [InlineData("e30=.e30.AAAA")]
    public void Malformed_IsRefused(string jws)
    {
        KeyProofVerifier.Verify(jws, Expect).Failure.Should().BeOneOf(KeyProofFailure.Malformed, KeyProofFailure.WrongType);
    }

    [Fact]
    public void OverLongProof_IsMalformedBeforeAnyParsing()
    {
        KeyProofVerifier.Verify(new string('a', KeyProofVerifier.DefaultMaxLength + 1), Expect).Failure.Should().Be(KeyProofFailure.Malformed);
    }

    [Fact]
    public void OverLongButValidProof_IsRefused()
    {
        using var key = Ed25519KeyPair.Generate();
        JsonObject padded = Payload();
        padded["pad"] = new string('p', KeyProofVerifier.DefaultMaxLength);

        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), padded), Expect).Failure.Should().Be(KeyProofFailure.Malformed);
        KeyProofVerifier.Verify(Sign(key, DidKeyHeader(key), padded), Expect with { MaxLength = 3 * KeyProofVerifier.DefaultMaxLength }).Failure
            .Should().Be(KeyProofFailure.None, "the same proof within a larger bound is fine");
    }

    [Fact]
    public void DuplicateHeaderMember_IsMalformed()
    {
        using var key = Ed25519KeyPair.Generate();
        string header = Base64Url.EncodeToString("""{"alg":"EdDSA","alg":"none","typ":"openid4vci-proof+jwt"}"""u8);
        string input = header + "." + Encode(Payload());
        string jws = input + "." + Base64Url.EncodeToString(key.Sign(Encoding.ASCII.GetBytes(input)));

        KeyProofVerifier.Verify(jws, Expect).Failure.Should().Be(KeyProofFailure.Malformed);
    }
}
