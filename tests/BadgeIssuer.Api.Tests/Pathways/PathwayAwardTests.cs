using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Webhooks;
using BadgeIssuer.Storage;
using Microsoft.Extensions.DependencyInjection;
using static BadgeIssuer.Api.Tests.Pathways.PathwayKit;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>Automatic composite awards: once per learner, only on valid parts, with evidence, across batches and races.</summary>
public sealed class PathwayAwardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AllOf_TheLastPart_AwardsTheCompositeOnce_WithOneEvidencePerPart()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);

        JsonNode first = await AwardAsync(client, parts[0]);
        JsonNode second = await AwardAsync(client, parts[1]);
        JsonNode someoneElse = await AwardAsync(client, parts[2], "grace@example.org");
        Composites(first).Should().BeEmpty();
        Composites(second).Should().BeEmpty();
        Composites(someoneElse).Should().BeEmpty("Grace holds one part only");

        JsonNode last = await AwardAsync(client, parts[2], "  ADA@example.org ");

        JsonNode awarded = Composites(last).Should().ContainSingle().Subject!;
        ((string)awarded["achievementId"]!).Should().Be(composite);
        ((string)awarded["name"]!).Should().Be("Welding Certificate");
        ((bool)awarded["created"]!).Should().BeTrue();
        string compositeId = (string)awarded["credentialId"]!;
        string[] partIds = [(string)first["credentialId"]!, (string)second["credentialId"]!, (string)last["credentialId"]!];

        JsonNode credential = JsonNode.Parse(await client.GetStringAsync(compositeId + ".json", Ct))!;
        ((string)credential["credentialSubject"]!["achievement"]!["id"]!).Should().Be(composite);
        ((bool)credential["credentialSubject"]!["identifier"]![0]!["hashed"]!).Should().BeTrue();
        ((string)credential["credentialStatus"]!["statusPurpose"]!).Should().Be("revocation");
        JsonArray evidence = credential["evidence"]!.AsArray();
        evidence.Select(e => (string)e!["id"]!).Should().Equal(partIds);
        evidence.Select(e => (string)e!["name"]!).Should().Equal(["Welding Safety", "MIG Basics", "TIG Basics"]);
        evidence.Should().AllSatisfy(e => ((string)e!["type"]![0]!).Should().Be("Evidence"));
        ((string)evidence[0]!["description"]!).Should().Contain(parts[0]).And.Contain("Welding Certificate");
        credential.ToJsonString().Should().NotContainEquivalentOf("ada@example.org");

        JsonNode report = await VerifyAsync(client, credential.ToJsonString());
        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        using var withRecipient = new StringContent(new JsonObject { ["verifiableCredential"] = credential.DeepClone(), ["options"] = new JsonObject { ["recipient"] = "ada@example.org" } }.ToJsonString(),
            System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage recipientReport = await client.PostAsync("/credentials/verify", withRecipient, Ct);
        ((bool)JsonNode.Parse(await recipientReport.Content.ReadAsStringAsync(Ct))!["verified"]!).Should().BeTrue();

        // Stored with what it counted; the learner's next awards of parts do not award it again.
        JsonNode status = await GetJsonAsync(app.CreateClient(), compositeId + "/pathway");
        status["parts"]!.AsArray().Select(p => (string)p!["credentialId"]!).Should().Equal(partIds);
        ((bool)status["satisfied"]!).Should().BeTrue();
        Composites(await AwardAsync(client, parts[0])).Should().BeEmpty();
        (await CredentialIdsAsync(client, composite, "ada@example.org")).Should().Equal([compositeId]);
        (await CredentialIdsAsync(client, composite)).Should().Equal([compositeId], "Grace has no certificate");

        JsonArray audit = (await GetJsonAsync(client, "/issuers/default/audit"))["entries"]!.AsArray();
        JsonNode pathwayAward = audit.Single(e => (string)e!["action"]! == "pathway.award")!;
        ((string)pathwayAward["target"]!).Should().Be(compositeId);
        ((string)pathwayAward["details"]!).Should().Contain(partIds[0]).And.Contain(composite);
        audit.Count(e => (string)e!["action"]! == "credential.issue" && (string)e["target"]! == compositeId).Should().Be(1);
    }

    [Fact]
    public async Task NOf_AwardsAtTheNthPart_AndNotAgainAtTheNext()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client, "nOf", n: 2);

        Composites(await AwardAsync(client, parts[2])).Should().BeEmpty();
        JsonNode second = await AwardAsync(client, parts[0]);
        JsonNode third = await AwardAsync(client, parts[1]);

        string compositeId = (string)Composites(second).Should().ContainSingle().Subject!["credentialId"]!;
        Composites(third).Should().BeEmpty();
        JsonNode credential = JsonNode.Parse(await client.GetStringAsync(compositeId + ".json", Ct))!;
        credential["evidence"]!.AsArray().Select(e => (string)e!["name"]!).Should().Equal(["Welding Safety", "TIG Basics"], "in the pathway's order");
        (await CredentialIdsAsync(client, composite)).Should().Equal([compositeId]);
    }

    [Fact]
    public async Task ConcurrentAwardsOfEveryPart_AwardOneCompositePerLearner()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        string[] learners = ["l1@example.org", "l2@example.org", "l3@example.org", "l4@example.org"];

        // Every part of every learner at once, some parts twice.
        JsonNode[] answers = await Task.WhenAll(learners.SelectMany(l => parts.Append(parts[0]).Select(p => AwardAsync(client, p, l))));

        foreach (string learner in learners)
        {
            (await CredentialIdsAsync(client, composite, learner)).Should().ContainSingle(learner + " gets one certificate");
        }

        List<JsonNode> created = [.. answers.SelectMany(a => Composites(a)).OfType<JsonNode>().Where(c => (bool)c["created"]!)];
        created.Count.Should().Be(learners.Length, "exactly one award issued each learner's certificate");
        (await CredentialIdsAsync(client, composite)).Should().BeEquivalentTo(created.Select(c => (string)c["credentialId"]!));
    }

    [Fact]
    public async Task BatchAward_OfEveryPart_AwardsTheCompositeOnce()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        var awards = parts.Select(p => new { achievementId = p, recipient = new { email = "ada@example.org" } })
            .Concat(parts.Take(2).Select(p => new { achievementId = p, recipient = new { email = "grace@example.org" } })).ToArray();

        using HttpResponseMessage response = await client.PostAsJsonAsync("/awards/batch", new { awards }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);

        JsonNode batch = JsonNode.Parse(text)!;
        ((int)batch["succeeded"]!).Should().Be(5);
        List<JsonNode> reported = [.. batch["results"]!.AsArray().SelectMany(r => Composites(r!["award"]!)).OfType<JsonNode>()];
        reported.Count(c => (bool)c["created"]!).Should().Be(1);
        string compositeId = (string)reported.First(c => (bool)c["created"]!)["credentialId"]!;
        (await CredentialIdsAsync(client, composite)).Should().Equal([compositeId]);
        (await CredentialIdsAsync(client, composite, "grace@example.org")).Should().BeEmpty();

        // Its evidence is Ada's three credentials from this batch.
        string[] adaParts = [.. batch["results"]!.AsArray().Take(3).Select(r => (string)r!["award"]!["credentialId"]!)];
        JsonNode credential = JsonNode.Parse(await client.GetStringAsync(compositeId + ".json", Ct))!;
        credential["evidence"]!.AsArray().Select(e => (string)e!["id"]!).Should().Equal(adaParts);
    }

    [Theory]
    [InlineData("revoke")]
    [InlineData("suspend")]
    public async Task PartRevokedOrSuspendedBeforeTheLast_DoesNotCount_UntilAwardedAgain(string change)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        string status = change == "revoke" ? "revocation" : "suspension";
        JsonNode withdrawn = await AwardAsync(client, parts[0], extra: new { achievementId = parts[0], recipient = new { email = "ada@example.org" }, status = new[] { status } });
        await AwardAsync(client, parts[1]);
        using (HttpResponseMessage changed = await client.PostAsync((string)withdrawn["credentialId"]! + "/" + change, null, Ct))
        {
            changed.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        Composites(await AwardAsync(client, parts[2])).Should().BeEmpty();
        (await CredentialIdsAsync(client, composite)).Should().BeEmpty();

        // A valid credential for that part completes it.
        JsonNode again = await AwardAsync(client, parts[0]);
        string compositeId = (string)Composites(again).Should().ContainSingle().Subject!["credentialId"]!;
        JsonNode credential = JsonNode.Parse(await client.GetStringAsync(compositeId + ".json", Ct))!;
        ((string)credential["evidence"]![0]!["id"]!).Should().Be((string)again["credentialId"]!);
    }

    [Fact]
    public async Task PartExpiredBeforeTheLast_DoesNotCount_AndOneNotYetValidNeither()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        DateTimeOffset now = BadgeIssuerApplication.Now;
        await AwardAsync(client, parts[0], extra: new { achievementId = parts[0], recipient = new { email = "ada@example.org" }, validFrom = now.AddMonths(-1), validUntil = now.AddDays(1) });
        await AwardAsync(client, parts[1], extra: new { achievementId = parts[1], recipient = new { email = "ada@example.org" }, validFrom = now.AddDays(30) });

        app.Clock.Now = now.AddDays(2);
        Composites(await AwardAsync(client, parts[2])).Should().BeEmpty("one part expired yesterday and another is valid only next month");
        Composites(await AwardAsync(client, parts[0])).Should().BeEmpty("the second part is not valid yet");

        app.Clock.Now = now.AddDays(31);
        JsonNode last = await AwardAsync(client, parts[2]);
        string compositeId = (string)Composites(last).Should().ContainSingle().Subject!["credentialId"]!;
        (await CredentialIdsAsync(client, composite)).Should().Equal([compositeId]);
    }

    [Fact]
    public async Task RetriedLastPart_AnswersWithTheCompositeItCounted_WithoutASecond()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        await AwardAsync(client, parts[0]);
        await AwardAsync(client, parts[1]);

        JsonNode first = await AwardAsync(client, parts[2], idempotencyKey: "lms-42");
        JsonNode retried = await AwardAsync(client, parts[2], idempotencyKey: "lms-42");

        ((bool)retried["created"]!).Should().BeFalse();
        JsonNode reported = Composites(retried).Should().ContainSingle().Subject!;
        ((string)reported["credentialId"]!).Should().Be((string)Composites(first)[0]!["credentialId"]!);
        ((bool)reported["created"]!).Should().BeFalse();
        (await CredentialIdsAsync(client, composite)).Should().ContainSingle();
    }

    [Fact]
    public async Task NestedPathways_OneAwardCompletesBothLevels()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string certificate) = await ThreeBadgesAndACertificateAsync(client);
        string capstone = await CreateAsync(client, "Capstone");
        string diploma = await CreateAsync(client, "Welding Diploma", new { rule = "allOf", parts = new[] { certificate, capstone }, autoAward = true });
        await AwardAsync(client, capstone);
        await AwardAsync(client, parts[0]);
        await AwardAsync(client, parts[1]);

        JsonNode last = await AwardAsync(client, parts[2]);

        JsonArray composites = Composites(last);
        composites.Select(c => (string)c!["achievementId"]!).Should().Equal([certificate, diploma]);
        JsonNode credential = JsonNode.Parse(await client.GetStringAsync((string)composites[1]!["credentialId"]! + ".json", Ct))!;
        credential["evidence"]!.AsArray().Select(e => (string)e!["id"]!).Should().Equal([(string)composites[0]!["credentialId"]!, (string)(await CredentialIdsAsync(client, capstone)).Single()]);
        ((bool)(await VerifyAsync(client, credential.ToJsonString()))["verified"]!).Should().BeTrue();
    }

    [Theory]
    [InlineData("achievement")]
    [InlineData("issuer-switch")]
    [InlineData("service-switch")]
    public async Task AutoAwardOff_ByTheAchievementOrForTheIssuer_AwardsNothing(string off)
    {
        (string, string)[] settings = off switch
        {
            "issuer-switch" => [("BadgeIssuer:Pathways:AutoAwardDisabledIssuers:0", "default")],
            "service-switch" => [("BadgeIssuer:Pathways:AutoAward", "false")],
            _ => [],
        };
        using var app = new BadgeIssuerApplication(settings);
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client, autoAward: off != "achievement");

        foreach (string part in parts)
        {
            Composites(await AwardAsync(client, part)).Should().BeEmpty();
        }

        (await CredentialIdsAsync(client, composite)).Should().BeEmpty();
    }

    [Fact]
    public async Task OneAwardCompletingMorePathwaysThanTheBound_IssuesAtMostTheBound_TheRestAtTheNextAward()
    {
        using var app = new BadgeIssuerApplication([("BadgeIssuer:Pathways:MaxCompositesPerAward", "2")]);
        using HttpClient client = app.CreateAuthorizedClient();
        string badge = await CreateAsync(client, "Welding Safety");
        string other = await CreateAsync(client, "MIG Basics");
        string[] composites = [
            await CreateAsync(client, "Certificate A", new { rule = "nOf", n = 1, parts = new[] { badge, other }, autoAward = true }),
            await CreateAsync(client, "Certificate B", new { rule = "nOf", n = 1, parts = new[] { badge, other }, autoAward = true }),
            await CreateAsync(client, "Certificate C", new { rule = "nOf", n = 1, parts = new[] { badge, other }, autoAward = true })];

        JsonNode first = await AwardAsync(client, badge);
        JsonNode next = await AwardAsync(client, other);

        Composites(first).Should().HaveCount(2);
        Composites(first).Should().OnlyContain(c => (bool)c!["created"]!);
        Composites(next).Where(c => (bool)c!["created"]!).Should().ContainSingle("the third completed pathway comes with the next award of a part");
        foreach (string composite in composites)
        {
            (await CredentialIdsAsync(client, composite)).Should().ContainSingle(composite);
        }
    }

    [Fact]
    public async Task CompositeAwardedByHand_IsNotAwardedAgainAutomatically()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);

        await AwardAsync(client, composite);
        foreach (string part in parts)
        {
            Composites(await AwardAsync(client, part)).Should().BeEmpty();
        }

        (await CredentialIdsAsync(client, composite)).Should().ContainSingle("the learner already holds the certificate awarded by hand");
    }

    [Fact]
    public async Task CyclicPathwaysInStorage_AwardEachCompositeOnce_AndStop()
    {
        // A cycle cannot be declared through the API; written straight to storage (as a race could), awards still end.
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string leaf = await CreateAsync(client, "Leaf");
        string a = await CreateAsync(client, "A", new { rule = "nOf", n = 1, parts = new[] { leaf }, autoAward = true });
        string b = await CreateAsync(client, "B", new { rule = "allOf", parts = new[] { a }, autoAward = true });
        IBadgeStorage storage = app.Services.GetRequiredService<IBadgeStorage>();
        (await storage.Achievements.SetPathwayAsync(a, new PathwayRecord(a, "nOf", 1, [leaf, b], true, BadgeIssuerApplication.Now), Ct)).Should().BeTrue();

        JsonNode award = await AwardAsync(client, leaf);

        Composites(award).Select(c => (string)c!["achievementId"]!).Should().Equal([a, b]);
        (await CredentialIdsAsync(client, a)).Should().ContainSingle();
        (await CredentialIdsAsync(client, b)).Should().ContainSingle();
    }

    [Fact]
    public async Task AnotherIssuersPathway_WrittenToStorage_IsNeverAwardedByThisIssuersAward()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        using (HttpResponseMessage other = await client.PostAsJsonAsync("/issuers", new { name = "Other College", slug = "other" }, Ct))
        {
            other.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        string part = await CreateAsync(client, "Ours");
        string theirs = await CreateAsync(client, "Theirs", issuerId: (string)(await GetJsonAsync(client, "/issuers/other"))["id"]!);
        IBadgeStorage storage = app.Services.GetRequiredService<IBadgeStorage>();
        await storage.Achievements.SetPathwayAsync(theirs, new PathwayRecord(theirs, "allOf", 1, [part], true, BadgeIssuerApplication.Now), Ct);

        Composites(await AwardAsync(client, part)).Should().BeEmpty();
        (await GetJsonAsync(client, "/credentials?issuerId=" + Uri.EscapeDataString((string)(await GetJsonAsync(client, "/issuers/other"))["id"]!)))["items"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task PathwayReachedTwiceInOneAward_IsAwardedAndReportedOnce()
    {
        // Diamond: the leaf completes A and C; A completes C again one level up.
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string leaf = await CreateAsync(client, "Leaf");
        string a = await CreateAsync(client, "A", new { rule = "allOf", parts = new[] { leaf }, autoAward = true });
        app.Clock.Now += TimeSpan.FromMinutes(1);
        string c = await CreateAsync(client, "C", new { rule = "nOf", n = 1, parts = new[] { leaf, a }, autoAward = true });

        JsonNode award = await AwardAsync(client, leaf);

        // A (the older pathway) first, so C counts both the leaf and A's credential; one level up C is reached again.
        JsonArray composites = Composites(award);
        composites.Select(x => (string)x!["achievementId"]!).Should().Equal([a, c]);
        JsonNode credential = JsonNode.Parse(await client.GetStringAsync((string)composites[1]!["credentialId"]! + ".json", Ct))!;
        credential["evidence"]!.AsArray().Select(e => (string)e!["id"]!).Should().Equal([(string)award["credentialId"]!, (string)composites[0]!["credentialId"]!]);
        (await CredentialIdsAsync(client, c)).Should().ContainSingle();
    }

    [Fact]
    public async Task AutomaticAwards_FollowAtMostMaxDepthLevels_WhenTheBoundIsLoweredLater()
    {
        string dataDirectory = Directory.CreateTempSubdirectory("badgeissuer-test-").FullName;
        try
        {
            string[] parts;
            string certificate, diploma;
            using (var before = new BadgeIssuerApplication { DataDirectory = dataDirectory, KeepDataDirectory = true })
            {
                using HttpClient client = before.CreateAuthorizedClient();
                (parts, certificate) = await ThreeBadgesAndACertificateAsync(client);
                diploma = await CreateAsync(client, "Welding Diploma", new { rule = "allOf", parts = new[] { certificate }, autoAward = true });
            }

            using var after = new BadgeIssuerApplication(("BadgeIssuer:Pathways:MaxDepth", "1")) { DataDirectory = dataDirectory, KeepDataDirectory = true };
            using HttpClient lowered = after.CreateAuthorizedClient();
            foreach (string part in parts[..2])
            {
                await AwardAsync(lowered, part);
            }

            JsonNode last = await AwardAsync(lowered, parts[2]);

            Composites(last).Select(x => (string)x!["achievementId"]!).Should().Equal([certificate]);
            (await CredentialIdsAsync(lowered, diploma)).Should().BeEmpty();
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may linger a moment; the OS temp directory is cleaned eventually.
            }
        }
    }

    [Fact]
    public async Task Composite_IsAnnouncedByTheCredentialIssuedWebhook()
    {
        await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
        using var app = new BadgeIssuerApplication(
            ("BadgeIssuer:Webhooks:Enabled", "true"), ("BadgeIssuer:Webhooks:AllowLoopback", "true"), ("BadgeIssuer:Webhooks:PollIntervalMilliseconds", "25"));
        using HttpClient client = app.CreateAuthorizedClient();
        using (HttpResponseMessage registered = await client.PostAsJsonAsync("/issuers/default/webhooks", new { url = receiver.Url("/hook"), eventTypes = new[] { "credential.issued" } }, Ct))
        {
            registered.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        (string[] parts, string composite) = await ThreeBadgesAndACertificateAsync(client);
        foreach (string part in parts[..2])
        {
            await AwardAsync(client, part);
        }

        string compositeId = (string)Composites(await AwardAsync(client, parts[2]))[0]!["credentialId"]!;

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (receiver.Received.Count < 4 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(25, Ct);
        }

        JsonNode announced = receiver.Received.ToArray().Select(r => JsonNode.Parse(r.Body)!).Single(p => (string)p["data"]!["credentialId"]! == compositeId);
        ((string)announced["type"]!).Should().Be("credential.issued");
        ((string)announced["data"]!["achievementId"]!).Should().Be(composite);
    }
}
