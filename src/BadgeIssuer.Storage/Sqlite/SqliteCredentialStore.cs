using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

internal sealed class SqliteCredentialStore(SqliteBadgeStorage storage) : ICredentialStore
{
    private const string Columns = "id, issuer_id, achievement_id, recipient, signed_json, jwt, status_entries, issued_at, idempotency_key";

    public async Task<CredentialAddResult> AddAsync(
        CredentialRecord credential,
        IReadOnlyList<StatusListIndex> statusIndexes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(statusIndexes);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // IMMEDIATE: the idempotency check and the insert see the same database; a racing retry waits its turn.
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        if (credential.IdempotencyKey is not null)
        {
            CredentialRecord? existing = await GetByIdempotencyKeyAsync(connection, transaction, credential.IssuerId, credential.IdempotencyKey, cancellationToken)
                .ConfigureAwait(false);
            if (existing is not null)
            {
                return new CredentialAddResult(existing, Created: false);
            }
        }

        using (SqliteCommand insert = Command(connection, transaction,
            $"INSERT INTO credentials ({Columns}) VALUES ($id, $issuer, $achievement, $recipient, $json, $jwt, $status, $issued, $idem);"))
        {
            insert.Parameters.AddWithValue("$id", credential.Id);
            insert.Parameters.AddWithValue("$issuer", credential.IssuerId);
            insert.Parameters.AddWithValue("$achievement", (object?)credential.AchievementId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$recipient", credential.Recipient);
            insert.Parameters.AddWithValue("$json", (object?)credential.SignedJson ?? DBNull.Value);
            insert.Parameters.AddWithValue("$jwt", (object?)credential.Jwt ?? DBNull.Value);
            insert.Parameters.AddWithValue("$status", (object?)credential.StatusEntriesJson ?? DBNull.Value);
            insert.Parameters.AddWithValue("$issued", SqliteTime.Ticks(credential.IssuedAt));
            insert.Parameters.AddWithValue("$idem", (object?)credential.IdempotencyKey ?? DBNull.Value);
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e) when (IsUniqueViolation(e))
            {
                throw new StorageConflictException("A credential with this id already exists.", e);
            }
        }

        foreach (StatusListIndex index in statusIndexes)
        {
            using SqliteCommand link = Command(connection, transaction,
                "UPDATE status_allocations SET credential_id = $id WHERE list_id = $list AND idx = $idx AND credential_id IS NULL;");
            link.Parameters.AddWithValue("$id", credential.Id);
            link.Parameters.AddWithValue("$list", index.ListId);
            link.Parameters.AddWithValue("$idx", index.Index);
            if (await link.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                // Rolls back with the transaction: an index not allocated, or held by another credential, is a caller bug.
                throw new InvalidOperationException($"Status index {index.Index} of list '{index.ListId}' is not an unused allocation.");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new CredentialAddResult(credential, Created: true);
    }

    public async Task<CredentialRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {Columns} FROM credentials WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        return await ReadOneAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CredentialRecord?> GetByIdempotencyKeyAsync(string issuerId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await GetByIdempotencyKeyAsync(connection, null, issuerId, idempotencyKey, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<CredentialRecord?> GetByIdempotencyKeyAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string issuerId, string idempotencyKey, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction,
            $"SELECT {Columns} FROM credentials WHERE issuer_id = $issuer AND idempotency_key = $idem;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        command.Parameters.AddWithValue("$idem", idempotencyKey);
        return await ReadOneAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<CredentialRecord?> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new CredentialRecord(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            SqliteTime.FromTicks(reader.GetInt64(7)),
            reader.IsDBNull(8) ? null : reader.GetString(8));
    }
}
