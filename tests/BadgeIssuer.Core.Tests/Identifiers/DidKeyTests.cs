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
        using JsonDocument expected = TestFiles.Json("vectors/did-key/did-key-ed25519-z6MkhaXg.did-document.example.json");
        using JsonDocument actual = JsonDocument.Parse(DidKey.CreateDocument(SpecDid));
        JsonElement e = expected.RootElement;
        JsonElement a = actual.RootElement;

        // Same id, verification method and signing relationships. Deliberate differences: the context
        // (did/v1 + multikey/v1 instead of the not-yet-final did/v1.1) and no derived X25519 keyAgreement key.
        Assert.Equal(e.GetProperty("id").GetString(), a.GetProperty("id").GetString());
        Assert.True(JsonElement.DeepEquals(e.GetProperty("verificationMethod")[0], a.GetProperty("verificationMethod")[0]));
        Assert.Equal(1, a.GetProperty("verificationMethod").GetArrayLength());
        foreach (string relationship in new[] { "authentication", "assertionMethod", "capabilityDelegation", "capabilityInvocation" })
        {
            Assert.True(JsonElement.DeepEquals(e.GetProperty(relationship), a.GetProperty(relationship)), relationship);
        }

        Assert.Equal(["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], a.GetProperty("@context").EnumerateArray().Select(c => c.GetString()!));
        Assert.False(a.TryGetProperty("keyAgreement", out _));
    }

    [Fact]
    public async Task Resolver_VerificationMethodUrl_IsSelfCertifyingAssertionMethod()
    {
        VerificationMethodResolution result = await DidKeyResolver.Instance.ResolveVerificationMethodAsync(SpecDid + "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        ResolvedVerificationMethod vm = result.Method!;
        Assert.Equal(SpecDid, vm.Controller);
        Assert.Equal("Multikey", vm.Type);
        Assert.Equal(KeyProvenance.SelfCertifying, vm.Provenance);
        Assert.True(vm.IsControllerAuthenticated);
        Assert.True(vm.IsAuthorizedFor(VerificationRelationships.AssertionMethod | VerificationRelationships.Authentication));
        Assert.False(vm.IsAuthorizedFor(VerificationRelationships.KeyAgreement));
    }

    [Fact]
    public async Task Resolver_BareDid_IsTheVerificationMethod()
    {
        // The 1EdTech fixture simple-did-key-method.json uses the DID without fragment.
        VerificationMethodResolution result = await DidKeyResolver.Instance.ResolveVerificationMethodAsync("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", result.Method!.Id);
    }

    [Theory]
    [InlineData(SpecDid + "#other", ResolutionError.NotFound)]
    [InlineData("did:key:z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p", ResolutionError.UnsupportedVerificationMethod)]
    [InlineData("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do", ResolutionError.InvalidKey)]
    [InlineData("did:web:example.com#key-1", ResolutionError.MethodNotSupported)]
    public async Task Resolver_Failures_AreResultsNotExceptions(string url, ResolutionError expected)
    {
        VerificationMethodResolution result = await DidKeyResolver.Instance.ResolveVerificationMethodAsync(url, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void Parse_RoundTripsWithCreate()
    {
        using Ed25519KeyPair pair = Ed25519KeyPair.Generate();
        string did = DidKey.Create(pair.Ed25519PublicKey);

        using Ed25519PublicKey parsed = DidKey.Parse(did);

        Assert.True(parsed.HasSameKey(pair.PublicKey));
        Assert.True(DidKey.TryParse(DidKey.GetVerificationMethodId(pair.Ed25519PublicKey), out _));
        Assert.False(DidKey.TryParse("did:key:", out _));
        Assert.False(DidKey.TryParse("did:key:zQ3s", out _));
    }
}
