using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Storage;
using BadgeIssuer.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>
/// VC-API exchanges of credential offers, in memory: the offer's exchange URL and LCW deep links, the
/// DIDAuthentication presentation request, the holder-bound credential in the answer; and every way a presentation or
/// an exchange is refused — wrong holder, challenge, domain or proof purpose, a replayed presentation, expired,
/// reused, withdrawn, forged and transaction-code offers — without the offer being spent.
/// </summary>
public sealed class VcApiExchangeTests
{
    private const string Domain = BadgeIssuerApplication.BaseUrl;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ExchangePath(JsonNode offer) => WalletFlow.Path((string)offer["vcApi"]!["exchangeUrl"]!);

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(HttpClient wallet, string path, string? json)
    {
        using HttpContent? content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await wallet.PostAsync(path, content, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Step 1: the presentation request; returns (challenge, domain).</summary>
    private static async Task<(string Challenge, string Domain)> RequestAsync(HttpClient wallet, string path)
    {
        (HttpStatusCode status, JsonNode? body) = await PostAsync(wallet, path, "{}");
        status.Should().Be(HttpStatusCode.OK, body?.ToJsonString());
        JsonNode vpr = body!["verifiablePresentationRequest"]!;
        return ((string)vpr["challenge"]!, (string)vpr["domain"]!);
    }

    private static string Wrap(string presentation) => "{\"verifiablePresentation\":" + presentation + "}";

    private static string DidAuth(TestHolder holder, string challenge, string domain = Domain, string? holderDid = null, string proofPurpose = "authentication") =>
        Wrap(holder.SignDataIntegrity(TestHolder.Presentation(holderDid ?? holder.Did), challenge, domain, proofPurpose));

    private static async Task<CredentialOfferRecord> OfferRecordAsync(BadgeIssuerApplication app, JsonNode offer) =>
        (await app.Services.GetRequiredService<IBadgeStorage>().Offers.GetAsync((string)offer["offerId"]!, Ct))!;

    [Fact]
    public async Task Exchange_DidAuthentication_DeliversTheCredentialBoundToTheHolder_Once()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (JsonNode award, JsonNode offer) = await flow.AwardWithOfferAsync();
        using var holder = new TestHolder();

        // The offer carries the exchange URL, the LCW links (whose request names the exchange) and the QR codes.
        JsonNode vcApi = offer["vcApi"]!;
        string exchangeUrl = (string)vcApi["exchangeUrl"]!;
        exchangeUrl.Should().StartWith(BadgeIssuerApplication.BaseUrl + "/issuers/default/exchanges/bio_");
        string deepLink = (string)vcApi["deepLink"]!;
        deepLink.Should().StartWith("https://lcw.app/request?request=");
        JsonNode lcwRequest = JsonNode.Parse(Uri.UnescapeDataString(deepLink["https://lcw.app/request?request=".Length..]))!;
        lcwRequest.ToJsonString().Should().Be(new JsonObject { ["credentialRequestOrigin"] = Domain, ["protocols"] = new JsonObject { ["vcapi"] = exchangeUrl } }.ToJsonString());
        ((string)vcApi["deepLinkCustomScheme"]!).Should().Be("dccrequest://request?request=" + deepLink["https://lcw.app/request?request=".Length..]);
        foreach ((string url, string type) in new[] { ((string)vcApi["qr"]!["png"]!, "image/png"), ((string)vcApi["qr"]!["svg"]!, "image/svg+xml"), ((string)vcApi["deepLinkQr"]!["png"]!, "image/png"), ((string)vcApi["deepLinkQr"]!["svg"]!, "image/svg+xml") })
        {
            using HttpResponseMessage qr = await flow.Wallet.GetAsync(WalletFlow.Path(url), Ct);
            (qr.StatusCode, qr.Content.Headers.ContentType!.MediaType).Should().Be((HttpStatusCode.OK, type), url);
        }

        // Step 1: {} → a DIDAuthentication request with a challenge and the service's origin as domain.
        (HttpStatusCode status, JsonNode? body) = await PostAsync(flow.Wallet, ExchangePath(offer), "{}");
        status.Should().Be(HttpStatusCode.OK, body?.ToJsonString());
        JsonNode vpr = body!["verifiablePresentationRequest"]!;
        ((string)vpr["query"]![0]!["type"]!).Should().Be("DIDAuthentication");
        vpr["query"]![0]!["acceptedMethods"]!.ToJsonString().Should().Be("""[{"method":"key"},{"method":"jwk"}]""");
        ((string)vpr["domain"]!).Should().Be(Domain);
        string challenge = (string)vpr["challenge"]!;

        // Step 2: the signed presentation → a presentation holding the copy bound to the holder's DID.
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(holder, challenge));
        status.Should().Be(HttpStatusCode.OK, body?.ToJsonString());
        JsonNode credential = body!["verifiablePresentation"]!["verifiableCredential"]![0]!;
        ((string)credential["credentialSubject"]!["id"]!).Should().Be(holder.Did);
        ((string)credential["id"]!).Should().NotBe((string)award["credentialId"]!);
        credential["credentialStatus"]!.ToJsonString().Should().Be(award["credential"]!["credentialStatus"]!.ToJsonString(), "the copy shares its original's status entry");
        JsonNode report = await flow.VerifyAsync(credential);
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());

