using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>
/// Everything a wallet (or an attacker holding a link) can get wrong, each refused with the protocol's own error:
/// offers expired, reused, forged, withdrawn or locked; tx_code wrong or missing; nonces replayed or forged; proofs
/// for another audience, stale, signed by another key, with an unsupported alg, malformed; tokens missing, reused,
/// expired.
/// </summary>
public sealed class Oid4vciNegativeTests
{
    private const string Grant = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(BadgeIssuerApplication App, HttpClient Client, WalletFlow Flow, JsonNode Offer)> StartAsync(object? offer = null, params (string, string)[] settings)
    {
        var app = new BadgeIssuerApplication(settings);
        HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode created) = await flow.AwardWithOfferAsync(offer);
        return (app, client, flow, created);
    }

    private static void ShouldBeError((HttpStatusCode Status, JsonNode Body) answer, HttpStatusCode status, string error)
    {
        answer.Status.Should().Be(status, answer.Body.ToJsonString());
        ((string?)answer.Body["error"]).Should().Be(error, answer.Body.ToJsonString());
    }

    [Fact]
    public async Task ExpiredOffer_DocumentGone_CodeRefused()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync(settings: ("BadgeIssuer:Wallet:OfferLifetimeSeconds", "600"));
        using (app)
        using (client)
        {
            string code = await flow.PreAuthorizedCodeAsync(offer);
            app.Clock.Now = app.Clock.Now.AddSeconds(601);

            (HttpStatusCode status, JsonNode? document) = await flow.GetOfferAsync(offer);
            (status, (string?)document!["code"]).Should().Be((HttpStatusCode.Gone, "offer-gone"));
            ShouldBeError(await flow.TokenForCodeAsync(code), HttpStatusCode.BadRequest, "invalid_grant");
            JsonNode listed = (await client.GetFromJsonAsync<JsonNode>(WalletFlow.Path((string)offer["credentialId"]!) + "/offers", Ct))!;
            ((string)listed["offers"]![0]!["state"]!).Should().Be("expired");
        }
    }

    [Fact]
    public async Task ReusedPreAuthorizedCode_SecondTokenRequestIsInvalidGrant()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        {
            string code = await flow.PreAuthorizedCodeAsync(offer);
            (await flow.TokenForCodeAsync(code)).Status.Should().Be(HttpStatusCode.OK);

            ShouldBeError(await flow.TokenForCodeAsync(code), HttpStatusCode.BadRequest, "invalid_grant");
        }
    }

    [Fact]
    public async Task ForgedOrUnknownOffer_AndCode_AreRefused()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, _) = await StartAsync();
        using (app)
        using (client)
        {
            using HttpResponseMessage forged = await flow.Wallet.GetAsync("/issuers/default/oid4vci/offers/bio_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Ct);
            using HttpResponseMessage otherIssuer = await flow.Wallet.GetAsync("/issuers/nobody/oid4vci/offers/bio_x", Ct);

            forged.StatusCode.Should().Be(HttpStatusCode.NotFound);
            otherIssuer.StatusCode.Should().Be(HttpStatusCode.NotFound);
            ShouldBeError(await flow.TokenForCodeAsync("bip_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), HttpStatusCode.BadRequest, "invalid_grant");
            ShouldBeError(await flow.TokenForCodeAsync(new string('x', 5000)), HttpStatusCode.BadRequest, "invalid_request");
            ShouldBeError(await flow.TokenAsync(("grant_type", "authorization_code"), ("code", "x")), HttpStatusCode.BadRequest, "unsupported_grant_type");
            ShouldBeError(await flow.TokenAsync(("grant_type", Grant)), HttpStatusCode.BadRequest, "invalid_request");
        }
    }

    [Fact]
    public async Task WithdrawnOffer_DocumentGone_CodeAndIssuedTokenRefused_DeliveredOfferCannotBeWithdrawn()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        {
            string token = await flow.AccessTokenAsync(offer);
            string offerPath = WalletFlow.Path((string)offer["credentialId"]!) + "/offers/" + (string)offer["offerId"]!;

            using HttpResponseMessage withdrawn = await client.DeleteAsync(offerPath, Ct);
            JsonNode after = JsonNode.Parse(await withdrawn.Content.ReadAsStringAsync(Ct))!;
            (withdrawn.StatusCode, (string?)after["state"]).Should().Be((HttpStatusCode.OK, "withdrawn"));
            (HttpStatusCode status, JsonNode? body, HttpResponseMessage response) = await flow.CredentialAsync(token,
                WalletFlow.Request(holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now)));
            using (response)
            {
                (status, (string?)body!["error"]).Should().Be((HttpStatusCode.Unauthorized, "invalid_token"));
                response.Headers.WwwAuthenticate.ToString().Should().Contain("error=\"invalid_token\"");
            }

            (HttpStatusCode second, JsonNode? _) = await flow.GetOfferAsync(offer);
            second.Should().Be(HttpStatusCode.Gone);

            (_, JsonNode fresh) = await flow.AwardWithOfferAsync();
            await flow.ReceiveAsync(fresh, holder);
            using HttpResponseMessage late = await client.DeleteAsync(WalletFlow.Path((string)fresh["credentialId"]!) + "/offers/" + (string)fresh["offerId"]!, Ct);
            (late.StatusCode, (string?)JsonNode.Parse(await late.Content.ReadAsStringAsync(Ct))!["code"]).Should().Be((HttpStatusCode.Conflict, "offer-final"));
        }
    }

    [Fact]
    public async Task WrongTxCode_CountsDown_ThenLocks_EvenTheRightCodeFails()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync(new { txCode = true }, ("BadgeIssuer:Wallet:MaxTxCodeAttempts", "3"));
        using (app)
        using (client)
        {
            string code = await flow.PreAuthorizedCodeAsync(offer);
            string right = (string)offer["txCode"]!["value"]!;
            string wrong = right == "000000" ? "111111" : "000000";

            ShouldBeError(await flow.TokenForCodeAsync(code), HttpStatusCode.BadRequest, "invalid_request");
            (HttpStatusCode _, JsonNode first) = await flow.TokenForCodeAsync(code, wrong);
            ((string)first["error_description"]!).Should().Contain("2 attempts left");
            ShouldBeError(await flow.TokenForCodeAsync(code, wrong), HttpStatusCode.BadRequest, "invalid_grant");
            (HttpStatusCode _, JsonNode third) = await flow.TokenForCodeAsync(code, wrong);
            ((string)third["error_description"]!).Should().Contain("locked");

            ShouldBeError(await flow.TokenForCodeAsync(code, right), HttpStatusCode.BadRequest, "invalid_grant");
            JsonNode listed = (await client.GetFromJsonAsync<JsonNode>(WalletFlow.Path((string)offer["credentialId"]!) + "/offers", Ct))!;
            ((string)listed["offers"]![0]!["state"]!).Should().Be("locked");
        }
    }

    [Fact]
    public async Task TxCodeSentWhenNotExpected_IsInvalidRequest()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        {
            ShouldBeError(await flow.TokenForCodeAsync(await flow.PreAuthorizedCodeAsync(offer), "123456"), HttpStatusCode.BadRequest, "invalid_request");
        }
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendProofAsync(WalletFlow flow, string token, string proof, string configuration = "OpenBadgeCredential_ldp_vc")
    {
        (HttpStatusCode status, JsonNode? body, HttpResponseMessage response) = await flow.CredentialAsync(token, WalletFlow.Request(proof, configuration));
        response.Dispose();
        return (status, body!);
    }

    [Fact]
    public async Task ReplayedNonce_SecondUseIsInvalidNonce_ForgedAndExpiredNoncesToo()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync(settings: ("BadgeIssuer:Wallet:AccessTokenLifetimeSeconds", "600"));
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        {
            string nonce = await flow.NonceAsync();
            (await SendProofAsync(flow, await flow.AccessTokenAsync(offer), holder.Proof(WalletFlow.CredentialIssuer, nonce, flow.Now))).Status.Should().Be(HttpStatusCode.OK);
            (_, JsonNode second) = await flow.AwardWithOfferAsync();
            string token = await flow.AccessTokenAsync(second);

            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, nonce, flow.Now)), HttpStatusCode.BadRequest, "invalid_nonce");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", flow.Now)), HttpStatusCode.BadRequest, "invalid_nonce");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, null, flow.Now)), HttpStatusCode.BadRequest, "invalid_proof");
            string old = await flow.NonceAsync();
            app.Clock.Now = app.Clock.Now.AddSeconds(301);
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, old, flow.Now)), HttpStatusCode.BadRequest, "invalid_nonce");
            (await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now))).Status.Should().Be(HttpStatusCode.OK,
                "refused proofs do not spend the token");
        }
    }

    [Fact]
    public async Task ProofForAnotherAudience_StaleIat_FutureIat_AreInvalidProof()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        {
            string token = await flow.AccessTokenAsync(offer);

            ShouldBeError(await SendProofAsync(flow, token, holder.Proof("https://evil.example/issuers/default", await flow.NonceAsync(), flow.Now)), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer + "/", await flow.NonceAsync(), flow.Now)), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now.AddSeconds(-301))), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now.AddSeconds(61))), HttpStatusCode.BadRequest, "invalid_proof");
        }
    }

    [Fact]
    public async Task ProofSignedByAnotherKey_UnsupportedAlg_WrongTyp_Malformed_AreInvalidProof()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        using (var other = Ed25519KeyPair.Generate())
        using (RsaKeyPair rsa = RsaKeyPair.Generate(2048))
        {
            string token = await flow.AccessTokenAsync(offer);
            string good = holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now);

            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now, signWith: other)), HttpStatusCode.BadRequest, "invalid_proof");
            string rsaDid = Core.Identifiers.DidJwk.Create(rsa.PublicKey);
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now, header: h => { h["alg"] = "RS256"; h["kid"] = rsaDid + "#0"; }, signWith: rsa)), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now, header: h => h["alg"] = "none")), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now, header: h => h["typ"] = "JWT")), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now, header: h => h["x5c"] = new JsonArray("MIIB"))), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, good[..^4]), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, "not.a-jwt"), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await SendProofAsync(flow, token, new string('e', 9000)), HttpStatusCode.BadRequest, "invalid_proof");
            (await SendProofAsync(flow, token, good)).Status.Should().Be(HttpStatusCode.OK, "none of the refusals spent the token or the nonce of the good proof");
        }
    }

    [Fact]
    public async Task MissingToken_UnknownToken_ReusedToken_ExpiredToken_AreInvalidToken()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        {
            string token = await flow.AccessTokenAsync(offer);
            (HttpStatusCode noToken, JsonNode? noTokenBody, HttpResponseMessage noTokenResponse) = await flow.CredentialAsync(null, WalletFlow.Request("x"));
            using (noTokenResponse)
            {
                (noToken, (string?)noTokenBody!["error"]).Should().Be((HttpStatusCode.Unauthorized, "invalid_token"));
                noTokenResponse.Headers.WwwAuthenticate.ToString().Should().Be("Bearer");
            }

            ShouldBeError(await SendProofAsync(flow, "biw_" + new string('A', 43), holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now)), HttpStatusCode.Unauthorized, "invalid_token");
            ShouldBeError(await SendProofAsync(flow, BadgeIssuerApplication.ApiKey, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now)), HttpStatusCode.Unauthorized, "invalid_token");
            (await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now))).Status.Should().Be(HttpStatusCode.OK);
            ShouldBeError(await SendProofAsync(flow, token, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now)), HttpStatusCode.Unauthorized, "invalid_token");

            (_, JsonNode second) = await flow.AwardWithOfferAsync();
            string late = await flow.AccessTokenAsync(second);
            app.Clock.Now = app.Clock.Now.AddSeconds(301);
            ShouldBeError(await SendProofAsync(flow, late, holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now)), HttpStatusCode.Unauthorized, "invalid_token");
        }
    }

    [Fact]
    public async Task CredentialRequestShape_UnknownConfiguration_SingularProof_Batch_Encryption_AreRefusedWithTheirCodes()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        {
            string token = await flow.AccessTokenAsync(offer);
            string proof = holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now);

            ShouldBeError(await SendProofAsync(flow, token, proof, "UniversityDegree"), HttpStatusCode.BadRequest, "unknown_credential_configuration");
            async Task<(HttpStatusCode, JsonNode)> Send(object body)
            {
                (HttpStatusCode status, JsonNode? answer, HttpResponseMessage response) = await flow.CredentialAsync(token, body);
                response.Dispose();
                return (status, answer!);
            }

            ShouldBeError(await Send(new Dictionary<string, object> { ["credential_configuration_id"] = "OpenBadgeCredential_ldp_vc", ["proof"] = new { proof_type = "jwt", jwt = proof } }), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await Send(new Dictionary<string, object> { ["credential_configuration_id"] = "OpenBadgeCredential_ldp_vc", ["proofs"] = new { jwt = new[] { proof, proof } } }), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await Send(new Dictionary<string, object> { ["credential_configuration_id"] = "OpenBadgeCredential_ldp_vc", ["proofs"] = new { di_vp = new[] { new { } } } }), HttpStatusCode.BadRequest, "invalid_proof");
            ShouldBeError(await Send(new Dictionary<string, object> { ["proofs"] = new { jwt = new[] { proof } } }), HttpStatusCode.BadRequest, "invalid_credential_request");
            ShouldBeError(await Send(new Dictionary<string, object> { ["credential_identifier"] = "x", ["proofs"] = new { jwt = new[] { proof } } }), HttpStatusCode.BadRequest, "invalid_credential_request");
            ShouldBeError(await Send(new Dictionary<string, object> { ["credential_configuration_id"] = "OpenBadgeCredential_ldp_vc", ["proofs"] = new { jwt = new[] { proof } }, ["credential_response_encryption"] = new { } }), HttpStatusCode.BadRequest, "invalid_encryption_parameters");
            using var notJson = new StringContent("{}", System.Text.Encoding.UTF8, "text/plain");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/issuers/default/oid4vci/credential") { Content = notJson };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using HttpResponseMessage plain = await flow.Wallet.SendAsync(request, Ct);
            (plain.StatusCode, (string?)JsonNode.Parse(await plain.Content.ReadAsStringAsync(Ct))!["error"]).Should().Be((HttpStatusCode.BadRequest, "invalid_credential_request"));
            (await SendProofAsync(flow, token, proof)).Status.Should().Be(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task OverLargeCredentialRequest_IsRefusedBeforeItIsRead()
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        {
            string token = await flow.AccessTokenAsync(offer);
            string proof = holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now);
            var padded = new Dictionary<string, object>
            {
                ["credential_configuration_id"] = "OpenBadgeCredential_ldp_vc",
                ["proofs"] = new Dictionary<string, object> { ["jwt"] = new[] { proof } },
                ["padding"] = new string('x', 40_000),
            };

            (HttpStatusCode status, JsonNode? body, HttpResponseMessage response) = await flow.CredentialAsync(token, padded);
            response.Dispose();

            (status, (string?)body!["error"]).Should().Be((HttpStatusCode.BadRequest, "invalid_credential_request"));
            (await SendProofAsync(flow, token, proof)).Status.Should().Be(HttpStatusCode.OK, "the refused request spent nothing");
        }
    }

    [Theory]
    [InlineData("credential_configuration_id")]
    [InlineData("credential_identifier")]
    public async Task CredentialRequestWithAnUnpairedSurrogate_IsAProtocolErrorNotAServerError(string member)
    {
        (BadgeIssuerApplication app, HttpClient client, WalletFlow flow, JsonNode offer) = await StartAsync();
        using (app)
        using (client)
        using (WalletHolder holder = WalletHolder.DidKey())
        {
            string token = await flow.AccessTokenAsync(offer);
            string proof = holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now);
            string body = $$$"""{"{{{member}}}": "x\uD800", "proofs": {"jwt": ["{{{proof}}}"]}}""";
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/issuers/default/oid4vci/credential") { Content = content };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

            using HttpResponseMessage response = await flow.Wallet.SendAsync(request, Ct);

            (response.StatusCode, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]).Should().Be((HttpStatusCode.BadRequest, "invalid_credential_request"));
            (await SendProofAsync(flow, token, proof)).Status.Should().Be(HttpStatusCode.OK, "the refused request spent nothing");
        }
    }

    [Fact]
    public async Task CredentialNamingAnotherSubject_OnlyThatSubjectsKeyReceivesIt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using WalletHolder owner = WalletHolder.DidKey();
        using WalletHolder stranger = WalletHolder.DidKey();
        JsonObject submitted = IssuingApiTests.SampleCredential();
        submitted["credentialSubject"]!["id"] = owner.Did;
        using HttpResponseMessage issued = await client.PostAsJsonAsync("/credentials/issue", new { credential = submitted }, Ct);
        string id = (string)JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!["verifiableCredential"]!["id"]!;
        var flow = new WalletFlow(app, client);
        async Task<JsonNode> OfferAsync()
        {
            using HttpResponseMessage created = await client.PostAsync(WalletFlow.Path(id) + "/offers", null, Ct);
            return JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!;
        }

        string token = await flow.AccessTokenAsync(await OfferAsync());
        ShouldBeError(await SendProofAsync(flow, token, stranger.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now)), HttpStatusCode.BadRequest, "invalid_proof");
        JsonNode credential = await flow.ReceiveAsync(await OfferAsync(), owner);
        ((string)credential["credentialSubject"]!["id"]!).Should().Be(owner.Did);
    }

    [Fact]
    public async Task OfferManagement_OtherTenant_Gets404_NonBadgeAndRevokedCredentials_Get409()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, admin);
        (JsonNode award, JsonNode offer) = await flow.AwardWithOfferAsync();
        string path = WalletFlow.Path((string)award["credentialId"]!) + "/offers";
        using HttpResponseMessage other = await admin.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct);
        using HttpResponseMessage key = await admin.PostAsJsonAsync("/issuers/other/api-keys", new { description = "t", scopes = new[] { "issue" } }, Ct);
        using HttpClient foreign = app.CreateClient();
        foreign.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (string)JsonNode.Parse(await key.Content.ReadAsStringAsync(Ct))!["apiKey"]!);

        using HttpResponseMessage foreignCreate = await foreign.PostAsync(path, null, Ct);
        using HttpResponseMessage foreignList = await foreign.GetAsync(path, Ct);
        using HttpResponseMessage foreignDelete = await foreign.DeleteAsync(path + "/" + (string)offer["offerId"]!, Ct);
        using HttpResponseMessage anonymous = await flow.Wallet.PostAsync(path, null, Ct);
        using HttpResponseMessage badBody = await admin.PostAsJsonAsync(path, new { txCode = new { length = 12 } }, Ct);
        using HttpResponseMessage unknownMember = await admin.PostAsJsonAsync(path, new { txcode = true }, Ct);

        foreignCreate.StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreignList.StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreignDelete.StatusCode.Should().Be(HttpStatusCode.NotFound);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        badBody.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        unknownMember.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        JsonObject plain = IssuingApiTests.SampleCredential();
        plain["type"] = new JsonArray("VerifiableCredential");
        plain["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2");
        plain["credentialSubject"] = new JsonObject { ["id"] = "did:example:learner", ["name"] = "Ada" };
        using HttpResponseMessage issued = await admin.PostAsJsonAsync("/credentials/issue", new { credential = plain }, Ct);
        string plainId = (string)JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!["verifiableCredential"]!["id"]!;
        using HttpResponseMessage notBadge = await admin.PostAsync(WalletFlow.Path(plainId) + "/offers", null, Ct);
        (notBadge.StatusCode, (string?)JsonNode.Parse(await notBadge.Content.ReadAsStringAsync(Ct))!["code"]).Should().Be((HttpStatusCode.Conflict, "offer-not-possible"));

        using HttpResponseMessage revoke = await admin.PostAsync(WalletFlow.Path((string)award["credentialId"]!) + "/revoke", null, Ct);
        using HttpResponseMessage revoked = await admin.PostAsync(path, null, Ct);
        (revoked.StatusCode, (string?)JsonNode.Parse(await revoked.Content.ReadAsStringAsync(Ct))!["code"]).Should().Be((HttpStatusCode.Conflict, "offer-not-possible"));
        using WalletHolder holder = WalletHolder.DidKey();
        ShouldBeError(await SendProofAsync(flow, await flow.AccessTokenAsync(offer), holder.Proof(WalletFlow.CredentialIssuer, await flow.NonceAsync(), flow.Now)),
            HttpStatusCode.BadRequest, "credential_request_denied");
    }
}
