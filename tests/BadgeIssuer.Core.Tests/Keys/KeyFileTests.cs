using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Keys;

public class KeyFileTests
{
    public static TheoryData<string> ExampleKeyFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(TestDataFiles.PathOf("keys.example"), "*.key.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Serialize_Ed25519_ParsesBackWithIdAndController()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate(allowExport: true);
        string did = DidKey.Create(pair.Ed25519PublicKey);
        byte[] file = KeyFile.Serialize(pair, DidKey.GetVerificationMethodId(pair.Ed25519PublicKey), did);

        using KeyFile loaded = KeyFile.Parse(file);

        loaded.Controller.Should().Be(did);
        loaded.Key.KeyId.Should().Be(loaded.Id);
        loaded.Key.PublicKey.HasSameKey(pair.PublicKey).Should().BeTrue();
        loaded.Key.CanExportPrivateKey.Should().BeFalse();
        using JsonDocument doc = JsonDocument.Parse(file);
        doc.RootElement.GetProperty("publicKeyMultibase").GetString().Should().Be(pair.Ed25519PublicKey.PublicKeyMultibase);
    }

    [Theory]
    [InlineData(KeyType.Rsa)]
    [InlineData(KeyType.P256)]
    public void Serialize_RsaAndP256_RoundTrip(KeyType type)
    {
        using SigningKey key = type == KeyType.Rsa ? RsaKeyPair.Generate(allowExport: true) : P256KeyPair.Generate(allowExport: true);

        using KeyFile loaded = KeyFile.Parse(KeyFile.Serialize(key, "https://issuer.example/issuers/1#key-1", "https://issuer.example/issuers/1"));

        loaded.Key.KeyType.Should().Be(type);
        loaded.Key.PublicKey.HasSameKey(key.PublicKey).Should().BeTrue();
    }

    [Fact]
    public void Parse_SecretKeyMultibaseOnly_IsAccepted()
    {
        using JsonDocument w3c = TestDataFiles.Json("vectors/w3c-vc-di-eddsa/keyPair.json");
        string json = $$"""{"type":"Ed25519","secretKeyMultibase":"{{w3c.RootElement.GetProperty("privateKeyMultibase").GetString()}}","publicKeyMultibase":"{{w3c.RootElement.GetProperty("publicKeyMultibase").GetString()}}"}""";

        using KeyFile loaded = KeyFile.Parse(Encoding.UTF8.GetBytes(json));

        loaded.Key.KeyType.Should().Be(KeyType.Ed25519);
    }

    [Theory]
    [InlineData("""{"type":"Ed25519","privateKeyJwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},"privateKey":"x"}""", KeyFormatError.InvalidEncoding)]
    [InlineData("""{"type":"Ed25519","privateKeyJwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},"publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}""", KeyFormatError.PublicKeyMismatch)]
    [InlineData("""{"type":"RSA","privateKeyJwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}}""", KeyFormatError.UnsupportedKeyType)]
    [InlineData("""{"type":"Ed25519"}""", KeyFormatError.InvalidEncoding)]
    [InlineData("""{"type":"Ed25519","type":"RSA"}""", KeyFormatError.InvalidEncoding)]
    public void Parse_InvalidFile_ReportsReason(string json, KeyFormatError expected)
    {
        var ex = FluentActions.Invoking(() => KeyFile.Parse(Encoding.UTF8.GetBytes(json))).Should().ThrowExactly<KeyFormatException>().Which;

        ex.Error.Should().Be(expected);
        ex.Message.Should().NotContain("nWGxne");
    }

    [Fact]
    public void Save_CreatesOwnerOnlyFileAndRefusesOverwrite()
    {
        string path = Path.Combine(Path.GetTempPath(), "badgeissuer-test-" + Guid.NewGuid().ToString("N") + ".key.json");
        try
        {
            using Ed25519KeyPair pair = Ed25519KeyPair.Generate(allowExport: true);
            KeyFile.Save(path, pair);

            using KeyFile loaded = KeyFile.Load(path);
            loaded.Key.PublicKey.HasSameKey(pair.PublicKey).Should().BeTrue();
            FluentActions.Invoking(() => KeyFile.Save(path, pair)).Should().ThrowExactly<IOException>();
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(ExampleKeyFiles))]
    public async Task ExampleKeyFiles_LoadAndAreMarkedThrowaway(string fileName)
    {
        using KeyFile file = await KeyFile.LoadAsync(TestDataFiles.PathOf("keys.example/" + fileName), cancellationToken: TestContext.Current.CancellationToken);

        file.Comment.Should().Contain("THROWAWAY EXAMPLE");
        byte[] data = Encoding.UTF8.GetBytes("example");
        file.Key.PublicKey.Verify(data, file.Key.Sign(data)).Should().BeTrue();
    }

    [Fact]
    public void ExamplePem_IsImportableByNSec()
    {
        string pem = File.ReadAllText(TestDataFiles.PathOf("keys.example/ed25519.example.pem"));

        using SigningKey key = KeyPem.ImportPrivateKey(pem);
        using KeyFile file = KeyFile.Load(TestDataFiles.PathOf("keys.example/ed25519.example.key.json"));
        key.PublicKey.HasSameKey(file.Key.PublicKey).Should().BeTrue();
    }
}
