using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>A wallet's key (Ed25519 as did:key, or P-256 as did:jwk) that signs OpenID4VCI key proofs.</summary>
internal sealed class WalletHolder : IDisposable
{
    private WalletHolder(SigningKey key, string did, string kid)
    {
        Key = key;
        Did = did;
        Kid = kid;
    }

    public SigningKey Key { get; }

    public string Did { get; }

    public string Kid { get; }

    public static WalletHolder DidKey()
    {
        var key = Ed25519KeyPair.Generate();
        return new WalletHolder(key, Core.Identifiers.DidKey.Create(key.Ed25519PublicKey), Core.Identifiers.DidKey.GetVerificationMethodId(key.Ed25519PublicKey));
    }

    public static WalletHolder DidJwk()
    {
        P256KeyPair key = P256KeyPair.Generate();
        string did = Core.Identifiers.DidJwk.Create(key.PublicKey);
        return new WalletHolder(key, did, did + "#0");
    }

    /// <summary>A key proof; <paramref name="header"/> and <paramref name="payload"/> may be edited before signing.</summary>
    public string Proof(string audience, string? nonce, DateTimeOffset issuedAt, Action<JsonObject>? header = null, Action<JsonObject>? payload = null, SigningKey? signWith = null)
    {
        var h = new JsonObject { ["alg"] = Key.JwsAlgorithm, ["typ"] = KeyProofVerifier.ProofType, ["kid"] = Kid };
        var p = new JsonObject { ["aud"] = audience, ["iat"] = issuedAt.ToUnixTimeSeconds() };
        if (nonce is not null)
        {
            p["nonce"] = nonce;
        }

        header?.Invoke(h);
        payload?.Invoke(p);
        string input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(h.ToJsonString())) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(p.ToJsonString()));
        return input + "." + Base64Url.EncodeToString((signWith ?? Key).Sign(Encoding.ASCII.GetBytes(input)));
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>The wallet side of the pre-authorized code flow against the in-memory service, step by step.</summary>
internal sealed class WalletFlow(BadgeIssuerApplication app, HttpClient issuerClient)
{
    public const string CredentialIssuer = BadgeIssuerApplication.BaseUrl + "/issuers/default";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public HttpClient Wallet { get; } = app.CreateClient();

    public DateTimeOffset Now => app.Clock.Now;

    /// <summary>An award with an offer in its answer; returns (award, offer).</summary>
    public async Task<(JsonNode Award, JsonNode Offer)> AwardWithOfferAsync(object? offer = null, string format = "di")
    {
        string achievementId = await IssuingApiTests.CreateAchievementAsync(issuerClient);
        JsonNode award = await IssuingApiTests.AwardAsync(issuerClient, achievementId, extra: new
        {
            achievementId,
            recipient = new { email = "learner@example.org", name = "Ada Learner" },
            format,
            delivery = new { offer = offer ?? true },
        });
        return (award, award["offer"]!);
    }

    public static string Path(string url) => new Uri(url).PathAndQuery;

    public async Task<(HttpStatusCode Status, JsonNode? Body)> GetOfferAsync(JsonNode offer)
    {
        using HttpResponseMessage response = await Wallet.GetAsync(Path((string)offer["openid4vci"]!["credentialOfferUrl"]!), Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)));
    }

    public async Task<string> PreAuthorizedCodeAsync(JsonNode offer)
    {
        (HttpStatusCode status, JsonNode? document) = await GetOfferAsync(offer);
        status.Should().Be(HttpStatusCode.OK, document?.ToJsonString());
        return (string)document!["grants"]!["urn:ietf:params:oauth:grant-type:pre-authorized_code"]!["pre-authorized_code"]!;
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> TokenAsync(params (string Name, string Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        using HttpResponseMessage response = await Wallet.PostAsync("/issuers/default/oid4vci/token", content, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
    }

    public Task<(HttpStatusCode Status, JsonNode Body)> TokenForCodeAsync(string code, string? txCode = null) =>
        txCode is null
            ? TokenAsync(("grant_type", "urn:ietf:params:oauth:grant-type:pre-authorized_code"), ("pre-authorized_code", code))
            : TokenAsync(("grant_type", "urn:ietf:params:oauth:grant-type:pre-authorized_code"), ("pre-authorized_code", code), ("tx_code", txCode));

    public async Task<string> AccessTokenAsync(JsonNode offer)
    {
        (HttpStatusCode status, JsonNode body) = await TokenForCodeAsync(await PreAuthorizedCodeAsync(offer), (string?)offer["txCode"]?["value"]);
        status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        return (string)body["access_token"]!;
    }

    public async Task<string> NonceAsync()
    {
        using HttpResponseMessage response = await Wallet.PostAsync("/issuers/default/oid4vci/nonce", null, Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["c_nonce"]!;
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> CredentialAsync(string? accessToken, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/issuers/default/oid4vci/credential") { Content = JsonContent.Create(body) };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        HttpResponseMessage response = await Wallet.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static object Request(string proof, string configuration = "OpenBadgeCredential_ldp_vc") =>
        new Dictionary<string, object> { ["credential_configuration_id"] = configuration, ["proofs"] = new Dictionary<string, object> { ["jwt"] = new[] { proof } } };

    /// <summary>The whole flow for <paramref name="holder"/>: the credential response's first credential.</summary>
    public async Task<JsonNode> ReceiveAsync(JsonNode offer, WalletHolder holder, string configuration = "OpenBadgeCredential_ldp_vc")
    {
        string token = await AccessTokenAsync(offer);
        string proof = holder.Proof(CredentialIssuer, await NonceAsync(), Now);
        (HttpStatusCode status, JsonNode? body, HttpResponseMessage response) = await CredentialAsync(token, Request(proof, configuration));
        response.Dispose();
        status.Should().Be(HttpStatusCode.OK, body?.ToJsonString());
        return body!["credentials"]![0]!["credential"]!;
    }

    /// <summary>POST /credentials/verify of a Data Integrity credential (JSON) or a VC-JWT (string).</summary>
    public async Task<JsonNode> VerifyAsync(JsonNode credential)
    {
        using HttpContent content = credential.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? new StringContent((string)credential!, Encoding.ASCII, "application/vc+jwt")
            : new StringContent(credential.ToJsonString(), Encoding.UTF8, "application/vc+ld+json");
        using HttpResponseMessage response = await Wallet.PostAsync("/credentials/verify", content, Ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }
}
