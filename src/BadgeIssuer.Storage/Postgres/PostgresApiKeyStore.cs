using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>
/// API keys. Adding a key under a creator and revoking a key with everything it created take one transaction-scoped
/// advisory lock, so on any instance a key is either added before a revocation of its creator's tree (and revoked by
/// it: the revocation's statements start after the add committed) or refused after it (its creator is revoked).
/// </summary>
internal sealed class PostgresApiKeyStore(PostgresBadgeStorage storage) : IApiKeyStore
{
    private const string Columns = "key_id, prefix, key_hash, issuer_id, scopes, description, created_at, expires_at, revoked_at, created_by";

    /// <summary>The advisory lock (with <see cref="PostgresMigrations.LockClass"/>) of key-tree changes.</summary>
    private const int KeyTreeLockObject = 2;

    public async Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (key.CreatedBy is not null)
        {
            await LockKeyTreesAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        }

        int added;
        await using (NpgsqlCommand command = Command(connection, transaction, $"""
            INSERT INTO api_keys ({Columns})
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
            WHERE $10 IS NULL OR EXISTS (SELECT 1 FROM api_keys WHERE key_id = $10 AND revoked_at IS NULL);
            """,
            Pg.Text(key.KeyId), Pg.Text(key.Prefix), Pg.Bytea(key.KeyHash), Pg.Text(key.IssuerId), Pg.Text(key.Scopes), Pg.Text(key.Description),
            Pg.Time(key.CreatedAt), Pg.Time(key.ExpiresAt), Pg.Time(key.RevokedAt), Pg.Text(key.CreatedBy)))
        {
            try
            {
                added = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsUniqueViolation(e))
            {
                throw new StorageConflictException("An API key with this id or hash already exists.", e);
            }
        }

        if (added == 0)
        {
            throw new StorageConflictException("The key that creates this key is missing or revoked.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(ReadOnlyMemory<byte> keyHash, CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = storage.Command($"SELECT {Columns} FROM api_keys WHERE key_hash = $1;", Pg.Bytea(keyHash));
        IReadOnlyList<ApiKeyRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? issuerId, CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = issuerId is null
            ? storage.Command($"SELECT {Columns} FROM api_keys WHERE issuer_id IS NULL ORDER BY created_at, seq;")
            : storage.Command($"SELECT {Columns} FROM api_keys WHERE issuer_id = $1 ORDER BY created_at, seq;", Pg.Text(issuerId));
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = storage.Command("SELECT count(*)::integer FROM api_keys;");
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<ApiKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        await using NpgsqlCommand command = storage.Command($"SELECT {Columns} FROM api_keys WHERE key_id = $1;", Pg.Text(keyId));
        IReadOnlyList<ApiKeyRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<ApiKeyRecord>?> RevokeAsync(string keyId, DateTimeOffset revokedAt, KeyRevocationAudit audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(audit);
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockKeyTreesAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        IReadOnlyList<ApiKeyRecord> rows;
        await using (NpgsqlCommand revoke = Command(connection, transaction,
            $"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE key_id = $1 RETURNING {Columns};", Pg.Text(keyId), Pg.Time(revokedAt)))
        {
            rows = await ReadAsync(revoke, cancellationToken).ConfigureAwait(false);
        }

        if (rows.Count == 0)
        {
            return null;
        }

        // Every key created by this one, transitively (through keys revoked before too); UNION stops at rows seen.
        IReadOnlyList<ApiKeyRecord> cascaded;
        await using (NpgsqlCommand cascade = Command(connection, transaction, $"""
            WITH RECURSIVE tree(key_id) AS (
                SELECT key_id FROM api_keys WHERE created_by = $1
                UNION
                SELECT k.key_id FROM api_keys k JOIN tree t ON k.created_by = t.key_id)
            UPDATE api_keys SET revoked_at = $2
            WHERE key_id IN (SELECT key_id FROM tree) AND revoked_at IS NULL
            RETURNING {Columns};
            """, Pg.Text(keyId), Pg.Time(revokedAt)))
        {
            cascaded = KeyRevocations.Ordered(await ReadAsync(cascade, cancellationToken).ConfigureAwait(false));
        }

        foreach (AuditRecord entry in KeyRevocations.Entries(keyId, rows[0].IssuerId, cascaded, revokedAt, audit))
        {
            await AppendAuditAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return cascaded;
    }

    public async Task<bool> ReinstateAsync(string keyId, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(audit);
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ExecuteAsync(connection, transaction, "UPDATE api_keys SET revoked_at = NULL WHERE key_id = $1 AND revoked_at IS NOT NULL;", cancellationToken,
            Pg.Text(keyId)).ConfigureAwait(false) != 1)
        {
            return false;
        }

        await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static Task<int> LockKeyTreesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, $2);", cancellationToken,
            Pg.Integer(PostgresMigrations.LockClass), Pg.Integer(KeyTreeLockObject));

    private static Task<int> AppendAuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditRecord record, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO audit_log (issuer_id, actor, action, target, at, request_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7);", cancellationToken,
            Pg.Text(record.IssuerId), Pg.Text(record.Actor), Pg.Text(record.Action), Pg.Text(record.Target), Pg.Time(record.At),
            Pg.Text(record.RequestId), Pg.Text(record.Details));

    private static async Task<IReadOnlyList<ApiKeyRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<ApiKeyRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new ApiKeyRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetFieldValue<byte[]>(2),
                Pg.NullableString(reader, 3),
                reader.GetString(4),
                reader.GetString(5),
                Pg.Time(reader, 6),
                Pg.NullableTime(reader, 7),
                Pg.NullableTime(reader, 8),
                Pg.NullableString(reader, 9)));
        }

        return rows;
    }
}
