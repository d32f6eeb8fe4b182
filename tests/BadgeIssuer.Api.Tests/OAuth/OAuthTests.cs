using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.OAuth;

/// <summary>
/// OAuth 2.0 client credentials: <c>POST /oauth/token</c> (RFC 6749 §4.4, errors per §5.2), access tokens on every
/// protected endpoint, scope subsets and the Open Badges scope mapping, strict JWT validation, and revocation.
/// </summary>
public sealed class OAuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonNode> OAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == status).Should().BeTrue($"{(int)response.StatusCode} {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/json");
        (response.Headers.CacheControl?.ToString()).Should().Be("no-store");
        JsonNode node = JsonNode.Parse(text)!;
        ((string)node["error"]!).Should().Be(error);
        return node;
    }

    [Fact]
    public async Task Token_ByBasicAndByFormFields_WorksOnIssueRevokeAchievementsKeysAndAudit()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "issue", "revoke", "manage");
        using HttpClient anonymous = app.CreateClient();

        using HttpResponseMessage basic = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"));
        string text = await basic.Content.ReadAsStringAsync(Ct);
        (basic.StatusCode == HttpStatusCode.OK).Should().BeTrue(text);
        (basic.Headers.CacheControl?.ToString()).Should().Be("no-store");
        basic.Headers.Pragma.ToString().Should().Contain("no-cache");
        JsonNode body = JsonNode.Parse(text)!;
        ((string)body["token_type"]!).Should().Be("Bearer");
        ((int)body["expires_in"]!).Should().Be(600);
        ((string)body["scope"]!).Should().Be("issue revoke manage");
        string token = (string)body["access_token"]!;

        JsonNode header = OAuthHelper.Part(token, 0);
        ((string)header["alg"]!).Should().Be("HS256");
        ((string)header["typ"]!).Should().Be("at+jwt");
        ((string)header["kid"]!).Should().Be(OAuthHelper.ServiceKey(app).Kid);
        JsonNode claims = OAuthHelper.Part(token, 1);
        ((string)claims["iss"]!).Should().Be(BadgeIssuerApplication.BaseUrl);
        ((string)claims["aud"]!).Should().Be(BadgeIssuerApplication.BaseUrl);
        ((string)claims["sub"]!).Should().Be(clientId);
        ((string)claims["issuer_id"]!).Should().Be(BadgeIssuerApplication.IssuerId);
        ((string)claims["scope"]!).Should().Be("issue revoke manage");
        ((long)claims["iat"]!).Should().Be(BadgeIssuerApplication.Now.ToUnixTimeSeconds());
        ((long)claims["exp"]!).Should().Be(BadgeIssuerApplication.Now.ToUnixTimeSeconds() + 600);
        string.IsNullOrEmpty((string?)claims["jti"]).Should().BeFalse();

        string formToken = await OAuthHelper.TokenAsync(app, clientId, secret);
        formToken.Should().NotBe(token);

        foreach (string credential in new[] { token, formToken })
        {
            using HttpClient client = OAuthHelper.WithBearer(app, credential);
            string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
            JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId);
            using HttpResponseMessage issued = await client.PostAsJsonAsync("/credentials/issue", new { credential = IssuingApiTests.SampleCredential() }, Ct);
            issued.StatusCode.Should().Be(HttpStatusCode.Created);
            using HttpResponseMessage revoked = await client.PostAsync((string)award["credentialId"]! + "/revoke", null, Ct);
            revoked.StatusCode.Should().Be(HttpStatusCode.OK);
            using HttpResponseMessage keys = await client.GetAsync("/issuers/default/api-keys", Ct);
            keys.StatusCode.Should().Be(HttpStatusCode.OK);
            using HttpResponseMessage achievements = await client.GetAsync("/achievements", Ct);
            achievements.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using HttpClient auditor = OAuthHelper.WithBearer(app, formToken);
        JsonArray entries = JsonNode.Parse(await auditor.GetStringAsync("/issuers/default/audit", Ct))!["entries"]!.AsArray();
        entries.Should().Contain(e => (string)e!["action"]! == "client.create" && (string)e!["target"]! == clientId);
        entries.Count(e => (string)e!["action"]! == "oauth.token" && (string)e!["actor"]! == "oauth-client:" + clientId).Should().Be(2);
        entries.Should().Contain(e => (string)e!["action"]! == "credential.issue" && (string)e!["actor"]! == "oauth-client:" + clientId);
        entries.ToJsonString().Should().NotContain(secret);

        // The client is an API key: listed there and under /clients, never with its secret.
        string clients = await auditor.GetStringAsync("/issuers/default/clients", Ct);
        clients.Should().Contain(clientId);
        clients.Should().NotContain(secret);
    }

    [Fact]
    public async Task Token_Scope_IsASubsetOfTheClientsScopes()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "issue", "revoke");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(admin);
        using HttpClient anonymous = app.CreateClient();

        using HttpClient issueOnly = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, clientId, secret, "issue"));
        JsonNode award = await IssuingApiTests.AwardAsync(issueOnly, achievementId);
        using HttpResponseMessage revoke = await issueOnly.PostAsync((string)award["credentialId"]! + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        using HttpResponseMessage manage = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"), ("scope", "issue manage"));
        ((string)(await OAuthErrorAsync(manage, HttpStatusCode.BadRequest, "invalid_scope"))["error_description"]!).Should().Contain("manage");
        using HttpResponseMessage admin2 = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"), ("scope", "admin"));
        await OAuthErrorAsync(admin2, HttpStatusCode.BadRequest, "invalid_scope");
        using HttpResponseMessage unknown = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"), ("scope", "everything"));
        await OAuthErrorAsync(unknown, HttpStatusCode.BadRequest, "invalid_scope");
        using HttpResponseMessage empty = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"), ("scope", " "));
        await OAuthErrorAsync(empty, HttpStatusCode.BadRequest, "invalid_scope");

        // credential.upsert grants exactly issue, which this client holds: it may ask for it.
        string upsert = await OAuthHelper.TokenAsync(app, clientId, secret, OAuthHelper.Upsert);
        ((string)OAuthHelper.Part(upsert, 1)["scope"]!).Should().Be(OAuthHelper.Upsert);
        using HttpClient upserting = OAuthHelper.WithBearer(app, upsert);
        await IssuingApiTests.AwardAsync(upserting, achievementId);
        using HttpResponseMessage revokeUpsert = await upserting.PostAsync((string)award["credentialId"]! + "/revoke", null, Ct);
        revokeUpsert.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OpenBadgesScopes_MapOntoPermissions()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(admin);
        JsonNode adminAward = await IssuingApiTests.AwardAsync(admin, achievementId);
        string listUrl = (string)adminAward["credential"]!["credentialStatus"]!["statusListCredential"]!;
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", OAuthHelper.Upsert, OAuthHelper.ReadOnly, OAuthHelper.ProfileUpdate);

        using HttpClient client = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, clientId, secret));
        await IssuingApiTests.AwardAsync(client, achievementId);
        using HttpResponseMessage list = await client.GetAsync("/achievements", Ct);
        list.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpResponseMessage changes = await client.GetAsync(listUrl + "/changes", Ct);
        changes.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpResponseMessage profile = await client.PutAsJsonAsync("/issuers/default", new { name = "Renamed College" }, Ct);
        profile.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpResponseMessage keys = await client.GetAsync("/issuers/default/keys", Ct);
        keys.StatusCode.Should().Be(HttpStatusCode.OK);

        // None of them grants revoke or manage.
        using HttpResponseMessage revoke = await client.PostAsync((string)adminAward["credentialId"]! + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using HttpResponseMessage create = await client.PostAsJsonAsync("/achievements", new { name = "n", description = "d", criteria = new { narrative = "x" } }, Ct);
        create.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using HttpResponseMessage apiKeys = await client.GetAsync("/issuers/default/api-keys", Ct);
        apiKeys.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // profile.readonly reads the key list but cannot change the profile.
        (string readerId, string readerSecret) = await OAuthHelper.CreateClientAsync(admin, "default", OAuthHelper.ProfileReadOnly);
        using HttpClient reader = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, readerId, readerSecret));
        using HttpResponseMessage readKeys = await reader.GetAsync("/issuers/default/keys", Ct);
        readKeys.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpResponseMessage update = await reader.PutAsJsonAsync("/issuers/default", new { name = "Nope" }, Ct);
        update.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // A manage key cannot grant credential.upsert (it would confer issue, which manage lacks).
        (string managerId, string managerSecret) = await OAuthHelper.CreateClientAsync(admin, "default", "manage");
        using HttpClient manager = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, managerId, managerSecret));
        using HttpResponseMessage escalate = await manager.PostAsJsonAsync("/issuers/default/clients", new { scopes = new[] { OAuthHelper.Upsert } }, Ct);
        escalate.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using HttpResponseMessage delegated = await manager.PostAsJsonAsync("/issuers/default/clients", new { scopes = new[] { OAuthHelper.ProfileUpdate } }, Ct);
        delegated.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TokenEndpoint_BadRequests_AnswerRfc6749Errors()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "issue");
        using HttpClient anonymous = app.CreateClient();

        using HttpResponseMessage wrongSecret = await OAuthHelper.RequestAsync(anonymous, (clientId, secret + "x"), ("grant_type", "client_credentials"));
        await OAuthErrorAsync(wrongSecret, HttpStatusCode.Unauthorized, "invalid_client");
        wrongSecret.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic");
        using HttpResponseMessage otherId = await OAuthHelper.RequestAsync(anonymous, ("0123456789abcdef0123456789abcdef", secret), ("grant_type", "client_credentials"));
        await OAuthErrorAsync(otherId, HttpStatusCode.Unauthorized, "invalid_client");
        using HttpResponseMessage formWrong = await OAuthHelper.RequestAsync(anonymous, null, ("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", "bik_wrong"));
        await OAuthErrorAsync(formWrong, HttpStatusCode.Unauthorized, "invalid_client");
        using HttpResponseMessage noClient = await OAuthHelper.RequestAsync(anonymous, null, ("grant_type", "client_credentials"));
        await OAuthErrorAsync(noClient, HttpStatusCode.Unauthorized, "invalid_client");
        // The admin API key is not a client secret of another client id, nor is a bearer header client authentication.
        using HttpResponseMessage bearer = await OAuthHelper.RequestAsync(admin, null, ("grant_type", "client_credentials"));
        await OAuthErrorAsync(bearer, HttpStatusCode.Unauthorized, "invalid_client");

        using HttpResponseMessage grant = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "password"), ("username", "a"), ("password", "b"));
        await OAuthErrorAsync(grant, HttpStatusCode.BadRequest, "unsupported_grant_type");
        using HttpResponseMessage noGrant = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("scope", "issue"));
        await OAuthErrorAsync(noGrant, HttpStatusCode.BadRequest, "invalid_request");
        using HttpResponseMessage twoMethods = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"), ("client_secret", secret));
        await OAuthErrorAsync(twoMethods, HttpStatusCode.BadRequest, "invalid_request");
        using HttpResponseMessage repeated = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"), ("grant_type", "client_credentials"));
        await OAuthErrorAsync(repeated, HttpStatusCode.BadRequest, "invalid_request");

        using var json = new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage notForm = await anonymous.PostAsync("/oauth/token", json, Ct);
        await OAuthErrorAsync(notForm, HttpStatusCode.BadRequest, "invalid_request");
        using var huge = new StringContent("grant_type=client_credentials&scope=" + new string('a', 20_000), Encoding.UTF8, "application/x-www-form-urlencoded");
        using HttpResponseMessage tooLarge = await anonymous.PostAsync("/oauth/token", huge, Ct);
        await OAuthErrorAsync(tooLarge, HttpStatusCode.BadRequest, "invalid_request");
        using HttpResponseMessage get = await anonymous.GetAsync("/oauth/token", Ct);
        get.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task AccessToken_Expired_Returns401()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "issue", "manage");
        using HttpClient client = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, clientId, secret));

        // Within the lifetime plus the 30 s skew the token works; after it, 401 with an invalid_token challenge.
        app.Clock.Now = BadgeIssuerApplication.Now.AddSeconds(620);
        using HttpResponseMessage late = await client.GetAsync("/issuers/default/api-keys", Ct);
        late.StatusCode.Should().Be(HttpStatusCode.OK);
        app.Clock.Now = BadgeIssuerApplication.Now.AddMinutes(11);
        using HttpResponseMessage expired = await client.GetAsync("/issuers/default/api-keys", Ct);
        expired.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (expired.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        expired.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token");

        // Tokens minted "in the future" (beyond the skew) are refused too.
        (byte[] key, string kid) = OAuthHelper.ServiceKey(app);
        long now = app.Clock.Now.ToUnixTimeSeconds();
        string future = OAuthHelper.Sign($$"""{"alg":"HS256","typ":"at+jwt","kid":"{{kid}}"}""",
            $$"""{"iss":"http://localhost","aud":"http://localhost","sub":"{{clientId}}","client_id":"{{clientId}}","issuer_id":"{{BadgeIssuerApplication.IssuerId}}","scope":"manage","iat":{{now + 3600}},"nbf":{{now + 3600}},"exp":{{now + 4000}},"jti":"x"}""", key);
        using HttpClient early = OAuthHelper.WithBearer(app, future);
        using HttpResponseMessage notYet = await early.GetAsync("/issuers/default/api-keys", Ct);
        notYet.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    public static TheoryData<string, string> ForgedTokens => new()
    {
        { "tampered payload", "tampered" },
        { "alg none", "none" },
        { "RS256 header", "rs256" },
        { "wrong kid", "kid" },
        { "no kid", "nokid" },
        { "HS256 with another key", "otherkey" },
        { "extra jwk header", "jwk" },
        { "typ JWT", "typ" },
        { "wrong iss (signed)", "iss" },
        { "wrong aud (signed)", "aud" },
        { "sub differs from client_id (signed)", "sub" },
        { "foreign issuer_id (signed)", "tenant" },
        { "truncated", "truncated" },
    };

    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task AccessToken_ForgedOrMalformed_Returns401(string name, string kind)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "issue", "manage");
        string token = await OAuthHelper.TokenAsync(app, clientId, secret, "issue");
        (byte[] key, string kid) = OAuthHelper.ServiceKey(app);
        string[] parts = token.Split('.');
        long now = BadgeIssuerApplication.Now.ToUnixTimeSeconds();
        string Payload(string iss = "http://localhost", string aud = "http://localhost", string? sub = null, string tenant = BadgeIssuerApplication.IssuerId) =>
            $$"""{"iss":"{{iss}}","aud":"{{aud}}","sub":"{{sub ?? clientId}}","client_id":"{{clientId}}","issuer_id":"{{tenant}}","scope":"issue manage admin","iat":{{now}},"nbf":{{now}},"exp":{{now + 600}},"jti":"forged"}""";
        string Header(string alg = "HS256", string? keyId = null) => $$"""{"alg":"{{alg}}","typ":"at+jwt","kid":"{{keyId ?? kid}}"}""";

        string forged = kind switch
        {
            "tampered" => parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Payload())) + "." + parts[2],
            "none" => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Header("none"))) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Payload())) + ".",
            "rs256" => OAuthHelper.Sign(Header("RS256"), Payload(), key),
            "kid" => OAuthHelper.Sign(Header(keyId: "0011223344556677"), Payload(), key),
            "nokid" => OAuthHelper.Sign("""{"alg":"HS256","typ":"at+jwt"}""", Payload(), key),
            "otherkey" => OAuthHelper.Sign(Header(), Payload(), RandomNumberGenerator.GetBytes(32)),
            "jwk" => OAuthHelper.Sign($$"""{"alg":"HS256","typ":"at+jwt","kid":"{{kid}}","jwk":"x"}""", Payload(), key),
            "typ" => OAuthHelper.Sign($$"""{"alg":"HS256","typ":"JWT","kid":"{{kid}}"}""", Payload(), key),
            "iss" => OAuthHelper.Sign(Header(), Payload(iss: "https://evil.example"), key),
            "aud" => OAuthHelper.Sign(Header(), Payload(aud: "https://other-service.example"), key),
            "sub" => OAuthHelper.Sign(Header(), Payload(sub: "someone-else"), key),
            "tenant" => OAuthHelper.Sign(Header(), Payload(tenant: "did:web:localhost:issuers:other"), key),
            "truncated" => token[..^5],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using HttpClient client = OAuthHelper.WithBearer(app, forged);
        using HttpResponseMessage response = await client.GetAsync("/issuers/default/api-keys", Ct);
        (response.StatusCode == HttpStatusCode.Unauthorized).Should().BeTrue($"{name}: {(int)response.StatusCode}");

        // The same forgery never reaches a lower-privileged endpoint either, and a genuine token still works.
        using HttpResponseMessage award = await client.PostAsJsonAsync("/awards", new { achievementId = "x", recipient = new { email = "a@example.org" } }, Ct);
        award.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        string genuine = OAuthHelper.Sign(Header(), Payload(), key);
        using HttpClient control = OAuthHelper.WithBearer(app, genuine);
        using HttpResponseMessage ok = await control.GetAsync("/issuers/default/api-keys", Ct);
        // The signed control token asks for manage and admin, but the client holds issue and manage: manage is honoured, admin is not.
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpResponseMessage notAdmin = await control.PostAsJsonAsync("/issuers", new { name = "Escalated" }, Ct);
        notAdmin.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RevokedClient_TokensStopWorking_AndNoNewTokens()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "issue", "manage");
        using HttpClient client = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, clientId, secret));
        using HttpResponseMessage before = await client.GetAsync("/issuers/default/clients", Ct);
        before.StatusCode.Should().Be(HttpStatusCode.OK);

        using HttpResponseMessage revoked = await admin.DeleteAsync("/issuers/default/clients/" + clientId, Ct);
        revoked.StatusCode.Should().Be(HttpStatusCode.NoContent);

        using HttpResponseMessage after = await client.GetAsync("/issuers/default/clients", Ct);
        after.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using HttpClient anonymous = app.CreateClient();
        using HttpResponseMessage again = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"));
        await OAuthErrorAsync(again, HttpStatusCode.Unauthorized, "invalid_client");

        JsonArray entries = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/audit", Ct))!["entries"]!.AsArray();
        ((string)entries[0]!["action"]!).Should().Be("client.revoke");
        ((string)entries[0]!["target"]!).Should().Be(clientId);
    }

    [Fact]
    public async Task ExpiredClient_CannotGetTokens()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpResponseMessage created = await admin.PostAsJsonAsync("/issuers/default/clients", new { scopes = new[] { "issue" }, expiresAt = "2026-11-01T01:00:00Z" }, Ct);
        JsonNode node = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!;
        string clientId = (string)node["client_id"]!, secret = (string)node["client_secret"]!;
        using HttpClient client = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, clientId, secret));

        app.Clock.Now = BadgeIssuerApplication.Now.AddHours(2);
        app.Services.GetRequiredService<Api.Infrastructure.ApiKeyCache>().Clear();
        using HttpClient anonymous = app.CreateClient();
        using HttpResponseMessage refused = await OAuthHelper.RequestAsync(anonymous, null, ("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", secret));
        await OAuthErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task TokenEndpoint_OverItsLimit_Returns429()
    {
        using var app = new BadgeIssuerApplication(("RateLimits:Token:PermitsPerSecond", "1"), ("RateLimits:Token:Burst", "2"));
        using HttpClient anonymous = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage response = await OAuthHelper.RequestAsync(anonymous, ("nobody", "bik_nothing"), ("grant_type", "client_credentials"));
            statuses.Add(response.StatusCode);
        }

        statuses[0].Should().Be(HttpStatusCode.Unauthorized);
        statuses.Should().Contain(HttpStatusCode.TooManyRequests);

        // Other public endpoints keep their own (larger) budget.
        using HttpResponseMessage profile = await anonymous.GetAsync("/issuers/default", Ct);
        profile.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
