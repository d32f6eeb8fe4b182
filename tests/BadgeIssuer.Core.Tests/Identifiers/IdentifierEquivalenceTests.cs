using BadgeIssuer.Core.Identifiers;

namespace BadgeIssuer.Core.Tests.Identifiers;

public class IdentifierEquivalenceTests
{
    [Theory]
    [InlineData("did:web:localhost%3A5181:issuers:default", "//localhost:5181/issuers/default")]
    [InlineData("did:web:localhost%3a5181:issuers:default", "//localhost:5181/issuers/default")]
    [InlineData("did:web:LOCALHOST%3a5181:Issuers:default", "//localhost:5181/Issuers/default")]
    [InlineData("did:web:example.com%3A443:issuers:%64efault", "//example.com/issuers/default")]
    [InlineData("did:web:example.com:issuers:a%2fb", null)]
    [InlineData("did:web:example.com", "//example.com")]
    [InlineData("http://localhost:5181/issuers/default", "//localhost:5181/issuers/default")]
    [InlineData("HTTPS://Example.COM:443/issuers/1/", "//example.com/issuers/1")]
    [InlineData("https://example.com/issuers/1/did.json", "//example.com/issuers/1")]
    [InlineData("https://example.com/.well-known/did.json", "//example.com")]
    [InlineData("https://example.com/a/../issuers/1", "//example.com/issuers/1")]
    [InlineData("https://example.com/issuers/%7e1%c3%a9", "//example.com/issuers/~1%C3%A9")]
    [InlineData("http://[::1]:5181/issuers/x", "//[::1]:5181/issuers/x")]
    [InlineData("https://user@example.com/issuers/1", "//example.com/issuers/1")]
    [InlineData("did:web:127.0.0.1%3A5191:issuers:default", "//127.0.0.1:5191/issuers/default")]
    [InlineData("https://example.com/issuers/1?x=1", null)]
    [InlineData("https://example.com/issuers/1?", "//example.com/issuers/1")]
    [InlineData("https://example.com./issuers/1", "//example.com/issuers/1")]
    [InlineData("did:web:example.com.:issuers:1", "//example.com/issuers/1")]
    [InlineData("https://\uFF45xample.com/issuers/1", "//example.com/issuers/1")]
    [InlineData("https://example.com/issuers/\uFF21", "//example.com/issuers/%EF%BC%A1")]
    [InlineData("https://example.com/issuers/1#key", null)]
    [InlineData("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", null)]
    [InlineData("urn:uuid:1b9d7c6e-3f0a-4d2b-8c55-2a1e0f9b7d31", null)]
    [InlineData("ftp://example.com/issuers/1", null)]
    public void TryGetLocation_NormalizesEverySpellingOfALocation(string identifier, string? expected)
    {
        IdentifierEquivalence.TryGetLocation(identifier, out string? location).Should().Be(expected is not null);
        location.Should().Be(expected);
    }

    [Theory]
    [InlineData("did:web:localhost%3a5181:issuers:default", "did:web:localhost%3A5181:issuers:default")]
    [InlineData("did:web:Example.COM%3A443:issuers:%64efault", "did:web:example.com:issuers:default")]
    [InlineData("did:web:example.com", "did:web:example.com")]
    [InlineData("https://example.com", null)]
    [InlineData("did:web:", null)]
    public void CanonicalDidWeb_IsTheSpellingThisServiceMints(string did, string? expected)
        => IdentifierEquivalence.CanonicalDidWeb(did).Should().Be(expected);

    [Theory]
    [InlineData("https://example.com/issuers/1", "did:web:example.com:issuers:1", true)]
    [InlineData("https://example.com/issuers/1", "http://EXAMPLE.com:80/issuers/1/", true)]
    [InlineData("https://example.com/issuers/1", "https://example.com/issuers/2", false)]
    [InlineData("https://example.com/issuers/1", "https://example.com:8443/issuers/1", false)]
    [InlineData("https://example.com/issuers/1", "https://example.com/Issuers/1", false)]
    [InlineData("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", true)]
    [InlineData("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "did:key:Z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", false)]
    public void AreEquivalent_ComparesLocationsNotSpellings(string a, string b, bool expected)
        => IdentifierEquivalence.AreEquivalent(a, b).Should().Be(expected);
}
