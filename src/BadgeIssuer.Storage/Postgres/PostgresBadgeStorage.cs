using Npgsql;
using NpgsqlTypes;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>
/// The PostgreSQL backend: one <see cref="NpgsqlDataSource"/> (a connection pool) per process; several processes may
/// share one database. Migrations run at open under an advisory lock. Nothing relies on an in-process gate: index
/// allocation, status updates, idempotency keys and key rotation are made safe by constraints, row locks and
/// advisory transaction locks in the database, so any number of instances can write at once.
/// </summary>
public sealed class PostgresBadgeStorage : IBadgeStorage, IDisposable, IAsyncDisposable
{
    private PostgresBadgeStorage(NpgsqlDataSource dataSource, TimeProvider timeProvider)
    {
        DataSource = dataSource;
        Issuers = new PostgresIssuerStore(this);
        Achievements = new PostgresAchievementStore(this);
        Credentials = new PostgresCredentialStore(this);
        StatusLists = new PostgresStatusListStore(this, timeProvider);
        ApiKeys = new PostgresApiKeyStore(this);
        Audit = new PostgresAuditStore(this);
        Webhooks = new PostgresWebhookStore(this);
        Offers = new PostgresOfferStore(this);
    }

    public IIssuerStore Issuers { get; }
    public IAchievementStore Achievements { get; }
    public ICredentialStore Credentials { get; }
    public IStatusListStore StatusLists { get; }
    public IApiKeyStore ApiKeys { get; }
    public IAuditStore Audit { get; }
    public IWebhookStore Webhooks { get; }
    public IOfferStore Offers { get; }

    /// <summary>The schema version after open (the highest migration applied).</summary>
    public int SchemaVersion { get; private set; }

    internal NpgsqlDataSource DataSource { get; }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using NpgsqlCommand command = DataSource.CreateCommand("SELECT max(version) FROM schema_migrations;");
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>
    /// Connects with <paramref name="connectionString"/> (an Npgsql connection string) and applies pending migrations.
    /// Throws <see cref="ArgumentException"/> for a malformed string and <see cref="NpgsqlException"/> when the server cannot be used.
    /// </summary>
    public static Task<PostgresBadgeStorage> OpenAsync(string connectionString, TimeProvider timeProvider, CancellationToken cancellationToken = default) =>
        OpenAsync(connectionString, timeProvider, PostgresMigrations.All, cancellationToken);

    /// <summary>Opens with a given migration list (tests start from an older schema).</summary>
    internal static async Task<PostgresBadgeStorage> OpenAsync(
        string connectionString, TimeProvider timeProvider, IReadOnlyList<(int Version, string Sql)> migrations, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Every statement here is parameterized and reused: let Npgsql prepare the hot ones on each physical connection.
        if (!builder.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "BadgeIssuer";
        }

        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var storage = new PostgresBadgeStorage(dataSource, timeProvider);
        try
        {
            storage.SchemaVersion = await storage.MigrateAsync(migrations, timeProvider, cancellationToken).ConfigureAwait(false);
            return storage;
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<int> MigrateAsync(IReadOnlyList<(int Version, string Sql)> migrations, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Instances starting together queue here; each later one finds the work done. The lock ends with the transaction.
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, $2);", cancellationToken,
            Pg.Integer(PostgresMigrations.LockClass), Pg.Integer(PostgresMigrations.LockObject)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer PRIMARY KEY,
                applied_at  timestamptz NOT NULL
            );
            """, cancellationToken).ConfigureAwait(false);

        int current;
        await using (NpgsqlCommand read = Command(connection, transaction, "SELECT COALESCE(max(version), 0) FROM schema_migrations;"))
        {
            current = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        foreach ((int version, string sql) in migrations)
        {
            if (version <= current)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2);", cancellationToken,
                Pg.Integer(version), Pg.Time(timeProvider.GetUtcNow())).ConfigureAwait(false);
            current = version;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return current;
    }

    /// <summary>A command on a pooled connection, returned to the pool when the command (or its reader) is done.</summary>
    internal NpgsqlCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        NpgsqlCommand command = DataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        return command;
    }

    internal static async Task<int> ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using NpgsqlCommand command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static bool IsUniqueViolation(PostgresException e) => e.SqlState == PostgresErrorCodes.UniqueViolation;

    /// <summary>Failures that a fresh attempt of the whole transaction can cure.</summary>
    internal static bool IsTransient(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

/// <summary>Typed parameters for positional (<c>$1</c>) SQL: the type is always stated, NULL included.</summary>
internal static class Pg
{
    public static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter Integer(int value) => new() { NpgsqlDbType = NpgsqlDbType.Integer, Value = value };

    public static NpgsqlParameter Bigint(long value) => new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = value };

    public static NpgsqlParameter Boolean(bool value) => new() { NpgsqlDbType = NpgsqlDbType.Boolean, Value = value };

    public static NpgsqlParameter Bytea(ReadOnlyMemory<byte> value) => new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = value.ToArray() };

    public static NpgsqlParameter NullableBytea(ReadOnlyMemory<byte>? value) => new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = value is { } v ? v.ToArray() : DBNull.Value };

    // timestamptz takes UTC only; sub-microsecond ticks are dropped by the server.
    public static NpgsqlParameter Time(DateTimeOffset value) => new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value.ToUniversalTime() };

    public static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } v ? v.ToUniversalTime() : DBNull.Value };

    public static NpgsqlParameter TextArray(string[] values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values };

    public static NpgsqlParameter IntegerArray(int[] values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = values };

    public static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset Time(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
