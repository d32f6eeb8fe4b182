using BadgeIssuer.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace BadgeIssuer.Storage.Tests;

/// <summary>One temporary database file per test class, deleted (with its WAL files) afterwards.</summary>
public sealed class SqliteDatabaseFixture : IAsyncLifetime
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"badgeissuer-storage-{Guid.NewGuid():N}.db");

    public FixedTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));

    public SqliteBadgeStorage Storage { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Storage = await SqliteBadgeStorage.OpenAsync(Path, Time, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        Storage.Dispose();
        foreach (string suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class SqliteBadgeStorageTests(SqliteDatabaseFixture fixture) : BadgeStorageContractTests, IClassFixture<SqliteDatabaseFixture>
{
    protected override IBadgeStorage Storage => fixture.Storage;

    [Fact]
    public async Task Open_Reopen_AppliesMigrationsOnceAndKeepsData()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        using SqliteBadgeStorage reopened = await SqliteBadgeStorage.OpenAsync(fixture.Path, fixture.Time, Ct);
        using SqliteBadgeStorage again = await SqliteBadgeStorage.OpenAsync(fixture.Path, fixture.Time, Ct);

        Assert.Equal(fixture.Storage.SchemaVersion, again.SchemaVersion);
        Assert.Equal(issuer, await again.Issuers.GetAsync(issuer.Id, Ct));
        using var connection = new SqliteConnection($"Data Source={fixture.Path}");
        await connection.OpenAsync(Ct);
        using SqliteCommand count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), MAX(version) FROM schema_version;";
        using SqliteDataReader reader = await count.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
        Assert.Equal(again.SchemaVersion, reader.GetInt64(1));
    }

    [Fact]
    public async Task Open_OlderSchema_AppliesOnlyTheNewerMigrations()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"badgeissuer-storage-{Guid.NewGuid():N}.db");
        try
        {
            var issuer = new IssuerRecord("urn:uuid:" + Guid.NewGuid().ToString("D"), "old", "{}", "key", T0);
            using (SqliteBadgeStorage v1 = await SqliteBadgeStorage.OpenAsync(path, fixture.Time, [SqliteMigrations.All[0]], Ct))
            {
                Assert.Equal(1, v1.SchemaVersion);
                await v1.Issuers.CreateAsync(issuer, Ct);
            }

            using SqliteBadgeStorage latest = await SqliteBadgeStorage.OpenAsync(path, fixture.Time, Ct);

            Assert.Equal(SqliteMigrations.All[^1].Version, latest.SchemaVersion);
            Assert.Equal(issuer, await latest.Issuers.GetAsync(issuer.Id, Ct));
            StatusListIndex at = await latest.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 8), Ct);
            Assert.Equal(StatusUpdateOutcome.Updated, (await latest.StatusLists.SetStatusAsync(at.ListId, at.Index, 1, "admin", Ct)).Outcome);
            Assert.Single(await latest.StatusLists.ListChangesAsync(at.ListId, Ct));
        }
        finally
        {
            foreach (string suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }
    }

    [Fact]
    public async Task Open_SchemaBeforeKeyCreators_TakesCreatorsFromTheAuditLog_AndRevocationCascades()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"badgeissuer-storage-{Guid.NewGuid():N}.db");
        try
        {
            var issuer = new IssuerRecord("urn:uuid:" + Guid.NewGuid().ToString("D"), "old", "{}", "key", T0);
            using (SqliteBadgeStorage v4 = await SqliteBadgeStorage.OpenAsync(path, fixture.Time, [.. SqliteMigrations.All.Where(m => m.Version <= 4)], Ct))
            {
                await v4.Issuers.CreateAsync(issuer, Ct);
                using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
                await connection.OpenAsync(Ct);
                using SqliteCommand insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO api_keys (key_id, prefix, key_hash, issuer_id, scopes, description, created_at) VALUES
                        ('a', 'bik_a', x'01', $issuer, 'admin', 'bootstrap', 1), ('b', 'bik_b', x'02', $issuer, 'manage', '', 2),
                        ('c', 'bik_c', x'03', $issuer, 'issue', '', 3), ('d', 'bik_d', x'04', $issuer, 'issue', '', 4);
                    INSERT INTO audit_log (issuer_id, actor, action, target, at) VALUES
                        ($issuer, 'api-key:a', 'apikey.create', 'b', 2), ($issuer, 'oauth-client:b', 'client.create', 'c', 3),
                        ($issuer, 'api-key:gone', 'apikey.create', 'd', 4), ($issuer, 'api-key:d', 'apikey.revoke', 'a', 5);
                    """;
                insert.Parameters.AddWithValue("$issuer", issuer.Id);
                await insert.ExecuteNonQueryAsync(Ct);
            }

            using SqliteBadgeStorage latest = await SqliteBadgeStorage.OpenAsync(path, fixture.Time, Ct);

            Assert.Equal(SqliteMigrations.All[^1].Version, latest.SchemaVersion);
            Assert.Equal([null, "a", "b", null], (await latest.ApiKeys.ListAsync(issuer.Id, Ct)).Select(k => k.CreatedBy));
            IReadOnlyList<ApiKeyRecord>? cascaded = await latest.ApiKeys.RevokeAsync("a", T0, new KeyRevocationAudit("api-key:a", "apikey.revoke", null), Ct);
            Assert.Equal(["b", "c"], cascaded!.Select(k => k.KeyId));
            Assert.Null((await latest.ApiKeys.GetAsync("d", Ct))!.RevokedAt);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (string suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }
    }

    [Fact]
    public async Task Open_NewFile_UsesWalAndEnforcesForeignKeys()
    {
        using var connection = new SqliteConnection($"Data Source={fixture.Path}");
        await connection.OpenAsync(Ct);
        using SqliteCommand mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync(Ct));

        var orphan = new AchievementRecord("https://example.org/orphan/" + Guid.NewGuid().ToString("N"), "urn:uuid:no-issuer", "{}", T0, T0);
        SqliteException e = await Assert.ThrowsAsync<SqliteException>(() => Storage.Achievements.CreateAsync(orphan, Ct));
        Assert.Equal(787, e.SqliteExtendedErrorCode); // SQLITE_CONSTRAINT_FOREIGNKEY
    }

    [Fact]
    public async Task AllocateIndex_UsesStoreClock()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 8), Ct);

        StatusListRecord list = (await Storage.StatusLists.GetAsync(at.ListId, Ct))!;
        Assert.Equal(fixture.Time.GetUtcNow(), list.CreatedAt);
        Assert.Equal(1, list.Version);
    }
}

/// <summary>A clock that stays where the test put it.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
