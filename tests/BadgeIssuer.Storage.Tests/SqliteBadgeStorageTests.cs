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

        again.SchemaVersion.Should().Be(fixture.Storage.SchemaVersion);
        (await again.Issuers.GetAsync(issuer.Id, Ct)).Should().Be(issuer);
        using var connection = new SqliteConnection($"Data Source={fixture.Path}");
        await connection.OpenAsync(Ct);
        using SqliteCommand count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), MAX(version) FROM schema_version;";
        using SqliteDataReader reader = await count.ExecuteReaderAsync(Ct);
        (await reader.ReadAsync(Ct)).Should().BeTrue();
        reader.GetInt64(0).Should().Be(reader.GetInt64(1));
        reader.GetInt64(1).Should().Be(again.SchemaVersion);
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
                v1.SchemaVersion.Should().Be(1);
                await v1.Issuers.CreateAsync(issuer, Ct);
            }

            using SqliteBadgeStorage latest = await SqliteBadgeStorage.OpenAsync(path, fixture.Time, Ct);

            latest.SchemaVersion.Should().Be(SqliteMigrations.All[^1].Version);
            (await latest.Issuers.GetAsync(issuer.Id, Ct)).Should().Be(issuer);
            StatusListIndex at = await latest.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 8), Ct);
            (await latest.StatusLists.SetStatusAsync(at.ListId, at.Index, 1, "admin", Ct)).Outcome.Should().Be(StatusUpdateOutcome.Updated);
            (await latest.StatusLists.ListChangesAsync(at.ListId, Ct)).Should().ContainSingle();
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

            latest.SchemaVersion.Should().Be(SqliteMigrations.All[^1].Version);
            (await latest.ApiKeys.ListAsync(issuer.Id, Ct)).Select(k => k.CreatedBy).Should().Equal([null, "a", "b", null]);
            IReadOnlyList<ApiKeyRecord>? cascaded = await latest.ApiKeys.RevokeAsync("a", T0, new KeyRevocationAudit("api-key:a", "apikey.revoke", null), Ct);
            cascaded!.Select(k => k.KeyId).Should().Equal(["b", "c"]);
            (await latest.ApiKeys.GetAsync("d", Ct))!.RevokedAt.Should().BeNull();
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
        ((string?)await mode.ExecuteScalarAsync(Ct)).Should().Be("wal");

        var orphan = new AchievementRecord("https://example.org/orphan/" + Guid.NewGuid().ToString("N"), "urn:uuid:no-issuer", "{}", T0, T0);
        SqliteException e = (await FluentActions.Awaiting(() => Storage.Achievements.CreateAsync(orphan, Ct)).Should().ThrowExactlyAsync<SqliteException>()).Which;
        e.SqliteExtendedErrorCode.Should().Be(787); // SQLITE_CONSTRAINT_FOREIGNKEY
    }

    [Fact]
    public async Task AllocateIndex_UsesStoreClock()
    {
        IssuerRecord issuer = await NewIssuerAsync();

        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 8), Ct);

        StatusListRecord list = (await Storage.StatusLists.GetAsync(at.ListId, Ct))!;
        list.CreatedAt.Should().Be(fixture.Time.GetUtcNow());
        list.Version.Should().Be(1);
    }
}

/// <summary>A clock that stays where the test put it.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
