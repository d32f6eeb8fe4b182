using BadgeIssuer.Storage;

namespace BadgeIssuer.Storage.Tests;

/// <summary>Pathways: achievements composed of others, and the part credentials a composite credential counted.</summary>
public abstract partial class BadgeStorageContractTests
{
    private async Task<AchievementRecord> NewAchievementAsync(IssuerRecord issuer, int minute = 0)
    {
        var achievement = new AchievementRecord(
            "https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"A"}""", T0.AddMinutes(minute), T0.AddMinutes(minute));
        await Storage.Achievements.CreateAsync(achievement, Ct);
        return achievement;
    }

    private static string Describe(PathwayRecord? pathway) =>
        pathway is null ? "none" : $"{pathway.AchievementId} {pathway.Rule} {pathway.Required} [{string.Join(", ", pathway.Parts)}] auto={pathway.AutoAward} {pathway.UpdatedAt:O}";

    private static string Describe(PathwayAwardRecord? award) =>
        award is null
            ? "none"
            : $"{award.CredentialId} {award.AchievementId} {award.Rule} {award.Required} ["
                + string.Join(", ", award.Parts.Select(p => $"{p.CredentialId} {p.AchievementId} {p.ValidUntil:O} {p.Status}")) + "]";

    [Fact]
    public async Task Pathway_SetGetReplaceRemove_KeepsThePartOrder()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord b = await NewAchievementAsync(issuer);
        AchievementRecord c = await NewAchievementAsync(issuer);
        AchievementRecord composite = await NewAchievementAsync(issuer);
        var pathway = new PathwayRecord(composite.Id, PathwayRules.NOf, 2, [c.Id, a.Id, b.Id], true, T0);

        (await Storage.Achievements.GetPathwayAsync(composite.Id, Ct)).Should().BeNull();
        (await Storage.Achievements.SetPathwayAsync(composite.Id, pathway, Ct)).Should().BeTrue();
        Describe(await Storage.Achievements.GetPathwayAsync(composite.Id, Ct)).Should().Be(Describe(pathway));

        var replaced = new PathwayRecord(composite.Id, PathwayRules.AllOf, 2, [b.Id, a.Id], false, T0.AddDays(1));
        (await Storage.Achievements.SetPathwayAsync(composite.Id, replaced, Ct)).Should().BeTrue();
        Describe(await Storage.Achievements.GetPathwayAsync(composite.Id, Ct)).Should().Be(Describe(replaced));
        (await Storage.Achievements.ListPathwaysContainingAsync([c.Id], Ct)).Should().BeEmpty("c is no longer a part");

