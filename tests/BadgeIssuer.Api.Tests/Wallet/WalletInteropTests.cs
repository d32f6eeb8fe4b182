using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Interop;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>
/// A real wallet library drives the flow, offline: the service runs on Kestrel over https (a throwaway certificate for
/// localhost that node is told to trust), and <c>tests/interop/wallet.mjs</c> — @openid4vc/openid4vci, which insists on
/// https URLs — resolves the offer, both metadata documents, gets the token (with and without tx_code), a nonce, and the
/// credential with its own did:key / did:jwk proof. The credential it receives verifies at <c>POST /credentials/verify</c>
/// and in the JS verifier (verify.mjs), and the wallet's second try of the same offer fails.
/// </summary>
public sealed class WalletInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("did:key", "OpenBadgeCredential_ldp_vc", false)]
    [InlineData("did:jwk", "OpenBadgeCredential_jwt_vc_json", true)]
    public async Task OpenId4VcClient_PreAuthorizedFlow_CredentialVerifiesHereAndInJs(string holder, string configuration, bool txCode)
    {
        using var service = new HttpsService();
        BadgeIssuerApplication app = service.App;
        HttpClient client = service.Client;
        string baseUrl = service.BaseUrl;
        string pem = service.CertificatePem;
        int port = service.Port;

        using HttpResponseMessage achievement = await client.PostAsJsonAsync("/achievements", new { name = "Wallet interop", description = "d", criteria = new { narrative = "n" } }, Ct);
        string achievementId = (string)JsonNode.Parse(await achievement.Content.ReadAsStringAsync(Ct))!["id"]!;
        using HttpResponseMessage awarded = await client.PostAsJsonAsync("/awards", new
        {
            achievementId,
            recipient = new { email = "learner@example.org" },
            delivery = new { offer = txCode ? (object)new { txCode = true } : true },
        }, Ct);
        string awardText = await awarded.Content.ReadAsStringAsync(Ct);
        awarded.StatusCode.Should().Be(HttpStatusCode.Created, awardText);
        JsonNode offer = JsonNode.Parse(awardText)!["offer"]!;

        JsonElement wallet = await NodeInterop.RunWalletAsync(new
        {
            offerUri = (string)offer["openid4vci"]!["credentialOfferUri"]!,
            txCode = (string?)offer["txCode"]!["value"],
            holder,
            configurationId = configuration,
            now = app.Clock.Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        }, pem, Ct);

        string holderDid = wallet.GetProperty("holderDid").GetString()!;
        wallet.GetProperty("credentialIssuer").GetString().Should().Be(baseUrl + "/issuers/default");
        wallet.GetProperty("metadataVersion").GetString().Should().Be("V1", "the library reads our metadata as OpenID4VCI 1.0");
        wallet.GetProperty("authorizationServer")[0].GetString().Should().Be(baseUrl + "/issuers/default");
        wallet.GetProperty("reuse").GetProperty("offer").GetString().Should().StartWith("refused").And.Contain("410");
        wallet.GetProperty("reuse").GetProperty("token").GetString().Should().Be("refused: invalid_grant");
        JsonElement credential = wallet.GetProperty("credential");

        // Here: POST /credentials/verify.
        using HttpContent body = credential.ValueKind == JsonValueKind.String
            ? new StringContent(credential.GetString()!, Encoding.ASCII, "application/vc+jwt")
            : new StringContent(credential.GetRawText(), Encoding.UTF8, "application/vc+ld+json");
        using HttpResponseMessage verified = await client.PostAsync("/credentials/verify", body, Ct);
        JsonNode report = JsonNode.Parse(await verified.Content.ReadAsStringAsync(Ct))!;
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());

        // And in the JS reference stack, offline, with the DID document and status list fetched from the service.
        string issuerDid = "did:web:localhost%3A" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":issuers:default";
        JsonNode credentialNode = credential.ValueKind == JsonValueKind.String
            ? JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(credential.GetString()!.Split('.')[1]))!
            : JsonNode.Parse(credential.GetRawText())!;
        ((string)credentialNode["credentialSubject"]!["id"]!).Should().Be(holderDid);
        string listUrl = (string)credentialNode["credentialStatus"]!["statusListCredential"]!;
        var job = new InteropJob { Now = app.Clock.Now }
            .AddDocument(issuerDid, await client.GetByteArrayAsync("/issuers/default/did.json", Ct))
            .AddDocument(listUrl, await client.GetByteArrayAsync(new Uri(listUrl).PathAndQuery, Ct));
        job = credential.ValueKind == JsonValueKind.String ? job.AddJwt(credential.GetString()!) : job.AddDataIntegrity(credential.GetRawText());
        InteropResult js = await NodeInterop.VerifyOneAsync(job, Ct);
        js.Verified.Should().BeTrue(js.Json);
        js.StatusChecked.Should().BeTrue(js.Json);
        js.Revoked.Should().BeFalse();
    }
}
