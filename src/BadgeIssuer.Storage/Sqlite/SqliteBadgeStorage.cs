using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>
/// The SQLite backend: one database file in WAL mode with foreign keys on; migrations run at open.
/// Writes take <c>BEGIN IMMEDIATE</c> so concurrent writers queue on the busy timeout instead of failing.
/// </summary>
public sealed partial class SqliteBadgeStorage : IBadgeStorage, IDisposable
{
    private readonly string _connectionString;

    private SqliteBadgeStorage(string connectionString, TimeProvider timeProvider)
    {
        _connectionString = connectionString;
        Issuers = new SqliteIssuerStore(this);
        Achievements = new SqliteAchievementStore(this);
        Credentials = new SqliteCredentialStore(this);
        StatusLists = new SqliteStatusListStore(this, timeProvider);
        ApiKeys = new SqliteApiKeyStore(this);
        Audit = new SqliteAuditStore(this);
        Webhooks = new SqliteWebhookStore(this);
        Offers = new SqliteOfferStore(this);
    }

    public IIssuerStore Issuers { get; }
    public IAchievementStore Achievements { get; }
    public ICredentialStore Credentials { get; }
    public IStatusListStore StatusLists { get; }
    public IApiKeyStore ApiKeys { get; }
    public IAuditStore Audit { get; }
    public IWebhookStore Webhooks { get; }
    public IOfferStore Offers { get; }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            using SqliteCommand command = Command(connection, null, "SELECT version FROM schema_version ORDER BY version DESC LIMIT 1;");
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>The schema version after open (the highest migration applied).</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>Opens (creating if missing, owner-only) the database file at <paramref name="path"/> and applies pending migrations.</summary>
    public static Task<SqliteBadgeStorage> OpenAsync(string path, TimeProvider timeProvider, CancellationToken cancellationToken = default) =>
        OpenAsync(path, timeProvider, SqliteMigrations.All, cancellationToken);

    /// <summary>Opens with a given migration list (tests start from an older schema).</summary>
    internal static async Task<SqliteBadgeStorage> OpenAsync(
        string path, TimeProvider timeProvider, IReadOnlyList<(int Version, string Sql)> migrations, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!string.Equals(path, ":memory:", StringComparison.Ordinal) && !path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            // SQLite would create the file with 0644 less the umask; created here first it is 0600, and SQLite gives the
            // -wal, -shm and -journal files it creates later the database file's mode.
            OwnerOnlyFiles.EnsureExists(path);
        }

        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        var storage = new SqliteBadgeStorage(connectionString, timeProvider);
        storage.SchemaVersion = await storage.MigrateAsync(migrations, timeProvider, cancellationToken).ConfigureAwait(false);
        return storage;
    }

    // One writer at a time inside this process: SQLite allows one anyway, and queueing here instead of in SQLite's
    // busy handler (which sleeps in steps of up to 100 ms) keeps write latency to the transaction's own time.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    internal async Task<WriteLease> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new WriteLease(_writeGate);
    }

    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<int> MigrateAsync(IReadOnlyList<(int Version, string Sql)> migrations, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // WAL is a property of the file, so setting it once here covers every later connection.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version     INTEGER PRIMARY KEY,
                applied_at  INTEGER NOT NULL
            ) STRICT;
            """, cancellationToken).ConfigureAwait(false);

        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        int current;
        using (SqliteCommand command = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"))
        {
            current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        foreach ((int version, string sql) in migrations)
        {
            if (version <= current)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
            using SqliteCommand record = Command(connection, transaction, "INSERT INTO schema_version (version, applied_at) VALUES ($v, $t);");
            record.Parameters.AddWithValue("$v", version);
            record.Parameters.AddWithValue("$t", SqliteTime.Ticks(timeProvider.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            current = version;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return current;
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    internal static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction, sql);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static bool IsUniqueViolation(SqliteException e) =>
        e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */ && e.SqliteExtendedErrorCode is 2067 /* UNIQUE */ or 1555 /* PRIMARY KEY */;

    /// <summary>Releases pooled connections so the database file can be moved or deleted.</summary>
    public void Dispose()
    {
        ((SqliteCredentialStore)Credentials).Dispose();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}

/// <summary>Holds the in-process write gate until disposed.</summary>
internal sealed class WriteLease(SemaphoreSlim gate) : IDisposable
{
    private SemaphoreSlim? _gate = gate;

    public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
}

/// <summary>Timestamps as UTC ticks: exact round trips, ordered comparisons in SQL.</summary>
internal static class SqliteTime
{
    public static long Ticks(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