        (await Storage.Achievements.SetPathwayAsync(composite.Id, null, Ct)).Should().BeTrue();
        (await Storage.Achievements.GetPathwayAsync(composite.Id, Ct)).Should().BeNull();
        (await Storage.Achievements.SetPathwayAsync("https://example.org/achievements/none", null, Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task Pathway_UnknownOrRepeatedPart_ThrowsConflictAndKeepsTheOldPathway()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord composite = await NewAchievementAsync(issuer);
        var pathway = new PathwayRecord(composite.Id, PathwayRules.AllOf, 1, [a.Id], true, T0);
        await Storage.Achievements.SetPathwayAsync(composite.Id, pathway, Ct);

        await FluentActions.Awaiting(() => Storage.Achievements.SetPathwayAsync(composite.Id,
            pathway with { Parts = [a.Id, "https://example.org/achievements/none"], Required = 2 }, Ct)).Should().ThrowExactlyAsync<StorageConflictException>();
        await FluentActions.Awaiting(() => Storage.Achievements.SetPathwayAsync(composite.Id,
            pathway with { Parts = [a.Id, a.Id], Required = 2 }, Ct)).Should().ThrowExactlyAsync<StorageConflictException>();

        await FluentActions.Awaiting(() => Storage.Achievements.SetPathwayAsync(composite.Id, pathway with { Parts = [], Required = 0 }, Ct))
            .Should().ThrowExactlyAsync<ArgumentException>("a pathway without parts would be invisible");
        await FluentActions.Awaiting(() => Storage.Achievements.SetPathwayAsync(composite.Id, pathway with { Required = 2 }, Ct))
            .Should().ThrowExactlyAsync<ArgumentException>("it can never be met");

        Describe(await Storage.Achievements.GetPathwayAsync(composite.Id, Ct)).Should().Be(Describe(pathway));
    }

    [Fact]
    public async Task Pathway_LookupsByAchievementAndByPart_FindEveryPathwayWithAllItsParts()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord b = await NewAchievementAsync(issuer);
        AchievementRecord first = await NewAchievementAsync(issuer, minute: 1);
        AchievementRecord second = await NewAchievementAsync(issuer, minute: 2);
        AchievementRecord plain = await NewAchievementAsync(issuer);
        var p1 = new PathwayRecord(first.Id, PathwayRules.AllOf, 2, [a.Id, b.Id], true, T0);
        var p2 = new PathwayRecord(second.Id, PathwayRules.NOf, 1, [b.Id, first.Id], true, T0);
        await Storage.Achievements.SetPathwayAsync(second.Id, p2, Ct);
        await Storage.Achievements.SetPathwayAsync(first.Id, p1, Ct);

        string.Join(" | ", (await Storage.Achievements.ListPathwaysContainingAsync([b.Id], Ct)).Select(Describe))
            .Should().Be(Describe(p1) + " | " + Describe(p2), "oldest composite first, each with all its parts");
        string.Join(" | ", (await Storage.Achievements.ListPathwaysContainingAsync([a.Id, first.Id], Ct)).Select(Describe))
            .Should().Be(Describe(p1) + " | " + Describe(p2));
        (await Storage.Achievements.ListPathwaysContainingAsync([plain.Id], Ct)).Should().BeEmpty();
        string.Join(" | ", (await Storage.Achievements.GetPathwaysAsync([plain.Id, second.Id, first.Id], Ct)).Select(Describe).Order(StringComparer.Ordinal))
            .Should().Be(string.Join(" | ", new[] { Describe(p1), Describe(p2) }.Order(StringComparer.Ordinal)));
        (await Storage.Achievements.GetPathwaysAsync([], Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task ActiveForRecipient_TakesTheNewestUnrevokedUnsuspendedOfEachAchievement_ForThatRecipientOnly()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        IssuerRecord other = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord b = await NewAchievementAsync(issuer);
        AchievementRecord c = await NewAchievementAsync(issuer);
        byte[] learner = [1, 2, 3];
        byte[] someoneElse = [4, 5, 6];

        async Task<string> AddAsync(IssuerRecord owner, AchievementRecord achievement, byte[] key, int minute, string? status = null)
        {
            StatusListIndex r = await Storage.StatusLists.AllocateIndexAsync(new(owner.Id, "revocation", NewListLength: 16), Ct);
            StatusListIndex s = await Storage.StatusLists.AllocateIndexAsync(new(owner.Id, "suspension", NewListLength: 16), Ct);
            CredentialRecord credential = NewCredential(owner, achievementId: achievement.Id) with { IssuedAt = T0.AddMinutes(minute), RecipientKey = key };
            await Storage.Credentials.AddAsync(credential, [r, s], Ct);
            if (status is not null)
            {
                await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, status, 1, "admin", Ct);
            }

            return credential.Id;
        }

        string a1 = await AddAsync(issuer, a, learner, 1);
        string a2 = await AddAsync(issuer, a, learner, 2);
        string a3 = await AddAsync(issuer, a, learner, 3);
        await AddAsync(issuer, a, learner, 4, "revocation");
        string b1 = await AddAsync(issuer, b, learner, 1);
        await AddAsync(issuer, b, learner, 5, "suspension");
        await AddAsync(issuer, b, someoneElse, 6);
        await AddAsync(issuer, c, learner, 7);

        IReadOnlyList<CredentialRecord> held = await Storage.Credentials.ListActiveForRecipientAsync(issuer.Id, learner, [a.Id, b.Id], 2, Ct);

        string.Join(", ", held.Select(h => h.Id).Order(StringComparer.Ordinal)).Should().Be(string.Join(", ", new[] { a3, a2, b1 }.Order(StringComparer.Ordinal)));
        held.Should().AllSatisfy(h => h.SignedJson.Should().NotBeNull());
        (await Storage.Credentials.ListActiveForRecipientAsync(other.Id, learner, [a.Id], 2, Ct)).Should().BeEmpty();
        (await Storage.Credentials.ListActiveForRecipientAsync(issuer.Id, learner, [a.Id], 5, Ct)).Select(h => h.Id).Should().Equal([a3, a2, a1]);
    }

    [Fact]
    public async Task PathwayAward_IsWrittenWithTheComposite_AndReadBackWithEachPartsState()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord b = await NewAchievementAsync(issuer);
        AchievementRecord composite = await NewAchievementAsync(issuer);
        StatusListIndex index = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        CredentialRecord partA = NewCredential(issuer, achievementId: a.Id);
        CredentialRecord partB = NewCredential(issuer, achievementId: b.Id);
        await Storage.Credentials.AddAsync(partA, [index], Ct);
        await Storage.Credentials.AddAsync(partB, [], Ct);
        var award = new PathwayAwardRecord("", composite.Id, PathwayRules.AllOf, 2,
            [new PathwayAwardPart(partB.Id, b.Id, T0.AddYears(1)), new PathwayAwardPart(partA.Id, a.Id, null)]);
        CredentialRecord compositeCredential = NewCredential(issuer, idempotencyKey: "pathway-key", achievementId: composite.Id) with { PathwayAward = award };

        (await Storage.Credentials.AddAsync(compositeCredential, [], Ct)).Created.Should().BeTrue();
        (await Storage.Credentials.GetPathwayAwardAsync(partA.Id, Ct)).Should().BeNull("a part is no composite");
        PathwayAwardRecord expected = award with { CredentialId = compositeCredential.Id };
        Describe(await Storage.Credentials.GetPathwayAwardAsync(compositeCredential.Id, Ct)).Should().Be(Describe(expected));

        await Storage.StatusLists.SetCredentialStatusAsync(partA.Id, "revocation", 1, "admin", Ct);

        PathwayAwardRecord afterRevocation = expected with
        {
            Parts = [expected.Parts[0], expected.Parts[1] with { Status = CredentialListStatus.Revoked }],
        };
        Describe(await Storage.Credentials.GetPathwayAwardAsync(compositeCredential.Id, Ct)).Should().Be(Describe(afterRevocation));
        Describe((await Storage.Credentials.ListPathwayAwardsCountingAsync(partA.Id, Ct)).Should().ContainSingle().Which).Should().Be(Describe(afterRevocation));
        (await Storage.Credentials.ListPathwayAwardsCountingAsync(compositeCredential.Id, Ct)).Should().BeEmpty();

        // A second add under the same idempotency key stores nothing, its pathway award included.
        CredentialRecord again = NewCredential(issuer, idempotencyKey: "pathway-key", achievementId: composite.Id) with { PathwayAward = award };
        CredentialAddResult second = await Storage.Credentials.AddAsync(again, [], Ct);
        second.Created.Should().BeFalse();
        second.Credential.Id.Should().Be(compositeCredential.Id);
        (await Storage.Credentials.GetPathwayAwardAsync(again.Id, Ct)).Should().BeNull();
        (await Storage.Credentials.ListPathwayAwardsCountingAsync(partB.Id, Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task PathwayAward_NamingAnUnknownPartCredential_StoresNeitherTheCompositeNorItsAward()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord composite = await NewAchievementAsync(issuer);
        var award = new PathwayAwardRecord("", composite.Id, PathwayRules.AllOf, 1, [new PathwayAwardPart("urn:uuid:" + Guid.NewGuid().ToString("D"), a.Id, null)]);
        CredentialRecord credential = NewCredential(issuer, achievementId: composite.Id) with { PathwayAward = award };

        await FluentActions.Awaiting(() => Storage.Credentials.AddAsync(credential, [], Ct)).Should().ThrowAsync<Exception>();

        (await Storage.Credentials.GetAsync(credential.Id, Ct)).Should().BeNull();
        (await Storage.Credentials.GetPathwayAwardAsync(credential.Id, Ct)).Should().BeNull();
    }

    [Fact]
    public async Task PathwayAward_ConcurrentAddsWithOneKey_StoreOneCompositeWithOneAward()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord composite = await NewAchievementAsync(issuer);
        CredentialRecord part = NewCredential(issuer, achievementId: a.Id);
        await Storage.Credentials.AddAsync(part, [], Ct);
        var award = new PathwayAwardRecord("", composite.Id, PathwayRules.AllOf, 1, [new PathwayAwardPart(part.Id, a.Id, null)]);

        CredentialAddResult[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Storage.Credentials.AddAsync(NewCredential(issuer, idempotencyKey: "composite-once", achievementId: composite.Id) with { PathwayAward = award }, [], Ct)));

        results.Count(r => r.Created).Should().Be(1);
        results.Select(r => r.Credential.Id).Distinct().Should().ContainSingle();
        (await Storage.Credentials.ListPathwayAwardsCountingAsync(part.Id, Ct)).Should().ContainSingle()
            .Which.CredentialId.Should().Be(results.Single(r => r.Created).Credential.Id);
    }

