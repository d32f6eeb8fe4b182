using System.Collections.Concurrent;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Storage.Tests;

/// <summary>
/// Every behaviour callers rely on, whatever the backend. A subclass per backend supplies <see cref="Storage"/>;
/// the database is shared by a test class, so each test works on its own fresh issuer.
/// </summary>
public abstract partial class BadgeStorageContractTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    protected abstract IBadgeStorage Storage { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected async Task<IssuerRecord> NewIssuerAsync()
    {
        string id = "urn:uuid:" + Guid.NewGuid().ToString("D");
        var issuer = new IssuerRecord(id, "slug-" + Guid.NewGuid().ToString("N"), """{"type":"Profile","name":"Test"}""", "web", T0);
        await Storage.Issuers.CreateAsync(issuer, Ct);
        return issuer;
    }

    protected static CredentialRecord NewCredential(IssuerRecord issuer, string? idempotencyKey = null, string? achievementId = null) =>
        new("urn:uuid:" + Guid.NewGuid().ToString("D"), issuer.Id, achievementId, "mailto:learner@example.org",
            """{"type":["VerifiableCredential"]}""", null, null, T0.AddMinutes(1), idempotencyKey);

    [Fact]
    public async Task Issuer_CreateThenGet_RoundTripsByIdAndSlug()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        (await Storage.Issuers.GetAsync(issuer.Id, Ct)).Should().Be(issuer);
        (await Storage.Issuers.GetBySlugAsync(issuer.Slug, Ct)).Should().Be(issuer);
        (await Storage.Issuers.CountAsync(Ct) >= 1).Should().BeTrue();
    }

    [Fact]
    public async Task Issuer_UpdateProfile_ReplacesJson()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        (await Storage.Issuers.UpdateProfileAsync(issuer.Id, """{"name":"Renamed"}""", Ct)).Should().BeTrue();

        (await Storage.Issuers.GetAsync(issuer.Id, Ct))!.ProfileJson.Should().Be("""{"name":"Renamed"}""");
    }

    [Fact]
    public async Task Issuer_Unknown_GetReturnsNullAndUpdateReturnsFalse()
    {
        (await Storage.Issuers.GetAsync("urn:uuid:unknown", Ct)).Should().BeNull();
        (await Storage.Issuers.GetBySlugAsync("no-such-slug", Ct)).Should().BeNull();
        (await Storage.Issuers.UpdateProfileAsync("urn:uuid:unknown", "{}", Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task Issuer_DuplicateSlug_ThrowsConflict()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        await FluentActions.Awaiting(() =>
            Storage.Issuers.CreateAsync(issuer with { Id = "urn:uuid:" + Guid.NewGuid().ToString("D") }, Ct)).Should().ThrowExactlyAsync<StorageConflictException>();
    }

    [Fact]
    public async Task IssuerKeys_Rotation_KeepsOldKeyAndMovesCurrentFlag()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        byte[] blob1 = [0x00, 0x01, 0xFF, 0x80];
        byte[] blob2 = [0x42];
        var first = new IssuerKeyRecord(issuer.Id, issuer.Id + "#key-1", "Ed25519", """{"kty":"OKP","x":"a"}""", blob1, true, T0);
        var rsa = new IssuerKeyRecord(issuer.Id, issuer.Id + "#rsa-1", "RSA", """{"kty":"RSA"}""", blob2, true, T0);
        var second = new IssuerKeyRecord(issuer.Id, issuer.Id + "#key-2", "Ed25519", """{"kty":"OKP","x":"b"}""", blob2, true, T0.AddDays(1));

        await Storage.Issuers.AddKeyAsync(first, Ct);
        await Storage.Issuers.AddKeyAsync(rsa, Ct);
        await Storage.Issuers.AddKeyAsync(second, Ct);

        IReadOnlyList<IssuerKeyRecord> keys = await Storage.Issuers.ListKeysAsync(issuer.Id, Ct);
        keys.Select(k => k.KeyId).Should().Equal([first.KeyId, rsa.KeyId, second.KeyId]);
        keys.Select(k => k.IsCurrent).Should().Equal([false, true, true]);
        keys[0].ProtectedPrivateKey.ToArray().Should().Equal(blob1);
        keys[0].PublicJwk.Should().Be(first.PublicJwk);
        keys[0].CreatedAt.Should().Be(T0);

        IssuerKeyRecord? current = await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "Ed25519", Ct);
        current!.KeyId.Should().Be(second.KeyId);
        current.ProtectedPrivateKey.ToArray().Should().Equal(blob2);
        (await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "RSA", Ct))!.KeyId.Should().Be(rsa.KeyId);
        (await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "P-256", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task IssuerKeys_P256Type_RoundTripsAndRotatesApartFromOtherTypes()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        byte[] blob1 = [0x01, 0x02];
        byte[] blob2 = [0x03];
        var first = new IssuerKeyRecord(issuer.Id, issuer.Id + "#zDnaFirst", "P-256", """{"crv":"P-256","kty":"EC","x":"a","y":"b"}""", blob1, true, T0);
        var second = new IssuerKeyRecord(issuer.Id, issuer.Id + "#zDnaSecond", "P-256", """{"crv":"P-256","kty":"EC","x":"c","y":"d"}""", blob2, true, T0.AddDays(1));
        var other = new IssuerKeyRecord(issuer.Id, issuer.Id + "#z6MkOther", "Ed25519", """{"kty":"OKP","x":"e"}""", blob1, true, T0);

        await Storage.Issuers.AddKeyAsync(first, Ct);
        (await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "P-256", Ct))!.KeyId.Should().Be(first.KeyId);
        await Storage.Issuers.AddKeyAsync(other, Ct);
        await Storage.Issuers.AddKeyAsync(second, Ct);

        IReadOnlyList<IssuerKeyRecord> keys = await Storage.Issuers.ListKeysAsync(issuer.Id, Ct);
        string.Join(",", keys.Select(k => $"{k.KeyId[(k.KeyId.IndexOf('#', StringComparison.Ordinal) + 1)..]}:{k.KeyType}:{k.IsCurrent}"))
            .Should().Be("zDnaFirst:P-256:False,z6MkOther:Ed25519:True,zDnaSecond:P-256:True");
        IssuerKeyRecord current = (await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "P-256", Ct))!;
        (current.KeyId, current.KeyType, current.PublicJwk, current.CreatedAt).Should().Be((second.KeyId, "P-256", second.PublicJwk, second.CreatedAt));
        current.ProtectedPrivateKey.ToArray().Should().Equal(blob2);
        (await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "Ed25519", Ct))!.KeyId.Should().Be(other.KeyId);
    }

    [Fact]
    public async Task Achievement_CreateUpdateList_RoundTrips()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var a1 = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"One"}""", T0, T0);
        var a2 = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"Two"}""", T0.AddHours(1), T0.AddHours(1));
        await Storage.Achievements.CreateAsync(a1, Ct);
        await Storage.Achievements.CreateAsync(a2, Ct);

        (await Storage.Achievements.GetAsync(a1.Id, Ct)).Should().Be(a1);
        (await Storage.Achievements.UpdateAsync(a1.Id, """{"name":"One v2"}""", T0.AddDays(2), Ct)).Should().BeTrue();
        (await Storage.Achievements.UpdateAsync("https://example.org/none", "{}", T0, Ct)).Should().BeFalse();
        (await Storage.Achievements.GetAsync("https://example.org/none", Ct)).Should().BeNull();

        IReadOnlyList<AchievementRecord> list = await Storage.Achievements.ListAsync(issuer.Id, Ct);
        list.Should().Equal([a1 with { Json = """{"name":"One v2"}""", UpdatedAt = T0.AddDays(2) }, a2]);
        await FluentActions.Awaiting(() => Storage.Achievements.CreateAsync(a2, Ct)).Should().ThrowExactlyAsync<StorageConflictException>();
    }

    [Fact]
    public async Task Credential_AddThenGet_RoundTrips()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var achievement = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, "{}", T0, T0);
        await Storage.Achievements.CreateAsync(achievement, Ct);
        CredentialRecord credential = NewCredential(issuer, achievementId: achievement.Id) with
        {
            Jwt = "eyJhbGciOiJSUzI1NiJ9.e30.sig",
            StatusEntriesJson = """[{"type":"BitstringStatusListEntry"}]""",
        };

        CredentialAddResult result = await Storage.Credentials.AddAsync(credential, [], Ct);

        result.Created.Should().BeTrue();
        (await Storage.Credentials.GetAsync(credential.Id, Ct)).Should().Be(credential);
        (await Storage.Credentials.GetAsync("urn:uuid:unknown", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task IssuerKeys_ReplaceProtectedKey_SwapsOnlyWhileBlobMatches()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        byte[] original = [0x01, 0x02, 0x03];
        byte[] rewrapped = [0x09, 0x08, 0x07, 0x06];
        var key = new IssuerKeyRecord(issuer.Id, issuer.Id + "#key-1", "Ed25519", """{"kty":"OKP","x":"a"}""", original, true, T0);
        await Storage.Issuers.AddKeyAsync(key, Ct);

        (await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, key.KeyId, new byte[] { 0x01 }, rewrapped, Ct)).Should().BeFalse();
        (await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, issuer.Id + "#missing", original, rewrapped, Ct)).Should().BeFalse();
        (await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, key.KeyId, original, rewrapped, Ct)).Should().BeTrue();
        // A second instance racing with the same expectation loses.
        (await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, key.KeyId, original, new byte[] { 0x42 }, Ct)).Should().BeFalse();

        IssuerKeyRecord stored = (await Storage.Issuers.ListKeysAsync(issuer.Id, Ct)).Single();
        stored.ProtectedPrivateKey.ToArray().Should().Equal(rewrapped);
        stored.Should().Be(key with { ProtectedPrivateKey = stored.ProtectedPrivateKey });
        stored.IsCurrent.Should().BeTrue();
    }

    [Fact]
    public async Task IssuerKeys_ListAllKeys_IncludesEveryIssuersKeys()
    {
        IssuerRecord first = await NewIssuerAsync();
        IssuerRecord second = await NewIssuerAsync();
        await Storage.Issuers.AddKeyAsync(new IssuerKeyRecord(first.Id, first.Id + "#a", "Ed25519", "{}", new byte[] { 1 }, true, T0), Ct);
        await Storage.Issuers.AddKeyAsync(new IssuerKeyRecord(second.Id, second.Id + "#b", "Ed25519", "{}", new byte[] { 2 }, true, T0), Ct);
        await Storage.Issuers.AddKeyAsync(new IssuerKeyRecord(first.Id, first.Id + "#c", "RSA", "{}", new byte[] { 3 }, true, T0.AddDays(1)), Ct);

        IReadOnlyList<IssuerKeyRecord> all = await Storage.Issuers.ListAllKeysAsync(Ct);

        all.Where(k => k.IssuerId == first.Id).Select(k => k.KeyId).Should().Equal([first.Id + "#a", first.Id + "#c"]);
        all.Where(k => k.IssuerId == second.Id).Select(k => Convert.ToHexString(k.ProtectedPrivateKey.Span)).Should().Equal(["02"]);
    }

    [Fact]
    public async Task Credential_SameIdempotencyKey_ReturnsExistingCredential()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        IssuerRecord other = await NewIssuerAsync();
        CredentialRecord first = NewCredential(issuer, "key-1");

        CredentialAddResult created = await Storage.Credentials.AddAsync(first, [], Ct);
        CredentialAddResult retry = await Storage.Credentials.AddAsync(NewCredential(issuer, "key-1"), [], Ct);
        CredentialAddResult otherIssuer = await Storage.Credentials.AddAsync(NewCredential(other, "key-1"), [], Ct);

        created.Created.Should().BeTrue();
        retry.Created.Should().BeFalse();
        retry.Credential.Should().Be(first);
        otherIssuer.Created.Should().BeTrue();
        (await Storage.Credentials.GetByIdempotencyKeyAsync(issuer.Id, "key-1", Ct)).Should().Be(first);
    }

    [Fact]
    public async Task Credential_ConcurrentRetriesWithOneKey_StoreOneCredential()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        CredentialAddResult[] results = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => Storage.Credentials.AddAsync(NewCredential(issuer, "same"), [], Ct), Ct)));

        results.Should().ContainSingle(r => r.Created);
        results.Select(r => r.Credential.Id).Distinct(StringComparer.Ordinal).Should().ContainSingle();
    }

    [Fact]
    public async Task AllocateIndex_500Concurrent_AllDistinct()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var request = new StatusAllocationRequest(issuer.Id, "revocation");

        StatusListIndex[] indexes = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(_ => Task.Run(() => Storage.StatusLists.AllocateIndexAsync(request, Ct), Ct)));

        indexes.Distinct().Count().Should().Be(500);
        indexes.Select(i => i.ListId).Distinct(StringComparer.Ordinal).Should().ContainSingle();
        StatusListRecord list = (await Storage.StatusLists.GetAsync(indexes[0].ListId, Ct))!;
        list.AllocatedCount.Should().Be(500);
        list.Length.Should().Be(StatusAllocationRequest.MinimumListLength);
        list.Bitstring.Length.Should().Be(StatusAllocationRequest.MinimumListLength / 8);
        indexes.Should().AllSatisfy(i => i.Index.Should().BeInRange(0, list.Length - 1));
    }

    [Fact]
    public async Task AllocateIndex_ListFull_StartsNewList()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var request = new StatusAllocationRequest(issuer.Id, "revocation", NewListLength: 16);

        var indexes = new List<StatusListIndex>();
        for (int i = 0; i < 40; i++)
        {
            indexes.Add(await Storage.StatusLists.AllocateIndexAsync(request, Ct));
        }

        indexes.Distinct().Count().Should().Be(40);
        IReadOnlyList<StatusListRecord> lists = await Storage.StatusLists.ListAsync(issuer.Id, Ct);
        lists.Count.Should().Be(3);
        lists.Select(l => l.AllocatedCount).Should().Equal([16, 16, 8]);
        // Full lists hand out every index exactly once.
        indexes.Where(i => i.ListId == lists[0].ListId).Select(i => i.Index).Should().BeEquivalentTo(Enumerable.Range(0, 16));
        indexes.Where(i => i.ListId == lists[1].ListId).Select(i => i.Index).Should().BeEquivalentTo(Enumerable.Range(0, 16));
    }

    [Fact]
    public async Task AllocateIndex_OtherPurpose_UsesSeparateList()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        StatusListIndex revocation = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        StatusListIndex suspension = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);

        suspension.ListId.Should().NotBe(revocation.ListId);
        (await Storage.StatusLists.GetAsync(suspension.ListId, Ct))!.Purpose.Should().Be("suspension");
    }

    [Fact]
    public async Task SetStatus_SetThenClear_BumpsVersionOnlyOnChange()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);
        long v0 = (await Storage.StatusLists.GetAsync(at.ListId, Ct))!.Version;

        StatusUpdateResult set = await Storage.StatusLists.SetStatusAsync(at.ListId, at.Index, 1, "admin", Ct);
        StatusListRecord afterSet = (await Storage.StatusLists.GetAsync(at.ListId, Ct))!;
        StatusUpdateResult again = await Storage.StatusLists.SetStatusAsync(at.ListId, at.Index, 1, "admin", Ct);
        StatusUpdateResult clear = await Storage.StatusLists.SetStatusAsync(at.ListId, at.Index, 0, "admin", Ct);
        StatusListRecord afterClear = (await Storage.StatusLists.GetAsync(at.ListId, Ct))!;

        set.Should().Be(new StatusUpdateResult(StatusUpdateOutcome.Updated, at.ListId, at.Index, v0 + 1));
        afterSet.GetStatus(at.Index).Should().Be(1);
        afterSet.Version.Should().Be(v0 + 1);
        // Entry 0 is the most significant bit of byte 0.
        afterSet.Bitstring.Span[at.Index / 8].Should().Be((byte)(0x80 >> (at.Index % 8)));
        again.Outcome.Should().Be(StatusUpdateOutcome.Unchanged);
        again.Version.Should().Be(v0 + 1);
        clear.Should().Be(new StatusUpdateResult(StatusUpdateOutcome.Updated, at.ListId, at.Index, v0 + 2));
        afterClear.GetStatus(at.Index).Should().Be(0);
        afterClear.Bitstring.ToArray().Should().AllSatisfy(b => b.Should().Be(0));
        // Only real changes are recorded.
        IReadOnlyList<StatusChangeRecord> changes = await Storage.StatusLists.ListChangesAsync(at.ListId, Ct);
        changes.Select(c => (c.OldValue, c.NewValue, c.Version)).Should().Equal([(0, 1, v0 + 1), (1, 0, v0 + 2)]);
        changes.Should().AllSatisfy(c => c.CredentialId.Should().BeNull());
    }

    [Fact]
    public async Task SetStatus_UnknownListOrIndexOutOfRange_ReportsWhy()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);

        (await Storage.StatusLists.SetStatusAsync("no-such-list", 0, 1, "admin", Ct)).Outcome.Should().Be(StatusUpdateOutcome.ListNotFound);
        (await Storage.StatusLists.SetStatusAsync(at.ListId, 16, 1, "admin", Ct)).Outcome.Should().Be(StatusUpdateOutcome.OutOfRange);
        (await Storage.StatusLists.SetStatusAsync(at.ListId, 0, 2, "admin", Ct)).Outcome.Should().Be(StatusUpdateOutcome.OutOfRange);
        (await Storage.StatusLists.GetAsync("no-such-list", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task SetCredentialStatus_Revoke_SetsTheCredentialsBit()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        CredentialRecord credential = NewCredential(issuer);
        await Storage.Credentials.AddAsync(credential, [at], Ct);

        StatusUpdateResult revoked = await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "revocation", 1, "admin", Ct);
        StatusUpdateResult suspended = await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "suspension", 1, "admin", Ct);

        revoked.Outcome.Should().Be(StatusUpdateOutcome.Updated);
        ((revoked.ListId, revoked.Index!.Value)).Should().Be((at.ListId, at.Index));
        (await Storage.StatusLists.GetAsync(at.ListId, Ct))!.GetStatus(at.Index).Should().Be(1);
        suspended.Outcome.Should().Be(StatusUpdateOutcome.NoStatusEntry);
        StatusChangeRecord change = (await Storage.StatusLists.ListChangesAsync(at.ListId, Ct)).Should().ContainSingle().Which;
        ((change.Index, change.CredentialId, change.OldValue, change.NewValue, change.Actor, change.Version)).Should().Be((at.Index, credential.Id, 0, 1, "admin", revoked.Version!.Value));
    }

    [Fact]
    public async Task SetCredentialStatus_UnknownCredential_ReturnsNotFound()
    {
        StatusUpdateResult result = await Storage.StatusLists.SetCredentialStatusAsync("urn:uuid:" + Guid.NewGuid().ToString("D"), "revocation", 1, "admin", Ct);

        result.Outcome.Should().Be(StatusUpdateOutcome.CredentialNotFound);
        result.Succeeded.Should().BeFalse();
    }

    [Fact]
    public async Task Credential_StatusIndexAlreadyLinked_ThrowsAndStoresNothing()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [at], Ct);
        CredentialRecord second = NewCredential(issuer);

        await FluentActions.Awaiting(() => Storage.Credentials.AddAsync(second, [at], Ct)).Should().ThrowExactlyAsync<InvalidOperationException>();

        (await Storage.Credentials.GetAsync(second.Id, Ct)).Should().BeNull();
    }

    [Fact]
    public async Task AllocateIndexes_BlockSpillsIntoNewList_AllDistinctAndCounted()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var request = new StatusAllocationRequest(issuer.Id, "revocation", 1, NewListLength: 64);

        IReadOnlyList<StatusListIndex> first = await Storage.StatusLists.AllocateIndexesAsync(request, 40, Ct);
        IReadOnlyList<StatusListIndex> second = await Storage.StatusLists.AllocateIndexesAsync(request, 40, Ct);
        StatusListIndex[] all = [.. first, .. second];

        all.Distinct().Count().Should().Be(80);
        IReadOnlyList<StatusListRecord> lists = await Storage.StatusLists.ListAsync(issuer.Id, Ct);
        lists.Count.Should().Be(2);
        lists[0].AllocatedCount.Should().Be(64);
        lists[1].AllocatedCount.Should().Be(16);
        all.Should().AllSatisfy(i => i.Index.Should().BeInRange(0, 63));
    }

    [Fact]
    public async Task GetVersion_FollowsStatusChanges_NullForUnknownList()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex index = await Storage.StatusLists.AllocateIndexAsync(new StatusAllocationRequest(issuer.Id, "revocation", 1, 64), Ct);
        long? before = await Storage.StatusLists.GetVersionAsync(index.ListId, Ct);
        await Storage.StatusLists.SetStatusAsync(index.ListId, index.Index, 1, "test", Ct);

        before.Should().NotBeNull();
        (await Storage.StatusLists.GetVersionAsync(index.ListId, Ct)).Should().Be(before + 1);
        (await Storage.StatusLists.GetVersionAsync("no-such-list", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Credential_500ConcurrentAdds_AllStoredAndListed()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        CredentialRecord[] credentials = [.. Enumerable.Range(0, 500).Select(_ => NewCredential(issuer))];
        CredentialAddResult[] results = await Task.WhenAll(credentials.Select(c => Storage.Credentials.AddAsync(c, [], Ct)));

        results.Should().AllSatisfy(r => r.Created.Should().BeTrue());
        foreach (CredentialRecord c in credentials)
        {
            (await Storage.Credentials.GetAsync(c.Id, Ct)).Should().Be(c);
        }

        (await Storage.Credentials.ListAsync(issuer.Id, 1000, Ct)).Count.Should().Be(500);
    }

    [Fact]
    public async Task Credential_DuplicateIdInOneGroup_OnlyThatAddFails()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        CredentialRecord a = NewCredential(issuer);
        CredentialRecord b = NewCredential(issuer);
        Task<CredentialAddResult>[] adds = [Storage.Credentials.AddAsync(a, [], Ct), Storage.Credentials.AddAsync(a, [], Ct), Storage.Credentials.AddAsync(b, [], Ct)];

        await FluentActions.Awaiting(() => Task.WhenAll(adds)).Should().ThrowAsync<Exception>();
        adds.Count(t => t.IsFaulted).Should().Be(1);
        adds.Single(t => t.IsFaulted).Exception!.InnerException.Should().BeOfType<StorageConflictException>();
        (await Storage.Credentials.GetAsync(b.Id, Ct)).Should().Be(b);
    }

    [Fact]
    public async Task ApiKey_CreateFindList_ByHashOnly()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        byte[] hash = System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray());
        var key = new ApiKeyRecord("key-" + Guid.NewGuid().ToString("N"), "bik_abcdefgh", hash, issuer.Id, "issue revoke", "test", T0, T0.AddDays(30), null);
        await Storage.ApiKeys.CreateAsync(key, Ct);

        ApiKeyRecord? found = await Storage.ApiKeys.FindByHashAsync(hash, Ct);
        found.Should().NotBeNull();
        found.KeyId.Should().Be(key.KeyId);
        found.KeyHash.ToArray().Should().Equal(hash);
        found.ExpiresAt.Should().Be(T0.AddDays(30));
        (await Storage.ApiKeys.FindByHashAsync(new byte[32], Ct)).Should().BeNull();
        (await Storage.ApiKeys.ListAsync(issuer.Id, Ct)).Should().ContainSingle();
        await FluentActions.Awaiting(() => Storage.ApiKeys.CreateAsync(key with { KeyId = "other" }, Ct)).Should().ThrowExactlyAsync<StorageConflictException>();
    }

    private async Task<ApiKeyRecord> NewKeyAsync(IssuerRecord issuer, string? createdBy, string scopes = "issue manage")
    {
        var key = new ApiKeyRecord("key-" + Guid.NewGuid().ToString("N"), "bik_abcdefgh", System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()),
            issuer.Id, scopes, "test", T0, null, null, createdBy);
        await Storage.ApiKeys.CreateAsync(key, Ct);
        return key;
    }

    [Fact]
    public async Task ApiKey_Revoke_CascadesToEveryKeyItCreated_InOneAuditedStep()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        IssuerRecord other = await NewIssuerAsync();
        ApiKeyRecord root = await NewKeyAsync(issuer, null, "admin");
        ApiKeyRecord child = await NewKeyAsync(issuer, root.KeyId);
        ApiKeyRecord foreignChild = await NewKeyAsync(other, root.KeyId);
        ApiKeyRecord grandchild = await NewKeyAsync(issuer, child.KeyId, "issue");
        ApiKeyRecord sibling = await NewKeyAsync(issuer, null);
        ApiKeyRecord nephew = await NewKeyAsync(issuer, sibling.KeyId);
        ((await Storage.ApiKeys.GetAsync(child.KeyId, Ct))?.CreatedBy).Should().Be(root.KeyId);
        ((await Storage.ApiKeys.GetAsync(root.KeyId, Ct))?.CreatedBy).Should().BeNull();

        // Revoking the child first: only its own subtree.
        IReadOnlyList<ApiKeyRecord>? first = await Storage.ApiKeys.RevokeAsync(child.KeyId, T0.AddHours(1), new KeyRevocationAudit("api-key:x", "apikey.revoke", "req-1"), Ct);
        first!.Select(k => k.KeyId).Should().Equal([grandchild.KeyId]);
        (await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt.Should().BeNull();

        // Then the root: what is left under it (also through the revoked child), never the sibling's tree.
        IReadOnlyList<ApiKeyRecord>? cascaded = await Storage.ApiKeys.RevokeAsync(root.KeyId, T0.AddHours(2), new KeyRevocationAudit("api-key:y", "client.revoke", "req-2"), Ct);
        cascaded!.Select(k => k.KeyId).Should().Equal([foreignChild.KeyId]);
        (await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt.Should().Be(T0.AddHours(2));
        (await Storage.ApiKeys.GetAsync(child.KeyId, Ct))!.RevokedAt.Should().Be(T0.AddHours(1));
        (await Storage.ApiKeys.GetAsync(grandchild.KeyId, Ct))!.RevokedAt.Should().Be(T0.AddHours(1));
        (await Storage.ApiKeys.GetAsync(foreignChild.KeyId, Ct))!.RevokedAt.Should().Be(T0.AddHours(2));
        (await Storage.ApiKeys.GetAsync(sibling.KeyId, Ct))!.RevokedAt.Should().BeNull();
        (await Storage.ApiKeys.GetAsync(nephew.KeyId, Ct))!.RevokedAt.Should().BeNull();

        IReadOnlyList<AuditRecord> audit = await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct);
        audit.Select(a => a.Action).Should().Equal(["client.revoke", "apikey.revoke.cascade", "apikey.revoke"]);
        audit.Select(a => a.Target).Should().Equal([root.KeyId, grandchild.KeyId, child.KeyId]);
        audit[0].Details.Should().Be($$"""{"cascade":["{{foreignChild.KeyId}}"]}""");
        audit[1].Details.Should().Be($$"""{"revoked":"{{child.KeyId}}","createdBy":"{{child.KeyId}}"}""");
        audit[0].RequestId.Should().Be("req-2");
        audit[0].Actor.Should().Be("api-key:y");
        AuditRecord foreign = (await Storage.Audit.ListAsync(other.Id, 10, null, Ct)).Should().ContainSingle().Which;
        ((foreign.Action, foreign.Target, foreign.Actor)).Should().Be(("apikey.revoke.cascade", foreignChild.KeyId, "api-key:y"));

        // Again: idempotent, nothing newly cascaded; an unknown key is null and writes nothing.
        (await Storage.ApiKeys.RevokeAsync(root.KeyId, T0.AddHours(3), new KeyRevocationAudit("api-key:y", "apikey.revoke", null), Ct))!.Should().BeEmpty();
        (await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt.Should().Be(T0.AddHours(2));
        (await Storage.ApiKeys.RevokeAsync("key-none", T0, new KeyRevocationAudit("api-key:y", "apikey.revoke", null), Ct)).Should().BeNull();
    }

    [Fact]
    public async Task ApiKey_CreateUnderRevokedOrMissingCreator_IsRefused()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        ApiKeyRecord creator = await NewKeyAsync(issuer, null);
        await Storage.ApiKeys.RevokeAsync(creator.KeyId, T0, new KeyRevocationAudit("api-key:x", "apikey.revoke", null), Ct);

        await FluentActions.Awaiting(() => NewKeyAsync(issuer, creator.KeyId)).Should().ThrowExactlyAsync<StorageConflictException>();
        await FluentActions.Awaiting(() => NewKeyAsync(issuer, "key-none")).Should().ThrowExactlyAsync<StorageConflictException>();
        (await Storage.ApiKeys.ListAsync(issuer.Id, Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task ApiKey_Reinstate_ClearsOnlyThatKeysRevocation_Audited()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        ApiKeyRecord root = await NewKeyAsync(issuer, null, "admin");
        ApiKeyRecord child = await NewKeyAsync(issuer, root.KeyId);
        var entry = new AuditRecord(0, issuer.Id, "config:Bootstrap:ApiKey", "apikey.restore", root.KeyId, T0.AddHours(1), null, null);
        (await Storage.ApiKeys.ReinstateAsync(root.KeyId, entry, Ct)).Should().BeFalse();
        await Storage.ApiKeys.RevokeAsync(root.KeyId, T0, new KeyRevocationAudit("api-key:x", "apikey.revoke", null), Ct);

        (await Storage.ApiKeys.ReinstateAsync(root.KeyId, entry, Ct)).Should().BeTrue();
        (await Storage.ApiKeys.ReinstateAsync(root.KeyId, entry, Ct)).Should().BeFalse();
        (await Storage.ApiKeys.ReinstateAsync("key-none", entry, Ct)).Should().BeFalse();

        (await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt.Should().BeNull();
        (await Storage.ApiKeys.GetAsync(child.KeyId, Ct))!.RevokedAt.Should().Be(T0);
        (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Select(a => a.Action).Should().Equal(["apikey.restore", "apikey.revoke.cascade", "apikey.revoke"]);
    }

    [Fact]
    public async Task AchievementImage_SetGetReplace_UnknownAchievementRefused()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var achievement = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"A"}""", T0, T0);
        await Storage.Achievements.CreateAsync(achievement, Ct);

        (await Storage.Achievements.SetImageAsync(achievement.Id, "image/png", new byte[] { 1, 2, 3 }, Ct)).Should().BeTrue();
        (await Storage.Achievements.SetImageAsync(achievement.Id, "image/svg+xml", new byte[] { 4 }, Ct)).Should().BeTrue();
        (string MediaType, byte[] Bytes)? image = await Storage.Achievements.GetImageAsync(achievement.Id, Ct);
        (image?.MediaType).Should().Be("image/svg+xml");
        (image?.Bytes).Should().Equal(new byte[] { 4 });
        (await Storage.Achievements.SetImageAsync("https://example.org/achievements/none", "image/png", new byte[] { 1 }, Ct)).Should().BeFalse();
        (await Storage.Achievements.GetImageAsync("https://example.org/achievements/none", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task SetCredentialStatus_WithReason_KeptInChangesLatestChangeAndAudit()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);
        CredentialRecord credential = NewCredential(issuer);
        await Storage.Credentials.AddAsync(credential, [at], Ct);
        const string Reason = "awaiting \"review\" \\ é";

        (await Storage.StatusLists.GetLatestChangeAsync(at.ListId, at.Index, Ct)).Should().BeNull();
        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "suspension", 1, "admin", Reason, Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "suspension", 0, "admin", null, Ct);

        IReadOnlyList<StatusChangeRecord> changes = await Storage.StatusLists.ListChangesAsync(at.ListId, Ct);
        changes.Select(c => c.Reason).Should().Equal([Reason, null]);
        StatusChangeRecord? latest = await Storage.StatusLists.GetLatestChangeAsync(at.ListId, at.Index, Ct);
        ((latest!.NewValue, latest.Reason)).Should().Be((0, (string?)null));
        (await Storage.StatusLists.GetLatestChangeAsync(at.ListId, (at.Index + 1) % 16, Ct)).Should().BeNull();
        AuditRecord suspended = (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Last(a => a.Action == "status.suspension");
        using System.Text.Json.JsonDocument details = System.Text.Json.JsonDocument.Parse(suspended.Details!);
        details.RootElement.GetProperty("reason").GetString().Should().Be(Reason);
        details.RootElement.GetProperty("new").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task QueryCredentials_StatusFollowsChanges_AndFiltersByState()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            StatusListIndex r = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
            StatusListIndex s = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);
            CredentialRecord c = NewCredential(issuer) with { IssuedAt = T0.AddMinutes(i) };
            await Storage.Credentials.AddAsync(c, [r, s], Ct);
            ids.Add(c.Id);
        }

        await Storage.StatusLists.SetCredentialStatusAsync(ids[0], "revocation", 1, "admin", "issued in error", Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(ids[0], "suspension", 1, "admin", null, Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(ids[1], "suspension", 1, "admin", null, Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(ids[2], "suspension", 1, "admin", null, Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(ids[2], "suspension", 0, "admin", null, Ct);

        async Task<IEnumerable<string>> Ids(CredentialListStatus? status) =>
            (await Storage.Credentials.QueryAsync(new CredentialQuery(issuer.Id, 10) { Status = status }, Ct)).Select(c => c.Id);
        (await Ids(null)).Should().Equal([ids[2], ids[1], ids[0]]);
        (await Ids(CredentialListStatus.Revoked)).Should().Equal([ids[0]]);
        (await Ids(CredentialListStatus.Suspended)).Should().Equal([ids[1]]);
        (await Ids(CredentialListStatus.Active)).Should().Equal([ids[2]]);
        CredentialListItem first = (await Storage.Credentials.QueryAsync(new CredentialQuery(issuer.Id, 1) { Status = CredentialListStatus.Revoked }, Ct))[0];
        ((first.IssuerId, first.IssuedAt, first.HasJson, first.HasJwt)).Should().Be((issuer.Id, T0, true, false));
    }

    [Fact]
    public async Task QueryCredentials_FiltersByAchievementRecipientKeyAndTime_OnlyTheIssuers()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        IssuerRecord other = await NewIssuerAsync();
        var achievement = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, "{}", T0, T0);
        await Storage.Achievements.CreateAsync(achievement, Ct);
        byte[] ada = [1, 2, 3, 4];
        CredentialRecord a = NewCredential(issuer, achievementId: achievement.Id) with { IssuedAt = T0, RecipientKey = ada };
        CredentialRecord b = NewCredential(issuer) with { IssuedAt = T0.AddHours(1), RecipientKey = ada };
        CredentialRecord c = NewCredential(issuer, achievementId: achievement.Id) with { IssuedAt = T0.AddHours(2), RecipientKey = new byte[] { 9 } };
        CredentialRecord foreign = NewCredential(other) with { IssuedAt = T0.AddHours(1), RecipientKey = ada };
        foreach (CredentialRecord record in new[] { a, b, c, foreign })
        {
            await Storage.Credentials.AddAsync(record, [], Ct);
        }

        async Task<IEnumerable<string>> Ids(CredentialQuery query) => (await Storage.Credentials.QueryAsync(query, Ct)).Select(x => x.Id);
        (await Ids(new CredentialQuery(issuer.Id, 10))).Should().Equal([c.Id, b.Id, a.Id]);
        (await Ids(new CredentialQuery(issuer.Id, 10) { AchievementId = achievement.Id })).Should().Equal([c.Id, a.Id]);
        (await Ids(new CredentialQuery(issuer.Id, 10) { RecipientKey = ada })).Should().Equal([b.Id, a.Id]);
        (await Ids(new CredentialQuery(other.Id, 10) { RecipientKey = ada })).Should().Equal([foreign.Id]);
        (await Ids(new CredentialQuery(issuer.Id, 10) { IssuedAfter = T0.AddHours(1), IssuedBefore = T0.AddHours(2) })).Should().Equal([b.Id]);
        (await Ids(new CredentialQuery(issuer.Id, 10) { RecipientKey = new byte[] { 7 } })).Should().BeEmpty();
    }

    [Fact]
    public async Task QueryCredentials_KeysetPages_StableUnderInserts()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var expected = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            // Two credentials per instant: the id breaks the tie.
            CredentialRecord record = NewCredential(issuer) with { IssuedAt = T0.AddMinutes(i / 2) };
            await Storage.Credentials.AddAsync(record, [], Ct);
            expected.Add(record.Id);
        }

        expected = [.. expected.Select((id, i) => (id, at: i / 2)).OrderByDescending(x => x.at).ThenByDescending(x => x.id, StringComparer.Ordinal).Select(x => x.id)];
        var seen = new List<string>();
        CredentialPosition? after = null;
        for (int page = 0; page < 10; page++)
        {
            IReadOnlyList<CredentialListItem> items = await Storage.Credentials.QueryAsync(new CredentialQuery(issuer.Id, 2) { After = after }, Ct);
            if (items.Count == 0)
            {
                break;
            }

            seen.AddRange(items.Select(x => x.Id));
            after = new CredentialPosition(items[^1].IssuedAt, items[^1].Id);

            // Newer rows arriving meanwhile land before the cursor, never in a later page.
            await Storage.Credentials.AddAsync(NewCredential(issuer) with { IssuedAt = T0.AddDays(1 + page) }, [], Ct);
        }

        seen.Should().Equal(expected);
    }

    [Fact]
    public async Task Ping_OpenDatabase_ReturnsTrue() => (await Storage.PingAsync(Ct)).Should().BeTrue();
}
