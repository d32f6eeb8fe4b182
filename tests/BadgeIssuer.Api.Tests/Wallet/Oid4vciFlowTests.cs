using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>
/// The pre-authorized code flow end to end, in memory: offer → metadata → token (with and without tx_code) → nonce →
/// credential bound to the wallet's DID, in both formats; the bound copy verifies, shares its original's status and is
/// audited; metadata documents say what the endpoints do.
/// </summary>
public sealed class Oid4vciFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PreAuthorizedFlow_DidKeyHolder_LdpVc_VerifiesAndBindsTheHolder()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (JsonNode award, JsonNode offer) = await flow.AwardWithOfferAsync();
        using WalletHolder holder = WalletHolder.DidKey();

        JsonNode credential = await flow.ReceiveAsync(offer, holder);

        ((string)credential["credentialSubject"]!["id"]!).Should().Be(holder.Did);
        ((string)credential["id"]!).Should().NotBe((string)award["credentialId"]!);
        credential["credentialSubject"]!["achievement"]!.ToJsonString().Should().Be(award["credential"]!["credentialSubject"]!["achievement"]!.ToJsonString());
        credential["credentialSubject"]!["identifier"]!.ToJsonString().Should().Be(award["credential"]!["credentialSubject"]!["identifier"]!.ToJsonString());
        credential["credentialStatus"]!.ToJsonString().Should().Be(award["credential"]!["credentialStatus"]!.ToJsonString(), "the copy shares its original's status entry");
        JsonNode report = await flow.VerifyAsync(credential);
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());

        IBadgeStorage storage = app.Services.GetRequiredService<IBadgeStorage>();
        CredentialRecord stored = (await storage.Credentials.GetAsync((string)credential["id"]!, Ct))!;
        stored.ReissueOf.Should().Be((string)award["credentialId"]!);
        CredentialOfferRecord offerRecord = (await storage.Offers.GetAsync((string)offer["offerId"]!, Ct))!;
        (offerRecord.State, offerRecord.DeliveredCredentialId).Should().Be((OfferStates.Delivered, stored.Id));
        IReadOnlyList<AuditRecord> audit = await storage.Audit.ListAsync(BadgeIssuerApplication.IssuerId, 50, null, Ct);
        string.Join(",", audit.Where(a => a.Target == offerRecord.OfferId).Select(a => a.Action).Reverse()).Should().Be("offer.create,offer.redeem,offer.deliver");
    }

    [Fact]
    public async Task PreAuthorizedFlow_DidJwkP256Holder_TxCode_JwtVcJson_Verifies()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync(offer: new { txCode = new { length = 8, description = "Sent by SMS" } }, format: "jwt");
        using WalletHolder holder = WalletHolder.DidJwk();
        ((string)offer["txCode"]!["value"]!).Should().MatchRegex("^[0-9]{8}$");
        (_, JsonNode? document) = await flow.GetOfferAsync(offer);
        document!["grants"]!["urn:ietf:params:oauth:grant-type:pre-authorized_code"]!["tx_code"]!.ToJsonString()
            .Should().Be("""{"input_mode":"numeric","length":8,"description":"Sent by SMS"}""");

        JsonNode credential = await flow.ReceiveAsync(offer, holder, "OpenBadgeCredential_jwt_vc_json");

        string jwt = (string)credential!;
        JsonNode payload = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1]))!;
        ((string)payload["sub"]!).Should().Be(holder.Did);
        ((string)payload["credentialSubject"]!["id"]!).Should().Be(holder.Did);
        JsonNode report = await flow.VerifyAsync(credential);
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
    }

    [Fact]
    public async Task RevokeOriginal_BoundCopyReadsRevoked_AndRevokeViaCopyIsTheSameBit()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (JsonNode award, JsonNode offer) = await flow.AwardWithOfferAsync();
        using WalletHolder holder = WalletHolder.DidKey();
        JsonNode credential = await flow.ReceiveAsync(offer, holder);

        using HttpResponseMessage revoke = await client.PostAsync((string)credential["id"]! + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.OK, await revoke.Content.ReadAsStringAsync(Ct));

        JsonNode copyReport = await flow.VerifyAsync(credential);
        JsonNode originalReport = await flow.VerifyAsync(award["credential"]!);
        ((bool)copyReport["verified"]!).Should().BeFalse();
        ((bool)originalReport["verified"]!).Should().BeFalse("revoking the copy revokes the award: they share one status bit");
        using HttpResponseMessage list = await client.GetAsync("/credentials?status=revoked", Ct);
        JsonNode listed = JsonNode.Parse(await list.Content.ReadAsStringAsync(Ct))!;
        listed.ToJsonString().Should().Contain((string)award["credentialId"]!).And.Contain((string)credential["id"]!);
    }

    [Fact]
    public async Task AuthorizationDetails_GrantIdentifiers_CredentialRequestUsesThem()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync();
        using WalletHolder holder = WalletHolder.DidKey();
        string code = await flow.PreAuthorizedCodeAsync(offer);

        (HttpStatusCode status, JsonNode token) = await flow.TokenAsync(
            ("grant_type", "urn:ietf:params:oauth:grant-type:pre-authorized_code"), ("pre-authorized_code", code),
            ("authorization_details", """[{"type":"openid_credential","credential_configuration_id":"OpenBadgeCredential_jwt_vc_json"}]"""));
        status.Should().Be(HttpStatusCode.OK, token.ToJsonString());
        ((string)token["authorization_details"]![0]!["credential_identifiers"]![0]!).Should().Be("OpenBadgeCredential_jwt_vc_json");
        string proof = holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now);

        (HttpStatusCode byConfiguration, JsonNode? refused, HttpResponseMessage r1) = await flow.CredentialAsync((string)token["access_token"]!, WalletFlow.Request(proof, "OpenBadgeCredential_jwt_vc_json"));
        (HttpStatusCode byIdentifier, JsonNode? issued, HttpResponseMessage r2) = await flow.CredentialAsync((string)token["access_token"]!, new Dictionary<string, object>
        {
            ["credential_identifier"] = "OpenBadgeCredential_jwt_vc_json",
            ["proofs"] = new Dictionary<string, object> { ["jwt"] = new[] { holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now) } },
        });
        r1.Dispose();
        r2.Dispose();

        (byConfiguration, (string?)refused!["error"]).Should().Be((HttpStatusCode.BadRequest, "invalid_credential_request"));
        byIdentifier.Should().Be(HttpStatusCode.OK, issued?.ToJsonString());
        issued!["credentials"]![0]!["credential"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.String);
    }

    [Fact]
    public async Task BatchAward_ItemsAskingForAnOffer_GetOne_OthersDoNot()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);

        using HttpResponseMessage response = await client.PostAsJsonAsync("/awards/batch", new
        {
            awards = new object[]
            {
                new { achievementId, recipient = new { email = "a@example.org" }, delivery = new { offer = true } },
                new { achievementId, recipient = new { email = "b@example.org" } },
                new { achievementId, recipient = new { email = "c@example.org" }, delivery = new { offer = false } },
                new { achievementId, recipient = new { email = "d@example.org" }, delivery = new { offer = "yes" } },
            },
        }, Ct);
        JsonNode batch = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        JsonArray results = batch["results"]!.AsArray();
        ((string)results[0]!["award"]!["offer"]!["state"]!).Should().Be("offered");
        results[1]!["award"]!["offer"].Should().BeNull();
        results[2]!["award"]!["offer"].Should().BeNull();
        ((int)results[3]!["status"]!).Should().Be(400);
        ((string)results[3]!["problem"]!["errors"]![0]!["path"]!).Should().Be("/awards/3/delivery/offer");
    }

    [Fact]
    public async Task Metadata_IssuerAndAuthorizationServer_DescribeTheEndpoints()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        JsonNode issuer = (await client.GetFromJsonAsync<JsonNode>("/.well-known/openid-credential-issuer/issuers/default", Ct))!;
        JsonNode appended = (await client.GetFromJsonAsync<JsonNode>("/issuers/default/.well-known/openid-credential-issuer", Ct))!;
        JsonNode server = (await client.GetFromJsonAsync<JsonNode>("/.well-known/oauth-authorization-server/issuers/default", Ct))!;
        using HttpResponseMessage missing = await client.GetAsync("/.well-known/openid-credential-issuer/issuers/nobody", Ct);
        using HttpResponseMessage wrongPath = await client.GetAsync("/.well-known/openid-credential-issuer/elsewhere/default", Ct);

        ((string)issuer["credential_issuer"]!).Should().Be(WalletFlow.CredentialIssuer);
        ((string)issuer["credential_endpoint"]!).Should().Be(WalletFlow.CredentialIssuer + "/oid4vci/credential");
        ((string)issuer["nonce_endpoint"]!).Should().Be(WalletFlow.CredentialIssuer + "/oid4vci/nonce");
        ((string)issuer["display"]![0]!["name"]!).Should().Be("BadgeIssuer Development Issuer");
        JsonNode ldp = issuer["credential_configurations_supported"]!["OpenBadgeCredential_ldp_vc"]!;
        ((string)ldp["format"]!).Should().Be("ldp_vc");
        ldp["credential_signing_alg_values_supported"]!.ToJsonString().Should().Be("""["eddsa-rdfc-2022"]""");
        ldp["proof_types_supported"]!["jwt"]!["proof_signing_alg_values_supported"]!.ToJsonString().Should().Be("""["EdDSA","ES256"]""");
        ldp["credential_definition"]!["type"]!.ToJsonString().Should().Be("""["VerifiableCredential","OpenBadgeCredential"]""");
        ((string)issuer["credential_configurations_supported"]!["OpenBadgeCredential_jwt_vc_json"]!["format"]!).Should().Be("jwt_vc_json");
        appended.ToJsonString().Should().Be(issuer.ToJsonString());
        ((string)server["issuer"]!).Should().Be(WalletFlow.CredentialIssuer);
        ((string)server["token_endpoint"]!).Should().Be(WalletFlow.CredentialIssuer + "/oid4vci/token");
        server["grant_types_supported"]!.ToJsonString().Should().Be("""["urn:ietf:params:oauth:grant-type:pre-authorized_code"]""");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        wrongPath.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OfferDocumentAndQrCodes_ServedUntilRedeemed()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync();
        string uri = (string)offer["openid4vci"]!["credentialOfferUri"]!;
        string url = (string)offer["openid4vci"]!["credentialOfferUrl"]!;

        uri.Should().Be("openid-credential-offer://?credential_offer_uri=" + Uri.EscapeDataString(url));
        using HttpResponseMessage png = await flow.Wallet.GetAsync(WalletFlow.Path((string)offer["openid4vci"]!["qr"]!["png"]!), Ct);
        using HttpResponseMessage svg = await flow.Wallet.GetAsync(WalletFlow.Path((string)offer["openid4vci"]!["qr"]!["svg"]!), Ct);
        byte[] pngBytes = await png.Content.ReadAsByteArrayAsync(Ct);
        string svgText = await svg.Content.ReadAsStringAsync(Ct);
        (png.StatusCode, png.Content.Headers.ContentType!.MediaType).Should().Be((HttpStatusCode.OK, "image/png"));
        pngBytes.Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        (svg.StatusCode, svg.Content.Headers.ContentType!.MediaType).Should().Be((HttpStatusCode.OK, "image/svg+xml"));
        svgText.Should().Contain("<svg").And.NotContain("<script");
        png.Headers.CacheControl!.NoStore.Should().BeTrue();

        (HttpStatusCode first, JsonNode? document) = await flow.GetOfferAsync(offer);
        (HttpStatusCode again, _) = await flow.GetOfferAsync(offer);
        (first, again).Should().Be((HttpStatusCode.OK, HttpStatusCode.OK), "a wallet may fetch the offer more than once");
        ((string)document!["credential_issuer"]!).Should().Be(WalletFlow.CredentialIssuer);
        document["credential_configuration_ids"]!.ToJsonString().Should().Be("""["OpenBadgeCredential_ldp_vc","OpenBadgeCredential_jwt_vc_json"]""");
        await flow.AccessTokenAsync(offer);
        (HttpStatusCode after, JsonNode? gone) = await flow.GetOfferAsync(offer);
        (after, (string?)gone!["code"]).Should().Be((HttpStatusCode.Gone, "offer-gone"));
    }

    [Fact]
    public async Task CreateOfferLater_ForVcApiCredential_AndListWithoutSecrets()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonObject submitted = IssuingApiTests.SampleCredential();
        JsonObject subject = submitted["credentialSubject"]!.AsObject();
        subject.Remove("id");
        subject["identifier"] = new JsonArray(new JsonObject
        {
            ["type"] = "IdentityObject", ["identityHash"] = "learner@example.org", ["identityType"] = "emailAddress", ["hashed"] = false,
        });
        using HttpResponseMessage issued = await client.PostAsJsonAsync("/credentials/issue", new { credential = submitted, options = new { credentialStatus = "revocation" } }, Ct);
        string id = (string)JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!["verifiableCredential"]!["id"]!;
        var flow = new WalletFlow(app, client);

        using HttpResponseMessage created = await client.PostAsync(WalletFlow.Path(id) + "/offers", null, Ct);
        JsonNode offer = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!;
        created.StatusCode.Should().Be(HttpStatusCode.Created, offer.ToJsonString());
        ((bool)offer["txCode"]!["required"]!).Should().BeFalse();
        using WalletHolder holder = WalletHolder.DidKey();
        JsonNode credential = await flow.ReceiveAsync(offer, holder);
        ((bool)(await flow.VerifyAsync(credential))["verified"]!).Should().BeTrue();

        JsonNode list = (await client.GetFromJsonAsync<JsonNode>(WalletFlow.Path(id) + "/offers", Ct))!;
        JsonNode listed = list["offers"]!.AsArray().Should().ContainSingle().Which!;
        ((string)listed["state"]!).Should().Be("delivered");
        ((string)listed["deliveredCredentialId"]!).Should().Be((string)credential["id"]!);
        listed.ToJsonString().Should().NotContain("bio_").And.NotContain("credentialOfferUri");
    }
}
