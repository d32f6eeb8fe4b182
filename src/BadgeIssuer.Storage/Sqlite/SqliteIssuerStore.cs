using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

internal sealed class SqliteIssuerStore(SqliteBadgeStorage storage) : IIssuerStore
{
    private const string IssuerColumns = "id, slug, profile, did_method, created_at";
    private const string KeyColumns = "issuer_id, key_id, key_type, public_jwk, private_key, is_current, created_at";

    public async Task CreateAsync(IssuerRecord issuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            "INSERT INTO issuers (id, slug, profile, did_method, created_at) VALUES ($id, $slug, $profile, $did, $created);");
        command.Parameters.AddWithValue("$id", issuer.Id);
        command.Parameters.AddWithValue("$slug", issuer.Slug);
        command.Parameters.AddWithValue("$profile", issuer.ProfileJson);
        command.Parameters.AddWithValue("$did", issuer.DidMethod);
        command.Parameters.AddWithValue("$created", SqliteTime.Ticks(issuer.CreatedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("An issuer with this id or slug already exists.", e);
        }
    }

    public Task<IssuerRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        GetOneAsync($"SELECT {IssuerColumns} FROM issuers WHERE id = $v;", id, cancellationToken);

    public Task<IssuerRecord?> GetBySlugAsync(string slug, CancellationToken cancellationToken = default) =>
        GetOneAsync($"SELECT {IssuerColumns} FROM issuers WHERE slug = $v;", slug, cancellationToken);

    private async Task<IssuerRecord?> GetOneAsync(string sql, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, sql);
        command.Parameters.AddWithValue("$v", value);
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new IssuerRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), SqliteTime.FromTicks(reader.GetInt64(4)));
    }

    public async Task<bool> UpdateProfileAsync(string id, string profileJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(profileJson);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "UPDATE issuers SET profile = $profile WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$profile", profileJson);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT COUNT(*) FROM issuers;");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task AddKeyAsync(IssuerKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        if (key.IsCurrent)
        {
            using SqliteCommand demote = Command(connection, transaction,
                "UPDATE issuer_keys SET is_current = 0 WHERE issuer_id = $issuer AND key_type = $type AND is_current = 1;");
            demote.Parameters.AddWithValue("$issuer", key.IssuerId);
            demote.Parameters.AddWithValue("$type", key.KeyType);
            await demote.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using SqliteCommand insert = Command(connection, transaction, $"""
            INSERT INTO issuer_keys ({KeyColumns}, seq)
            VALUES ($issuer, $kid, $type, $jwk, $private, $current, $created,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM issuer_keys WHERE issuer_id = $issuer));
            """);
        insert.Parameters.AddWithValue("$issuer", key.IssuerId);
        insert.Parameters.AddWithValue("$kid", key.KeyId);
        insert.Parameters.AddWithValue("$type", key.KeyType);
        insert.Parameters.AddWithValue("$jwk", key.PublicJwk);
        insert.Parameters.Add("$private", SqliteType.Blob).Value = key.ProtectedPrivateKey.ToArray();
        insert.Parameters.AddWithValue("$current", key.IsCurrent ? 1 : 0);
        insert.Parameters.AddWithValue("$created", SqliteTime.Ticks(key.CreatedAt));
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("The issuer already has a key with this id.", e);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IssuerKeyRecord>> ListKeysAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {KeyColumns} FROM issuer_keys WHERE issuer_id = $issuer ORDER BY seq;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        return await ReadKeysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IssuerKeyRecord?> GetCurrentKeyAsync(string issuerId, string keyType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(keyType);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            $"SELECT {KeyColumns} FROM issuer_keys WHERE issuer_id = $issuer AND key_type = $type AND is_current = 1 ORDER BY seq DESC LIMIT 1;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        command.Parameters.AddWithValue("$type", keyType);
        IReadOnlyList<IssuerKeyRecord> keys = await ReadKeysAsync(command, cancellationToken).ConfigureAwait(false);
        return keys.Count == 0 ? null : keys[0];
    }

    public async Task<IReadOnlyList<IssuerKeyRecord>> ListAllKeysAsync(CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {KeyColumns} FROM issuer_keys ORDER BY issuer_id, seq;");
        return await ReadKeysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReplaceProtectedKeyAsync(string issuerId, string keyId, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(keyId);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            "UPDATE issuer_keys SET private_key = $replacement WHERE issuer_id = $issuer AND key_id = $kid AND private_key = $expected;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        command.Parameters.AddWithValue("$kid", keyId);
        command.Parameters.Add("$expected", SqliteType.Blob).Value = expected.ToArray();
        command.Parameters.Add("$replacement", SqliteType.Blob).Value = replacement.ToArray();
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static async Task<IReadOnlyList<IssuerKeyRecord>> ReadKeysAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var keys = new List<IssuerKeyRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new IssuerKeyRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                (byte[])reader.GetValue(4),
                reader.GetInt64(5) != 0,
                SqliteTime.FromTicks(reader.GetInt64(6))));
        }

        return keys;
    }
}
