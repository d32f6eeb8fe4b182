using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Identifiers;

public class ControllerDocumentTests
{
    [Fact]
    public async Task Builder_RotatedKeys_AllResolveFromRegistry()
    {
        using Ed25519KeyPair oldKey = Ed25519KeyPair.Generate();
        using Ed25519KeyPair newKey = Ed25519KeyPair.Generate();
        using RsaKeyPair rsa = RsaKeyPair.Generate();
        var builder = new DidWebDocumentBuilder("did:web:issuer.example:issuers:1")
            .AddMultikey(oldKey.Ed25519PublicKey, "key-2024")
            .AddMultikey(newKey.Ed25519PublicKey, "key-2025")
            .AddJsonWebKey(rsa.PublicKey, "rsa-1");
        byte[] document = builder.Build(indented: true);

        var registry = new LocalControllerRegistry();
        registry.Register(document).Should().Be("did:web:issuer.example:issuers:1");
        CompositeVerificationMethodResolver resolver = CompositeVerificationMethodResolver.CreateDefault(registry);

        foreach ((string fragment, VerificationKey key) in new (string, VerificationKey)[] { ("key-2024", oldKey.PublicKey), ("key-2025", newKey.PublicKey), ("rsa-1", rsa.PublicKey) })
        {
            VerificationMethodResolution result = await resolver.ResolveVerificationMethodAsync("did:web:issuer.example:issuers:1#" + fragment, TestContext.Current.CancellationToken);
            result.Succeeded.Should().BeTrue(fragment);
            result.Method!.PublicKey.HasSameKey(key).Should().BeTrue();
            result.Method.Provenance.Should().Be(KeyProvenance.LocallyRegistered);
            result.Method.IsAuthorizedFor(VerificationRelationships.AssertionMethod).Should().BeTrue();
        }

        using JsonDocument doc = JsonDocument.Parse(document);
        doc.RootElement.GetProperty("assertionMethod").GetArrayLength().Should().Be(3);
        doc.RootElement.GetProperty("@context").EnumerateArray().Select(c => c.GetString()!).Should().Equal(["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/jwk/v1"]);
    }

    [Fact]
    public async Task Registry_HttpsIssuerProfile_Key4Shape_Resolves()
    {
        // KEY-4: the OB Profile at the issuer URL doubles as controller document; verificationMethod as an object.
        const string json = """
            {
              "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/multikey/v1"],
              "id": "https://example.edu/issuers/565049",
              "type": ["Profile"],
              "name": "Example University",
              "verificationMethod": {
                "id": "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
                "type": "Multikey",
                "controller": "https://example.edu/issuers/565049",
                "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
              },
              "assertionMethod": ["#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"]
            }
            """;
        var registry = new LocalControllerRegistry();
        registry.Register(Encoding.UTF8.GetBytes(json));

        VerificationMethodResolution result = await registry.ResolveVerificationMethodAsync("https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", TestContext.Current.CancellationToken);
        DidResolution doc = await registry.ResolveDidAsync("https://example.edu/issuers/565049", TestContext.Current.CancellationToken);

        result.Succeeded.Should().BeTrue();
        result.Method!.Controller.Should().Be("https://example.edu/issuers/565049");
        result.Method.IsAuthorizedFor(VerificationRelationships.AssertionMethod).Should().BeTrue();
        doc.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Registry_StandaloneMultikeyDocument_Resolves()
    {
        const string json = """{"id":"https://example.com/issuers/876543#key-1","type":"Multikey","controller":"https://example.com/issuers/876543","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}""";
        var registry = new LocalControllerRegistry();

        string id = registry.RegisterVerificationMethod(Encoding.UTF8.GetBytes(json));
        VerificationMethodResolution result = await registry.ResolveVerificationMethodAsync(id, TestContext.Current.CancellationToken);

        result.Succeeded.Should().BeTrue();
        registry.Unregister(id).Should().BeTrue();
        (await registry.ResolveVerificationMethodAsync(id, TestContext.Current.CancellationToken)).Error.Should().Be(ResolutionError.NotFound);
    }

    [Theory]
    [InlineData("""{"id":"https://a.example/i","verificationMethod":[{"id":"https://b.example/i#k","type":"Multikey","controller":"https://a.example/i","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]}""")]
    [InlineData("""{"id":"https://a.example/i","verificationMethod":[{"id":"#k","type":"Multikey","controller":"https://b.example/i","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]}""")]
    [InlineData("""{"id":"https://a.example/i","assertionMethod":["#missing"]}""")]
    [InlineData("""{"id":"https://a.example/i","verificationMethod":[{"id":"#k","type":"Multikey","controller":"https://a.example/i","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hw"}]}""")]
    [InlineData("""{"verificationMethod":[]}""")]
    public void Registry_InconsistentDocument_IsRefused(string json)
    {
        FluentActions.Invoking(() => new LocalControllerRegistry().Register(Encoding.UTF8.GetBytes(json))).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public async Task Registry_UnsupportedMethodType_ReportsUnsupported()
    {
        const string json = """{"id":"did:web:a.example","verificationMethod":[{"id":"did:web:a.example#x","type":"X25519KeyAgreementKey2020","controller":"did:web:a.example","publicKeyMultibase":"z6LS"}],"keyAgreement":["#x"]}""";
        var registry = new LocalControllerRegistry();
        registry.Register(Encoding.UTF8.GetBytes(json));

        VerificationMethodResolution result = await registry.ResolveVerificationMethodAsync("did:web:a.example#x", TestContext.Current.CancellationToken);

        result.Error.Should().Be(ResolutionError.UnsupportedVerificationMethod);
    }

    [Fact]
    public async Task Composite_HttpsFragmentKey_OnlyWhenOptedIn_AndMarkedUnauthenticated()
    {
        const string url = "https://example.com/issuers/876543#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
        CompositeVerificationMethodResolver strict = CompositeVerificationMethodResolver.CreateDefault(new LocalControllerRegistry());
        CompositeVerificationMethodResolver lenient = CompositeVerificationMethodResolver.CreateDefault(new LocalControllerRegistry(), allowUnverifiedFragmentKeys: true);

        VerificationMethodResolution refused = await strict.ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);
        VerificationMethodResolution derived = await lenient.ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);

        refused.Error.Should().Be(ResolutionError.NotFound);
        derived.Succeeded.Should().BeTrue();
        derived.Method!.Provenance.Should().Be(KeyProvenance.FragmentDerived);
        derived.Method.IsControllerAuthenticated.Should().BeFalse();
    }