    [Fact]
    public async Task SaveWithPathway_CreatesOrUpdates_AndARefusalWritesNothing()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord part = await NewAchievementAsync(issuer);
        var created = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"C"}""", T0, T0);
        var pathway = new PathwayRecord(created.Id, PathwayRules.AllOf, 1, [part.Id], true, T0);
        IPathwayGraph? seen = null;

        (await Storage.Achievements.SaveWithPathwayAsync(created, create: true, pathway, async (graph, ct) =>
        {
            seen = graph;
            // The check reads inside the transaction: the new achievement is there, its pathway not yet.
            (await graph.GetAsync(created.Id, ct)).Should().NotBeNull();
            (await graph.GetPathwaysAsync([created.Id], ct)).Should().BeEmpty();
            (await graph.GetAsync(part.Id, ct))!.IssuerId.Should().Be(issuer.Id);
            return true;
        }, Ct)).Should().Be(PathwaySaveOutcome.Saved);
        seen.Should().NotBeNull();
        Describe(await Storage.Achievements.GetPathwayAsync(created.Id, Ct)).Should().Be(Describe(pathway));

        // Refused: neither the JSON nor the pathway changes.
        (await Storage.Achievements.SaveWithPathwayAsync(created with { Json = """{"name":"D"}""", UpdatedAt = T0.AddDays(1) }, create: false, null,
            (_, _) => Task.FromResult(false), Ct)).Should().Be(PathwaySaveOutcome.Refused);
        (await Storage.Achievements.GetAsync(created.Id, Ct))!.Json.Should().Be("""{"name":"C"}""");
        Describe(await Storage.Achievements.GetPathwayAsync(created.Id, Ct)).Should().Be(Describe(pathway));

        // Saved with no pathway: the JSON is replaced and the pathway removed.
        (await Storage.Achievements.SaveWithPathwayAsync(created with { Json = """{"name":"D"}""", UpdatedAt = T0.AddDays(1) }, create: false, null,
            (_, _) => Task.FromResult(true), Ct)).Should().Be(PathwaySaveOutcome.Saved);
        (await Storage.Achievements.GetAsync(created.Id, Ct))!.Json.Should().Be("""{"name":"D"}""");
        (await Storage.Achievements.GetPathwayAsync(created.Id, Ct)).Should().BeNull();

        var unknown = created with { Id = "https://example.org/achievements/none" };
        (await Storage.Achievements.SaveWithPathwayAsync(unknown, create: false, null, (_, _) => Task.FromResult(true), Ct)).Should().Be(PathwaySaveOutcome.NotFound);
    }

    [Fact]
    public async Task SaveWithPathway_TwoWritersClosingACycle_AreCheckedOneAfterTheOther()
    {
        // A → B and B → A at once, each check a cycle check on the graph it is handed. Each check waits (up to a second)
        // for the other to be checking too: were the checks not ordered with the writes, both would meet here, both see
        // no cycle, and both store their half of one.
        IssuerRecord issuer = await NewIssuerAsync();
        for (int round = 0; round < 3; round++)
        {
            AchievementRecord a = await NewAchievementAsync(issuer);
            AchievementRecord b = await NewAchievementAsync(issuer);
            var checking = new CountdownEvent(2);

            async Task<PathwaySaveOutcome> DeclareAsync(AchievementRecord self, AchievementRecord part) =>
                await Storage.Achievements.SaveWithPathwayAsync(self, create: false, new PathwayRecord(self.Id, PathwayRules.AllOf, 1, [part.Id], true, T0), async (graph, ct) =>
                {
                    checking.Signal();
                    await Task.Run(() => checking.Wait(TimeSpan.FromSeconds(1), ct), ct);
                    return !(await graph.GetPathwaysAsync([part.Id], ct)).Any(p => p.Parts.Contains(self.Id));
                }, Ct);

            PathwaySaveOutcome[] outcomes = await Task.WhenAll(Task.Run(() => DeclareAsync(a, b), Ct), Task.Run(() => DeclareAsync(b, a), Ct));

            outcomes.Should().BeEquivalentTo([PathwaySaveOutcome.Saved, PathwaySaveOutcome.Refused], $"round {round}: the second check sees the first write");
            ((await Storage.Achievements.GetPathwayAsync(a.Id, Ct)) is not null && (await Storage.Achievements.GetPathwayAsync(b.Id, Ct)) is not null)
                .Should().BeFalse($"round {round}: a cycle was stored");
        }
    }

    [Fact]
    public async Task PathwayAward_CountingAPartRevokedOrSuspendedBeforeItIsStored_IsRefused_AndStoresNothing()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        AchievementRecord a = await NewAchievementAsync(issuer);
        AchievementRecord b = await NewAchievementAsync(issuer);
        AchievementRecord composite = await NewAchievementAsync(issuer);
        StatusListIndex revocation = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        StatusListIndex suspension = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);
        CredentialRecord partA = NewCredential(issuer, achievementId: a.Id);
        CredentialRecord partB = NewCredential(issuer, achievementId: b.Id);
        await Storage.Credentials.AddAsync(partA, [revocation], Ct);
        await Storage.Credentials.AddAsync(partB, [suspension], Ct);
        var award = new PathwayAwardRecord("", composite.Id, PathwayRules.AllOf, 2,
            [new PathwayAwardPart(partA.Id, a.Id, null), new PathwayAwardPart(partB.Id, b.Id, null)]);

        await Storage.StatusLists.SetCredentialStatusAsync(partA.Id, "revocation", 1, "admin", Ct);
        CredentialRecord first = NewCredential(issuer, idempotencyKey: "composite-parts", achievementId: composite.Id) with { PathwayAward = award };
        (await FluentActions.Awaiting(() => Storage.Credentials.AddAsync(first, [], Ct)).Should().ThrowAsync<PathwayPartsChangedException>())
            .Which.Parts.Should().Equal([partA.Id]);
        (await Storage.Credentials.GetAsync(first.Id, Ct)).Should().BeNull();
        (await Storage.Credentials.GetByIdempotencyKeyAsync(issuer.Id, "composite-parts", Ct)).Should().BeNull("the key stays free for the next attempt");
        (await Storage.Credentials.ListPathwayAwardsCountingAsync(partB.Id, Ct)).Should().BeEmpty();

        await Storage.StatusLists.SetCredentialStatusAsync(partB.Id, "suspension", 1, "admin", Ct);
        var onlyB = new PathwayAwardRecord("", composite.Id, PathwayRules.AllOf, 1, [new PathwayAwardPart(partB.Id, b.Id, null)]);
        (await FluentActions.Awaiting(() => Storage.Credentials.AddAsync(NewCredential(issuer, idempotencyKey: "composite-parts", achievementId: composite.Id) with { PathwayAward = onlyB }, [], Ct))
            .Should().ThrowAsync<PathwayPartsChangedException>()).Which.Parts.Should().Equal([partB.Id]);

        // Reinstated: counted, and stored.
        await Storage.StatusLists.SetCredentialStatusAsync(partB.Id, "suspension", 0, "admin", Ct);
        CredentialRecord stored = NewCredential(issuer, idempotencyKey: "composite-parts", achievementId: composite.Id) with { PathwayAward = onlyB };
        (await Storage.Credentials.AddAsync(stored, [], Ct)).Created.Should().BeTrue();
        (await Storage.Credentials.ListPathwayAwardsCountingAsync(partB.Id, Ct)).Should().ContainSingle().Which.CredentialId.Should().Be(stored.Id);
    }
}
