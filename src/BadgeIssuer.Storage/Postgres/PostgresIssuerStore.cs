using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

internal sealed class PostgresIssuerStore(PostgresBadgeStorage storage) : IIssuerStore
{
    private const string IssuerColumns = "id, slug, profile, did_method, created_at";
    private const string KeyColumns = "issuer_id, key_id, key_type, public_jwk, private_key, is_current, created_at";

    public async Task CreateAsync(IssuerRecord issuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        await using NpgsqlCommand command = storage.Command(
            $"INSERT INTO issuers ({IssuerColumns}) VALUES ($1, $2, $3, $4, $5);",
            Pg.Text(issuer.Id), Pg.Text(issuer.Slug), Pg.Text(issuer.ProfileJson), Pg.Text(issuer.DidMethod), Pg.Time(issuer.CreatedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("An issuer with this id or slug already exists.", e);
        }
    }

    public Task<IssuerRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        GetOneAsync($"SELECT {IssuerColumns} FROM issuers WHERE id = $1;", id, cancellationToken);

    public Task<IssuerRecord?> GetBySlugAsync(string slug, CancellationToken cancellationToken = default) =>
        GetOneAsync($"SELECT {IssuerColumns} FROM issuers WHERE slug = $1;", slug, cancellationToken);

    private async Task<IssuerRecord?> GetOneAsync(string sql, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        await using NpgsqlCommand command = storage.Command(sql, Pg.Text(value));
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new IssuerRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Pg.Time(reader, 4));
    }

    public async Task<bool> UpdateProfileAsync(string id, string profileJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(profileJson);
        await using NpgsqlCommand command = storage.Command("UPDATE issuers SET profile = $2 WHERE id = $1;", Pg.Text(id), Pg.Text(profileJson));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = storage.Command("SELECT count(*)::integer FROM issuers;");
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task AddKeyAsync(IssuerKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // One round trip: lock the issuer row (rotations of one issuer queue here, on whichever instance they run),
        // demote the current key of the type, add the new one. NO KEY UPDATE leaves concurrent inserts that only
        // reference the issuer (credentials, lists) unblocked.
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Pg.BatchCommand("SELECT 1 FROM issuers WHERE id = $1 FOR NO KEY UPDATE;", Pg.Text(key.IssuerId)));
        if (key.IsCurrent)
        {
            batch.BatchCommands.Add(Pg.BatchCommand(
                "UPDATE issuer_keys SET is_current = false WHERE issuer_id = $1 AND key_type = $2 AND is_current;",
                Pg.Text(key.IssuerId), Pg.Text(key.KeyType)));
        }

        batch.BatchCommands.Add(Pg.BatchCommand(
            $"INSERT INTO issuer_keys ({KeyColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7);",
            Pg.Text(key.IssuerId), Pg.Text(key.KeyId), Pg.Text(key.KeyType), Pg.Text(key.PublicJwk), Pg.Bytea(key.ProtectedPrivateKey),
            Pg.Boolean(key.IsCurrent), Pg.Time(key.CreatedAt)));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("The issuer already has a key with this id.", e);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<IssuerKeyRecord>> ListKeysAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        await using NpgsqlCommand command = storage.Command($"SELECT {KeyColumns} FROM issuer_keys WHERE issuer_id = $1 ORDER BY seq;", Pg.Text(issuerId));
        return await ReadKeysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IssuerKeyRecord?> GetCurrentKeyAsync(string issuerId, string keyType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(keyType);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {KeyColumns} FROM issuer_keys WHERE issuer_id = $1 AND key_type = $2 AND is_current ORDER BY seq DESC LIMIT 1;",
            Pg.Text(issuerId), Pg.Text(keyType));
        IReadOnlyList<IssuerKeyRecord> keys = await ReadKeysAsync(command, cancellationToken).ConfigureAwait(false);
        return keys.Count == 0 ? null : keys[0];
    }

    public async Task<IReadOnlyList<IssuerKeyRecord>> ListAllKeysAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = storage.Command($"SELECT {KeyColumns} FROM issuer_keys ORDER BY issuer_id, seq;");
        return await ReadKeysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReplaceProtectedKeyAsync(string issuerId, string keyId, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(keyId);

        // Compare-and-swap in one statement: instances re-wrapping at once cannot overwrite each other.
        await using NpgsqlCommand command = storage.Command(
            "UPDATE issuer_keys SET private_key = $4 WHERE issuer_id = $1 AND key_id = $2 AND private_key = $3;",
            Pg.Text(issuerId), Pg.Text(keyId), Pg.Bytea(expected), Pg.Bytea(replacement));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static async Task<IReadOnlyList<IssuerKeyRecord>> ReadKeysAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var keys = new List<IssuerKeyRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new IssuerKeyRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetFieldValue<byte[]>(4),
                reader.GetBoolean(5),
                Pg.Time(reader, 6)));
        }

        return keys;
    }
}
