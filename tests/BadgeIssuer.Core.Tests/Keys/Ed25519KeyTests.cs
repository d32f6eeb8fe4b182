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

        Convert.ToHexStringLower(pair.ExportSeed()).Should().Be(W3cSeedHex);
        Convert.ToHexStringLower(pair.Ed25519PublicKey.RawKey).Should().Be(W3cPublicHex);
        pair.Ed25519PublicKey.PublicKeyMultibase.Should().Be(publicMultibase);
        pair.ExportSecretKeyMultibase().Should().Be(secretMultibase);
        Multikey.DecodeEd25519PublicKey(publicMultibase).Should().Equal(Convert.FromHexString(W3cPublicHex));
    }

    [Fact]
    public void ObImplGuideKey_64ByteSecretKeyMultibase_YieldsPublishedDidKey()
    {
        using JsonDocument doc = TestDataFiles.Json("vectors/ob-v3p0-impl-guide-eddsa-rdfc-2022/key.json");
        JsonElement root = doc.RootElement;
        string secret = root.GetProperty("secretKeyMultibase").GetString()!;

        using Ed25519KeyPair fromMultibase = Ed25519KeyPair.ImportSecretKeyMultibase(secret, allowExport: true);
        using Ed25519KeyPair fromHex = Ed25519KeyPair.Import(Convert.FromHexString(root.GetProperty("privateKeyHex").GetString()!));

        Convert.ToHexStringLower(fromMultibase.Ed25519PublicKey.RawKey).Should().Be(ObPublicHex);
        fromMultibase.Ed25519PublicKey.PublicKeyMultibase.Should().Be(root.GetProperty("publicKeyMultibase").GetString());
        DidKey.Create(fromMultibase.Ed25519PublicKey).Should().Be(ObDidKey);
        DidKey.Create(fromHex.Ed25519PublicKey).Should().Be(ObDidKey);
        fromMultibase.ExportSecretKeyMultibase(includePublicKey: true).Should().Be(secret);
        Convert.ToHexStringLower(fromMultibase.ExportSeedAndPublicKey()).Should().Be(root.GetProperty("privateKeyHex").GetString());
    }

    [Fact]
    public void Import_64ByteFormWithForeignPublicHalf_ReportsPublicKeyMismatch()
    {
        byte[] blob = new byte[64];
        Convert.FromHexString(W3cSeedHex).CopyTo(blob, 0);
        Convert.FromHexString(ObPublicHex).CopyTo(blob, 32);

        var ex = FluentActions.Invoking(() => Ed25519KeyPair.Import(blob)).Should().ThrowExactly<KeyFormatException>().Which;
        ex.Error.Should().Be(KeyFormatError.PublicKeyMismatch);
    }

    [Theory]
    [InlineData(new byte[] { 0xEC, 0x01 }, KeyFormatError.WrongMulticodecPrefix)] // X25519 (0xec01)
    [InlineData(new byte[] { 0x12, 0x00 }, KeyFormatError.WrongMulticodecPrefix)] // P-256 (0x1200)
    [InlineData(new byte[] { 0x80, 0x26 }, KeyFormatError.WrongMulticodecPrefix)] // a secret key where a public key belongs
    public void DecodePublicKey_WrongMulticodec_IsRefused(byte[] header, KeyFormatError expected)
    {
        byte[] bytes = [.. header, .. new byte[32]];
        string multibase = "z" + SimpleBase.Base58.Bitcoin.Encode(bytes);

        var ex = FluentActions.Invoking(() => Multikey.DecodeEd25519PublicKey(multibase)).Should().ThrowExactly<KeyFormatException>().Which;
        ex.Error.Should().Be(expected);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    public void DecodePublicKey_WrongLength_IsRefused(int length)
    {
        byte[] bytes = [0xED, 0x01, .. new byte[length]];
        var ex = FluentActions.Invoking(() => Multikey.DecodeEd25519PublicKey("z" + SimpleBase.Base58.Bitcoin.Encode(bytes))).Should().ThrowExactly<KeyFormatException>().Which;
        ex.Error.Should().Be(KeyFormatError.WrongLength);
    }

    [Theory]
    [InlineData("", KeyFormatError.InvalidEncoding)]
    [InlineData("u7QE", KeyFormatError.UnsupportedMultibase)]
    [InlineData("z0OIl", KeyFormatError.InvalidEncoding)] // not in the Bitcoin alphabet
    [InlineData("z6Mk\u00e9\uFFFD", KeyFormatError.InvalidEncoding)] // non-ASCII (SimpleBase threw IndexOutOfRangeException; found by fuzzing)
    public void DecodePublicKey_BadMultibase_IsRefused(string value, KeyFormatError expected)
    {
        var ex = FluentActions.Invoking(() => Multikey.DecodeEd25519PublicKey(value)).Should().ThrowExactly<KeyFormatException>().Which;
        ex.Error.Should().Be(expected);
    }

    [Fact]
    public void ImportSecretKeyMultibase_WrongPrefixOrLength_IsRefused()
    {
        string publicAsSecret = "z" + SimpleBase.Base58.Bitcoin.Encode([0xED, 0x01, .. new byte[32]]);
        string shortSecret = "z" + SimpleBase.Base58.Bitcoin.Encode([0x80, 0x26, .. new byte[48]]);

        FluentActions.Invoking(() => Ed25519KeyPair.ImportSecretKeyMultibase(publicAsSecret)).Should().ThrowExactly<KeyFormatException>().Which.Error.Should().Be(KeyFormatError.WrongMulticodecPrefix);
        FluentActions.Invoking(() => Ed25519KeyPair.ImportSecretKeyMultibase(shortSecret)).Should().ThrowExactly<KeyFormatException>().Which.Error.Should().Be(KeyFormatError.WrongLength);
    }

    [Fact]
    public void Generate_WithoutExportFlag_RefusesEveryPrivateExport()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();

        pair.CanExportPrivateKey.Should().BeFalse();
        FluentActions.Invoking(() => pair.ExportSeed()).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => pair.ExportSecretKeyMultibase()).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => pair.ExportPrivateJwk()).Should().ThrowExactly<InvalidOperationException>();
        FluentActions.Invoking(() => pair.ExportPkcs8PrivateKeyPem()).Should().ThrowExactly<InvalidOperationException>();
        pair.Ed25519PublicKey.PublicKeyMultibase.Should().StartWith("z6Mk");
    }

    [Fact]
    public void PrivateJwk_RoundTrip_KeepsKeyAndShape()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Import(Convert.FromHexString(W3cSeedHex), allowExport: true);
        byte[] jwk = pair.ExportPrivateJwk();
        using JsonDocument doc = JsonDocument.Parse(jwk);

        doc.RootElement.GetProperty("kty").GetString().Should().Be("OKP");
        doc.RootElement.GetProperty("crv").GetString().Should().Be("Ed25519");
        using SigningKey again = Jwk.ImportPrivateKey(jwk);
        again.PublicKey.HasSameKey(pair.PublicKey).Should().BeTrue();

        string publicJwk = Encoding.UTF8.GetString(pair.PublicKey.ExportJwk());
        publicJwk.Should().NotContain("\"d\"");
    }

    [Fact]
    public void Pem_RoundTrip_Pkcs8AndSpki()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate(allowExport: true);
        string privatePem = pair.ExportPkcs8PrivateKeyPem();
        string publicPem = pair.PublicKey.ExportSubjectPublicKeyInfoPem();

        privatePem.Should().StartWith("-----BEGIN PRIVATE KEY-----");
        using SigningKey fromPem = KeyPem.ImportPrivateKey(privatePem);
        using VerificationKey publicFromPem = KeyPem.ImportPublicKey(publicPem);
        fromPem.Should().BeOfType<Ed25519KeyPair>();
        publicFromPem.HasSameKey(pair.PublicKey).Should().BeTrue();
    }

    [Fact]
    public void SignVerify_SpanAndArrayOverloads_Agree()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();
        byte[] data = Encoding.UTF8.GetBytes("Open Badges ®");
        Span<byte> signature = stackalloc byte[64];

        int written = pair.Sign(data, signature);

        written.Should().Be(64);
        pair.Sign(data).Should().Equal(signature.ToArray()); // Ed25519 is deterministic
        pair.PublicKey.Verify(data, signature).Should().BeTrue();
        signature[0] ^= 1;
        pair.PublicKey.Verify(data, signature).Should().BeFalse();
        pair.PublicKey.Verify(data, signature[..63]).Should().BeFalse();
    }

    [Fact]
    public void JwkThumbprint_MatchesRfc8037Example()
    {
        // RFC 8037 Appendix A.3: thumbprint of the A.2 public key.
        using VerificationKey key = Jwk.ImportPublicKey("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"""u8);

        key.ComputeJwkThumbprint().Should().Be("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }

    [Fact]
    public void Rfc8032TestVector1_SignatureMatches()
    {
        // RFC 8032 §7.1 TEST 1 (empty message).
        using Ed25519KeyPair pair = Ed25519KeyPair.Import(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));

        Convert.ToHexStringLower(pair.Ed25519PublicKey.RawKey).Should().Be("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        Convert.ToHexStringLower(pair.Sign(ReadOnlySpan<byte>.Empty)).Should().Be("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        CryptographicOperations.FixedTimeEquals(pair.Ed25519PublicKey.RawKey, Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")).Should().BeTrue();
    }
}
