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

        Assert.Equal(JwsAlgorithms.RS256, fromJwk.JwsAlgorithm);
        Assert.True(publicFromJwk.Verify(data, fromJwk.Sign(data)));
        Assert.True(publicFromPem.Verify(data, fromPem.Sign(data)));
        Assert.Equal(256, pair.SignatureSize);
    }

    [Fact]
    public void Rsa_1024BitKey_IsRefused()
    {
        using var small = RSA.Create(1024);
        RSAParameters p = small.ExportParameters(false);
        string jwk = $$"""{"kty":"RSA","n":"{{Base64Url(p.Modulus!)}}","e":"{{Base64Url(p.Exponent!)}}"}""";

        var ex = Assert.Throws<KeyFormatException>(() => Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(jwk)));
        Assert.Equal(KeyFormatError.KeyTooSmall, ex.Error);
        Assert.Throws<KeyFormatException>(() => RsaKeyPair.Generate(1024));
        Assert.Equal(KeyFormatError.KeyTooSmall, Assert.Throws<KeyFormatException>(() => KeyPem.ImportPublicKey(small.ExportSubjectPublicKeyInfoPem())).Error);
    }

    [Fact]
    public void P256_SignatureIsRawRAndS_AndRoundTrips()
    {
        using P256KeyPair pair = P256KeyPair.Generate(allowExport: true);
        byte[] data = Encoding.UTF8.GetBytes("payload");

        byte[] signature = pair.Sign(data);
        using SigningKey fromJwk = Jwk.ImportPrivateKey(pair.ExportPrivateJwk());
        using VerificationKey fromPem = KeyPem.ImportPublicKey(pair.PublicKey.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(64, signature.Length);
        Assert.True(pair.PublicKey.Verify(data, signature));
        Assert.True(fromPem.Verify(data, fromJwk.Sign(data)));
        Assert.Equal(JwsAlgorithms.ES256, pair.JwsAlgorithm);
    }

    [Fact]
    public void P256_PointNotOnCurve_IsRefused()
    {
        string x = Base64Url(new byte[32]);
        string jwk = $$"""{"kty":"EC","crv":"P-256","x":"{{x}}","y":"{{x}}"}""";

        var ex = Assert.Throws<KeyFormatException>(() => Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(jwk)));
        Assert.Equal(KeyFormatError.InvalidKey, ex.Error);
    }

    [Theory]
    [InlineData("""{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}""", KeyFormatError.UnsupportedKeyType)]
    [InlineData("""{"kty":"oct","k":"AAAA"}""", KeyFormatError.PrivateKeyMaterialPresent)]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"AA"}""", KeyFormatError.UnsupportedKeyType)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519"}""", KeyFormatError.InvalidJwk)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="}""", KeyFormatError.InvalidJwk)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","alg":"RS256","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", KeyFormatError.UnsupportedKeyType)]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}""", KeyFormatError.PrivateKeyMaterialPresent)]
    public void ImportPublicJwk_Malformed_ReportsReason(string json, KeyFormatError expected)
    {
        using JsonDocument doc = JsonDocument.Parse(json);

        Assert.False(Jwk.TryImportPublicKey(doc.RootElement, out _, out KeyFormatError error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void KeyPem_UnsupportedCurve_IsRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<KeyFormatException>(() => KeyPem.ImportPublicKey(p384.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void KeyFormatMessages_NeverContainKeyMaterial()
    {
        const string d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
        string json = $$"""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"{{d}}"}""";

        var ex = Assert.Throws<KeyFormatException>(() => Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(json)));
        Assert.DoesNotContain(d, ex.Message, StringComparison.Ordinal);
    }

    private static string Base64Url(byte[] value) => System.Buffers.Text.Base64Url.EncodeToString(value);
}
