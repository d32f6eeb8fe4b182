using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests;

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
            (string clientId, string secret) = await OAuth.CreateClientAsync(admin, "default", "manage");
            tokenUnderA = await OAuth.TokenAsync(a, clientId, secret);
            Assert.All(await StoredKekIdsAsync(a), id => Assert.Equal(KekId(s_kekA), id));
        }

        string midCredential;
        using (BadgeIssuerApplication both = Start(s_kekB, previous: s_kekA))
        {
            using HttpClient admin = both.CreateAuthorizedClient();
            Assert.True(await VerifiesAsync(admin, oldCredential));
            midCredential = (string)(await IssuingApiTests.AwardAsync(admin, achievementId))["credentialId"]!;
            Assert.True(await VerifiesAsync(admin, midCredential));

            // Access tokens signed under the previous KEK stay valid for their lifetime.
            using HttpClient tokenClient = OAuth.WithBearer(both, tokenUnderA);
            using HttpResponseMessage withOldToken = await tokenClient.GetAsync("/issuers/default/api-keys", Ct);
            Assert.Equal(HttpStatusCode.OK, withOldToken.StatusCode);

            Assert.All(await StoredKekIdsAsync(both), id => Assert.Equal(KekId(s_kekA), id));
            using HttpResponseMessage response = await admin.PostAsync("/admin/kek/rewrap", null, Ct);
            string text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            JsonNode report = JsonNode.Parse(text)!;
            Assert.Equal(KekId(s_kekB), (string)report["currentKekId"]!);
            Assert.Equal(2, (int)report["rewrapped"]!); // Ed25519 and RSA of the did:web issuer
            Assert.Empty(report["failed"]!.AsArray());
            Assert.All(await StoredKekIdsAsync(both), id => Assert.Equal(KekId(s_kekB), id));

            // A second pass has nothing left to do.
            JsonNode again = JsonNode.Parse(await (await admin.PostAsync("/admin/kek/rewrap", null, Ct)).Content.ReadAsStringAsync(Ct))!;
            Assert.Equal(0, (int)again["rewrapped"]!);
            Assert.Equal(2, (int)again["alreadyCurrent"]!);
            JsonArray audit = JsonNode.Parse(await admin.GetStringAsync("/issuers/default/audit", Ct))!["entries"]!.AsArray();
            Assert.DoesNotContain(audit, e => ((string?)e!["details"] ?? string.Empty).Contains(s_kekA, StringComparison.Ordinal));
        }

        using BadgeIssuerApplication b = Start(s_kekB);
        using HttpClient client = b.CreateAuthorizedClient();
        string newCredential = (string)(await IssuingApiTests.AwardAsync(client, achievementId))["credentialId"]!;
        Assert.True(await VerifiesAsync(client, oldCredential));
        Assert.True(await VerifiesAsync(client, midCredential));
        Assert.True(await VerifiesAsync(client, newCredential));

        // The previous KEK is gone, and with it the tokens signed under it.
        using HttpClient stale = OAuth.WithBearer(b, tokenUnderA);
        using HttpResponseMessage refused = await stale.GetAsync("/issuers/default/api-keys", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Rotation_RewrapAtStart_MovesEveryKeyUnderTheNewKek()
    {
        string achievementId;
        using (BadgeIssuerApplication a = Start(s_kekA))
        {
            using HttpClient admin = a.CreateAuthorizedClient();
            using HttpResponseMessage other = await admin.PostAsJsonAsync("/issuers", new { name = "Key College", slug = "keyco", didMethod = "key" }, Ct);
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
            achievementId = await IssuingApiTests.CreateAchievementAsync(admin);
        }

        using (BadgeIssuerApplication both = Start(s_kekB, previous: s_kekA, rewrapAtStart: true))
        {
            using HttpClient admin = both.CreateAuthorizedClient();
            using HttpResponseMessage ready = await admin.GetAsync("/readyz", Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            // The background re-wrap runs after start; wait for it on the real clock (the service clock is fixed).
            long deadline = Environment.TickCount64 + 20_000;
            IReadOnlyList<string?> ids;
            while ((ids = await StoredKekIdsAsync(both)).Any(id => id != KekId(s_kekB)) && Environment.TickCount64 < deadline)
            {
                await Task.Delay(50, Ct);
            }

            Assert.Equal(3, ids.Count);
            Assert.All(ids, id => Assert.Equal(KekId(s_kekB), id));
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
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        using HttpResponseMessage award = await client.PostAsJsonAsync("/awards", new { achievementId, recipient = new { email = "a@example.org" } }, Ct);
        string text = await award.Content.ReadAsStringAsync(Ct);
        Assert.True(award.StatusCode == HttpStatusCode.ServiceUnavailable, text);
        JsonNode problem = JsonNode.Parse(text)!;
        Assert.Equal("urn:badgeissuer:problem:signing-key-unavailable", (string)problem["type"]!);
        Assert.DoesNotContain(s_kekA, text, StringComparison.Ordinal);

        using HttpResponseMessage rewrap = await client.PostAsync("/admin/kek/rewrap", null, Ct);
        JsonNode report = JsonNode.Parse(await rewrap.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(0, (int)report["rewrapped"]!);
        Assert.Equal(2, report["failed"]!.AsArray().Count);
        Assert.All(report["failed"]!.AsArray(), f => Assert.Equal(KekId(s_kekA), (string)f!["kekId"]!));

        // Other issuers are unaffected: a new one signs under the new KEK.
        using HttpResponseMessage created = await client.PostAsJsonAsync("/issuers", new { name = "Fresh College", slug = "fresh" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
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