    [Theory]
    [InlineData("did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w")]
    [InlineData("urn:uuid:2b4a3f5c-0000-0000-0000-000000000000")]
    [InlineData("not a url")]
    public async Task Composite_UnknownMethod_IsAResult(string url)
    {
        VerificationMethodResolution result = await CompositeVerificationMethodResolver.CreateDefault().ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);

        result.Error.Should().Be(ResolutionError.MethodNotSupported);
    }

    [Fact]
    public async Task Builder_P256Multikey_IsZDnAndResolves_RsaHasNoMultikeyForm()
    {
        using P256KeyPair p256 = P256KeyPair.Generate();
        using RsaKeyPair rsa = RsaKeyPair.Generate();
        string multibase = ((P256PublicKey)p256.PublicKey).PublicKeyMultibase;
        var builder = new DidWebDocumentBuilder("did:web:issuer.example:issuers:p").AddMultikey(p256.PublicKey);
        FluentActions.Invoking(() => builder.AddMultikey(rsa.PublicKey)).Should().ThrowExactly<ArgumentException>().WithMessage("*Rsa key has no Multikey form*");
        byte[] document = builder.Build();

        using JsonDocument doc = JsonDocument.Parse(document);
        JsonElement method = doc.RootElement.GetProperty("verificationMethod")[0];
        method.GetProperty("id").GetString().Should().Be("did:web:issuer.example:issuers:p#" + multibase);
        method.GetProperty("type").GetString().Should().Be("Multikey");
        method.GetProperty("publicKeyMultibase").GetString().Should().Be(multibase).And.StartWith("zDn");
        doc.RootElement.GetProperty("@context").EnumerateArray().Select(c => c.GetString()!).Should().Equal(["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]);
        var registry = new LocalControllerRegistry();
        registry.Register(document);
        VerificationMethodResolution result = await CompositeVerificationMethodResolver.CreateDefault(registry)
            .ResolveVerificationMethodAsync("did:web:issuer.example:issuers:p#" + multibase, TestContext.Current.CancellationToken);
        result.Method!.PublicKey.HasSameKey(p256.PublicKey).Should().BeTrue();
    }

    [Fact]
    public void Builder_InvalidIdsAndDuplicateFragments_AreRefused()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        FluentActions.Invoking(() => new DidWebDocumentBuilder("http://example.com/issuers/1")).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => new DidWebDocumentBuilder("did:web:example.com#frag")).Should().ThrowExactly<ArgumentException>();
        var builder = new DidWebDocumentBuilder("https://example.com/issuers/1").AddMultikey(key.Ed25519PublicKey);
        FluentActions.Invoking(() => builder.AddMultikey(key.Ed25519PublicKey)).Should().ThrowExactly<ArgumentException>();
        builder.VerificationMethodIds[0].Should().Be("https://example.com/issuers/1#" + key.Ed25519PublicKey.PublicKeyMultibase);
    }
}
