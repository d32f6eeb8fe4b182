using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Jwt;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>
/// Security review, "fragment trust": an attacker's key never verifies in the name of an issuer hosted here (its did:web
/// in any spelling, its profile URL, its DID document URL, on the public or a listening host) or of a known issuer in
/// another spelling, even when the request turns trustVerificationMethodFragment on.
/// </summary>
public sealed class HostedIssuerTrustTests : IDisposable
{
    private const string TrustOn = "/credentials/verify?trustVerificationMethodFragment=true";
    private const string HostedDid = "did:web:localhost%3A5181:issuers:default";

    // Signs with its own key whatever issuer it names (the issuer id of TestIssuer is not used).
    private readonly TestIssuer _attacker = TestIssuer.Create(signedAt: BadgeIssuerApplication.Now.AddDays(-1));

    public void Dispose() => _attacker.Dispose();

    public static TheoryData<string> HostedSpellings => new(
        HostedDid,
        "http://localhost:5181/issuers/default",
        "https://localhost:5181/issuers/default",
        "did:web:localhost%3a5181:issuers:default",
        "did:web:LOCALHOST%3A5181:issuers:default",
        "did:web:LocalHost%3a5181:Issuers:default",
        "HTTP://LocalHost:5181/issuers/default/",
        "http://localhost:5181/issuers/default/did.json",
        "http://127.0.0.1:5181/issuers/default",
        "did:web:localhost%3A5181:issuers:%64efault",
        "http://user@localhost:5181/issuers/default",
        "did:web:127.0.0.1%3A5181:issuers:default");

    [Theory]
    [MemberData(nameof(HostedSpellings))]
    public async Task DataIntegrity_HostedIssuerInAnySpelling_AttackerFragmentKeyFailsWithTrustOn(string spelling)
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", "http://localhost:5181"));
        (await DefaultIssuerIdAsync(app)).Should().Be(HostedDid);

        JsonNode report = await VerifyAsync(app, Encoding.UTF8.GetBytes(SignFragment(spelling)), "application/vc+ld+json");

