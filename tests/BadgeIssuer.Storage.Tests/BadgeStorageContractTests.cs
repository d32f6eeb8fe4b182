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

        Assert.Equal(issuer, await Storage.Issuers.GetAsync(issuer.Id, Ct));
        Assert.Equal(issuer, await Storage.Issuers.GetBySlugAsync(issuer.Slug, Ct));
        Assert.True(await Storage.Issuers.CountAsync(Ct) >= 1);
    }

    [Fact]
    public async Task Issuer_UpdateProfile_ReplacesJson()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        Assert.True(await Storage.Issuers.UpdateProfileAsync(issuer.Id, """{"name":"Renamed"}""", Ct));

        Assert.Equal("""{"name":"Renamed"}""", (await Storage.Issuers.GetAsync(issuer.Id, Ct))!.ProfileJson);
    }

    [Fact]
    public async Task Issuer_Unknown_GetReturnsNullAndUpdateReturnsFalse()
    {
        Assert.Null(await Storage.Issuers.GetAsync("urn:uuid:unknown", Ct));
        Assert.Null(await Storage.Issuers.GetBySlugAsync("no-such-slug", Ct));
        Assert.False(await Storage.Issuers.UpdateProfileAsync("urn:uuid:unknown", "{}", Ct));
    }

    [Fact]
    public async Task Issuer_DuplicateSlug_ThrowsConflict()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        await Assert.ThrowsAsync<StorageConflictException>(() =>
            Storage.Issuers.CreateAsync(issuer with { Id = "urn:uuid:" + Guid.NewGuid().ToString("D") }, Ct));
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
        Assert.Equal([first.KeyId, rsa.KeyId, second.KeyId], keys.Select(k => k.KeyId));
        Assert.Equal([false, true, true], keys.Select(k => k.IsCurrent));
        Assert.Equal(blob1, keys[0].ProtectedPrivateKey.ToArray());
        Assert.Equal(first.PublicJwk, keys[0].PublicJwk);
        Assert.Equal(T0, keys[0].CreatedAt);

        IssuerKeyRecord? current = await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "Ed25519", Ct);
        Assert.Equal(second.KeyId, current!.KeyId);
        Assert.Equal(blob2, current.ProtectedPrivateKey.ToArray());
        Assert.Equal(rsa.KeyId, (await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "RSA", Ct))!.KeyId);
        Assert.Null(await Storage.Issuers.GetCurrentKeyAsync(issuer.Id, "P-256", Ct));
    }

    [Fact]
    public async Task Achievement_CreateUpdateList_RoundTrips()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var a1 = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"One"}""", T0, T0);
        var a2 = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"Two"}""", T0.AddHours(1), T0.AddHours(1));
        await Storage.Achievements.CreateAsync(a1, Ct);
        await Storage.Achievements.CreateAsync(a2, Ct);

        Assert.Equal(a1, await Storage.Achievements.GetAsync(a1.Id, Ct));
        Assert.True(await Storage.Achievements.UpdateAsync(a1.Id, """{"name":"One v2"}""", T0.AddDays(2), Ct));
        Assert.False(await Storage.Achievements.UpdateAsync("https://example.org/none", "{}", T0, Ct));
        Assert.Null(await Storage.Achievements.GetAsync("https://example.org/none", Ct));

        IReadOnlyList<AchievementRecord> list = await Storage.Achievements.ListAsync(issuer.Id, Ct);
        Assert.Equal([a1 with { Json = """{"name":"One v2"}""", UpdatedAt = T0.AddDays(2) }, a2], list);
        await Assert.ThrowsAsync<StorageConflictException>(() => Storage.Achievements.CreateAsync(a2, Ct));
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

        Assert.True(result.Created);
        Assert.Equal(credential, await Storage.Credentials.GetAsync(credential.Id, Ct));
        Assert.Null(await Storage.Credentials.GetAsync("urn:uuid:unknown", Ct));
    }

    [Fact]
    public async Task IssuerKeys_ReplaceProtectedKey_SwapsOnlyWhileBlobMatches()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        byte[] original = [0x01, 0x02, 0x03];
        byte[] rewrapped = [0x09, 0x08, 0x07, 0x06];
        var key = new IssuerKeyRecord(issuer.Id, issuer.Id + "#key-1", "Ed25519", """{"kty":"OKP","x":"a"}""", original, true, T0);
        await Storage.Issuers.AddKeyAsync(key, Ct);

        Assert.False(await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, key.KeyId, new byte[] { 0x01 }, rewrapped, Ct));
        Assert.False(await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, issuer.Id + "#missing", original, rewrapped, Ct));
        Assert.True(await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, key.KeyId, original, rewrapped, Ct));
        // A second instance racing with the same expectation loses.
        Assert.False(await Storage.Issuers.ReplaceProtectedKeyAsync(issuer.Id, key.KeyId, original, new byte[] { 0x42 }, Ct));

        IssuerKeyRecord stored = (await Storage.Issuers.ListKeysAsync(issuer.Id, Ct)).Single();
        Assert.Equal(rewrapped, stored.ProtectedPrivateKey.ToArray());
        Assert.Equal(key with { ProtectedPrivateKey = stored.ProtectedPrivateKey }, stored);
        Assert.True(stored.IsCurrent);
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

        Assert.Equal([first.Id + "#a", first.Id + "#c"], all.Where(k => k.IssuerId == first.Id).Select(k => k.KeyId));
        Assert.Equal([new byte[] { 2 }], all.Where(k => k.IssuerId == second.Id).Select(k => k.ProtectedPrivateKey.ToArray()));
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

        Assert.True(created.Created);
        Assert.False(retry.Created);
        Assert.Equal(first, retry.Credential);
        Assert.True(otherIssuer.Created);
        Assert.Equal(first, await Storage.Credentials.GetByIdempotencyKeyAsync(issuer.Id, "key-1", Ct));
    }

    [Fact]
    public async Task Credential_ConcurrentRetriesWithOneKey_StoreOneCredential()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        CredentialAddResult[] results = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => Storage.Credentials.AddAsync(NewCredential(issuer, "same"), [], Ct), Ct)));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Credential.Id).Distinct(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllocateIndex_500Concurrent_AllDistinct()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var request = new StatusAllocationRequest(issuer.Id, "revocation");

        StatusListIndex[] indexes = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(_ => Task.Run(() => Storage.StatusLists.AllocateIndexAsync(request, Ct), Ct)));

        Assert.Equal(500, indexes.Distinct().Count());
        Assert.Single(indexes.Select(i => i.ListId).Distinct(StringComparer.Ordinal));
        StatusListRecord list = (await Storage.StatusLists.GetAsync(indexes[0].ListId, Ct))!;
        Assert.Equal(500, list.AllocatedCount);
        Assert.Equal(StatusAllocationRequest.MinimumListLength, list.Length);
        Assert.Equal(StatusAllocationRequest.MinimumListLength / 8, list.Bitstring.Length);
        Assert.All(indexes, i => Assert.InRange(i.Index, 0, list.Length - 1));
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

        Assert.Equal(40, indexes.Distinct().Count());
        IReadOnlyList<StatusListRecord> lists = await Storage.StatusLists.ListAsync(issuer.Id, Ct);
        Assert.Equal(3, lists.Count);
        Assert.Equal([16, 16, 8], lists.Select(l => l.AllocatedCount));
        // Full lists hand out every index exactly once.
        Assert.Equal(Enumerable.Range(0, 16), indexes.Where(i => i.ListId == lists[0].ListId).Select(i => i.Index).Order());
        Assert.Equal(Enumerable.Range(0, 16), indexes.Where(i => i.ListId == lists[1].ListId).Select(i => i.Index).Order());
    }

    [Fact]
    public async Task AllocateIndex_OtherPurpose_UsesSeparateList()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        StatusListIndex revocation = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        StatusListIndex suspension = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);

        Assert.NotEqual(revocation.ListId, suspension.ListId);
        Assert.Equal("suspension", (await Storage.StatusLists.GetAsync(suspension.ListId, Ct))!.Purpose);
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

        Assert.Equal(new StatusUpdateResult(StatusUpdateOutcome.Updated, at.ListId, at.Index, v0 + 1), set);
        Assert.Equal(1, afterSet.GetStatus(at.Index));
        Assert.Equal(v0 + 1, afterSet.Version);
        // Entry 0 is the most significant bit of byte 0.
        Assert.Equal((byte)(0x80 >> (at.Index % 8)), afterSet.Bitstring.Span[at.Index / 8]);
        Assert.Equal(StatusUpdateOutcome.Unchanged, again.Outcome);
        Assert.Equal(v0 + 1, again.Version);
        Assert.Equal(new StatusUpdateResult(StatusUpdateOutcome.Updated, at.ListId, at.Index, v0 + 2), clear);
        Assert.Equal(0, afterClear.GetStatus(at.Index));
        Assert.All(afterClear.Bitstring.ToArray(), b => Assert.Equal(0, b));
        // Only real changes are recorded.
        IReadOnlyList<StatusChangeRecord> changes = await Storage.StatusLists.ListChangesAsync(at.ListId, Ct);
        Assert.Equal([(0, 1, v0 + 1), (1, 0, v0 + 2)], changes.Select(c => (c.OldValue, c.NewValue, c.Version)));
        Assert.All(changes, c => Assert.Null(c.CredentialId));
    }

    [Fact]
    public async Task SetStatus_UnknownListOrIndexOutOfRange_ReportsWhy()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);

        Assert.Equal(StatusUpdateOutcome.ListNotFound, (await Storage.StatusLists.SetStatusAsync("no-such-list", 0, 1, "admin", Ct)).Outcome);
        Assert.Equal(StatusUpdateOutcome.OutOfRange, (await Storage.StatusLists.SetStatusAsync(at.ListId, 16, 1, "admin", Ct)).Outcome);
        Assert.Equal(StatusUpdateOutcome.OutOfRange, (await Storage.StatusLists.SetStatusAsync(at.ListId, 0, 2, "admin", Ct)).Outcome);
        Assert.Null(await Storage.StatusLists.GetAsync("no-such-list", Ct));
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

        Assert.Equal(StatusUpdateOutcome.Updated, revoked.Outcome);
        Assert.Equal((at.ListId, at.Index), (revoked.ListId, revoked.Index!.Value));
        Assert.Equal(1, (await Storage.StatusLists.GetAsync(at.ListId, Ct))!.GetStatus(at.Index));
        Assert.Equal(StatusUpdateOutcome.NoStatusEntry, suspended.Outcome);
        StatusChangeRecord change = Assert.Single(await Storage.StatusLists.ListChangesAsync(at.ListId, Ct));
        Assert.Equal((at.Index, credential.Id, 0, 1, "admin", revoked.Version!.Value), (change.Index, change.CredentialId, change.OldValue, change.NewValue, change.Actor, change.Version));
    }

    [Fact]
    public async Task SetCredentialStatus_UnknownCredential_ReturnsNotFound()
    {
        StatusUpdateResult result = await Storage.StatusLists.SetCredentialStatusAsync("urn:uuid:" + Guid.NewGuid().ToString("D"), "revocation", 1, "admin", Ct);

        Assert.Equal(StatusUpdateOutcome.CredentialNotFound, result.Outcome);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task Credential_StatusIndexAlreadyLinked_ThrowsAndStoresNothing()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [at], Ct);
        CredentialRecord second = NewCredential(issuer);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Storage.Credentials.AddAsync(second, [at], Ct));

        Assert.Null(await Storage.Credentials.GetAsync(second.Id, Ct));
    }

    [Fact]
    public async Task AllocateIndexes_BlockSpillsIntoNewList_AllDistinctAndCounted()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var request = new StatusAllocationRequest(issuer.Id, "revocation", 1, NewListLength: 64);

        IReadOnlyList<StatusListIndex> first = await Storage.StatusLists.AllocateIndexesAsync(request, 40, Ct);
        IReadOnlyList<StatusListIndex> second = await Storage.StatusLists.AllocateIndexesAsync(request, 40, Ct);
        StatusListIndex[] all = [.. first, .. second];

        Assert.Equal(80, all.Distinct().Count());
        IReadOnlyList<StatusListRecord> lists = await Storage.StatusLists.ListAsync(issuer.Id, Ct);
        Assert.Equal(2, lists.Count);
        Assert.Equal(64, lists[0].AllocatedCount);
        Assert.Equal(16, lists[1].AllocatedCount);
        Assert.All(all, i => Assert.InRange(i.Index, 0, 63));
    }

    [Fact]
    public async Task GetVersion_FollowsStatusChanges_NullForUnknownList()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex index = await Storage.StatusLists.AllocateIndexAsync(new StatusAllocationRequest(issuer.Id, "revocation", 1, 64), Ct);
        long? before = await Storage.StatusLists.GetVersionAsync(index.ListId, Ct);
        await Storage.StatusLists.SetStatusAsync(index.ListId, index.Index, 1, "test", Ct);

        Assert.NotNull(before);
        Assert.Equal(before + 1, await Storage.StatusLists.GetVersionAsync(index.ListId, Ct));
        Assert.Null(await Storage.StatusLists.GetVersionAsync("no-such-list", Ct));
    }

    [Fact]
    public async Task Credential_500ConcurrentAdds_AllStoredAndListed()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        CredentialRecord[] credentials = [.. Enumerable.Range(0, 500).Select(_ => NewCredential(issuer))];
        CredentialAddResult[] results = await Task.WhenAll(credentials.Select(c => Storage.Credentials.AddAsync(c, [], Ct)));

        Assert.All(results, r => Assert.True(r.Created));
        foreach (CredentialRecord c in credentials)
        {
            Assert.Equal(c, await Storage.Credentials.GetAsync(c.Id, Ct));
        }

        Assert.Equal(500, (await Storage.Credentials.ListAsync(issuer.Id, 1000, Ct)).Count);
    }

    [Fact]
    public async Task Credential_DuplicateIdInOneGroup_OnlyThatAddFails()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        CredentialRecord a = NewCredential(issuer);
        CredentialRecord b = NewCredential(issuer);
        Task<CredentialAddResult>[] adds = [Storage.Credentials.AddAsync(a, [], Ct), Storage.Credentials.AddAsync(a, [], Ct), Storage.Credentials.AddAsync(b, [], Ct)];

        await Assert.ThrowsAnyAsync<Exception>(() => Task.WhenAll(adds));
        Assert.Equal(1, adds.Count(t => t.IsFaulted));
        Assert.IsType<StorageConflictException>(adds.Single(t => t.IsFaulted).Exception!.InnerException);
        Assert.Equal(b, await Storage.Credentials.GetAsync(b.Id, Ct));
    }

    [Fact]
    public async Task ApiKey_CreateFindList_ByHashOnly()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        byte[] hash = System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray());
        var key = new ApiKeyRecord("key-" + Guid.NewGuid().ToString("N"), "bik_abcdefgh", hash, issuer.Id, "issue revoke", "test", T0, T0.AddDays(30), null);
        await Storage.ApiKeys.CreateAsync(key, Ct);

        ApiKeyRecord? found = await Storage.ApiKeys.FindByHashAsync(hash, Ct);
        Assert.NotNull(found);
        Assert.Equal(key.KeyId, found.KeyId);
        Assert.Equal(hash, found.KeyHash.ToArray());
        Assert.Equal(T0.AddDays(30), found.ExpiresAt);
        Assert.Null(await Storage.ApiKeys.FindByHashAsync(new byte[32], Ct));
        Assert.Single(await Storage.ApiKeys.ListAsync(issuer.Id, Ct));
        await Assert.ThrowsAsync<StorageConflictException>(() => Storage.ApiKeys.CreateAsync(key with { KeyId = "other" }, Ct));
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
        Assert.Equal(root.KeyId, (await Storage.ApiKeys.GetAsync(child.KeyId, Ct))?.CreatedBy);
        Assert.Null((await Storage.ApiKeys.GetAsync(root.KeyId, Ct))?.CreatedBy);

        // Revoking the child first: only its own subtree.
        IReadOnlyList<ApiKeyRecord>? first = await Storage.ApiKeys.RevokeAsync(child.KeyId, T0.AddHours(1), new KeyRevocationAudit("api-key:x", "apikey.revoke", "req-1"), Ct);
        Assert.Equal([grandchild.KeyId], first!.Select(k => k.KeyId));
        Assert.Null((await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt);

        // Then the root: what is left under it (also through the revoked child), never the sibling's tree.
        IReadOnlyList<ApiKeyRecord>? cascaded = await Storage.ApiKeys.RevokeAsync(root.KeyId, T0.AddHours(2), new KeyRevocationAudit("api-key:y", "client.revoke", "req-2"), Ct);
        Assert.Equal([foreignChild.KeyId], cascaded!.Select(k => k.KeyId));
        Assert.Equal(T0.AddHours(2), (await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt);
        Assert.Equal(T0.AddHours(1), (await Storage.ApiKeys.GetAsync(child.KeyId, Ct))!.RevokedAt);
        Assert.Equal(T0.AddHours(1), (await Storage.ApiKeys.GetAsync(grandchild.KeyId, Ct))!.RevokedAt);
        Assert.Equal(T0.AddHours(2), (await Storage.ApiKeys.GetAsync(foreignChild.KeyId, Ct))!.RevokedAt);
        Assert.Null((await Storage.ApiKeys.GetAsync(sibling.KeyId, Ct))!.RevokedAt);
        Assert.Null((await Storage.ApiKeys.GetAsync(nephew.KeyId, Ct))!.RevokedAt);

        IReadOnlyList<AuditRecord> audit = await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct);
        Assert.Equal(["client.revoke", "apikey.revoke.cascade", "apikey.revoke"], audit.Select(a => a.Action));
        Assert.Equal([root.KeyId, grandchild.KeyId, child.KeyId], audit.Select(a => a.Target));
        Assert.Equal($$"""{"cascade":["{{foreignChild.KeyId}}"]}""", audit[0].Details);
        Assert.Equal($$"""{"revoked":"{{child.KeyId}}","createdBy":"{{child.KeyId}}"}""", audit[1].Details);
        Assert.Equal("req-2", audit[0].RequestId);
        Assert.Equal("api-key:y", audit[0].Actor);
        AuditRecord foreign = Assert.Single(await Storage.Audit.ListAsync(other.Id, 10, null, Ct));
        Assert.Equal(("apikey.revoke.cascade", foreignChild.KeyId, "api-key:y"), (foreign.Action, foreign.Target, foreign.Actor));

        // Again: idempotent, nothing newly cascaded; an unknown key is null and writes nothing.
        Assert.Empty((await Storage.ApiKeys.RevokeAsync(root.KeyId, T0.AddHours(3), new KeyRevocationAudit("api-key:y", "apikey.revoke", null), Ct))!);
        Assert.Equal(T0.AddHours(2), (await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt);
        Assert.Null(await Storage.ApiKeys.RevokeAsync("key-none", T0, new KeyRevocationAudit("api-key:y", "apikey.revoke", null), Ct));
    }

    [Fact]
    public async Task ApiKey_CreateUnderRevokedOrMissingCreator_IsRefused()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        ApiKeyRecord creator = await NewKeyAsync(issuer, null);
        await Storage.ApiKeys.RevokeAsync(creator.KeyId, T0, new KeyRevocationAudit("api-key:x", "apikey.revoke", null), Ct);

        await Assert.ThrowsAsync<StorageConflictException>(() => NewKeyAsync(issuer, creator.KeyId));
        await Assert.ThrowsAsync<StorageConflictException>(() => NewKeyAsync(issuer, "key-none"));
        Assert.Single(await Storage.ApiKeys.ListAsync(issuer.Id, Ct));
    }

    [Fact]
    public async Task ApiKey_Reinstate_ClearsOnlyThatKeysRevocation_Audited()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        ApiKeyRecord root = await NewKeyAsync(issuer, null, "admin");
        ApiKeyRecord child = await NewKeyAsync(issuer, root.KeyId);
        var entry = new AuditRecord(0, issuer.Id, "config:Bootstrap:ApiKey", "apikey.restore", root.KeyId, T0.AddHours(1), null, null);
        Assert.False(await Storage.ApiKeys.ReinstateAsync(root.KeyId, entry, Ct));
        await Storage.ApiKeys.RevokeAsync(root.KeyId, T0, new KeyRevocationAudit("api-key:x", "apikey.revoke", null), Ct);

        Assert.True(await Storage.ApiKeys.ReinstateAsync(root.KeyId, entry, Ct));
        Assert.False(await Storage.ApiKeys.ReinstateAsync(root.KeyId, entry, Ct));
        Assert.False(await Storage.ApiKeys.ReinstateAsync("key-none", entry, Ct));

        Assert.Null((await Storage.ApiKeys.GetAsync(root.KeyId, Ct))!.RevokedAt);
        Assert.Equal(T0, (await Storage.ApiKeys.GetAsync(child.KeyId, Ct))!.RevokedAt);
        Assert.Equal(["apikey.restore", "apikey.revoke.cascade", "apikey.revoke"], (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Select(a => a.Action));
    }

    [Fact]
    public async Task AchievementImage_SetGetReplace_UnknownAchievementRefused()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var achievement = new AchievementRecord("https://example.org/achievements/" + Guid.NewGuid().ToString("N"), issuer.Id, """{"name":"A"}""", T0, T0);
        await Storage.Achievements.CreateAsync(achievement, Ct);

        Assert.True(await Storage.Achievements.SetImageAsync(achievement.Id, "image/png", new byte[] { 1, 2, 3 }, Ct));
        Assert.True(await Storage.Achievements.SetImageAsync(achievement.Id, "image/svg+xml", new byte[] { 4 }, Ct));
        (string MediaType, byte[] Bytes)? image = await Storage.Achievements.GetImageAsync(achievement.Id, Ct);
        Assert.Equal("image/svg+xml", image?.MediaType);
        Assert.Equal(new byte[] { 4 }, image?.Bytes);
        Assert.False(await Storage.Achievements.SetImageAsync("https://example.org/achievements/none", "image/png", new byte[] { 1 }, Ct));
        Assert.Null(await Storage.Achievements.GetImageAsync("https://example.org/achievements/none", Ct));
    }

    [Fact]
    public async Task SetCredentialStatus_WithReason_KeptInChangesLatestChangeAndAudit()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);
        CredentialRecord credential = NewCredential(issuer);
        await Storage.Credentials.AddAsync(credential, [at], Ct);
        const string Reason = "awaiting \"review\" \\ é";

        Assert.Null(await Storage.StatusLists.GetLatestChangeAsync(at.ListId, at.Index, Ct));
        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "suspension", 1, "admin", Reason, Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "suspension", 0, "admin", null, Ct);

        IReadOnlyList<StatusChangeRecord> changes = await Storage.StatusLists.ListChangesAsync(at.ListId, Ct);
        Assert.Equal([Reason, null], changes.Select(c => c.Reason));
        StatusChangeRecord? latest = await Storage.StatusLists.GetLatestChangeAsync(at.ListId, at.Index, Ct);
        Assert.Equal((0, (string?)null), (latest!.NewValue, latest.Reason));
        Assert.Null(await Storage.StatusLists.GetLatestChangeAsync(at.ListId, (at.Index + 1) % 16, Ct));
        AuditRecord suspended = (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Last(a => a.Action == "status.suspension");
        using System.Text.Json.JsonDocument details = System.Text.Json.JsonDocument.Parse(suspended.Details!);
        Assert.Equal(Reason, details.RootElement.GetProperty("reason").GetString());
        Assert.Equal(1, details.RootElement.GetProperty("new").GetInt32());
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
        Assert.Equal([ids[2], ids[1], ids[0]], await Ids(null));
        Assert.Equal([ids[0]], await Ids(CredentialListStatus.Revoked));
        Assert.Equal([ids[1]], await Ids(CredentialListStatus.Suspended));
        Assert.Equal([ids[2]], await Ids(CredentialListStatus.Active));
        CredentialListItem first = (await Storage.Credentials.QueryAsync(new CredentialQuery(issuer.Id, 1) { Status = CredentialListStatus.Revoked }, Ct))[0];
        Assert.Equal((issuer.Id, T0, true, false), (first.IssuerId, first.IssuedAt, first.HasJson, first.HasJwt));
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
        Assert.Equal([c.Id, b.Id, a.Id], await Ids(new CredentialQuery(issuer.Id, 10)));
        Assert.Equal([c.Id, a.Id], await Ids(new CredentialQuery(issuer.Id, 10) { AchievementId = achievement.Id }));
        Assert.Equal([b.Id, a.Id], await Ids(new CredentialQuery(issuer.Id, 10) { RecipientKey = ada }));
        Assert.Equal([foreign.Id], await Ids(new CredentialQuery(other.Id, 10) { RecipientKey = ada }));
        Assert.Equal([b.Id], await Ids(new CredentialQuery(issuer.Id, 10) { IssuedAfter = T0.AddHours(1), IssuedBefore = T0.AddHours(2) }));
        Assert.Empty(await Ids(new CredentialQuery(issuer.Id, 10) { RecipientKey = new byte[] { 7 } }));
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

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Ping_OpenDatabase_ReturnsTrue() => Assert.True(await Storage.PingAsync(Ct));
}
