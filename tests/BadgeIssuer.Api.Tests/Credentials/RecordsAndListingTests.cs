using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Credentials;

/// <summary>Revocation records (reason and time of each status change) and GET /credentials.</summary>
public sealed class RecordsAndListingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpClient> TenantAsync(BadgeIssuerApplication app, HttpClient admin, string slug, params string[] scopes)
    {
        using HttpResponseMessage response = await admin.PostAsJsonAsync($"/issuers/{slug}/api-keys", new { description = "lms", scopes }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        HttpClient client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)JsonNode.Parse(text)!["apiKey"]!);
        return client;
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using HttpResponseMessage response = await client.GetAsync(path, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.OK).Should().BeTrue(path + ": " + text);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task Revoke_WithReason_KeptInChangesAuditAndVerifyReport()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = await TenantAsync(app, admin, "default", "issue", "revoke", "manage");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(tenant);
        JsonNode award = await IssuingApiTests.AwardAsync(tenant, achievementId);
        string credentialId = (string)award["credentialId"]!;

        app.Clock.Now = BadgeIssuerApplication.Now.AddDays(1);
        using HttpResponseMessage revoked = await tenant.PostAsJsonAsync(credentialId + "/revoke", new { reason = "  issued in error  " }, Ct);
        string revokedText = await revoked.Content.ReadAsStringAsync(Ct);
        (revoked.StatusCode == HttpStatusCode.OK).Should().BeTrue(revokedText);
        string list = (string)JsonNode.Parse(revokedText)!["statusListCredential"]!;

        JsonNode change = (await GetJsonAsync(tenant, new Uri(list).AbsolutePath + "/changes"))["changes"]!.AsArray().Single()!;
        ((string?)change["reason"]).Should().Be("issued in error");
        ((DateTimeOffset)change["changedAt"]!).Should().Be(BadgeIssuerApplication.Now.AddDays(1));

        JsonNode entry = (await GetJsonAsync(tenant, "/issuers/default/audit"))["entries"]!.AsArray().First(e => (string?)e!["action"] == "status.revocation")!;
        ((string)entry["details"]!).Should().Contain("\"reason\":\"issued in error\"");

        string credential = await tenant.GetStringAsync(credentialId + ".json", Ct);
        using var verify = new StringContent($$"""{"verifiableCredential": {{credential}}}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage report = await app.CreateClient().PostAsync("/credentials/verify", verify, Ct);
        JsonNode status = JsonNode.Parse(await report.Content.ReadAsStringAsync(Ct))!["status"]!.AsArray().Single()!;
        ((string?)status["purpose"]).Should().Be("revocation");
        ((bool)status["set"]!).Should().BeTrue();
        ((string?)status["reason"]).Should().Be("issued in error");
        ((string)status["changedAt"]!)[..4].Should().Be("2026-01-02T00:00:00Z"[..4]);
    }

    [Fact]
    public async Task SuspendAndReinstate_ReasonsRecorded_NoBodyStillWorks()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = await TenantAsync(app, admin, "default", "issue", "revoke", "manage");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(tenant);
        JsonNode award = await IssuingApiTests.AwardAsync(tenant, achievementId, extra: new { achievementId, recipient = new { email = "ada@example.org" }, status = new[] { "suspension" } });
        string credentialId = (string)award["credentialId"]!;

        using HttpResponseMessage suspended = await tenant.PostAsJsonAsync(credentialId + "/suspend", new { reason = "under review" }, Ct);
        suspended.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpResponseMessage reinstated = await tenant.PostAsync(credentialId + "/reinstate", null, Ct);
        string list = (string)JsonNode.Parse(await reinstated.Content.ReadAsStringAsync(Ct))!["statusListCredential"]!;

        JsonArray changes = (await GetJsonAsync(tenant, new Uri(list).AbsolutePath + "/changes"))["changes"]!.AsArray();
        changes.Select(c => (string?)c!["reason"]).Should().Equal(["under review", null]);
    }

    [Theory]
    [InlineData("""{"reason": "a\u0000b"}""", "invalid-request")]
    [InlineData("""{"reason": "new\nline"}""", "invalid-request")]
    [InlineData("""{"reason": "\u202Egnp.exe"}""", "invalid-request")]
    [InlineData("""{"reason": "\u200Fgnp.exe"}""", "invalid-request")]
    [InlineData("""{"reason": "line\u2028break"}""", "invalid-request")]
    [InlineData("""{"reason": "zero\u200Bwidth"}""", "invalid-request")]
    [InlineData("""{"reason": 5}""", "invalid-request")]
    [InlineData("""{"reason": "  "}""", "invalid-request")]
    [InlineData("""{"reasn": "typo"}""", "unknown-member")]
    public async Task Revoke_BadReason_400AndNothingChanges(string body, string problem)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = await TenantAsync(app, admin, "default", "issue", "revoke", "manage");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(tenant);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(tenant, achievementId))["credentialId"]!;

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await tenant.PostAsync(credentialId + "/revoke", content, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["type"]).Should().Be("urn:badgeissuer:problem:" + problem);
        JsonNode listing = await GetJsonAsync(tenant, "/credentials");
        ((string?)listing["items"]![0]!["status"]).Should().Be("active");
    }

    [Fact]
    public async Task Revoke_ReasonOverLimit_FieldTooLong()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = await TenantAsync(app, admin, "default", "issue", "revoke", "manage");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(tenant);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(tenant, achievementId))["credentialId"]!;

        using HttpResponseMessage tooLong = await tenant.PostAsJsonAsync(credentialId + "/revoke", new { reason = new string('x', 501) }, Ct);
        using HttpResponseMessage ok = await tenant.PostAsJsonAsync(credentialId + "/revoke", new { reason = new string('x', 500) }, Ct);

        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ((string?)JsonNode.Parse(await tooLong.Content.ReadAsStringAsync(Ct))!["type"]).Should().Be("urn:badgeissuer:problem:field-too-long");
    }

    [Fact]
    public async Task List_FiltersByRecipientStatusAchievementAndTime_PagesWithCursor()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = await TenantAsync(app, admin, "default", "issue", "revoke", "manage");
        string welding = await IssuingApiTests.CreateAchievementAsync(tenant);
        string other = await IssuingApiTests.CreateAchievementAsync(tenant, new { name = "Other", description = "d", criteria = new { narrative = "n" } });
        var ids = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            app.Clock.Now = BadgeIssuerApplication.Now.AddMinutes(i);
            ids.Add((string)(await IssuingApiTests.AwardAsync(tenant, i == 4 ? other : welding, i % 2 == 0 ? "Ada@Example.org" : "grace@example.org"))["credentialId"]!);
        }

        using HttpResponseMessage revoked = await tenant.PostAsync(ids[0] + "/revoke", null, Ct);
        revoked.StatusCode.Should().Be(HttpStatusCode.OK);

        static IEnumerable<string> Ids(JsonNode page) => page["items"]!.AsArray().Select(i => (string)i!["id"]!);
        Ids(await GetJsonAsync(tenant, "/credentials?recipient=%20ada%40EXAMPLE.org")).Should().Equal([ids[4], ids[2], ids[0]]);
        Ids(await GetJsonAsync(tenant, "/credentials?status=revoked")).Should().Equal([ids[0]]);
        Ids(await GetJsonAsync(tenant, "/credentials?status=active")).Should().Equal([ids[4], ids[3], ids[2], ids[1]]);
        Ids(await GetJsonAsync(tenant, "/credentials?achievementId=" + Uri.EscapeDataString(other))).Should().Equal([ids[4]]);
        Ids(await GetJsonAsync(tenant, "/credentials?issuedAfter=2026-01-01T00:01:00Z&issuedBefore=2026-01-01T00:03:00Z".Replace("2026-01-01", BadgeIssuerApplication.Now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))).Should().Equal([ids[2], ids[1]]);
        // RFC 3339 allows any number of fractional digits; beyond 100 ns they are dropped, not refused.
        Ids(await GetJsonAsync(tenant, "/credentials?issuedAfter=2026-01-01T00:01:00.000000000999Z&issuedBefore=2026-01-01T00:02:59.999999999%2B00:00".Replace("2026-01-01", BadgeIssuerApplication.Now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))).Should().Equal([ids[2], ids[1]]);

        JsonNode first = await GetJsonAsync(tenant, "/credentials?limit=2");
        JsonNode item = first["items"]![0]!;
        ((string?)item["links"]!["json"]).Should().Be(ids[4] + ".json");
        ((string?)item["achievement"]).Should().Be(other);
        item["credentialSubject"].Should().BeNull();
        var seen = Ids(first).ToList();
        string? next = (string?)first["next"];

        // A credential issued meanwhile is newer than the cursor: it never shifts the pages that follow.
        app.Clock.Now = BadgeIssuerApplication.Now.AddHours(1);
        await IssuingApiTests.AwardAsync(tenant, welding);
        while (next is not null)
        {
            JsonNode page = await GetJsonAsync(tenant, "/credentials?limit=2&cursor=" + next);
            seen.AddRange(Ids(page));
            next = (string?)page["next"];
        }

        seen.Should().Equal(Enumerable.Reverse(ids));
    }

    [Fact]
    public async Task List_PlainEmailIsNotStored()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = await TenantAsync(app, admin, "default", "issue", "revoke", "manage");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(tenant);
        string credentialId = (string)(await IssuingApiTests.AwardAsync(tenant, achievementId, "secret.learner@example.org"))["credentialId"]!;

        Storage.CredentialRecord record = (await app.Services.GetRequiredService<Storage.IBadgeStorage>().Credentials.GetAsync(credentialId, Ct))!;

        record.Recipient.Should().NotContain("secret.learner");
        record.Recipient.Should().StartWith("sha256$");
    }

    [Fact]
    public async Task List_TenantIsolation_ForeignKeyNeverListsAnotherIssuersCredentials()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpResponseMessage created = await admin.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        string otherIssuer = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!;
        using HttpClient mine = await TenantAsync(app, admin, "default", "issue", "manage");
        using HttpClient theirs = await TenantAsync(app, admin, "other", "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly");
        string achievementId = await IssuingApiTests.CreateAchievementAsync(mine);
        await IssuingApiTests.AwardAsync(mine, achievementId, "ada@example.org");

        (await GetJsonAsync(theirs, "/credentials"))["items"]!.AsArray().Should().BeEmpty();
        (await GetJsonAsync(theirs, "/credentials?recipient=ada%40example.org"))["items"]!.AsArray().Should().BeEmpty();
        (await GetJsonAsync(mine, "/credentials?recipient=ada%40example.org"))["items"]!.AsArray().Should().ContainSingle();
        string defaultIssuer = (string)(await GetJsonAsync(mine, "/credentials"))["items"]![0]!["issuer"]!;
        using HttpResponseMessage foreign = await theirs.GetAsync("/credentials?issuerId=" + Uri.EscapeDataString(defaultIssuer), Ct);
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
        defaultIssuer.Should().NotBe(otherIssuer);

        using HttpClient issueOnly = await TenantAsync(app, admin, "default", "issue");
        using HttpResponseMessage forbidden = await issueOnly.GetAsync("/credentials", Ct);
        forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}
