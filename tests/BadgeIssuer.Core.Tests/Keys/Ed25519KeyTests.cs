using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Keys;

public class Ed25519KeyTests
{
    private const string W3cSeedHex = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6";
    private const string W3cPublicHex = "b00d8d938e7f773d51565aad36a623f5344f7f5d1960f9cf3e8e12620ea2810f";
    private const string ObPublicHex = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5";
    private const string ObDidKey = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

    [Fact]
    public void W3cKeyPair_SecretKeyMultibase_DecodesToPublishedSeedAndPublicKey()
    {
        using JsonDocument doc = TestDataFiles.Json("vectors/w3c-vc-di-eddsa/keyPair.json");
        string publicMultibase = doc.RootElement.GetProperty("publicKeyMultibase").GetString()!;
        string secretMultibase = doc.RootElement.GetProperty("privateKeyMultibase").GetString()!;

        using Ed25519KeyPair pair = Ed25519KeyPair.ImportSecretKeyMultibase(secretMultibase, allowExport: true);

        Assert.Equal(W3cSeedHex, Convert.ToHexStringLower(pair.ExportSeed()));
        Assert.Equal(W3cPublicHex, Convert.ToHexStringLower(pair.Ed25519PublicKey.RawKey));
        Assert.Equal(publicMultibase, pair.Ed25519PublicKey.PublicKeyMultibase);
        Assert.Equal(secretMultibase, pair.ExportSecretKeyMultibase());
        Assert.Equal(Convert.FromHexString(W3cPublicHex), Multikey.DecodeEd25519PublicKey(publicMultibase));
    }

    [Fact]
    public void ObImplGuideKey_64ByteSecretKeyMultibase_YieldsPublishedDidKey()
    {
        using JsonDocument doc = TestDataFiles.Json("vectors/ob-v3p0-impl-guide-eddsa-rdfc-2022/key.json");
        JsonElement root = doc.RootElement;
        string secret = root.GetProperty("secretKeyMultibase").GetString()!;

        using Ed25519KeyPair fromMultibase = Ed25519KeyPair.ImportSecretKeyMultibase(secret, allowExport: true);
        using Ed25519KeyPair fromHex = Ed25519KeyPair.Import(Convert.FromHexString(root.GetProperty("privateKeyHex").GetString()!));

        Assert.Equal(ObPublicHex, Convert.ToHexStringLower(fromMultibase.Ed25519PublicKey.RawKey));
        Assert.Equal(root.GetProperty("publicKeyMultibase").GetString(), fromMultibase.Ed25519PublicKey.PublicKeyMultibase);
        Assert.Equal(ObDidKey, DidKey.Create(fromMultibase.Ed25519PublicKey));
        Assert.Equal(ObDidKey, DidKey.Create(fromHex.Ed25519PublicKey));
        Assert.Equal(secret, fromMultibase.ExportSecretKeyMultibase(includePublicKey: true));
        Assert.Equal(root.GetProperty("privateKeyHex").GetString(), Convert.ToHexStringLower(fromMultibase.ExportSeedAndPublicKey()));
    }

