using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Keys;

public class RsaAndP256KeyTests
{
    [Fact]
    public void Rsa_PrivateJwkAndPem_RoundTrip()
    {
        using RsaKeyPair pair = RsaKeyPair.Generate(2048, allowExport: true);
        byte[] data = Encoding.UTF8.GetBytes("payload");

        using SigningKey fromJwk = Jwk.ImportPrivateKey(pair.ExportPrivateJwk());
        using SigningKey fromPem = KeyPem.ImportPrivateKey(pair.ExportPkcs8PrivateKeyPem());
        using VerificationKey publicFromJwk = Jwk.ImportPublicKey(pair.PublicKey.ExportJwk());
        using VerificationKey publicFromPem = KeyPem.ImportPublicKey(pair.PublicKey.ExportSubjectPublicKeyInfoPem());

        fromJwk.JwsAlgorithm.Should().Be(JwsAlgorithms.RS256);
        publicFromJwk.Verify(data, fromJwk.Sign(data)).Should().BeTrue();
        publicFromPem.Verify(data, fromPem.Sign(data)).Should().BeTrue();
        pair.SignatureSize.Should().Be(256);
    }

    [Fact]
    public void Rsa_1024BitKey_IsRefused()
    {
        using var small = RSA.Create(1024);
        RSAParameters p = small.ExportParameters(false);
        string jwk = $$"""{"kty":"RSA","n":"{{Base64Url(p.Modulus!)}}","e":"{{Base64Url(p.Exponent!)}}"}""";

        var ex = FluentActions.Invoking(() => Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(jwk))).Should().ThrowExactly<KeyFormatException>().Which;
        ex.Error.Should().Be(KeyFormatError.KeyTooSmall);
        FluentActions.Invoking(() => RsaKeyPair.Generate(1024)).Should().ThrowExactly<KeyFormatException>();
        FluentActions.Invoking(() => KeyPem.ImportPublicKey(small.ExportSubjectPublicKeyInfoPem())).Should().ThrowExactly<KeyFormatException>().Which.Error.Should().Be(KeyFormatError.KeyTooSmall);
    }

    [Fact]
    public void P256_SignatureIsRawRAndS_AndRoundTrips()
    {
        using P256KeyPair pair = P256KeyPair.Generate(allowExport: true);
        byte[] data = Encoding.UTF8.GetBytes("payload");

        byte[] signature = pair.Sign(data);
        using SigningKey fromJwk = Jwk.ImportPrivateKey(pair.ExportPrivateJwk());
        using VerificationKey fromPem = KeyPem.ImportPublicKey(pair.PublicKey.ExportSubjectPublicKeyInfoPem());

        signature.Length.Should().Be(64);
        pair.PublicKey.Verify(data, signature).Should().BeTrue();
        fromPem.Verify(data, fromJwk.Sign(data)).Should().BeTrue();
        pair.JwsAlgorithm.Should().Be(JwsAlgorithms.ES256);
    }

    [Fact]
    public void P256_PointNotOnCurve_IsRefused()
    {
        string x = Base64Url(new byte[32]);
        string jwk = $$"""{"kty":"EC","crv":"P-256","x":"{{x}}","y":"{{x}}"}""";

        var ex = FluentActions.Invoking(() => Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(jwk))).Should().ThrowExactly<KeyFormatException>().Which;
        ex.Error.Should().Be(KeyFormatError.InvalidKey);
    }

    [Theory]
    [InlineData("""{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}""", KeyFormatError.UnsupportedKeyType)]
    [InlineData("""{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}""", KeyFormatError.InvalidJwk)]
    [InlineData("""{"kty":"oct","k":"AAAA"}""", KeyFormatError.PrivateKeyMaterialPresent)]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"AA"}""", KeyFormatError.UnsupportedKeyType)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519"}""", KeyFormatError.InvalidJwk)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="}""", KeyFormatError.InvalidJwk)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","alg":"RS256","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", KeyFormatError.UnsupportedKeyType)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}""", KeyFormatError.PrivateKeyMaterialPresent)]
    public void ImportPublicJwk_Malformed_ReportsReason(string json, KeyFormatError expected)
    {
        using JsonDocument doc = JsonDocument.Parse(json);

        Jwk.TryImportPublicKey(doc.RootElement, out _, out KeyFormatError error).Should().BeFalse();
        error.Should().Be(expected);
    }

    [Fact]
    public void P384_PublicJwkImports_PrivateJwkIsRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        ECParameters p = p384.ExportParameters(includePrivateParameters: true);
        string publicJwk = $$"""{"crv":"P-384","kty":"EC","x":"{{Base64Url(p.Q.X!)}}","y":"{{Base64Url(p.Q.Y!)}}"}""";
        string privateJwk = $$"""{"kty":"EC","crv":"P-384","x":"{{Base64Url(p.Q.X!)}}","y":"{{Base64Url(p.Q.Y!)}}","d":"{{Base64Url(p.D!)}}"}""";

        using VerificationKey key = Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(publicJwk));
        key.Should().BeOfType<P384PublicKey>().Which.KeyType.Should().Be(KeyType.P384);
        key.JwsAlgorithm.Should().Be("ES384");
        byte[] signature = p384.SignData("data"u8.ToArray(), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        key.Verify("data"u8, signature).Should().BeTrue();
        key.ExportJwk().Should().Equal(Encoding.UTF8.GetBytes(publicJwk));
        FluentActions.Invoking(() => Jwk.ImportPrivateKey(Encoding.UTF8.GetBytes(privateJwk))).Should().ThrowExactly<KeyFormatException>()
            .Which.Error.Should().Be(KeyFormatError.UnsupportedKeyType);
    }

    [Fact]
    public void KeyPem_UnsupportedCurve_IsRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        FluentActions.Invoking(() => KeyPem.ImportPublicKey(p384.ExportSubjectPublicKeyInfoPem())).Should().ThrowExactly<KeyFormatException>();
    }

    [Fact]
    public void KeyFormatMessages_NeverContainKeyMaterial()
    {
        const string d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
        string json = $$"""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"{{d}}"}""";

        var ex = FluentActions.Invoking(() => Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(json))).Should().ThrowExactly<KeyFormatException>().Which;
        ex.Message.Should().NotContain(d);
    }

    private static string Base64Url(byte[] value) => System.Buffers.Text.Base64Url.EncodeToString(value);
}