        IBadgeStorage storage = app.Services.GetRequiredService<IBadgeStorage>();
        CredentialRecord stored = (await storage.Credentials.GetAsync((string)credential["id"]!, Ct))!;
        stored.ReissueOf.Should().Be((string)award["credentialId"]!);
        CredentialOfferRecord record = await OfferRecordAsync(app, offer);
        (record.State, record.RedeemedVia, record.DeliveredCredentialId).Should().Be((OfferStates.Delivered, "vcapi", stored.Id));
        IReadOnlyList<AuditRecord> audit = await storage.Audit.ListAsync(BadgeIssuerApplication.IssuerId, 50, null, Ct);
        string.Join(",", audit.Where(a => a.Target == record.OfferId).Select(a => a.Action).Reverse()).Should().Be("offer.create,offer.redeem,offer.deliver");

        // Completed once: the same presentation again, a new request, and the OpenID4VCI side of the offer are all refused.
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(holder, challenge));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.Gone, "offer-gone"));
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), "{}");
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.Gone, "offer-gone"));
        ((await flow.GetOfferAsync(offer)).Status).Should().Be(HttpStatusCode.Gone);
        using (HttpResponseMessage list = await client.GetAsync(new Uri((string)award["credentialId"]!).AbsolutePath + "/offers", Ct))
        {
            JsonNode listed = JsonNode.Parse(await list.Content.ReadAsStringAsync(Ct))!["offers"]![0]!;
            ((string)listed["state"]!, (string)listed["redeemedVia"]!).Should().Be(("delivered", "vcapi"));
            listed["vcApi"].Should().BeNull("the listing never shows an offer's secrets");
        }
    }

    [Fact]
    public async Task Exchange_EmptyBodyStartsLikeEmptyObject_AndTheChallengesDiffer()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync();

        (HttpStatusCode status, JsonNode? body) = await PostAsync(flow.Wallet, ExchangePath(offer), null);
        status.Should().Be(HttpStatusCode.OK, body?.ToJsonString());
        (string second, _) = await RequestAsync(flow.Wallet, ExchangePath(offer));
        ((string)body!["verifiablePresentationRequest"]!["challenge"]!).Should().NotBe(second);
        (await OfferRecordAsync(app, offer)).State.Should().Be(OfferStates.Offered, "asking for the presentation request changes nothing");
    }

    [Fact]
    public async Task Presentation_SignedByAKeyThatIsNotTheHolders_OrNamingNoHolder_IsRefused_AndTheOfferStaysOffered()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync();
        using var holder = new TestHolder();
        using var attacker = new TestHolder();
        (string challenge, string domain) = await RequestAsync(flow.Wallet, ExchangePath(offer));

        // The attacker signs a presentation naming the victim as holder: the key is not the holder's.
        (HttpStatusCode status, JsonNode? body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(attacker, challenge, domain, holderDid: holder.Did));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"));
        ((string)body["detail"]!).Should().Contain("not of the holder");

        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), Wrap(holder.SignDataIntegrity(TestHolder.Presentation(null), challenge, domain)));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"));
        ((string)body["detail"]!).Should().Contain("names no holder");

        // A proof with another purpose does not authenticate.
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(holder, challenge, domain, proofPurpose: "assertionMethod"));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"));

        // A tampered presentation (signed, then its holder changed) fails the proof.
        string signed = holder.SignDataIntegrity(TestHolder.Presentation(holder.Did), challenge, domain);
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), Wrap(signed.Replace(holder.Did + "\"", attacker.Did + "\"", StringComparison.Ordinal)));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"));

        (await OfferRecordAsync(app, offer)).State.Should().Be(OfferStates.Offered);
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(holder, challenge, domain));
        status.Should().Be(HttpStatusCode.OK, "the refusals spent neither the offer nor the challenge: " + body?.ToJsonString());
    }

    [Fact]
    public async Task Presentation_WithAnotherChallenge_Domain_OrAnOid4vciNonce_IsRefused()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync();
        (_, JsonNode otherOffer) = await flow.AwardWithOfferAsync();
        using var holder = new TestHolder();
        (string challenge, string domain) = await RequestAsync(flow.Wallet, ExchangePath(offer));
        (string otherChallenge, _) = await RequestAsync(flow.Wallet, ExchangePath(otherOffer));

        foreach ((string what, string presentation, string expected) in new[]
        {
            ("a made-up challenge", DidAuth(holder, "c3b7a3d0-challenge", domain), "challenge"),
            ("another exchange's challenge", DidAuth(holder, otherChallenge, domain), "challenge"),
            ("an OpenID4VCI c_nonce", DidAuth(holder, await flow.NonceAsync(), domain), "challenge"),
            ("another domain", DidAuth(holder, challenge, "https://verifier.example"), "domain"),
            ("no proof", Wrap(TestHolder.Presentation(holder.Did)), "challenge"),
        })
        {
            (HttpStatusCode status, JsonNode? body) = await PostAsync(flow.Wallet, ExchangePath(offer), presentation);
            (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"), what);
            ((string)body["detail"]!).Should().Contain(expected, what);
        }

        (await OfferRecordAsync(app, offer)).State.Should().Be(OfferStates.Offered);
    }

    [Fact]
    public async Task Challenge_UsedOnce_AndExpires()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (JsonNode award, JsonNode offer) = await flow.AwardWithOfferAsync();
        using var holder = new TestHolder();
        (string challenge, string domain) = await RequestAsync(flow.Wallet, ExchangePath(offer));

        // Spent by a presentation that then fails (the original was revoked after the request): it is not good twice.
        using (HttpResponseMessage revoke = await client.PostAsync((string)award["credentialId"]! + "/revoke", null, Ct))
        {
            revoke.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (HttpStatusCode status, JsonNode? body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(holder, challenge, domain));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.Conflict, "offer-not-possible"));
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(holder, challenge, domain));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"));
        ((string)body["detail"]!).Should().Contain("already used");

        // A challenge past its lifetime (600 s by default) is refused.
        (_, JsonNode fresh) = await flow.AwardWithOfferAsync();
        (string late, _) = await RequestAsync(flow.Wallet, ExchangePath(fresh));
        app.Clock.Now = app.Clock.Now.AddSeconds(601);
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(fresh), DidAuth(holder, late, domain));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"));
        ((string)body["detail"]!).Should().Contain("expired");
    }

    [Fact]
    public async Task ExpiredWithdrawnForgedAndTxCodeOffers_AreRefused_AndAnOfferRedeemedByOpenId4VciIsGone()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        using var holder = new TestHolder();

        // Forged and unknown handles, another issuer's path.
        (JsonNode award, JsonNode offer) = await flow.AwardWithOfferAsync();
        string path = ExchangePath(offer);
        foreach (string forged in new[] { path[..^4] + "AAAA", "/issuers/default/exchanges/bio_x", "/issuers/default/exchanges/" + new string('a', 100), path.Replace("/default/", "/nobody/", StringComparison.Ordinal) })
        {
            (HttpStatusCode s, JsonNode? b) = await PostAsync(flow.Wallet, forged, "{}");
            (s, (string?)b!["code"]).Should().Be((HttpStatusCode.NotFound, "offer-not-found"), forged);
        }

        // An offer with a transaction code has no exchange (its answer shows none, its handle is refused).
        (_, JsonNode withTx) = await flow.AwardWithOfferAsync(offer: new { txCode = true });
        withTx["vcApi"].Should().BeNull();
        string txHandle = ((string)withTx["openid4vci"]!["credentialOfferUrl"]!).Split('/')[^1];
        (HttpStatusCode status, JsonNode? body) = await PostAsync(flow.Wallet, "/issuers/default/exchanges/" + txHandle, "{}");
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.Conflict, "exchange-not-possible"));
        using (HttpResponseMessage qr = await flow.Wallet.GetAsync("/issuers/default/exchanges/" + txHandle + "/deep-link-qr.png", Ct))
        {
            qr.StatusCode.Should().Be(HttpStatusCode.Conflict);
        }

        // Withdrawn after the request: the presentation arrives too late.
        (string challenge, string domain) = await RequestAsync(flow.Wallet, path);
        using (HttpResponseMessage withdraw = await client.DeleteAsync(new Uri((string)award["credentialId"]!).AbsolutePath + "/offers/" + (string)offer["offerId"]!, Ct))
        {
            withdraw.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (status, body) = await PostAsync(flow.Wallet, path, DidAuth(holder, challenge, domain));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.Gone, "offer-gone"));

        // Redeemed through OpenID4VCI: the exchange is gone.
        (_, JsonNode redeemed) = await flow.AwardWithOfferAsync();
        (string redeemedChallenge, _) = await RequestAsync(flow.Wallet, ExchangePath(redeemed));
        _ = await flow.AccessTokenAsync(redeemed);
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(redeemed), DidAuth(holder, redeemedChallenge, domain));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.Gone, "offer-gone"));

        // Expired (offers live 86,400 s by default).
        (_, JsonNode expiring) = await flow.AwardWithOfferAsync();
        app.Clock.Now = app.Clock.Now.AddSeconds(86_401);
        (status, body) = await PostAsync(flow.Wallet, ExchangePath(expiring), "{}");
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.Gone, "offer-gone"));
        ((string)body["detail"]!).Should().Contain("expired");
    }

    [Fact]
    public async Task ConcurrentPresentations_FromTwoHolders_ExactlyOneReceivesTheCredential()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync();
        var holders = Enumerable.Range(0, 6).Select(_ => new TestHolder()).ToList();
        try
        {
            var presentations = new List<string>();
            foreach (TestHolder h in holders)
            {
                (string challenge, string domain) = await RequestAsync(flow.Wallet, ExchangePath(offer));
                presentations.Add(DidAuth(h, challenge, domain));
            }

            (HttpStatusCode Status, JsonNode? Body)[] results = await Task.WhenAll(presentations.Select(p => Task.Run(() => PostAsync(flow.Wallet, ExchangePath(offer), p), Ct)));

            string.Join(",", results.Select(r => (int)r.Status).Order()).Should().Be("200,410,410,410,410,410");
            IReadOnlyList<AuditRecord> audit = await app.Services.GetRequiredService<IBadgeStorage>().Audit.ListAsync(BadgeIssuerApplication.IssuerId, 100, null, Ct);
            audit.Count(a => a.Action == "offer.deliver").Should().Be(1);
        }
        finally
        {
            holders.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public async Task ExchangeBody_BadShapes_AreProblems()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        var flow = new WalletFlow(app, client);
        (_, JsonNode offer) = await flow.AwardWithOfferAsync();

        foreach ((string body, HttpStatusCode status, string code) in new[]
        {
            ("{\"verifiablePresentation\":\"eyJ.eyJ.sig\"}", HttpStatusCode.BadRequest, "unsupported-request"),
            ("{\"verifiablePresentation\":[]}", HttpStatusCode.BadRequest, "unsupported-request"),
            ("{\"presentation\":{}}", HttpStatusCode.BadRequest, "unknown-member"),
            ("[]", HttpStatusCode.BadRequest, "unsupported-request"),
            ("{\"verifiablePresentation\":", HttpStatusCode.BadRequest, "malformed-body"),
            ("{\"verifiablePresentation\":{\"proof\":{\"challenge\":\"" + new string('x', 40_000) + "\"}}}", HttpStatusCode.RequestEntityTooLarge, "body-too-large"),
        })
        {
            (HttpStatusCode s, JsonNode? b) = await PostAsync(flow.Wallet, ExchangePath(offer), body);
            (s, (string?)b!["code"]).Should().Be((status, code), body.Length > 60 ? body[..60] : body);
        }

        using var text = new StringContent("{}", Encoding.UTF8, "text/plain");
        using HttpResponseMessage wrongType = await flow.Wallet.PostAsync(ExchangePath(offer), text, Ct);
        wrongType.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await OfferRecordAsync(app, offer)).State.Should().Be(OfferStates.Offered);
    }
    [Fact]
    public async Task CredentialNamingASubject_OnlyThatDidReceivesIt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using var owner = new TestHolder();
        using var stranger = new TestHolder();
        JsonObject submitted = Issue.IssuingApiTests.SampleCredential();
        submitted["credentialSubject"]!["id"] = owner.Did;
        using HttpResponseMessage issued = await client.PostAsJsonAsync("/credentials/issue", new { credential = submitted }, Ct);
        string id = (string)JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!["verifiableCredential"]!["id"]!;
        using HttpResponseMessage created = await client.PostAsync(WalletFlow.Path(id) + "/offers", null, Ct);
        JsonNode offer = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!;
        var flow = new WalletFlow(app, client);
        (string challenge, string domain) = await RequestAsync(flow.Wallet, ExchangePath(offer));

        (HttpStatusCode status, JsonNode? body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(stranger, challenge, domain));
        (status, (string?)body!["code"]).Should().Be((HttpStatusCode.BadRequest, "invalid-presentation"));
        ((string)body["detail"]!).Should().Contain("another subject");

        (status, body) = await PostAsync(flow.Wallet, ExchangePath(offer), DidAuth(owner, challenge, domain));
        status.Should().Be(HttpStatusCode.OK, body?.ToJsonString());
        ((string)body!["verifiablePresentation"]!["verifiableCredential"]![0]!["credentialSubject"]!["id"]!).Should().Be(owner.Did);
    }
}
