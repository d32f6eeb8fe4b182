using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Tenancy;

/// <summary>
/// A key never acts on a key with more privilege, nor outlives its creator: revocation needs every scope of the key,
/// created keys and clients are bounded by their creator's scopes and expiry (and tokens by their client's expiry),
/// revoking a key revokes what it created, and a revoked bootstrap key is recovered from configuration.
/// </summary>
public sealed class KeyPrivilegeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonNode> CreateAsync(HttpClient creator, string path, object body)
    {
        using HttpResponseMessage response = await creator.PostAsJsonAsync(path, body, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<(string Id, string Key)> CreateKeyAsync(HttpClient creator, params string[] scopes)
    {
        JsonNode node = await CreateAsync(creator, "/issuers/default/api-keys", new { description = "test", scopes });
        return ((string)node["keyId"]!, (string)node["apiKey"]!);
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == status).Should().BeTrue($"{(int)response.StatusCode} {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode node = JsonNode.Parse(text)!;
        ((string)node["type"]!).Should().Be("urn:badgeissuer:problem:" + code);
        ((string)node["code"]!).Should().Be(code);
        return node;
    }

    private static async Task<string> BootstrapKeyIdAsync(HttpClient admin)
    {
        JsonNode keys = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/api-keys", Ct))!;
        return (string)keys["keys"]!.AsArray().Single(k => k!["scopes"]!.AsArray().Any(s => (string?)s == "admin"))!["keyId"]!;
    }

    [Fact]
    public async Task ManageKey_CannotRevokeTheBootstrapAdminKey_OrAKeyHoldingAScopeItLacks()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        string bootstrapId = await BootstrapKeyIdAsync(admin);
        (_, string manager) = await CreateKeyAsync(admin, "issue", "revoke", "manage");
        (_, string manageOnly) = await CreateKeyAsync(admin, "manage");
        (string issuerKeyId, _) = await CreateKeyAsync(admin, "issue");
        using HttpClient managing = OAuthHelper.WithBearer(app, manager);
        using HttpClient limited = OAuthHelper.WithBearer(app, manageOnly);

        foreach (string path in new[] { "/issuers/default/api-keys/", "/issuers/default/clients/" })
        {
            using HttpResponseMessage refused = await managing.DeleteAsync(path + bootstrapId, Ct);
            JsonNode problem = await ProblemAsync(refused, HttpStatusCode.Forbidden, "key-outranks-caller");
            ((string)problem["scope"]!).Should().Be("admin");
            ((string)problem["keyId"]!).Should().Be(bootstrapId);
        }

        // A manage-only key could not have granted "issue", so it may not revoke a key holding it either.
        using HttpResponseMessage outranked = await limited.DeleteAsync("/issuers/default/api-keys/" + issuerKeyId, Ct);
        ((string)(await ProblemAsync(outranked, HttpStatusCode.Forbidden, "key-outranks-caller"))["scope"]!).Should().Be("issue");

        // Nothing was revoked; the admin still works, and a caller holding every scope of the key may revoke it.
        using HttpResponseMessage stillAdmin = await admin.GetAsync("/issuers/default/api-keys", Ct);
        stillAdmin.StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetStringAsync("/issuers/default/audit", Ct)).Should().NotContain("apikey.revoke");
        using HttpResponseMessage revoked = await managing.DeleteAsync("/issuers/default/api-keys/" + issuerKeyId, Ct);
        revoked.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ManageAccessToken_CannotRevokeTheBootstrapAdminKey()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        string bootstrapId = await BootstrapKeyIdAsync(admin);
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "issue", "revoke", "manage");
        using HttpClient token = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, clientId, secret));

        using HttpResponseMessage refused = await token.DeleteAsync("/issuers/default/clients/" + bootstrapId, Ct);
        await ProblemAsync(refused, HttpStatusCode.Forbidden, "key-outranks-caller");
    }

    [Fact]
    public async Task CreatedKeysAndClients_StayWithinTheCreatorsScopesAndExpiry()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        DateTimeOffset creatorExpiry = BadgeIssuerApplication.Now.AddDays(1);
        JsonNode creator = await CreateAsync(admin, "/issuers/default/api-keys", new { scopes = new[] { "manage", "revoke" }, expiresAt = creatorExpiry });
        using HttpClient limited = OAuthHelper.WithBearer(app, (string)creator["apiKey"]!);

        foreach ((string path, string expiresField) in new[] { ("/issuers/default/api-keys", "expiresAt"), ("/issuers/default/clients", "expires_at") })
        {
            // Scopes beyond its own: refused, naming the field.
            using HttpResponseMessage scopes = await limited.PostAsJsonAsync(path, new { scopes = new[] { "issue" } }, Ct);
            (await ProblemAsync(scopes, HttpStatusCode.BadRequest, "invalid-request")).ToJsonString().Should().Contain("/scopes");

            // A later expiry: refused; none: the creator's; an earlier one: kept.
            using HttpResponseMessage later = await limited.PostAsJsonAsync(path, new { scopes = new[] { "revoke" }, expiresAt = creatorExpiry.AddSeconds(1) }, Ct);
            (await ProblemAsync(later, HttpStatusCode.BadRequest, "invalid-request")).ToJsonString().Should().Contain("/expiresAt");
            JsonNode inherited = await CreateAsync(limited, path, new { scopes = new[] { "revoke" } });
            inherited[expiresField]!.GetValue<DateTimeOffset>().Should().Be(creatorExpiry);
            JsonNode earlier = await CreateAsync(limited, path, new { scopes = new[] { "manage" }, expiresAt = creatorExpiry.AddHours(-1) });
            earlier[expiresField]!.GetValue<DateTimeOffset>().Should().Be(creatorExpiry.AddHours(-1));
        }

        // The listing names each key's creator.
        JsonArray keys = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/api-keys", Ct))!["keys"]!.AsArray();
        keys.Count(k => (string?)k!["createdBy"] == (string)creator["keyId"]!).Should().Be(4);
        keys[0]!["createdBy"].Should().BeNull();
    }

    [Fact]
    public async Task KeyRevokedOnAnotherInstance_CannotCreateKeysWhileStillCached()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string managerId, string manager) = await CreateKeyAsync(admin, "issue", "manage");
        using HttpClient managing = OAuthHelper.WithBearer(app, manager);
        using (HttpResponseMessage cached = await managing.GetAsync("/issuers/default/api-keys", Ct))
        {
            cached.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // As another instance would: in the database, not in this instance's 30 s lookup cache.
        await app.Services.GetRequiredService<Storage.IBadgeStorage>().ApiKeys.RevokeAsync(managerId, BadgeIssuerApplication.Now, new Storage.KeyRevocationAudit("api-key:other", "apikey.revoke", null), Ct);
        using (HttpResponseMessage stillCached = await managing.GetAsync("/issuers/default/api-keys", Ct))
        {
            stillCached.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using HttpResponseMessage refused = await managing.PostAsJsonAsync("/issuers/default/api-keys", new { scopes = new[] { "issue" } }, Ct);
        await ProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task AccessToken_NeverOutlivesItsClient()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        DateTimeOffset expires = BadgeIssuerApplication.Now.AddSeconds(120);
        JsonNode client = await CreateAsync(admin, "/issuers/default/clients", new { scopes = new[] { "issue" }, expiresAt = expires });

        using HttpClient anonymous = app.CreateClient();
        using HttpResponseMessage response = await OAuthHelper.RequestAsync(anonymous, null, ("grant_type", "client_credentials"),
            ("client_id", (string)client["client_id"]!), ("client_secret", (string)client["client_secret"]!));
        JsonNode token = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        ((int)token["expires_in"]!).Should().Be(120);
        ((long)OAuthHelper.Part((string)token["access_token"]!, 1)["exp"]!).Should().Be(expires.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task RevokingAKey_RevokesTheKeysAndClientsItCreated_Transitively_Audited()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        (string parentId, string parent) = await CreateKeyAsync(admin, "issue", "revoke", "manage");
        (_, string sibling) = await CreateKeyAsync(admin, "issue", "manage");
        using HttpClient parentClient = OAuthHelper.WithBearer(app, parent);
        (string childId, string child) = await CreateKeyAsync(parentClient, "issue", "manage");
        using HttpClient childClient = OAuthHelper.WithBearer(app, child);
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(childClient, "default", "issue", "manage");
        using HttpClient grandchildToken = OAuthHelper.WithBearer(app, await OAuthHelper.TokenAsync(app, clientId, secret));
        using (HttpResponseMessage before = await grandchildToken.GetAsync("/issuers/default/clients", Ct))
        {
            before.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using HttpResponseMessage revoked = await admin.DeleteAsync("/issuers/default/clients/" + parentId, Ct);
        revoked.StatusCode.Should().Be(HttpStatusCode.NoContent);

        foreach (HttpClient gone in new[] { parentClient, childClient, grandchildToken })
        {
            using HttpResponseMessage after = await gone.GetAsync("/issuers/default/api-keys", Ct);
            after.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        using HttpClient anonymous = app.CreateClient();
        using HttpResponseMessage noToken = await OAuthHelper.RequestAsync(anonymous, (clientId, secret), ("grant_type", "client_credentials"));
        noToken.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using HttpClient siblingClient = OAuthHelper.WithBearer(app, sibling);
        using HttpResponseMessage untouched = await siblingClient.GetAsync("/issuers/default/api-keys", Ct);
        untouched.StatusCode.Should().Be(HttpStatusCode.OK);

        JsonArray entries = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/audit?limit=3", Ct))!["entries"]!.AsArray();
        // Created at the same (fixed) instant, the two cascaded keys may be listed in either order.
        entries.Select(e => (string)e!["action"]!).Should().Equal(["apikey.revoke.cascade", "apikey.revoke.cascade", "client.revoke"]);
        ((string)entries[2]!["target"]!).Should().Be(parentId);
        entries.Take(2).Select(e => (string)e!["target"]!).Should().BeEquivalentTo([childId, clientId]);
        JsonNode.Parse((string)entries[2]!["details"]!)!["cascade"]!.AsArray().Select(id => (string)id!).Should().BeEquivalentTo([childId, clientId]);
        entries.Should().AllSatisfy(e => ((string)e!["actor"]!).Should().Be(entries[2]!["actor"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RevokedBootstrapKey_StaysRevokedOnRestart_AndIsRecoveredFromConfiguration()
    {
        string data = Directory.CreateTempSubdirectory("badgeissuer-recovery-").FullName;
        try
        {
            string createdId;
            using (var first = new BadgeIssuerApplication { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient admin = first.CreateAuthorizedClient();
                (createdId, _) = await CreateKeyAsync(admin, "issue");
                using HttpResponseMessage revoked = await admin.DeleteAsync("/issuers/default/api-keys/" + await BootstrapKeyIdAsync(admin), Ct);
                revoked.StatusCode.Should().Be(HttpStatusCode.NoContent);
                using HttpResponseMessage locked = await admin.GetAsync("/issuers/default/api-keys", Ct);
                locked.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            }

            // A restart with the same configured key does not undo the revocation (it may have leaked).
            using (var restarted = new BadgeIssuerApplication { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient admin = restarted.CreateAuthorizedClient();
                using HttpResponseMessage locked = await admin.GetAsync("/issuers/default/api-keys", Ct);
                locked.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            }

            // Recovery with the same value, on request: the key is an admin again; what it created stays revoked.
            using (var restored = new BadgeIssuerApplication(("BadgeIssuer:Bootstrap:RestoreRevokedApiKey", "true")) { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient admin = restored.CreateAuthorizedClient();
                JsonArray keys = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/api-keys", Ct))!["keys"]!.AsArray();
                keys.Single(k => (string?)k!["keyId"] == createdId)!["revokedAt"].Should().NotBeNull();
                JsonNode entry = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/audit?limit=1", Ct))!["entries"]![0]!;
                (((string)entry["action"]!, (string)entry["actor"]!)).Should().Be(("apikey.restore", "config:Bootstrap:ApiKey"));
            }

            // Recovery with a new value: a new admin key for the bootstrap issuer, audited.
            const string NewKey = "bik_recovered-admin-key-0123456789abcdef";
            using (var renewed = new BadgeIssuerApplication(("BadgeIssuer:Bootstrap:ApiKey", NewKey)) { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient admin = OAuthHelper.WithBearer(renewed, NewKey);
                using HttpResponseMessage created = await admin.PostAsJsonAsync("/issuers", new { name = "After Recovery", slug = "after" }, Ct);
                created.StatusCode.Should().Be(HttpStatusCode.Created);
                JsonNode entry = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/audit?limit=1", Ct))!["entries"]![0]!;
                (((string)entry["action"]!, (string)entry["actor"]!)).Should().Be(("apikey.bootstrap", "config:Bootstrap:ApiKey"));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may linger a moment.
            }
        }
    }
}