        AssertIssuerKeyFailed(report, $"the signing key is not one of the keys of the issuer '{spelling}', whose key document is known here");
    }

    [Theory]
    [MemberData(nameof(HostedSpellings))]
    public async Task VcJwt_HostedIssuerInAnySpelling_AttackerHeaderJwkOrFragmentKidFailsWithTrustOn(string spelling)
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", "http://localhost:5181"));

        JsonNode jwk = await VerifyAsync(app, Encoding.ASCII.GetBytes(SignJwt(spelling, kid: null)), "application/vc+jwt");
        JsonNode kid = await VerifyAsync(app, Encoding.ASCII.GetBytes(SignJwt(spelling, kid: spelling + "#" + _attacker.Key.Ed25519PublicKey.PublicKeyMultibase)), "application/vc+jwt");

        AssertIssuerKeyFailed(jwk, $"the token's jwk is not a key of the issuer '{spelling}', whose keys are known here");
        AssertIssuerKeyFailed(kid, $"the signing key is not one of the keys of the issuer '{spelling}', whose key document is known here");
    }

    [Theory]
    [InlineData("http://localhost:5181/issuers/default")]
    [InlineData("http://127.0.0.1:5181/issuers/default")]
    [InlineData("did:web:localhost%3A5181:issuers:default")]
    [InlineData("https://Badges.Example/issuers/default")]
    public async Task ListeningHostAndPublicBaseUrl_BothNameTheHostedIssuer(string spelling)
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", "https://badges.example"), ("urls", "http://+:5181"));
        (await DefaultIssuerIdAsync(app)).Should().Be("did:web:badges.example:issuers:default");

        JsonNode report = await VerifyAsync(app, Encoding.UTF8.GetBytes(SignFragment(spelling)), "application/vc+ld+json");

        AssertIssuerKeyFailed(report, $"the signing key is not one of the keys of the issuer '{spelling}', whose key document is known here");
    }

    [Theory]
    [InlineData("did:web:old.example%3a8443:issuers:default")]
    [InlineData("did:web:OLD.example%3A8443:issuers:default")]
    public async Task IssuerCreatedUnderAnEarlierPublicBaseUrl_KeepsItsDidInAnySpelling(string spelling)
    {
        string directory = Directory.CreateTempSubdirectory("badgeissuer-test-").FullName;
        try
        {
            using (var before = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", "https://old.example:8443")) { DataDirectory = directory, KeepDataDirectory = true })
            {
                (await DefaultIssuerIdAsync(before)).Should().Be("did:web:old.example%3A8443:issuers:default");
            }

            using var after = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", "https://new.example")) { DataDirectory = directory, KeepDataDirectory = true };
            JsonNode report = await VerifyAsync(after, Encoding.UTF8.GetBytes(SignFragment(spelling)), "application/vc+ld+json");

            AssertIssuerKeyFailed(report, $"the signing key is not one of the keys of the issuer '{spelling}', whose key document is known here");
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may linger a moment; the OS temp directory is cleaned eventually.
            }
        }
    }

    [Fact]
    public async Task UnrelatedHttpsIssuer_FragmentTrustStillApplies()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", "http://localhost:5181"));
        await DefaultIssuerIdAsync(app);

        // Another host, another port, another path on this host: not names of a hosted issuer.
        foreach (string issuer in (string[])["https://university.example/issuers/default", "http://localhost:5182/issuers/default", "http://localhost:5181/issuers/nobody", "http://localhost:5181/other/default"])
        {
            JsonNode report = await VerifyAsync(app, Encoding.UTF8.GetBytes(SignFragment(issuer)), "application/vc+ld+json");
            ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
            Check(report, "issuer-key").Should().Be("warning");
        }
    }

    [Theory]
    [InlineData("https://EXAMPLE.com/issuers/876543")]
    [InlineData("https://example.com:443/issuers/876543/")]
    [InlineData("http://example.com/issuers/876543")]
    [InlineData("did:web:example.com:issuers:876543")]
    public async Task KnownIssuerInAnotherSpelling_AttackerKeyFailsWithTrustOn(string spelling)
    {
        string file = Path.Combine(Path.GetTempPath(), "known-issuers-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, """
            [{"id": "https://example.com/issuers/876543", "name": "Example Corp",
              "verificationMethod": "#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
              "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]
            """, Ct);
        try
        {
            using var app = new BadgeIssuerApplication(("Verify:KnownIssuersFile", file));

            JsonNode di = await VerifyAsync(app, Encoding.UTF8.GetBytes(SignFragment(spelling)), "application/vc+ld+json");
            JsonNode jwt = await VerifyAsync(app, Encoding.ASCII.GetBytes(SignJwt(spelling, kid: null)), "application/vc+jwt");

            AssertIssuerKeyFailed(di, $"the signing key is not one of the keys of the issuer '{spelling}', whose key document is known here");
            AssertIssuerKeyFailed(jwt, $"the token's jwk is not a key of the issuer '{spelling}', whose keys are known here");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> DefaultIssuerIdAsync(BadgeIssuerApplication app)
    {
        using HttpClient client = app.CreateClient();
        return (string)JsonNode.Parse(await client.GetStringAsync("/issuers/default/did.json", Ct))!["id"]!;
    }

    private static async Task<JsonNode> VerifyAsync(BadgeIssuerApplication app, byte[] body, string mediaType)
    {
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(TrustOn, Body(body, mediaType), Ct);
        return await ReportAsync(response);
    }

    private static void AssertIssuerKeyFailed(JsonNode report, string message)
    {
        ((bool)report["verified"]!).Should().BeFalse(report.ToJsonString());
        Check(report, "proof").Should().Be("passed");
        Check(report, "issuer-key").Should().Be("failed");
        Message(report, "issuer-key").Should().Be(message);
    }

    private static string Unsigned(string issuer) => TestDocuments.OpenBadge(
        issuer,
        issuerName: "Not who it says",
        achievementName: "Forged",
        id: "urn:uuid:5c3e1f0a-9b2d-4e7f-8a6c-1d2e3f4a5b6c",
        achievementId: "urn:uuid:6d4f2a1b-0c3e-4f8a-9b7d-2e3f4a5b6c7d");

    /// <summary>The credential signed by the attacker, its key named by a Multikey fragment of <paramref name="issuer"/>.</summary>
    private string SignFragment(string issuer)
        => Encoding.UTF8.GetString(_attacker.Sign(Unsigned(issuer), verificationMethod: issuer + "#" + _attacker.Key.Ed25519PublicKey.PublicKeyMultibase));

    /// <summary>A VC-JWT signed by the attacker: its key in the header (jwk), or named by <paramref name="kid"/>.</summary>
    private string SignJwt(string issuer, string? kid)
    {
        using JsonDocument document = JsonDocument.Parse(Unsigned(issuer));
        return new VcJwtSigner(_attacker.Key, new VcJwtSignerOptions { KeyId = kid, IncludeJwk = kid is null }).Sign(document.RootElement);
    }
}
