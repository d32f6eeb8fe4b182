using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Identifiers;

public class DidKeyTests
{
    private const string SpecDid = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

    [Fact]
    public void CreateDocument_SpecExample_MatchesPublishedShape()
    {
        using JsonDocument expected = TestDataFiles.Json("vectors/did-key/did-key-ed25519-z6MkhaXg.did-document.example.json");
        using JsonDocument actual = JsonDocument.Parse(DidKey.CreateDocument(SpecDid));
        JsonElement e = expected.RootElement;
        JsonElement a = actual.RootElement;

        // Same id, verification method and signing relationships. Deliberate differences: the context
        // (did/v1 + multikey/v1 instead of the not-yet-final did/v1.1) and no derived X25519 keyAgreement key.
        a.GetProperty("id").GetString().Should().Be(e.GetProperty("id").GetString());
        JsonElement.DeepEquals(e.GetProperty("verificationMethod")[0], a.GetProperty("verificationMethod")[0]).Should().BeTrue();
        a.GetProperty("verificationMethod").GetArrayLength().Should().Be(1);
        foreach (string relationship in new[] { "authentication", "assertionMethod", "capabilityDelegation", "capabilityInvocation" })
        {
            JsonElement.DeepEquals(e.GetProperty(relationship), a.GetProperty(relationship)).Should().BeTrue(relationship);
        }

        a.GetProperty("@context").EnumerateArray().Select(c => c.GetString()!).Should().Equal(["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]);
        a.TryGetProperty("keyAgreement", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Resolver_VerificationMethodUrl_IsSelfCertifyingAssertionMethod()
    {
        VerificationMethodResolution result = await DidKeyResolver.Instance.ResolveVerificationMethodAsync(SpecDid + "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", TestContext.Current.CancellationToken);

        result.Succeeded.Should().BeTrue();
        ResolvedVerificationMethod vm = result.Method!;
        vm.Controller.Should().Be(SpecDid);
        vm.Type.Should().Be("Multikey");
        vm.Provenance.Should().Be(KeyProvenance.SelfCertifying);
        vm.IsControllerAuthenticated.Should().BeTrue();
        vm.IsAuthorizedFor(VerificationRelationships.AssertionMethod | VerificationRelationships.Authentication).Should().BeTrue();
        vm.IsAuthorizedFor(VerificationRelationships.KeyAgreement).Should().BeFalse();
    }

    [Fact]
    public async Task Resolver_BareDid_IsTheVerificationMethod()
    {
        // The 1EdTech fixture simple-did-key-method.json uses the DID without fragment.
        VerificationMethodResolution result = await DidKeyResolver.Instance.ResolveVerificationMethodAsync("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", TestContext.Current.CancellationToken);

        result.Succeeded.Should().BeTrue();
        result.Method!.Id.Should().Be("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi");
    }

    [Theory]
    [InlineData(SpecDid + "#other", ResolutionError.NotFound)]
    [InlineData("did:key:z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p", ResolutionError.UnsupportedVerificationMethod)]
    [InlineData("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do", ResolutionError.InvalidKey)]
    [InlineData("did:web:example.com#key-1", ResolutionError.MethodNotSupported)]
    public async Task Resolver_Failures_AreResultsNotExceptions(string url, ResolutionError expected)
    {
        VerificationMethodResolution result = await DidKeyResolver.Instance.ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);

        result.Succeeded.Should().BeFalse();
        result.Error.Should().Be(expected);
    }

    [Fact]
    public void Parse_RoundTripsWithCreate()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();
        string did = DidKey.Create(pair.Ed25519PublicKey);

        using Ed25519PublicKey parsed = DidKey.Parse(did);

        parsed.HasSameKey(pair.PublicKey).Should().BeTrue();
        DidKey.TryParse(DidKey.GetVerificationMethodId(pair.Ed25519PublicKey), out _).Should().BeTrue();
        DidKey.TryParse("did:key:", out _).Should().BeFalse();
        DidKey.TryParse("did:key:zQ3s", out _).Should().BeFalse();
    }
}
