using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Tenancy;

/// <summary>Per-issuer API keys: scopes, expiry, revocation, the audit log, and that issuer B's key can touch nothing of issuer A's.</summary>
public sealed class TenantIsolationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> CreateKeyAsync(HttpClient admin, string slug, object? body = null)
    {
        using HttpResponseMessage response = await admin.PostAsJsonAsync($"/issuers/{slug}/api-keys", body ?? new { description = "lms", scopes = new[] { "issue", "revoke", "manage" } }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        JsonNode node = JsonNode.Parse(text)!;
        ((string)node["apiKey"]!).Should().StartWith("bik_");
        return (string)node["apiKey"]!;
    }

    // The credential a VC-JWT carries: the payload itself (VC-JOSE-COSE) or its vc claim (VC 1.1).
    private static JsonNode JwtPayload(string jwt)
    {
        string segment = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        JsonNode payload = JsonNode.Parse(Convert.FromBase64String(segment.PadRight(segment.Length + ((4 - (segment.Length % 4)) % 4), '=')))!;
        return payload["vc"] ?? payload;
    }

    private static HttpClient ClientWith(BadgeIssuerApplication app, string key)
    {
        HttpClient client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A bearer credential for a new key of <paramref name="slug"/>: the API key itself, or an access token its OAuth client obtained.</summary>
    private static async Task<string> CreateCredentialAsync(BadgeIssuerApplication app, HttpClient admin, string slug, string kind)
    {
        if (kind == "api-key")
        {
            return await CreateKeyAsync(admin, slug);
        }

        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, slug, "issue", "revoke", "manage");
        return await OAuthHelper.TokenAsync(app, clientId, secret);
    }

    [Theory]
    [InlineData("api-key", "di", "revocation")]
    [InlineData("api-key", "jwt", "suspension")]
    [InlineData("access-token", "di", "suspension")]
    [InlineData("access-token", "jwt", "revocation")]
    public async Task ForeignTenant_EveryProtectedEndpointOfAnotherIssuer_Returns404(string kind, string format, string purpose)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpResponseMessage other = await admin.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct);
        other.StatusCode.Should().Be(HttpStatusCode.Created);
        using HttpClient a = ClientWith(app, await CreateCredentialAsync(app, admin, "default", kind));
        using HttpClient b = ClientWith(app, await CreateCredentialAsync(app, admin, "other", kind));
        (string defaultClientId, _) = await OAuthHelper.CreateClientAsync(admin, "default", "issue");

        // The foreign tenant's target: a credential in this format (Data Integrity or VC-JWT) with this status purpose.
        string achievementId = await IssuingApiTests.CreateAchievementAsync(a);
        JsonNode award = await IssuingApiTests.AwardAsync(a, achievementId, extra: new { achievementId, recipient = new { email = "learner@example.org" }, format, status = new[] { purpose } });
        string credentialId = (string)award["credentialId"]!;
        JsonNode credential = format == "di" ? award["credential"]! : JwtPayload((string)award["jwt"]!);
        ((string)credential["credentialStatus"]!["statusPurpose"]!).Should().Be(purpose);
        string listUrl = (string)credential["credentialStatus"]!["statusListCredential"]!;
        string local = credentialId[(credentialId.LastIndexOf('/') + 1)..];

        var attempts = new List<(string Name, Func<Task<HttpResponseMessage>> Send)>
        {
            ("award", () => b.PostAsJsonAsync("/awards", new { achievementId, recipient = new { email = "x@example.org" } }, Ct)),
            ("update achievement", () => b.PutAsJsonAsync(achievementId, new { name = "n", description = "d", criteria = new { narrative = "x" } }, Ct)),
            ("list achievements", () => b.GetAsync("/achievements?issuerId=" + Uri.EscapeDataString(BadgeIssuerApplication.IssuerId), Ct)),
            ("create achievement", () => b.PostAsJsonAsync("/achievements", new { issuerId = BadgeIssuerApplication.IssuerId, name = "n", description = "d", criteria = new { narrative = "x" } }, Ct)),
            ("issue", () => b.PostAsJsonAsync("/credentials/issue", new { credential = IssuingApiTests.SampleCredential() }, Ct)),
            ("revoke", () => b.PostAsync($"/credentials/{local}/revoke", null, Ct)),
            ("suspend", () => b.PostAsync($"/credentials/{local}/suspend", null, Ct)),
            ("reinstate", () => b.PostAsync($"/credentials/{local}/reinstate", null, Ct)),
            ("status", () => b.PostAsJsonAsync("/credentials/status", new { credentialId, credentialStatus = new[] { new { statusPurpose = purpose, status = true } } }, Ct)),
            ("status changes", () => b.GetAsync(listUrl + "/changes", Ct)),
            ("update profile", () => b.PutAsJsonAsync("/issuers/default", new { name = "Hijacked" }, Ct)),
            ("list keys", () => b.GetAsync("/issuers/default/keys", Ct)),
            ("rotate", () => b.PostAsync("/issuers/default/keys/rotate", null, Ct)),
            ("create api key", () => b.PostAsJsonAsync("/issuers/default/api-keys", new { scopes = new[] { "issue" } }, Ct)),
            ("list api keys", () => b.GetAsync("/issuers/default/api-keys", Ct)),
            ("audit", () => b.GetAsync("/issuers/default/audit", Ct)),
            ("create client", () => b.PostAsJsonAsync("/issuers/default/clients", new { scopes = new[] { "issue" } }, Ct)),
            ("list clients", () => b.GetAsync("/issuers/default/clients", Ct)),
            ("revoke client", () => b.DeleteAsync("/issuers/default/clients/" + defaultClientId, Ct)),
            ("revoke api key", () => b.DeleteAsync("/issuers/default/api-keys/" + defaultClientId, Ct)),
        };
        foreach ((string name, Func<Task<HttpResponseMessage>> send) in attempts)
        {
            using HttpResponseMessage response = await send();
            (response.StatusCode == HttpStatusCode.NotFound).Should().BeTrue($"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        }

        // A batch answers per item: the foreign item is a 404 problem.
        using HttpResponseMessage batch = await b.PostAsJsonAsync("/awards/batch", new { awards = new[] { new { achievementId, recipient = new { email = "x@example.org" } } } }, Ct);
        JsonNode batchBody = JsonNode.Parse(await batch.Content.ReadAsStringAsync(Ct))!;
        ((int)batchBody["succeeded"]!).Should().Be(0);
        ((int)batchBody["results"]![0]!["status"]!).Should().Be(404);

        using HttpResponseMessage createIssuer = await b.PostAsJsonAsync("/issuers", new { name = "Sneaky" }, Ct);
        createIssuer.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using HttpResponseMessage rewrap = await b.PostAsync("/admin/kek/rewrap", null, Ct);
        rewrap.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // Nothing changed: the credential still verifies and the profile kept its name.
        JsonNode profile = JsonNode.Parse(await a.GetStringAsync("/issuers/default", Ct))!;
        ((string)profile["name"]!).Should().NotBe("Hijacked");
        using var content = new ByteArrayContent(await a.GetByteArrayAsync(credentialId + "." + (format == "di" ? "json" : "jwt"), Ct));
        content.Headers.ContentType = new MediaTypeHeaderValue(format == "di" ? "application/vc+ld+json" : "application/vc+jwt");
        using HttpResponseMessage verify = await a.PostAsync("/credentials/verify", content, Ct);
        ((bool)JsonNode.Parse(await verify.Content.ReadAsStringAsync(Ct))!["verified"]!).Should().BeTrue();
    }

    [Fact]
    public async Task TenantKey_ScopesRevocationExpiry_AreEnforced()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        string issueOnly = await CreateKeyAsync(admin, "default", new { scopes = new[] { "issue" }, expiresAt = "2026-11-02T00:00:00Z" });
        using HttpClient client = ClientWith(app, issueOnly);

        string achievementId = await IssuingApiTests.CreateAchievementAsync(admin);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId);
        using HttpResponseMessage revoke = await client.PostAsync((string)award["credentialId"]! + "/revoke", null, Ct);
        revoke.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using HttpResponseMessage grant = await client.PostAsJsonAsync("/issuers/default/api-keys", new { scopes = new[] { "admin" } }, Ct);
        grant.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        string manager = await CreateKeyAsync(admin, "default");
        using HttpClient managing = ClientWith(app, manager);
        using HttpResponseMessage escalate = await managing.PostAsJsonAsync("/issuers/default/api-keys", new { scopes = new[] { "admin" } }, Ct);
        escalate.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        // Expiry follows the service clock.
        app.Clock.Now = BadgeIssuerApplication.Now.AddDays(2);
        app.Services.GetRequiredService<Api.Infrastructure.ApiKeyCache>().Clear();
        using HttpResponseMessage expired = await client.PostAsJsonAsync("/awards", new { achievementId, recipient = new { email = "a@example.org" } }, Ct);
        expired.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // Revocation takes effect at once.
        JsonNode keys = JsonNode.Parse(await managing.GetStringAsync("/issuers/default/api-keys", Ct))!;
        keys.ToJsonString().Replace("\"prefix\":\"bik_", "\"prefix\":\"", StringComparison.Ordinal).Should().NotContain("bik_");
        string managerId = (string)keys["keys"]!.AsArray().Last()!["keyId"]!;
        using HttpResponseMessage deleted = await admin.DeleteAsync("/issuers/default/api-keys/" + managerId, Ct);
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        using HttpResponseMessage afterRevoke = await managing.GetAsync("/issuers/default/api-keys", Ct);
        afterRevoke.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AuditLog_RecordsIssuanceKeysAndStatusChanges_WithActorAndRequestId()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = ClientWith(app, await CreateKeyAsync(admin, "default"));
        string achievementId = await IssuingApiTests.CreateAchievementAsync(tenant);
        JsonNode award = await IssuingApiTests.AwardAsync(tenant, achievementId);
        using HttpResponseMessage revoked = await tenant.PostAsync((string)award["credentialId"]! + "/revoke", null, Ct);
        revoked.StatusCode.Should().Be(HttpStatusCode.OK);

        JsonArray entries = JsonNode.Parse(await tenant.GetStringAsync("/issuers/default/audit", Ct))!["entries"]!.AsArray();
        string[] actions = entries.Select(e => (string)e!["action"]!).ToArray();
        actions.Should().Equal(["status.revocation", "credential.issue", "achievement.create", "apikey.create"]);
        ((string)entries[1]!["target"]!).Should().Be((string)award["credentialId"]!);
        entries.Should().AllSatisfy(e => ((string)e!["actor"]!).Should().StartWith("api-key:"));
        (entries[0]!["requestId"] ?? entries[2]!["requestId"]).Should().NotBeNull();
    }
}
