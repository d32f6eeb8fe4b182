using System.Text;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Tests.Jwt;

/// <summary>
/// Microsoft.IdentityModel.JsonWebTokens checks the signatures; these pin the library defaults we override
/// (JwsLibrary.cs) and the rules our own pre-checks keep.
/// </summary>
public class JwtLibraryDefaultsTests
{
    private static string Jwk(SigningKey key) => Encoding.UTF8.GetString(key.PublicKey.ExportJwk());

    [Theory]
    [MemberData(nameof(VcJwtRoundTripTests.KeyTypes), MemberType = typeof(VcJwtRoundTripTests))]
    public void TokenLargerThanTheLibraryDefaultLimit_StillVerifies(KeyType type)
    {
        // JsonWebTokenHandler refuses tokens over 250 KB by default; our bound is MaxTokenLength (1 MiB).
        using SigningKey key = VcJwtRoundTripTests.Create(type);
        string credential = VcJwtRoundTripTests.Credential().Replace("\"name\": \"Teamwork Badge ®\"", "\"name\": \"" + new string('x', 400_000) + "\"", StringComparison.Ordinal);
        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(credential));
        (jws.Length > 250 * 1024).Should().BeTrue();

        using VcJwtVerificationResult result = VcJwtRoundTripTests.StrictVerifier().Verify(jws);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
    }

    [Theory]
    [InlineData("\"iat\":\"yesterday\"")]
    [InlineData("\"iat\":1e300")]
    [InlineData("\"aud\":{\"x\":1}")]
    public void RegisteredClaimTheLibraryCannotRead_IsInvalidPayload_WithTheSignatureVerified(string claim)
    {
        // Our claim rules do not look at iat or aud; the library refuses to read them. The token is refused, and the
        // report still says the signature verified (it did: the same provider checks it).
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string credential = VcJwtRoundTripTests.Credential().TrimEnd();
        string payload = credential[..^1] + ",\"iss\":\"https://issuer.example/issuers/1\",\"jti\":\"urn:uuid:7a4e2b1c-3d5f-4e6a-8b9c-0d1e2f3a4b5c\",\"sub\":\"did:example:ebfeb1f712ebc6f1c276e12ec21\",\"nbf\":1714557600,\"exp\":1893456000," + claim + "}";

        using VcJwtVerificationResult result = VcJwtRoundTripTests.StrictVerifier().Verify(JwsTestHelper.SignRaw(key, """{"alg":"EdDSA","typ":"JWT","jwk":""" + Jwk(key) + "}", payload));

        result.SignatureVerified.Should().BeTrue();
        result.Failure.Should().Be(VcJwtFailure.InvalidPayload);
    }

    [Fact]
    public void ValidationParameters_BindOneKeyAndItsAlgorithm_WithNoLibraryLifetimeOrSkew()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        using Ed25519KeyPair other = Ed25519KeyPair.Generate();

        TokenValidationParameters p = JwsLibrary.ParametersFor(key.PublicKey);

        p.ValidAlgorithms.Should().Equal(["EdDSA"]);
        p.TryAllIssuerSigningKeys.Should().BeFalse();
        p.ValidateLifetime.Should().BeFalse();
        p.ClockSkew.Should().Be(TimeSpan.Zero);
        p.RequireSignedTokens.Should().BeTrue();

        // Whatever kid the token names, only the chosen key is offered.
        IEnumerable<SecurityKey> offered = p.IssuerSigningKeyResolver("t", null, other.PublicKey.ComputeJwkThumbprint(), p);
        offered.Should().ContainSingle().Which.Should().BeSameAs(key.PublicKey.SecurityKey);
        JwsLibrary.ParametersFor(key.PublicKey).Should().BeSameAs(p);
    }

    [Fact]
    public void KidOfAnotherKey_DoesNotMakeTheLibraryTryIt()
    {
        // Signed by 'signer' with a kid; verified with 'other' given explicitly: the library must not look further.
        using Ed25519KeyPair signer = Ed25519KeyPair.Generate();
        using Ed25519KeyPair other = Ed25519KeyPair.Generate();
        string jws = new VcJwtSigner(signer, new VcJwtSignerOptions { KeyId = signer.PublicKey.ComputeJwkThumbprint(), IncludeJwk = false }).Sign(Encoding.UTF8.GetBytes(VcJwtRoundTripTests.Credential()));
        _ = JwsLibrary.ParametersFor(signer.PublicKey);

        using VcJwtVerificationResult result = VcJwtRoundTripTests.StrictVerifier().Verify(jws, other.PublicKey);

        result.Failure.Should().Be(VcJwtFailure.InvalidSignature);
    }

    [Fact]
    public void NSecProvider_ServesEdDsaWithAnEd25519KeyOnly()
    {
        using Ed25519KeyPair ed = Ed25519KeyPair.Generate();
        using RsaKeyPair rsa = RsaKeyPair.Generate();

        NSecEdDsaCryptoProvider.Instance.IsSupportedAlgorithm("EdDSA", ed.PublicKey.SecurityKey).Should().BeTrue();
        NSecEdDsaCryptoProvider.Instance.IsSupportedAlgorithm("eddsa", ed.PublicKey.SecurityKey).Should().BeFalse();
        NSecEdDsaCryptoProvider.Instance.IsSupportedAlgorithm("ES256", ed.PublicKey.SecurityKey).Should().BeFalse();
        NSecEdDsaCryptoProvider.Instance.IsSupportedAlgorithm("EdDSA", rsa.PublicKey.SecurityKey).Should().BeFalse();
        FluentActions.Invoking(() => NSecEdDsaCryptoProvider.Instance.Create("EdDSA", ed.PublicKey.SecurityKey, true)).Should().ThrowExactly<InvalidOperationException>();

        byte[] data = "signing input"u8.ToArray();
        var signer = (SignatureProvider)NSecEdDsaCryptoProvider.Instance.Create("EdDSA", ed.SecurityKey, true);
        var verifier = (SignatureProvider)NSecEdDsaCryptoProvider.Instance.Create("EdDSA", ed.PublicKey.SecurityKey, false);
        byte[] signature = signer.Sign(data);
        verifier.Verify(data, signature).Should().BeTrue();
        ed.PublicKey.Verify(data, signature).Should().BeTrue();
        signature[0] ^= 1;
        verifier.Verify(data, signature).Should().BeFalse();
        verifier.Verify(data, signature[..63]).Should().BeFalse();
    }
}
