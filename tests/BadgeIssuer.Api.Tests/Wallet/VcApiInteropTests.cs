using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Interop;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>
/// A VC-API holder built on Digital Bazaar's libraries drives the exchange, offline: the service runs on Kestrel over
/// https, and <c>tests/interop/vcapi-exchange.mjs</c> takes the offer's Learner Credential Wallet deep link, reads the
/// exchange URL from it, asks for the presentation request, signs the DIDAuthentication presentation with
/// @digitalbazaar/vc (an Ed25519 did:key, eddsa-rdfc-2022), and receives the credential. Presentations signed for
/// another domain or challenge are refused first, and the accepted one is refused when sent again. The credential
/// verifies at <c>POST /credentials/verify</c> and in the JS verifier (verify.mjs).
/// </summary>
public sealed class VcApiInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DigitalBazaarHolder_VcApiExchangeFromTheDeepLink_CredentialVerifiesHereAndInJs()
    {
        using var service = new HttpsService();
        HttpClient client = service.Client;
        using HttpResponseMessage achievement = await client.PostAsJsonAsync("/achievements", new { name = "Exchange interop", description = "d", criteria = new { narrative = "n" } }, Ct);
        string achievementId = (string)JsonNode.Parse(await achievement.Content.ReadAsStringAsync(Ct))!["id"]!;
        using HttpResponseMessage awarded = await client.PostAsJsonAsync("/awards", new
        {
            achievementId,
            recipient = new { email = "learner@example.org" },
            delivery = new { offer = true },
        }, Ct);
        string awardText = await awarded.Content.ReadAsStringAsync(Ct);
        awarded.StatusCode.Should().Be(HttpStatusCode.Created, awardText);
        JsonNode offer = JsonNode.Parse(awardText)!["offer"]!;

        JsonElement holder = await NodeInterop.RunHttpsClientAsync("vcapi-exchange.mjs", new
        {
            deepLink = (string)offer["vcApi"]!["deepLink"]!,
            now = service.App.Clock.Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        }, service.CertificatePem, Ct);

        holder.GetProperty("exchangeUrl").GetString().Should().Be((string)offer["vcApi"]!["exchangeUrl"]!);
        holder.GetProperty("credentialRequestOrigin").GetString().Should().Be(service.BaseUrl);
        holder.GetProperty("request").GetProperty("domain").GetString().Should().Be(service.BaseUrl);
        holder.GetProperty("refused").GetProperty("domain").GetString().Should().Be("400 invalid-presentation");
        holder.GetProperty("refused").GetProperty("challenge").GetString().Should().Be("400 invalid-presentation");
        holder.GetProperty("reuse").GetString().Should().Be("refused: 410 offer-gone");
        string holderDid = holder.GetProperty("holderDid").GetString()!;
        holderDid.Should().StartWith("did:key:z6Mk");
        JsonElement credential = holder.GetProperty("credential");
        credential.GetProperty("credentialSubject").GetProperty("id").GetString().Should().Be(holderDid);

        // Here: POST /credentials/verify.
        using var body = new StringContent(credential.GetRawText(), Encoding.UTF8, "application/vc+ld+json");
        using HttpResponseMessage verified = await client.PostAsync("/credentials/verify", body, Ct);
        JsonNode report = JsonNode.Parse(await verified.Content.ReadAsStringAsync(Ct))!;
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());

        // And in the JS reference stack, offline, with the DID document and status list fetched from the service.
        string listUrl = credential.GetProperty("credentialStatus").GetProperty("statusListCredential").GetString()!;
        InteropJob job = new InteropJob { Now = service.App.Clock.Now }
            .AddDocument(service.IssuerDid, await client.GetByteArrayAsync("/issuers/default/did.json", Ct))
            .AddDocument(listUrl, await client.GetByteArrayAsync(new Uri(listUrl).PathAndQuery, Ct))
            .AddDataIntegrity(credential.GetRawText());
        InteropResult js = await NodeInterop.VerifyOneAsync(job, Ct);
        js.Verified.Should().BeTrue(js.Json);
        js.StatusChecked.Should().BeTrue(js.Json);
        js.Revoked.Should().BeFalse();
    }
}
