using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

internal sealed class PostgresApiKeyStore(PostgresBadgeStorage storage) : IApiKeyStore
{
    private const string Columns = "key_id, prefix, key_hash, issuer_id, scopes, description, created_at, expires_at, revoked_at";

    public async Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using NpgsqlCommand command = storage.Command(
            $"INSERT INTO api_keys ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);",
            Pg.Text(key.KeyId), Pg.Text(key.Prefix), Pg.Bytea(key.KeyHash), Pg.Text(key.IssuerId), Pg.Text(key.Scopes), Pg.Text(key.Description),
            Pg.Time(key.CreatedAt), Pg.Time(key.ExpiresAt), Pg.Time(key.RevokedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("An API key with this id or hash already exists.", e);
        }
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

    public async Task<bool> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        await using NpgsqlCommand command = storage.Command(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE key_id = $1;", Pg.Text(keyId), Pg.Time(revokedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

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
                Pg.NullableTime(reader, 8)));
        }

        return rows;
    }
}
