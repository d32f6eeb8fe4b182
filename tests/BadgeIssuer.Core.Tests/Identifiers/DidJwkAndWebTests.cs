using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Identifiers;

public class DidJwkAndWebTests
{
    [Theory]
    [InlineData(KeyType.Ed25519)]
    [InlineData(KeyType.Rsa)]
    [InlineData(KeyType.P256)]
    public async Task DidJwk_RoundTrip_ResolvesSameKeyAtFragmentZero(KeyType type)
    {
        using SigningKey key = type switch
        {
            KeyType.Ed25519 => Ed25519KeyPair.Generate(),
            KeyType.Rsa => RsaKeyPair.Generate(),
            _ => P256KeyPair.Generate(),
        };
        string did = DidJwk.Create(key.PublicKey);

        using VerificationKey parsed = DidJwk.Parse(did);
        VerificationMethodResolution resolution = await DidJwkResolver.Instance.ResolveVerificationMethodAsync(did + "#0", TestContext.Current.CancellationToken);
        using JsonDocument doc = JsonDocument.Parse(DidJwk.CreateDocument(did));

        did.Should().StartWith("did:jwk:eyJ");
        parsed.HasSameKey(key.PublicKey).Should().BeTrue();
        resolution.Succeeded.Should().BeTrue();
        resolution.Method!.Provenance.Should().Be(KeyProvenance.SelfCertifying);
        resolution.Method.PublicKey.HasSameKey(key.PublicKey).Should().BeTrue();
        doc.RootElement.GetProperty("verificationMethod")[0].GetProperty("id").GetString().Should().Be(did + "#0");
        doc.RootElement.GetProperty("verificationMethod")[0].GetProperty("type").GetString().Should().Be("JsonWebKey");
    }

    [Fact]
    public void DidJwk_PublishedExample_Parses()
    {
        // did:jwk method spec, P-256 example.
        const string did = "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9";

        DidJwk.TryParse(did, out VerificationKey? key).Should().BeTrue();
        key!.KeyType.Should().Be(KeyType.P256);
    }

    [Fact]
    public void DidJwk_PrivateJwk_IsRefused()
    {
        const string did = "did:jwk:" + "eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IjExcVlBWUt4Q3JmVlNfN1R5V1FIT2c3aGN2UGFwaU1scndJYWFQY0hVUm8iLCJkIjoibldHeG5lXzlXbUM2aEVyMGt1d3N4RVJKeFdsN01ta1pjRHVzQXh5dWYyQSJ9";

        DidJwk.TryParse(did, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json")]
    [InlineData("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json")]
    [InlineData("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json")]
    [InlineData("did:web:example.com%3A8443", "https://example.com:8443/.well-known/did.json")]
    [InlineData("did:web:example.com:issuers:1", "https://example.com/issuers/1/did.json")]
    public void DidWeb_MapsToDocumentUrlAndBack(string did, string url)
    {
        DidWeb.ToDocumentUrl(did).AbsoluteUri.Should().Be(url);
        DidWeb.FromUrl(new Uri(url)).Should().Be(did);
    }

    [Fact]
    public void DidWeb_FromBaseUrl_NamesThatPath()
    {
        DidWeb.FromUrl(new Uri("https://example.com/issuers/1")).Should().Be("did:web:example.com:issuers:1");
        DidWeb.FromUrl(new Uri("https://Example.COM/")).Should().Be("did:web:example.com");
    }

    [Theory]
    [InlineData("did:web:")]
    [InlineData("did:web:example.com::x")]
    [InlineData("did:web:example.com%3Aabc")]
    [InlineData("did:web:example.com%3A70000")]
    [InlineData("did:web:exa mple.com")]
    [InlineData("did:web:example.com:a%2Fb")]
    [InlineData("did:web:example.com:..")]
    [InlineData("did:web:user@example.com")]
    [InlineData("did:WEB:example.com")]
    [InlineData("did:web:example.com#key-1")]
    public void DidWeb_InvalidIdentifiers_AreRefused(string did)
    {
        DidWeb.TryToDocumentUrl(did, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("http://example.com/")]
    [InlineData("https://127.0.0.1/")]
    [InlineData("https://example.com/a?b=c")]
    public void DidWeb_FromUrl_RefusesNonHttpsOrNonDns(string url)
    {
        FluentActions.Invoking(() => DidWeb.FromUrl(new Uri(url))).Should().ThrowExactly<FormatException>();
    }
}
