using BadgeIssuer.Storage.Postgres;
using BadgeIssuer.Tests.Shared;
using Npgsql;

namespace BadgeIssuer.Storage.Tests;

/// <summary>
/// A fresh database per test class on the server <see cref="TestPostgres"/> finds (<c>BADGEISSUER_TEST_POSTGRES</c>, a
/// connection string to an admin database, else a throwaway server started for this test process), dropped afterwards.
/// Without a server every test of the class is skipped with <see cref="SkipReason"/>; a configured server that does
/// not answer fails the tests.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public const string Variable = TestPostgres.Variable;

    public static string SkipReason => TestPostgres.SkipReason;

    private readonly List<string> _databases = [];

    public static string? AdminConnectionString => TestPostgres.AdminConnectionString;

    public FixedTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));

    public string ConnectionString { get; private set; } = "";

    public PostgresBadgeStorage? Storage { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (AdminConnectionString is null)
        {
            return;
        }

        ConnectionString = await CreateDatabaseAsync(TestContext.Current.CancellationToken);
        Storage = await PostgresBadgeStorage.OpenAsync(ConnectionString, Time, TestContext.Current.CancellationToken);
    }

    /// <summary>Creates an empty database (dropped with the fixture) and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        string admin = AdminConnectionString ?? throw new InvalidOperationException(SkipReason);
        string name = "badgeissuer_test_" + Guid.NewGuid().ToString("N");
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException($"{Variable} is set but PostgreSQL could not create a test database there: {e.Message}", e);
        }

        _databases.Add(name);
        // A small pool per instance: several instances of a test share the server's connection limit.
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 20 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (Storage is not null)
        {
            await Storage.DisposeAsync();
        }

        if (AdminConnectionString is not { } admin)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        foreach (string name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

public sealed class PostgresBadgeStorageTests(PostgresDatabaseFixture fixture) : BadgeStorageContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override IBadgeStorage Storage => Fixture.Storage!;

    // Every test reaches the database through here, so without a server each one is reported as skipped, not passed.
    private PostgresDatabaseFixture Fixture
    {
        get
        {
            Assert.SkipWhen(PostgresDatabaseFixture.AdminConnectionString is null, PostgresDatabaseFixture.SkipReason);
            return fixture;
        }
    }

    /// <summary>A second service instance: its own data source (connection pool) on the same database.</summary>
    private Task<PostgresBadgeStorage> OpenInstanceAsync() => PostgresBadgeStorage.OpenAsync(Fixture.ConnectionString, Fixture.Time, Ct);

    [Fact]
    public async Task Open_FourInstancesAtOnceOnEmptyDatabase_ApplyEachMigrationOnce()
    {
        string connectionString = await Fixture.CreateDatabaseAsync(Ct);

        PostgresBadgeStorage[] instances = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => PostgresBadgeStorage.OpenAsync(connectionString, Fixture.Time, Ct), Ct)));
        try
        {
            instances.Should().AllSatisfy(i => i.SchemaVersion.Should().Be(PostgresMigrations.All[^1].Version));
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(Ct);
            await using var read = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version;", connection);
            var versions = new List<int>();
            await using (NpgsqlDataReader reader = await read.ExecuteReaderAsync(Ct))
            {
                while (await reader.ReadAsync(Ct))
                {
                    versions.Add(reader.GetInt32(0));
                }
            }

            versions.Should().Equal(PostgresMigrations.All.Select(m => m.Version));
            (await instances[3].PingAsync(Ct)).Should().BeTrue();
        }
        finally
        {
            foreach (PostgresBadgeStorage instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Open_OlderSchema_AppliesOnlyTheNewerMigrations()
    {
        string connectionString = await Fixture.CreateDatabaseAsync(Ct);
        var issuer = new IssuerRecord("urn:uuid:" + Guid.NewGuid().ToString("D"), "old", "{}", "key", T0);
        await using (PostgresBadgeStorage v1 = await PostgresBadgeStorage.OpenAsync(connectionString, Fixture.Time, [PostgresMigrations.All[0]], Ct))
        {
            v1.SchemaVersion.Should().Be(1);
            await v1.Issuers.CreateAsync(issuer, Ct);
        }

        await using PostgresBadgeStorage latest = await PostgresBadgeStorage.OpenAsync(connectionString, Fixture.Time, Ct);

        latest.SchemaVersion.Should().Be(PostgresMigrations.All[^1].Version);
        (await latest.Issuers.GetAsync(issuer.Id, Ct)).Should().Be(issuer);
        StatusListIndex at = await latest.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 8), Ct);
        (await latest.StatusLists.SetStatusAsync(at.ListId, at.Index, 1, "admin", Ct)).Outcome.Should().Be(StatusUpdateOutcome.Updated);
        (await latest.Audit.ListAsync(issuer.Id, 10, null, Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task Open_SchemaBeforeKeyCreators_TakesCreatorsFromTheAuditLog_AndRevocationCascades()
    {
        string connectionString = await Fixture.CreateDatabaseAsync(Ct);
        var issuer = new IssuerRecord("urn:uuid:" + Guid.NewGuid().ToString("D"), "old", "{}", "key", T0);
        await using (PostgresBadgeStorage v2 = await PostgresBadgeStorage.OpenAsync(connectionString, Fixture.Time, [.. PostgresMigrations.All.Where(m => m.Version <= 2)], Ct))
        {
            await v2.Issuers.CreateAsync(issuer, Ct);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(Ct);
            foreach (string sql in new[]
            {
                """
                INSERT INTO api_keys (key_id, prefix, key_hash, issuer_id, scopes, description, created_at) VALUES
                    ('a', 'bik_a', decode('01', 'hex'), $1, 'admin', 'bootstrap', $2), ('b', 'bik_b', decode('02', 'hex'), $1, 'manage', '', $2 + interval '1 s'),
                    ('c', 'bik_c', decode('03', 'hex'), $1, 'issue', '', $2 + interval '2 s'), ('d', 'bik_d', decode('04', 'hex'), $1, 'issue', '', $2 + interval '3 s');
                """,
                """
                INSERT INTO audit_log (issuer_id, actor, action, target, at) VALUES
                    ($1, 'api-key:a', 'apikey.create', 'b', $2), ($1, 'oauth-client:b', 'client.create', 'c', $2),
                    ($1, 'api-key:gone', 'apikey.create', 'd', $2), ($1, 'api-key:d', 'apikey.revoke', 'a', $2);
                """,
            })
            {
                await using var insert = new NpgsqlCommand(sql, connection);
                insert.Parameters.Add(new NpgsqlParameter { Value = issuer.Id });
                insert.Parameters.Add(new NpgsqlParameter { Value = T0 });
                await insert.ExecuteNonQueryAsync(Ct);
            }
        }

        await using PostgresBadgeStorage latest = await PostgresBadgeStorage.OpenAsync(connectionString, Fixture.Time, Ct);

        latest.SchemaVersion.Should().Be(PostgresMigrations.All[^1].Version);
        (await latest.ApiKeys.ListAsync(issuer.Id, Ct)).Select(k => k.CreatedBy).Should().Equal([null, "a", "b", null]);
        IReadOnlyList<ApiKeyRecord>? cascaded = await latest.ApiKeys.RevokeAsync("a", T0, new KeyRevocationAudit("api-key:a", "apikey.revoke", null), Ct);
        cascaded!.Select(k => k.KeyId).Should().Equal(["b", "c"]);
        (await latest.ApiKeys.GetAsync("d", Ct))!.RevokedAt.Should().BeNull();
    }

    [Fact]
    public async Task ApiKey_CreateUnderACreatorWhileItsTreeIsRevokedOnAnotherInstance_NeverOutlivesIt()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        await using PostgresBadgeStorage other = await OpenInstanceAsync();
        var root = new ApiKeyRecord("key-" + Guid.NewGuid().ToString("N"), "bik_root", System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()), issuer.Id, "admin", "", T0, null, null);
        await Storage.ApiKeys.CreateAsync(root, Ct);

        // Keys created under the root on one instance while another revokes the root: each is refused or revoked.
        var creates = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await Storage.ApiKeys.CreateAsync(root with { KeyId = $"{root.KeyId}-{i}", KeyHash = System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()), Scopes = "issue", CreatedBy = root.KeyId }, Ct);
            }
            catch (StorageConflictException)
            {
            }
        }, Ct)).ToList();
        await other.ApiKeys.RevokeAsync(root.KeyId, T0, new KeyRevocationAudit("api-key:x", "apikey.revoke", null), Ct);
        await Task.WhenAll(creates);

        (await Storage.ApiKeys.ListAsync(issuer.Id, Ct)).Should().AllSatisfy(k => k.RevokedAt.Should().NotBeNull());
    }

    [Fact]
    public async Task AllocateIndexes_TwoInstancesConcurrently_AllDistinctAndOneOpenListAtATime()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        await using PostgresBadgeStorage other = await OpenInstanceAsync();
        var request = new StatusAllocationRequest(issuer.Id, "revocation", NewListLength: 1024);

        // Per instance: 6 workers, singles and blocks, 2,000 indexes in all; lists fill and roll over under the race.
        async Task<List<StatusListIndex>> RunAsync(IBadgeStorage instance, int worker)
        {
            var got = new List<StatusListIndex>();
            int target = worker == 0 ? 2000 - (5 * 333) : 333;
            while (got.Count < target)
            {
                int block = Math.Min(target - got.Count, got.Count % 3 == 0 ? 1 : 37);
                got.AddRange(await instance.StatusLists.AllocateIndexesAsync(request, block, Ct));
            }

            return got;
        }

        List<StatusListIndex>[] results = await Task.WhenAll(
            Enumerable.Range(0, 6).Select(w => Task.Run(() => RunAsync(Storage, w), Ct))
                .Concat(Enumerable.Range(0, 6).Select(w => Task.Run(() => RunAsync(other, w), Ct))));

        StatusListIndex[] all = [.. results.SelectMany(r => r)];
        all.Length.Should().Be(4000);
        all.Distinct().Count().Should().Be(4000);
        IReadOnlyList<StatusListRecord> lists = await Storage.StatusLists.ListAsync(issuer.Id, Ct);
        // 4,000 in lists of 1,024: three full lists and one open one; a race that opened two lists would leave a gap.
        lists.Select(l => l.AllocatedCount).Should().Equal([1024, 1024, 1024, 928]);
        foreach (StatusListRecord list in lists)
        {
            all.Count(i => i.ListId == list.ListId).Should().Be(list.AllocatedCount);
        }
    }

    [Fact]
    public async Task SetStatus_TwoInstancesOnOneList_NoLostUpdateAndOneVersionPerChange()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        await using PostgresBadgeStorage other = await OpenInstanceAsync();
        IReadOnlyList<StatusListIndex> indexes = await Storage.StatusLists.AllocateIndexesAsync(new(issuer.Id, "revocation", NewListLength: 4096), 300, Ct);
        string listId = indexes.Select(i => i.ListId).Distinct(StringComparer.Ordinal).Should().ContainSingle().Which;
        long v0 = (await Storage.StatusLists.GetVersionAsync(listId, Ct))!.Value;

        // Instance A sets the even positions, instance B the odd ones; neighbouring entries share bytes.
        StatusUpdateResult[] results = await Task.WhenAll(indexes.Select((at, n) =>
            Task.Run(() => (n % 2 == 0 ? Storage : other).StatusLists.SetStatusAsync(listId, at.Index, 1, n % 2 == 0 ? "a" : "b", Ct), Ct)));

        results.Should().AllSatisfy(r => r.Outcome.Should().Be(StatusUpdateOutcome.Updated));
        results.Select(r => r.Version!.Value).Should().BeEquivalentTo(Enumerable.Range(1, 300).Select(k => v0 + k));
        StatusListRecord list = (await other.StatusLists.GetAsync(listId, Ct))!;
        list.Version.Should().Be(v0 + 300);
        indexes.Should().AllSatisfy(at => list.GetStatus(at.Index).Should().Be(1));
        Enumerable.Range(0, list.Length).Count(i => list.GetStatus(i) == 1).Should().Be(300);
        IReadOnlyList<StatusChangeRecord> changes = await Storage.StatusLists.ListChangesAsync(listId, Ct);
        changes.Select(c => c.Version).Should().BeEquivalentTo(Enumerable.Range(1, 300).Select(k => v0 + k));
    }

    [Fact]
    public async Task SetStatus_MultiBitEntriesFromTwoInstances_KeepNeighbours()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        await using PostgresBadgeStorage other = await OpenInstanceAsync();
        // Three-bit entries straddle byte boundaries.
        IReadOnlyList<StatusListIndex> indexes = await Storage.StatusLists.AllocateIndexesAsync(new(issuer.Id, "message", StatusSize: 3, NewListLength: 64), 64, Ct);
        string listId = indexes[0].ListId;

        await Task.WhenAll(indexes.Select((at, n) =>
            Task.Run(() => (n % 2 == 0 ? Storage : other).StatusLists.SetStatusAsync(listId, at.Index, at.Index % 8, "x", Ct), Ct)));

        StatusListRecord list = (await Storage.StatusLists.GetAsync(listId, Ct))!;
        Enumerable.Range(0, 64).Should().AllSatisfy(i => list.GetStatus(i).Should().Be(i % 8));
        list.Bitstring.Length.Should().Be(64 * 3 / 8);
    }

    [Fact]
    public async Task Credential_SameIdempotencyKeyFromTwoInstances_StoresOneCredential()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        await using PostgresBadgeStorage other = await OpenInstanceAsync();
        var request = new StatusAllocationRequest(issuer.Id, "revocation", NewListLength: 64);
        StatusListIndex[] indexes = [.. await Storage.StatusLists.AllocateIndexesAsync(request, 20, Ct)];

        CredentialAddResult[] results = await Task.WhenAll(indexes.Select((at, n) =>
            Task.Run(() => (n % 2 == 0 ? Storage : other).Credentials.AddAsync(NewCredential(issuer, "shared-key") with { IssuedBy = "k" }, [at], Ct), Ct)));

        CredentialAddResult created = results.Should().ContainSingle(r => r.Created).Which;
        results.Should().AllSatisfy(r => r.Credential.Id.Should().Be(created.Credential.Id));
        (await other.Credentials.GetByIdempotencyKeyAsync(issuer.Id, "shared-key", Ct)).Should().Be(created.Credential with { IssuedBy = null });
        (await Storage.Credentials.ListAsync(issuer.Id, 100, Ct)).Should().ContainSingle();
        // The winner's index is linked and revocable; the losers' indexes stay unused.
        (await other.StatusLists.SetCredentialStatusAsync(created.Credential.Id, "revocation", 1, "k", Ct)).Outcome.Should().Be(StatusUpdateOutcome.Updated);
        AuditRecord issue = (await Storage.Audit.ListAsync(issuer.Id, 100, null, Ct)).Should().ContainSingle(a => a.Action == "credential.issue").Which;
        issue.Target.Should().Be(created.Credential.Id);
    }

    [Fact]
    public async Task IssuerKeys_ConcurrentRotationFromTwoInstances_LeavesOneCurrentKey()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        await using PostgresBadgeStorage other = await OpenInstanceAsync();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(n => Task.Run(() => (n % 2 == 0 ? Storage : other).Issuers.AddKeyAsync(
            new IssuerKeyRecord(issuer.Id, $"{issuer.Id}#key-{n}", "Ed25519", "{}", new byte[] { (byte)n }, true, T0.AddMinutes(n)), Ct), Ct)));

        IReadOnlyList<IssuerKeyRecord> keys = await Storage.Issuers.ListKeysAsync(issuer.Id, Ct);
        keys.Count.Should().Be(16);
        IssuerKeyRecord current = keys.Should().ContainSingle(k => k.IsCurrent).Which;
        current.KeyId.Should().Be(keys[^1].KeyId);
        (await other.Issuers.GetCurrentKeyAsync(issuer.Id, "Ed25519", Ct))!.KeyId.Should().Be(current.KeyId);
    }

    [Fact]
    public async Task Audit_UpdateDeleteOrTruncate_RefusedByTheDatabase()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        await Storage.Audit.AppendAsync(new AuditRecord(0, issuer.Id, "admin", "issuer.create", issuer.Id, T0, "req-1", null), Ct);
        AuditRecord entry = (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Should().ContainSingle().Which;
        ((entry.Actor, entry.Action, entry.Target, entry.At, entry.RequestId)).Should().Be(("admin", "issuer.create", issuer.Id, T0, "req-1"));

        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync(Ct);
        foreach (string sql in new[] { "UPDATE audit_log SET actor = 'mallory';", "DELETE FROM audit_log;", "TRUNCATE audit_log;" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            PostgresException e = (await FluentActions.Awaiting(() => command.ExecuteNonQueryAsync(Ct)).Should().ThrowExactlyAsync<PostgresException>()).Which;
            e.MessageText.Should().Contain("append-only");
        }

        (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Should().ContainSingle().Which.Should().Be(entry);
    }

    [Fact]
    public async Task Audit_ListNewestFirstWithPaging()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        for (int i = 0; i < 5; i++)
        {
            await Storage.Audit.AppendAsync(new AuditRecord(0, issuer.Id, "admin", "a" + i, "t", T0, null, null), Ct);
        }

        IReadOnlyList<AuditRecord> page1 = await Storage.Audit.ListAsync(issuer.Id, 3, null, Ct);
        IReadOnlyList<AuditRecord> page2 = await Storage.Audit.ListAsync(issuer.Id, 3, page1[^1].Seq, Ct);

        page1.Select(a => a.Action).Should().Equal(["a4", "a3", "a2"]);
        page2.Select(a => a.Action).Should().Equal(["a1", "a0"]);
    }

    [Fact]
    public async Task AllocateIndex_UsesStoreClock()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 8), Ct);

        StatusListRecord list = (await Storage.StatusLists.GetAsync(at.ListId, Ct))!;
        list.CreatedAt.Should().Be(Fixture.Time.GetUtcNow());
        list.Version.Should().Be(1);
    }
    [Fact]
    public async Task Offers_ClaimForExchange_TwoInstancesConcurrently_ExactlyOneCompletes()
    {
        await using PostgresBadgeStorage other = await OpenInstanceAsync();
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync();

        // The same exchange completed through both instances at once (say, a wallet retrying against a load balancer).
        CredentialOfferRecord?[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => (i % 2 == 0 ? Storage : other).Offers.ClaimForExchangeAsync(offer.HandleHash, T0.AddMinutes(1), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct), Ct)));

        results.Count(r => r is not null).Should().Be(1);
        (await other.Audit.ListAsync(issuer.Id, 50, null, Ct)).Count(a => a.Action == "offer.redeem").Should().Be(1);
        (await other.Offers.GetAsync(offer.OfferId, Ct))!.State.Should().Be(OfferStates.Issuing);
    }
}
