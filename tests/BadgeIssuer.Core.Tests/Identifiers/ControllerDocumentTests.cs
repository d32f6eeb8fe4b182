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
        Assert.Equal("did:web:issuer.example:issuers:1", registry.Register(document));
        CompositeVerificationMethodResolver resolver = CompositeVerificationMethodResolver.CreateDefault(registry);

        foreach ((string fragment, VerificationKey key) in new (string, VerificationKey)[] { ("key-2024", oldKey.PublicKey), ("key-2025", newKey.PublicKey), ("rsa-1", rsa.PublicKey) })
        {
            VerificationMethodResolution result = await resolver.ResolveVerificationMethodAsync("did:web:issuer.example:issuers:1#" + fragment, TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, fragment);
            Assert.True(result.Method!.PublicKey.HasSameKey(key));
            Assert.Equal(KeyProvenance.LocallyRegistered, result.Method.Provenance);
            Assert.True(result.Method.IsAuthorizedFor(VerificationRelationships.AssertionMethod));
        }

        using JsonDocument doc = JsonDocument.Parse(document);
        Assert.Equal(3, doc.RootElement.GetProperty("assertionMethod").GetArrayLength());
        Assert.Equal(["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/jwk/v1"], doc.RootElement.GetProperty("@context").EnumerateArray().Select(c => c.GetString()!));
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

        Assert.True(result.Succeeded);
        Assert.Equal("https://example.edu/issuers/565049", result.Method!.Controller);
        Assert.True(result.Method.IsAuthorizedFor(VerificationRelationships.AssertionMethod));
        Assert.True(doc.Succeeded);
    }

    [Fact]
    public async Task Registry_StandaloneMultikeyDocument_Resolves()
    {
        const string json = """{"id":"https://example.com/issuers/876543#key-1","type":"Multikey","controller":"https://example.com/issuers/876543","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}""";
        var registry = new LocalControllerRegistry();

        string id = registry.RegisterVerificationMethod(Encoding.UTF8.GetBytes(json));
        VerificationMethodResolution result = await registry.ResolveVerificationMethodAsync(id, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.True(registry.Unregister(id));
        Assert.Equal(ResolutionError.NotFound, (await registry.ResolveVerificationMethodAsync(id, TestContext.Current.CancellationToken)).Error);
    }

    [Theory]
    [InlineData("""{"id":"https://a.example/i","verificationMethod":[{"id":"https://b.example/i#k","type":"Multikey","controller":"https://a.example/i","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]}""")]
    [InlineData("""{"id":"https://a.example/i","verificationMethod":[{"id":"#k","type":"Multikey","controller":"https://b.example/i","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]}""")]
    [InlineData("""{"id":"https://a.example/i","assertionMethod":["#missing"]}""")]
    [InlineData("""{"id":"https://a.example/i","verificationMethod":[{"id":"#k","type":"Multikey","controller":"https://a.example/i","publicKeyMultibase":"z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hw"}]}""")]
    [InlineData("""{"verificationMethod":[]}""")]
    public void Registry_InconsistentDocument_IsRefused(string json)
    {
        Assert.Throws<ArgumentException>(() => new LocalControllerRegistry().Register(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public async Task Registry_UnsupportedMethodType_ReportsUnsupported()
    {
        const string json = """{"id":"did:web:a.example","verificationMethod":[{"id":"did:web:a.example#x","type":"X25519KeyAgreementKey2020","controller":"did:web:a.example","publicKeyMultibase":"z6LS"}],"keyAgreement":["#x"]}""";
        var registry = new LocalControllerRegistry();
        registry.Register(Encoding.UTF8.GetBytes(json));

        VerificationMethodResolution result = await registry.ResolveVerificationMethodAsync("did:web:a.example#x", TestContext.Current.CancellationToken);

        Assert.Equal(ResolutionError.UnsupportedVerificationMethod, result.Error);
    }

    [Fact]
    public async Task Composite_HttpsFragmentKey_OnlyWhenOptedIn_AndMarkedUnauthenticated()
    {
        const string url = "https://example.com/issuers/876543#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
        CompositeVerificationMethodResolver strict = CompositeVerificationMethodResolver.CreateDefault(new LocalControllerRegistry());
        CompositeVerificationMethodResolver lenient = CompositeVerificationMethodResolver.CreateDefault(new LocalControllerRegistry(), allowUnverifiedFragmentKeys: true);

        VerificationMethodResolution refused = await strict.ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);
        VerificationMethodResolution derived = await lenient.ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(ResolutionError.NotFound, refused.Error);
        Assert.True(derived.Succeeded);
        Assert.Equal(KeyProvenance.FragmentDerived, derived.Method!.Provenance);
        Assert.False(derived.Method.IsControllerAuthenticated);
    }

    [Theory]
    [InlineData("did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w")]
    [InlineData("urn:uuid:2b4a3f5c-0000-0000-0000-000000000000")]
    [InlineData("not a url")]
    public async Task Composite_UnknownMethod_IsAResult(string url)
    {
        VerificationMethodResolution result = await CompositeVerificationMethodResolver.CreateDefault().ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(ResolutionError.MethodNotSupported, result.Error);
    }

    [Fact]
    public void Builder_InvalidIdsAndDuplicateFragments_AreRefused()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        Assert.Throws<ArgumentException>(() => new DidWebDocumentBuilder("http://example.com/issuers/1"));
        Assert.Throws<ArgumentException>(() => new DidWebDocumentBuilder("did:web:example.com#frag"));
        var builder = new DidWebDocumentBuilder("https://example.com/issuers/1").AddMultikey(key.Ed25519PublicKey);
        Assert.Throws<ArgumentException>(() => builder.AddMultikey(key.Ed25519PublicKey));
        Assert.Equal("https://example.com/issuers/1#" + key.Ed25519PublicKey.PublicKeyMultibase, builder.VerificationMethodIds[0]);
    }
}
