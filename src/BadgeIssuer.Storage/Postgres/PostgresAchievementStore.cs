using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

internal sealed partial class PostgresAchievementStore(PostgresBadgeStorage storage) : IAchievementStore
{
    private const string Columns = "id, issuer_id, json, created_at, updated_at";

    public async Task CreateAsync(AchievementRecord achievement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievement);
        await using NpgsqlCommand command = storage.Command(
            $"INSERT INTO achievements ({Columns}) VALUES ($1, $2, $3, $4, $5);",
            Pg.Text(achievement.Id), Pg.Text(achievement.IssuerId), Pg.Text(achievement.Json), Pg.Time(achievement.CreatedAt), Pg.Time(achievement.UpdatedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("An achievement with this id already exists.", e);
        }
    }

    public async Task<AchievementRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using NpgsqlCommand command = storage.Command($"SELECT {Columns} FROM achievements WHERE id = $1;", Pg.Text(id));
        IReadOnlyList<AchievementRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<bool> UpdateAsync(string id, string json, DateTimeOffset updatedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(json);
        await using NpgsqlCommand command = storage.Command(
            "UPDATE achievements SET json = $2, updated_at = $3 WHERE id = $1;", Pg.Text(id), Pg.Text(json), Pg.Time(updatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<AchievementRecord>> ListAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {Columns} FROM achievements WHERE issuer_id = $1 ORDER BY created_at, id;", Pg.Text(issuerId));
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<AchievementRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<AchievementRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new AchievementRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), Pg.Time(reader, 3), Pg.Time(reader, 4)));
        }

        return rows;
    }

    public async Task<bool> SetImageAsync(string achievementId, string mediaType, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        ArgumentNullException.ThrowIfNull(mediaType);
        await using NpgsqlCommand command = storage.Command("""
            INSERT INTO achievement_images (achievement_id, media_type, bytes)
            SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM achievements WHERE id = $1)
            ON CONFLICT (achievement_id) DO UPDATE SET media_type = excluded.media_type, bytes = excluded.bytes;
            """, Pg.Text(achievementId), Pg.Text(mediaType), Pg.Bytea(image));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<(string MediaType, byte[] Bytes)?> GetImageAsync(string achievementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        await using NpgsqlCommand command = storage.Command(
            "SELECT media_type, bytes FROM achievement_images WHERE achievement_id = $1;", Pg.Text(achievementId));
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetFieldValue<byte[]>(1)) : null;
    }
}
