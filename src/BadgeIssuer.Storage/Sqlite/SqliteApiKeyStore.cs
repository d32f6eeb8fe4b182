using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

internal sealed class SqliteApiKeyStore(SqliteBadgeStorage storage) : IApiKeyStore
{
    private const string Columns = "key_id, prefix, key_hash, issuer_id, scopes, description, created_at, expires_at, revoked_at, created_by";

    public async Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One statement under the write lock: the creator is checked by the same write transaction that stores the key,
        // so a key is never added under a creator whose (cascading) revocation has committed.
        using SqliteCommand command = Command(connection, null, $"""
            INSERT INTO api_keys ({Columns})
            SELECT $id, $prefix, $hash, $issuer, $scopes, $description, $created, $expires, $revoked, $creator
            WHERE $creator IS NULL OR EXISTS (SELECT 1 FROM api_keys WHERE key_id = $creator AND revoked_at IS NULL);
            """);
        command.Parameters.AddWithValue("$id", key.KeyId);
        command.Parameters.AddWithValue("$prefix", key.Prefix);
        command.Parameters.AddWithValue("$hash", key.KeyHash.ToArray());
        command.Parameters.AddWithValue("$issuer", (object?)key.IssuerId ?? DBNull.Value);
        command.Parameters.AddWithValue("$scopes", key.Scopes);
        command.Parameters.AddWithValue("$description", key.Description);
        command.Parameters.AddWithValue("$created", SqliteTime.Ticks(key.CreatedAt));
        command.Parameters.AddWithValue("$expires", key.ExpiresAt is { } expires ? SqliteTime.Ticks(expires) : DBNull.Value);
        command.Parameters.AddWithValue("$revoked", key.RevokedAt is { } revoked ? SqliteTime.Ticks(revoked) : DBNull.Value);
        command.Parameters.AddWithValue("$creator", (object?)key.CreatedBy ?? DBNull.Value);
        int added;
        try
        {
            added = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("An API key with this id or hash already exists.", e);
        }

        if (added == 0)
        {
            throw new StorageConflictException("The key that creates this key is missing or revoked.");
        }
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(ReadOnlyMemory<byte> keyHash, CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {Columns} FROM api_keys WHERE key_hash = $hash;");
        command.Parameters.AddWithValue("$hash", keyHash.ToArray());
        IReadOnlyList<ApiKeyRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? issuerId, CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, issuerId is null
            ? $"SELECT {Columns} FROM api_keys WHERE issuer_id IS NULL ORDER BY created_at, rowid;"
            : $"SELECT {Columns} FROM api_keys WHERE issuer_id = $issuer ORDER BY created_at, rowid;");
        command.Parameters.AddWithValue("$issuer", (object?)issuerId ?? DBNull.Value);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT COUNT(*) FROM api_keys;");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<ApiKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {Columns} FROM api_keys WHERE key_id = $id;");
        command.Parameters.AddWithValue("$id", keyId);
        IReadOnlyList<ApiKeyRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<ApiKeyRecord>?> RevokeAsync(string keyId, DateTimeOffset revokedAt, KeyRevocationAudit audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(audit);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        ApiKeyRecord? key;
        using (SqliteCommand revoke = Command(connection, transaction,
            $"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $at) WHERE key_id = $id RETURNING {Columns};"))
        {
            revoke.Parameters.AddWithValue("$id", keyId);
            revoke.Parameters.AddWithValue("$at", SqliteTime.Ticks(revokedAt));
            IReadOnlyList<ApiKeyRecord> rows = await ReadAsync(revoke, cancellationToken).ConfigureAwait(false);
            key = rows.Count == 0 ? null : rows[0];
        }

        if (key is null)
        {
            return null;
        }

        // Every key created by this one, transitively (through keys revoked before too); UNION stops at rows seen.
        IReadOnlyList<ApiKeyRecord> cascaded;
        using (SqliteCommand cascade = Command(connection, transaction, $"""
            WITH RECURSIVE tree(key_id) AS (
                SELECT key_id FROM api_keys WHERE created_by = $id
                UNION
                SELECT k.key_id FROM api_keys k JOIN tree t ON k.created_by = t.key_id)
            UPDATE api_keys SET revoked_at = $at
            WHERE key_id IN (SELECT key_id FROM tree) AND revoked_at IS NULL
            RETURNING {Columns};
            """))
        {
            cascade.Parameters.AddWithValue("$id", keyId);
            cascade.Parameters.AddWithValue("$at", SqliteTime.Ticks(revokedAt));
            cascaded = KeyRevocations.Ordered(await ReadAsync(cascade, cancellationToken).ConfigureAwait(false));
        }

        foreach (AuditRecord entry in KeyRevocations.Entries(keyId, key.IssuerId, cascaded, revokedAt, audit))
        {
            await SqliteAuditStore.AppendAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return cascaded;
    }

    public async Task<bool> ReinstateAsync(string keyId, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(audit);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using SqliteCommand command = Command(connection, transaction, "UPDATE api_keys SET revoked_at = NULL WHERE key_id = $id AND revoked_at IS NOT NULL;");
        command.Parameters.AddWithValue("$id", keyId);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            return false;
        }

        await SqliteAuditStore.AppendAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task<IReadOnlyList<ApiKeyRecord>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<ApiKeyRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new ApiKeyRecord(
                reader.GetString(0),
                reader.GetString(1),
                (byte[])reader.GetValue(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                SqliteTime.FromTicks(reader.GetInt64(6)),
                reader.IsDBNull(7) ? null : SqliteTime.FromTicks(reader.GetInt64(7)),
                reader.IsDBNull(8) ? null : SqliteTime.FromTicks(reader.GetInt64(8)),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return rows;
    }
}
