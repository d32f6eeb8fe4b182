using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

internal sealed partial class SqliteAchievementStore(SqliteBadgeStorage storage) : IAchievementStore
{
    private const string Columns = "id, issuer_id, json, created_at, updated_at";

    public async Task CreateAsync(AchievementRecord achievement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievement);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, null, achievement, cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertAsync(SqliteConnection connection, SqliteTransaction? transaction, AchievementRecord achievement, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction,
            $"INSERT INTO achievements ({Columns}) VALUES ($id, $issuer, $json, $created, $updated);");
        command.Parameters.AddWithValue("$id", achievement.Id);
        command.Parameters.AddWithValue("$issuer", achievement.IssuerId);
        command.Parameters.AddWithValue("$json", achievement.Json);
        command.Parameters.AddWithValue("$created", SqliteTime.Ticks(achievement.CreatedAt));
        command.Parameters.AddWithValue("$updated", SqliteTime.Ticks(achievement.UpdatedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("An achievement with this id already exists.", e);
        }
    }

    public async Task<AchievementRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {Columns} FROM achievements WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        IReadOnlyList<AchievementRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<bool> UpdateAsync(string id, string json, DateTimeOffset updatedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(json);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "UPDATE achievements SET json = $json, updated_at = $updated WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$json", json);
        command.Parameters.AddWithValue("$updated", SqliteTime.Ticks(updatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<AchievementRecord>> ListAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            $"SELECT {Columns} FROM achievements WHERE issuer_id = $issuer ORDER BY created_at, id;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<AchievementRecord>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<AchievementRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new AchievementRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                SqliteTime.FromTicks(reader.GetInt64(3)),
                SqliteTime.FromTicks(reader.GetInt64(4))));
        }

        return rows;
    }

    public async Task<bool> SetImageAsync(string achievementId, string mediaType, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        ArgumentNullException.ThrowIfNull(mediaType);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, """
            INSERT INTO achievement_images (achievement_id, media_type, bytes)
            SELECT $id, $type, $bytes WHERE EXISTS (SELECT 1 FROM achievements WHERE id = $id)
            ON CONFLICT (achievement_id) DO UPDATE SET media_type = excluded.media_type, bytes = excluded.bytes;
            """);
        command.Parameters.AddWithValue("$id", achievementId);
        command.Parameters.AddWithValue("$type", mediaType);
        command.Parameters.AddWithValue("$bytes", image.ToArray());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<(string MediaType, byte[] Bytes)?> GetImageAsync(string achievementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT media_type, bytes FROM achievement_images WHERE achievement_id = $id;");
        command.Parameters.AddWithValue("$id", achievementId);
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }
}
