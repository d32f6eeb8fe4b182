using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Wallet;
using BadgeIssuer.Storage;
using Microsoft.Extensions.DependencyInjection;
using static BadgeIssuer.Api.Tests.Pathways.PathwayKit;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>
/// Pathways under replacement, concurrency and failure: a PUT without pathway keeps it, concurrent declarations cannot
/// store a cycle, a part revoked mid-award is never counted unreported, a wallet copy never counts, and a retried award
/// issues the composite its first attempt failed to issue.
/// </summary>
public sealed class PathwayConsistencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_OfWhatGetReturned_KeepsThePathway_AndExplicitNullRemovesIt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        string path = new Uri(composite).AbsolutePath;

        // What GET returns (no pathway: it is no OB term), edited and PUT back.
        JsonNode document = await GetJsonAsync(client, path);
        document["pathway"].Should().BeNull();
        document["description"] = "Now with a new description.";
        using (HttpResponseMessage put = await client.PutAsync(path, new StringContent(document.ToJsonString(), Encoding.UTF8, "application/json"), Ct))
        {
            put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync(Ct));
        }

        ((string)(await GetJsonAsync(client, path))["description"]!).Should().Be("Now with a new description.");
        JsonNode kept = await GetJsonAsync(client, path + "/pathway");
        kept["parts"]!.AsArray().Select(p => (string)p!).Should().Equal(parts);
        ((bool)kept["autoAward"]!).Should().BeTrue();

        // An object replaces it.
        using (HttpResponseMessage replace = await client.PutAsJsonAsync(path, Achievement("Welding Certificate", new { rule = "nOf", n = 1, parts = parts[..2] }), Ct))
        {
            replace.StatusCode.Should().Be(HttpStatusCode.OK, await replace.Content.ReadAsStringAsync(Ct));
        }

        JsonNode replaced = await GetJsonAsync(client, path + "/pathway");
        ((string)replaced["rule"]!).Should().Be("nOf");
        replaced["parts"]!.AsArray().Should().HaveCount(2);

        // Explicit null removes it.
        var withNull = (JsonObject)JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Achievement("Welding Certificate")))!;
        withNull["pathway"] = null;
        using (HttpResponseMessage remove = await client.PutAsync(path, new StringContent(withNull.ToJsonString(), Encoding.UTF8, "application/json"), Ct))
        {
            remove.StatusCode.Should().Be(HttpStatusCode.OK, await remove.Content.ReadAsStringAsync(Ct));
        }

        await GetJsonAsync(client, path + "/pathway", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_WithAnInvalidPathway_WritesNothing()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        string partPath = new Uri(parts[0]).AbsolutePath;

        // parts[0] → composite would close a cycle (composite → parts[0]); the new description is not stored either.
        var body = (JsonObject)JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Achievement("Welding Safety", new { rule = "allOf", parts = new[] { composite } })))!;
        body["description"] = "Changed.";
        using HttpResponseMessage put = await client.PutAsync(partPath, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), Ct);

        (await ProblemErrorsAsync(put, HttpStatusCode.UnprocessableEntity, "invalid-pathway")).Should().Contain("cycle");
        ((string)(await GetJsonAsync(client, partPath))["description"]!).Should().Be("The Welding Safety badge.");
        await GetJsonAsync(client, partPath + "/pathway", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ConcurrentPuts_AToBAndBToA_AtMostOneOfEachPairIsStored_AndNoCycle(string backend)
    {
        await using PathwayBackend service = await PathwayBackend.StartAsync(backend);
        using HttpClient client = service.App.CreateAuthorizedClient();
        const int Pairs = 24;
        var pairs = new List<(string A, string B)>();
        for (int i = 0; i < Pairs; i++)
        {
            pairs.Add((await CreateAsync(client, "A" + i), await CreateAsync(client, "B" + i)));
        }

        async Task<HttpStatusCode> PutAsync(string id, string name, string part)
        {
            using HttpResponseMessage response = await client.PutAsJsonAsync(new Uri(id).AbsolutePath, Achievement(name, new { rule = "allOf", parts = new[] { part } }), Ct);
            string text = await response.Content.ReadAsStringAsync(Ct);
            response.StatusCode.Should().BeOneOf([HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity], text);
            return response.StatusCode;
        }

        // Every pair's two declarations at once, all pairs together.
        HttpStatusCode[][] answers = await Task.WhenAll(pairs.Select((p, i) => Task.WhenAll(
            Task.Run(() => PutAsync(p.A, "A" + i, p.B), Ct), Task.Run(() => PutAsync(p.B, "B" + i, p.A), Ct))));

        IBadgeStorage storage = service.App.Services.GetRequiredService<IBadgeStorage>();
        for (int i = 0; i < Pairs; i++)
        {
            PathwayRecord? a = await storage.Achievements.GetPathwayAsync(pairs[i].A, Ct);
            PathwayRecord? b = await storage.Achievements.GetPathwayAsync(pairs[i].B, Ct);
            (a is not null && b is not null).Should().BeFalse($"pair {i}: A → B and B → A were both stored, a cycle");
            answers[i].Count(s => s == HttpStatusCode.OK).Should().Be(1, $"pair {i}: exactly one of the two declarations passes ({string.Join(", ", answers[i])})");
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task PartRevokedBetweenCountAndIssue_TheCompositeIsNotIssuedOnIt(string backend)
    {
        var seam = new CallbackSeam();
        await using PathwayBackend service = await PathwayBackend.StartAsync(backend, seam);
        using HttpClient client = service.App.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        await AwardAsync(client, parts[0]);
        string withdrawn = (string)(await AwardAsync(client, parts[1]))["credentialId"]!;
        JsonNode? revocation = null;
        seam.OnPartsCounted = async (pathway, counted) =>
        {
            if (revocation is null && pathway.AchievementId == composite)
            {
                counted.Select(c => c.Id).Should().Contain(withdrawn);
                using HttpResponseMessage revoke = await client.PostAsync(withdrawn + "/revoke", null, Ct);
                revocation = JsonNode.Parse(await revoke.Content.ReadAsStringAsync(Ct))!;
                revoke.StatusCode.Should().Be(HttpStatusCode.OK, revocation.ToJsonString());
            }
        };

        JsonNode last = await AwardAsync(client, parts[2]);

        revocation.Should().NotBeNull("the seam revoked a part after the parts were counted");
        List<string> issued = await CredentialIdsAsync(client, composite);
        string reported = revocation!["composites"]?.ToJsonString() ?? "none";
        issued.Should().BeEmpty($"the revoked part no longer completes the pathway (the revocation reported {reported})");
        Composites(last).Should().BeEmpty();
        revocation["composites"].Should().BeNull("nothing counted the part when it was revoked");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task PartRevokedBetweenCountAndIssue_AnotherValidCredentialForThatPartCountsInstead(string backend)
    {
        var seam = new CallbackSeam();
        await using PathwayBackend service = await PathwayBackend.StartAsync(backend, seam);
        using HttpClient client = service.App.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        await AwardAsync(client, parts[0]);
        string older = (string)(await AwardAsync(client, parts[1]))["credentialId"]!;
        service.App.Clock.Now += TimeSpan.FromMinutes(1);
        string newer = (string)(await AwardAsync(client, parts[1]))["credentialId"]!;
        bool revoked = false;
        seam.OnPartsCounted = async (pathway, counted) =>
        {
            if (!revoked && pathway.AchievementId == composite)
            {
                revoked = true;
                counted.Select(c => c.Id).Should().Contain(newer, "the newest valid credential of a part counts");
                using HttpResponseMessage revoke = await client.PostAsync(newer + "/revoke", null, Ct);
                revoke.StatusCode.Should().Be(HttpStatusCode.OK);
            }
        };

        JsonNode last = await AwardAsync(client, parts[2]);

        string compositeId = (string)Composites(last).Should().ContainSingle().Subject!["credentialId"]!;
        JsonNode credential = JsonNode.Parse(await client.GetStringAsync(compositeId + ".json", Ct))!;
        credential["evidence"]!.AsArray().Select(e => (string)e!["id"]!).Should().Contain(older).And.NotContain(newer);
        JsonNode status = await GetJsonAsync(service.App.CreateClient(), compositeId + "/pathway");
        ((bool)status["satisfied"]!).Should().BeTrue(status.ToJsonString());
        status["parts"]!.AsArray().Should().OnlyContain(p => (string)p!["state"]! == "valid", status.ToJsonString());
    }

    [Fact]
    public async Task WalletCopyOfAPart_NeverCountsAsThePart_ForTheDidThatRedeemedIt()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client, "nOf", n: 2);
        using WalletHolder holder = WalletHolder.DidKey();

        // Ada's part 0, redeemed into the wallet of holder.Did: a holder-bound copy keyed to that DID.
        JsonNode award = await AwardAsync(client, parts[0], extra: new { achievementId = parts[0], recipient = new { email = "ada@example.org" }, delivery = new { offer = true } });
        var flow = new WalletFlow(app, client);
        JsonNode copy = await flow.ReceiveAsync(award["offer"]!, holder);
        ((string)copy["credentialSubject"]!["id"]!).Should().Be(holder.Did);
        IBadgeStorage storage = app.Services.GetRequiredService<IBadgeStorage>();
        CredentialRecord stored = (await storage.Credentials.GetAsync((string)copy["id"]!, Ct))!;
        stored.ReissueOf.Should().Be((string)award["credentialId"]!);

        // One part awarded to the DID itself: with the copy it would be 2 of 3, but the copy is no award of the DID's.
        Composites(await AwardAsync(client, parts[1], extra: new { achievementId = parts[1], recipient = new { id = holder.Did } })).Should().BeEmpty();
        (await CredentialIdsAsync(client, composite)).Should().BeEmpty();

        // A second part of its own completes it, counting only the DID's own credentials.
        JsonNode second = await AwardAsync(client, parts[2], extra: new { achievementId = parts[2], recipient = new { id = holder.Did } });
        string compositeId = (string)Composites(second).Should().ContainSingle().Subject!["credentialId"]!;
        JsonNode credential = JsonNode.Parse(await client.GetStringAsync(compositeId + ".json", Ct))!;
        credential["evidence"]!.AsArray().Select(e => (string)e!["id"]!).Should().NotContain(stored.Id).And.HaveCount(2);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RetriedAward_IssuesTheCompositeItsFirstAttemptFailedToIssue_OnceOnly(string backend)
    {
        var seam = new CallbackSeam();
        await using PathwayBackend service = await PathwayBackend.StartAsync(backend, seam);
        using HttpClient client = service.App.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        await AwardAsync(client, parts[0]);
        await AwardAsync(client, parts[1]);
        int failures = 0;
        seam.OnPartsCounted = (pathway, _) => pathway.AchievementId == composite && failures++ == 0
            ? throw new InvalidOperationException("Injected failure of the composite's first attempt.")
            : Task.CompletedTask;

        JsonNode first = await AwardAsync(client, parts[2], idempotencyKey: "lms-7");
        Composites(first).Should().BeEmpty("the composite failed");
        (await CredentialIdsAsync(client, composite)).Should().BeEmpty();

        JsonNode retried = await AwardAsync(client, parts[2], idempotencyKey: "lms-7");

        ((bool)retried["created"]!).Should().BeFalse();
        ((string)retried["credentialId"]!).Should().Be((string)first["credentialId"]!);
        JsonNode awarded = Composites(retried).Should().ContainSingle().Subject!;
        ((bool)awarded["created"]!).Should().BeTrue();
        ((string)awarded["achievementId"]!).Should().Be(composite);
        (await CredentialIdsAsync(client, composite)).Should().Equal([(string)awarded["credentialId"]!]);

        // Retried again: the same composite, not a second one.
        JsonNode again = await AwardAsync(client, parts[2], idempotencyKey: "lms-7");
        JsonNode reported = Composites(again).Should().ContainSingle().Subject!;
        ((string)reported["credentialId"]!).Should().Be((string)awarded["credentialId"]!);
        ((bool)reported["created"]!).Should().BeFalse();
        (await CredentialIdsAsync(client, composite)).Should().ContainSingle();
    }

    [Fact]
    public async Task RetriedAward_NamingAnotherRecipient_CompletesNothingForAnyone()
    {
        var seam = new CallbackSeam();
        await using PathwayBackend service = await PathwayBackend.StartAsync("sqlite", seam);
        using HttpClient client = service.App.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        foreach (string email in new[] { "ada@example.org", "grace@example.org" })
        {
            await AwardAsync(client, parts[0], email);
            await AwardAsync(client, parts[1], email);
        }

        int failures = 0;
        seam.OnPartsCounted = (pathway, _) => pathway.AchievementId == composite && failures++ == 0
            ? throw new InvalidOperationException("Injected failure of the composite's first attempt.")
            : Task.CompletedTask;
        await AwardAsync(client, parts[2], "ada@example.org", idempotencyKey: "lms-8");

        // The same key with Grace in the body: answered with Ada's stored credential, and no composite for either.
        JsonNode retried = await AwardAsync(client, parts[2], "grace@example.org", idempotencyKey: "lms-8");

        ((bool)retried["created"]!).Should().BeFalse();
        Composites(retried).Should().BeEmpty();
        (await CredentialIdsAsync(client, composite)).Should().BeEmpty();
    }
}
