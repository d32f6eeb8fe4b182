using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Admin;

/// <summary>
/// Key-encryption key rotation without downtime: a service restarted with a new current KEK and the old one as
/// previous keeps signing and verifying, re-wraps (on demand or at start), and then runs with the new KEK alone.
/// A key under a KEK the service lacks fails that issuer's signing with a clear problem, never the whole service.
/// </summary>
public sealed class KekRotationTests : IDisposable
{
    private static readonly string s_kekA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string s_kekB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly string _data = Directory.CreateTempSubdirectory("badgeissuer-kek-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may linger a moment.
        }
    }

    private BadgeIssuerApplication Start(string current, string? previous = null, bool rewrapAtStart = false)
    {
        var settings = new List<(string, string)>
        {
            ("BadgeIssuer:KeyEncryptionKey", current),
            ("BadgeIssuer:RewrapKeysAtStart", rewrapAtStart ? "true" : "false"),
        };
        if (previous is not null)
        {
            settings.Add(("BadgeIssuer:PreviousKeyEncryptionKeys:0", previous));
        }

        return new BadgeIssuerApplication([.. settings]) { DataDirectory = _data, KeepDataDirectory = true };
    }

    private static string KekId(string kek) => Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(kek))[..8]);

    private static async Task<IReadOnlyList<string?>> StoredKekIdsAsync(BadgeIssuerApplication app) =>
        [.. (await app.Services.GetRequiredService<IBadgeStorage>().Issuers.ListAllKeysAsync(Ct)).Select(k => KeyVault.KekIdOf(k.ProtectedPrivateKey.Span))];

    private static async Task<bool> VerifiesAsync(HttpClient client, string credentialId)
    {
        using var content = new ByteArrayContent(await client.GetByteArrayAsync(credentialId + ".json", Ct));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vc+ld+json");
        using HttpResponseMessage verify = await client.PostAsync("/credentials/verify", content, Ct);
        return (bool)JsonNode.Parse(await verify.Content.ReadAsStringAsync(Ct))!["verified"]!;
    }

    [Fact]
    public async Task Rotation_PreviousKekThenRewrapThenNewKekAlone_KeepsIssuingAndVerifying()
    {
        string achievementId, oldCredential, tokenUnderA;
        using (BadgeIssuerApplication a = Start(s_kekA))
        {
            using HttpClient admin = a.CreateAuthorizedClient();
            achievementId = await IssuingApiTests.CreateAchievementAsync(admin);
            oldCredential = (string)(await IssuingApiTests.AwardAsync(admin, achievementId))["credentialId"]!;
            (string clientId, string secret) = await OAuthHelper.CreateClientAsync(admin, "default", "manage");
            tokenUnderA = await OAuthHelper.TokenAsync(a, clientId, secret);
            (await StoredKekIdsAsync(a)).Should().AllSatisfy(id => id.Should().Be(KekId(s_kekA)));
        }

        string midCredential;
        using (BadgeIssuerApplication both = Start(s_kekB, previous: s_kekA))
        {
            using HttpClient admin = both.CreateAuthorizedClient();
            (await VerifiesAsync(admin, oldCredential)).Should().BeTrue();
            midCredential = (string)(await IssuingApiTests.AwardAsync(admin, achievementId))["credentialId"]!;
            (await VerifiesAsync(admin, midCredential)).Should().BeTrue();

            // Access tokens signed under the previous KEK stay valid for their lifetime.
            using HttpClient tokenClient = OAuthHelper.WithBearer(both, tokenUnderA);
            using HttpResponseMessage withOldToken = await tokenClient.GetAsync("/issuers/default/api-keys", Ct);
            withOldToken.StatusCode.Should().Be(HttpStatusCode.OK);

            (await StoredKekIdsAsync(both)).Should().AllSatisfy(id => id.Should().Be(KekId(s_kekA)));
            using HttpResponseMessage response = await admin.PostAsync("/admin/kek/rewrap", null, Ct);
            string text = await response.Content.ReadAsStringAsync(Ct);
            (response.StatusCode == HttpStatusCode.OK).Should().BeTrue(text);
            JsonNode report = JsonNode.Parse(text)!;
            ((string)report["currentKekId"]!).Should().Be(KekId(s_kekB));
            ((int)report["rewrapped"]!).Should().Be(2); // Ed25519 and RSA of the did:web issuer
            report["failed"]!.AsArray().Should().BeEmpty();
            (await StoredKekIdsAsync(both)).Should().AllSatisfy(id => id.Should().Be(KekId(s_kekB)));

            // A second pass has nothing left to do.
            JsonNode again = JsonNode.Parse(await (await admin.PostAsync("/admin/kek/rewrap", null, Ct)).Content.ReadAsStringAsync(Ct))!;
            ((int)again["rewrapped"]!).Should().Be(0);
            ((int)again["alreadyCurrent"]!).Should().Be(2);
            JsonArray audit = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/audit", Ct))!["entries"]!.AsArray();
            audit.Should().NotContain(e => ((string?)e!["details"] ?? string.Empty).Contains(s_kekA, StringComparison.Ordinal));
        }

        using BadgeIssuerApplication b = Start(s_kekB);
        using HttpClient client = b.CreateAuthorizedClient();
        string newCredential = (string)(await IssuingApiTests.AwardAsync(client, achievementId))["credentialId"]!;
        (await VerifiesAsync(client, oldCredential)).Should().BeTrue();
        (await VerifiesAsync(client, midCredential)).Should().BeTrue();
        (await VerifiesAsync(client, newCredential)).Should().BeTrue();

        // The previous KEK is gone, and with it the tokens signed under it.
        using HttpClient stale = OAuthHelper.WithBearer(b, tokenUnderA);
        using HttpResponseMessage refused = await stale.GetAsync("/issuers/default/api-keys", Ct);
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Rotation_RewrapAtStart_MovesEveryKeyUnderTheNewKek()
    {
        string achievementId;
        using (BadgeIssuerApplication a = Start(s_kekA))
        {
            using HttpClient admin = a.CreateAuthorizedClient();
            using HttpResponseMessage other = await admin.PostAsJsonAsync("/issuers", new { name = "Key College", slug = "keyco", didMethod = "key" }, Ct);
            other.StatusCode.Should().Be(HttpStatusCode.Created);
            achievementId = await IssuingApiTests.CreateAchievementAsync(admin);
        }

        using (BadgeIssuerApplication both = Start(s_kekB, previous: s_kekA, rewrapAtStart: true))
        {
            using HttpClient admin = both.CreateAuthorizedClient();
            using HttpResponseMessage ready = await admin.GetAsync("/readyz", Ct);
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
            // The background re-wrap runs after start; wait for it on the real clock (the service clock is fixed).
            long deadline = Environment.TickCount64 + 20_000;
            IReadOnlyList<string?> ids;
            while ((ids = await StoredKekIdsAsync(both)).Any(id => id != KekId(s_kekB)) && Environment.TickCount64 < deadline)
            {
                await Task.Delay(50, Ct);
            }

            ids.Count.Should().Be(3);
            ids.Should().AllSatisfy(id => id.Should().Be(KekId(s_kekB)));
        }

        using BadgeIssuerApplication b = Start(s_kekB);
        using HttpClient client = b.CreateAuthorizedClient();
        await IssuingApiTests.AwardAsync(client, achievementId);
    }

    [Fact]
    public async Task UnknownKek_FailsOnlyThatIssuersSigning_WithAClearProblem()
    {
        string achievementId;
        using (BadgeIssuerApplication a = Start(s_kekA))
        {
            using HttpClient admin = a.CreateAuthorizedClient();
            achievementId = await IssuingApiTests.CreateAchievementAsync(admin);
        }

        // Restarted with only the new KEK (the operator forgot the previous one): the service still starts and answers.
        using BadgeIssuerApplication b = Start(s_kekB, rewrapAtStart: true);
        using HttpClient client = b.CreateAuthorizedClient();
        using HttpResponseMessage ready = await client.GetAsync("/readyz", Ct);
        ready.StatusCode.Should().Be(HttpStatusCode.OK);

        using HttpResponseMessage award = await client.PostAsJsonAsync("/awards", new { achievementId, recipient = new { email = "a@example.org" } }, Ct);
        string text = await award.Content.ReadAsStringAsync(Ct);
        (award.StatusCode == HttpStatusCode.ServiceUnavailable).Should().BeTrue(text);
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:signing-key-unavailable");
        text.Should().NotContain(s_kekA);

        using HttpResponseMessage rewrap = await client.PostAsync("/admin/kek/rewrap", null, Ct);
        JsonNode report = JsonNode.Parse(await rewrap.Content.ReadAsStringAsync(Ct))!;
        ((int)report["rewrapped"]!).Should().Be(0);
        report["failed"]!.AsArray().Count.Should().Be(2);
        report["failed"]!.AsArray().Should().AllSatisfy(f => ((string)f!["kekId"]!).Should().Be(KekId(s_kekA)));

        // Other issuers are unaffected: a new one signs under the new KEK.
        using HttpResponseMessage created = await client.PostAsJsonAsync("/issuers", new { name = "Fresh College", slug = "fresh" }, Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        string freshAchievement = await IssuingApiTests.CreateAchievementAsync(client, new
        {
            issuerId = "did:web:localhost:issuers:fresh",
            name = "Fresh",
            description = "d",
            criteria = new { narrative = "x" },
        });
        await IssuingApiTests.AwardAsync(client, freshAchievement);
    }
}