    [Fact]
    public void Import_64ByteFormWithForeignPublicHalf_ReportsPublicKeyMismatch()
    {
        byte[] blob = new byte[64];
        Convert.FromHexString(W3cSeedHex).CopyTo(blob, 0);
        Convert.FromHexString(ObPublicHex).CopyTo(blob, 32);

        var ex = Assert.Throws<KeyFormatException>(() => Ed25519KeyPair.Import(blob));
        Assert.Equal(KeyFormatError.PublicKeyMismatch, ex.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0xEC, 0x01 }, KeyFormatError.WrongMulticodecPrefix)] // X25519 (0xec01)
    [InlineData(new byte[] { 0x12, 0x00 }, KeyFormatError.WrongMulticodecPrefix)] // P-256 (0x1200)
    [InlineData(new byte[] { 0x80, 0x26 }, KeyFormatError.WrongMulticodecPrefix)] // a secret key where a public key belongs
    public void DecodePublicKey_WrongMulticodec_IsRefused(byte[] header, KeyFormatError expected)
    {
        byte[] bytes = [.. header, .. new byte[32]];
        string multibase = "z" + SimpleBase.Base58.Bitcoin.Encode(bytes);

        var ex = Assert.Throws<KeyFormatException>(() => Multikey.DecodeEd25519PublicKey(multibase));
        Assert.Equal(expected, ex.Error);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    public void DecodePublicKey_WrongLength_IsRefused(int length)
    {
        byte[] bytes = [0xED, 0x01, .. new byte[length]];
        var ex = Assert.Throws<KeyFormatException>(() => Multikey.DecodeEd25519PublicKey("z" + SimpleBase.Base58.Bitcoin.Encode(bytes)));
        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
    }

    [Theory]
    [InlineData("", KeyFormatError.InvalidEncoding)]
    [InlineData("u7QE", KeyFormatError.UnsupportedMultibase)]
    [InlineData("z0OIl", KeyFormatError.InvalidEncoding)] // not in the Bitcoin alphabet
    [InlineData("z6Mk\u00e9\uFFFD", KeyFormatError.InvalidEncoding)] // non-ASCII (SimpleBase threw IndexOutOfRangeException; found by fuzzing)
    public void DecodePublicKey_BadMultibase_IsRefused(string value, KeyFormatError expected)
    {
        var ex = Assert.Throws<KeyFormatException>(() => Multikey.DecodeEd25519PublicKey(value));
        Assert.Equal(expected, ex.Error);
    }

    [Fact]
    public void ImportSecretKeyMultibase_WrongPrefixOrLength_IsRefused()
    {
        string publicAsSecret = "z" + SimpleBase.Base58.Bitcoin.Encode([0xED, 0x01, .. new byte[32]]);
        string shortSecret = "z" + SimpleBase.Base58.Bitcoin.Encode([0x80, 0x26, .. new byte[48]]);

        Assert.Equal(KeyFormatError.WrongMulticodecPrefix, Assert.Throws<KeyFormatException>(() => Ed25519KeyPair.ImportSecretKeyMultibase(publicAsSecret)).Error);
        Assert.Equal(KeyFormatError.WrongLength, Assert.Throws<KeyFormatException>(() => Ed25519KeyPair.ImportSecretKeyMultibase(shortSecret)).Error);
    }

    [Fact]
    public void Generate_WithoutExportFlag_RefusesEveryPrivateExport()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();

        Assert.False(pair.CanExportPrivateKey);
        Assert.Throws<InvalidOperationException>(() => pair.ExportSeed());
        Assert.Throws<InvalidOperationException>(() => pair.ExportSecretKeyMultibase());
        Assert.Throws<InvalidOperationException>(() => pair.ExportPrivateJwk());
        Assert.Throws<InvalidOperationException>(() => pair.ExportPkcs8PrivateKeyPem());
        Assert.StartsWith("z6Mk", pair.Ed25519PublicKey.PublicKeyMultibase, StringComparison.Ordinal);
    }

    [Fact]
    public void PrivateJwk_RoundTrip_KeepsKeyAndShape()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Import(Convert.FromHexString(W3cSeedHex), allowExport: true);
        byte[] jwk = pair.ExportPrivateJwk();
        using JsonDocument doc = JsonDocument.Parse(jwk);

        Assert.Equal("OKP", doc.RootElement.GetProperty("kty").GetString());
        Assert.Equal("Ed25519", doc.RootElement.GetProperty("crv").GetString());
        using SigningKey again = Jwk.ImportPrivateKey(jwk);
        Assert.True(again.PublicKey.HasSameKey(pair.PublicKey));

        string publicJwk = Encoding.UTF8.GetString(pair.PublicKey.ExportJwk());
        Assert.DoesNotContain("\"d\"", publicJwk, StringComparison.Ordinal);
    }

    [Fact]
    public void Pem_RoundTrip_Pkcs8AndSpki()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate(allowExport: true);
        string privatePem = pair.ExportPkcs8PrivateKeyPem();
        string publicPem = pair.PublicKey.ExportSubjectPublicKeyInfoPem();

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", privatePem, StringComparison.Ordinal);
        using SigningKey fromPem = KeyPem.ImportPrivateKey(privatePem);
        using VerificationKey publicFromPem = KeyPem.ImportPublicKey(publicPem);
        Assert.IsType<Ed25519KeyPair>(fromPem);
        Assert.True(publicFromPem.HasSameKey(pair.PublicKey));
    }

    [Fact]
    public void SignVerify_SpanAndArrayOverloads_Agree()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();
        byte[] data = Encoding.UTF8.GetBytes("Open Badges ®");
        Span<byte> signature = stackalloc byte[64];

        int written = pair.Sign(data, signature);

        Assert.Equal(64, written);
        Assert.Equal(signature.ToArray(), pair.Sign(data)); // Ed25519 is deterministic
        Assert.True(pair.PublicKey.Verify(data, signature));
        signature[0] ^= 1;
        Assert.False(pair.PublicKey.Verify(data, signature));
        Assert.False(pair.PublicKey.Verify(data, signature[..63]));
    }

    [Fact]
    public void JwkThumbprint_MatchesRfc8037Example()
    {
        // RFC 8037 Appendix A.3: thumbprint of the A.2 public key.
        using VerificationKey key = Jwk.ImportPublicKey("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"""u8);

        Assert.Equal("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", key.ComputeJwkThumbprint());
    }

    [Fact]
    public void Rfc8032TestVector1_SignatureMatches()
    {
        // RFC 8032 §7.1 TEST 1 (empty message).
        using Ed25519KeyPair pair = Ed25519KeyPair.Import(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));

        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(pair.Ed25519PublicKey.RawKey));
        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(pair.Sign(ReadOnlySpan<byte>.Empty)));
        Assert.True(CryptographicOperations.FixedTimeEquals(pair.Ed25519PublicKey.RawKey, Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")));
    }
}
