using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// Credentials the HTTP service issues (awards in both formats, VC-API issue) verify with the JavaScript reference
/// stack, offline: the issuer's DID document and the status list credential are fetched from the in-memory service
/// and handed to the JS loader by DID / URL. The JS status-list library checks the list credential against the real
/// clock; the service's fixed clock (<see cref="BadgeIssuerApplication.Now"/>) dates the list in the real past.
/// </summary>
public sealed class ServiceInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AwardInBothFormats_VerifiesInJsThenRevokedAfterRevokeApi()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "learner@example.org" }, format = "both" });
        string credentialId = (string)award["credentialId"]!;
        string credential = award["credential"]!.ToJsonString();
        string jwt = (string)award["jwt"]!;
        string listUrl = (string)award["credential"]!["credentialStatus"]!["statusListCredential"]!;
        ((string)award["credential"]!["issuer"]!["id"]!).Should().Be(BadgeIssuerApplication.IssuerId);

        // As downloaded, byte for byte.
        JsonNode.Parse(await client.GetStringAsync(credentialId + ".json", Ct))!.ToJsonString().Should().Be(credential);
        (await client.GetStringAsync(credentialId + ".jwt", Ct)).Should().Be(jwt);

        byte[] didDocument = await client.GetByteArrayAsync("/issuers/default/did.json", Ct);
        IReadOnlyList<InteropResult> before = await NodeInterop.VerifyAsync(
            Job(app, didDocument, listUrl, await client.GetByteArrayAsync(listUrl, Ct)).AddDataIntegrity(credential).AddJwt(jwt), Ct);

        AssertVerifiedWithStatus(before[0], revoked: false);
        AssertVerifiedWithStatus(before[1], revoked: false);
        before[1].Json.Should().Contain("\"keySource\": \"kid " + BadgeIssuerApplication.IssuerId + "#");

        using HttpResponseMessage revoke = await client.PostAsync(credentialId + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.OK);

        IReadOnlyList<InteropResult> after = await NodeInterop.VerifyAsync(
            Job(app, didDocument, listUrl, await client.GetByteArrayAsync(listUrl, Ct)).AddDataIntegrity(credential).AddJwt(jwt), Ct);

        AssertVerifiedWithStatus(after[0], revoked: true);
        AssertVerifiedWithStatus(after[1], revoked: true);
    }

    [Fact]
    public async Task VcApiIssueDataIntegrity_VerifiesInJsWithStatus()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync("/credentials/issue", new
        {
            credential = IssuingApiTests.SampleCredential(),
            options = new { credentialStatus = new[] { new { type = "BitstringStatusListEntry", statusPurpose = "revocation" } } },
        }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        JsonNode vc = JsonNode.Parse(text)!["verifiableCredential"]!;
        string listUrl = (string)vc["credentialStatus"]!["statusListCredential"]!;

        InteropResult result = await NodeInterop.VerifyOneAsync(
            Job(app, await client.GetByteArrayAsync("/issuers/default/did.json", Ct), listUrl, await client.GetByteArrayAsync(listUrl, Ct))
                .AddDataIntegrity(vc.ToJsonString()),
            Ct);

        AssertVerifiedWithStatus(result, revoked: false);
    }

    [Fact]
    public async Task P256Issuer_AwardInBothFormatsAndVcApiIssue_VerifyInJsWithP256StatusList_ThenRevoked()
    {
        using var app = P256IssuerTests.P256App();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "learner@example.org" }, format = "both" });
        string credentialId = (string)award["credentialId"]!;
        string credential = award["credential"]!.ToJsonString();
        string jwt = (string)award["jwt"]!;
        ((string)award["credential"]!["proof"]![0]!["cryptosuite"]!).Should().Be("ecdsa-rdfc-2019");
        ((string)P256IssuerTests.JwtPart(jwt, 0)["alg"]!).Should().Be("ES256");
        string listUrl = (string)award["credential"]!["credentialStatus"]!["statusListCredential"]!;
        using HttpResponseMessage issued = await client.PostAsJsonAsync("/credentials/issue", new
        {
            credential = IssuingApiTests.SampleCredential(),
            options = new { credentialStatus = new[] { new { type = "BitstringStatusListEntry", statusPurpose = "revocation" } } },
        }, Ct);
        JsonNode vcApi = JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!["verifiableCredential"]!;
        ((string)vcApi["proof"]![0]!["cryptosuite"]!).Should().Be("ecdsa-rdfc-2019");

        byte[] didDocument = await client.GetByteArrayAsync("/issuers/default/did.json", Ct);
        byte[] list = await client.GetByteArrayAsync(listUrl, Ct);
        ((string)JsonNode.Parse(list)!["proof"]!["cryptosuite"]!).Should().Be("ecdsa-rdfc-2019");
        IReadOnlyList<InteropResult> before = await NodeInterop.VerifyAsync(
            Job(app, didDocument, listUrl, list).AddDataIntegrity(credential).AddJwt(jwt).AddDataIntegrity(vcApi.ToJsonString()), Ct);

        AssertVerifiedWithStatus(before[0], revoked: false);
        AssertVerifiedWithStatus(before[1], revoked: false);
        AssertVerifiedWithStatus(before[2], revoked: false);
        before[1].Json.Should().Contain("\"keySource\": \"kid " + BadgeIssuerApplication.IssuerId + "#zDn");

        using HttpResponseMessage revoke = await client.PostAsync(credentialId + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.OK);

        IReadOnlyList<InteropResult> after = await NodeInterop.VerifyAsync(
            Job(app, didDocument, listUrl, await client.GetByteArrayAsync(listUrl, Ct)).AddDataIntegrity(credential).AddJwt(jwt), Ct);

        AssertVerifiedWithStatus(after[0], revoked: true);
        AssertVerifiedWithStatus(after[1], revoked: true);
    }

    private static InteropJob Job(BadgeIssuerApplication app, byte[] didDocument, string listUrl, byte[] list) =>
        new InteropJob { Now = app.Clock.Now }
            .AddDocument(BadgeIssuerApplication.IssuerId, didDocument)
            .AddDocument(listUrl, list);

    private static void AssertVerifiedWithStatus(InteropResult result, bool revoked)
    {
        result.Verified.Should().BeTrue($"JS did not verify item {result.Index} ({result.Kind}):\n{result.Json}");
        result.Errors.Should().BeEmpty();
        result.StatusChecked.Should().BeTrue(result.Json);
        result.Revoked.Should().Be(revoked);
    }
}
