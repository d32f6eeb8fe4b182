using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>Pathway awards: the part credentials a composite credential counted (<c>pathway_awards</c>, <c>pathway_award_parts</c>).</summary>
internal sealed partial class SqliteCredentialStore
{
    public async Task<IReadOnlyList<CredentialRecord>> ListActiveForRecipientAsync(
        string issuerId, ReadOnlyMemory<byte> recipientKey, IReadOnlyCollection<string> achievementIds, int perAchievement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(achievementIds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(achievementIds.Count, SqliteAchievementStore.MaxLookupIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(perAchievement, 1);
        if (achievementIds.Count == 0)
        {
            return [];
        }

        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, string.Empty);
        command.CommandText = $"""
            SELECT {ReadColumns} FROM (
                SELECT {ReadColumns}, row_number() OVER (PARTITION BY achievement_id ORDER BY issued_at DESC, id DESC) AS rn
                FROM credentials
                WHERE issuer_id = $issuer AND recipient_key = $key AND revoked = 0 AND suspended = 0 AND reissue_of IS NULL
                    AND achievement_id IN ({SqliteAchievementStore.InList(command, "$a", achievementIds)}))
            WHERE rn <= $per ORDER BY achievement_id, issued_at DESC, id DESC;
            """;
        command.Parameters.AddWithValue("$issuer", issuerId);
        command.Parameters.Add("$key", SqliteType.Blob).Value = recipientKey.ToArray();
        command.Parameters.AddWithValue("$per", perAchievement);
        var rows = new List<CredentialRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    public async Task<PathwayAwardRecord?> GetPathwayAwardAsync(string credentialId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, AwardsSql("w.credential_id = $id"));
        command.Parameters.AddWithValue("$id", credentialId);
        IReadOnlyList<PathwayAwardRecord> awards = await ReadAwardsAsync(command, cancellationToken).ConfigureAwait(false);
        return awards.Count == 0 ? null : awards[0];
    }

    public async Task<IReadOnlyList<PathwayAwardRecord>> ListPathwayAwardsCountingAsync(string partCredentialId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partCredentialId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            AwardsSql("w.credential_id IN (SELECT credential_id FROM pathway_award_parts WHERE part_credential_id = $part)"));
        command.Parameters.AddWithValue("$part", partCredentialId);
        return await ReadAwardsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    // One row per part, grouped by composite (oldest first) and in part order, with the part's current state.
    private static string AwardsSql(string where) => $"""
        SELECT w.credential_id, w.achievement_id, w.rule, w.required, x.part_credential_id, x.part_achievement_id, x.valid_until, c.revoked, c.suspended
        FROM pathway_awards w
        JOIN credentials k ON k.id = w.credential_id
        JOIN pathway_award_parts x ON x.credential_id = w.credential_id
        JOIN credentials c ON c.id = x.part_credential_id
        WHERE {where}
        ORDER BY k.issued_at, w.credential_id, x.position;
        """;

    private static async Task<IReadOnlyList<PathwayAwardRecord>> ReadAwardsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var awards = new List<PathwayAwardRecord>();
        List<PathwayAwardPart>? parts = null;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (awards.Count == 0 || !string.Equals(awards[^1].CredentialId, id, StringComparison.Ordinal))
            {
                parts = [];
                awards.Add(new PathwayAwardRecord(id, reader.GetString(1), reader.GetString(2), reader.GetInt32(3), parts));
            }

            parts!.Add(new PathwayAwardPart(reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : SqliteTime.FromTicks(reader.GetInt64(6)))
            {
                Status = reader.GetInt64(7) != 0 ? CredentialListStatus.Revoked : reader.GetInt64(8) != 0 ? CredentialListStatus.Suspended : CredentialListStatus.Active,
            });
        }

        return awards;
    }

    /// <summary>
    /// Refuses a composite (<see cref="PathwayPartsChangedException"/>) whose part credentials are not all still neither
    /// revoked nor suspended, read in the add's write transaction: a status change is a write too, so it either committed
    /// before (and is seen here) or comes after the composite is stored (and its answer finds the composite).
    /// </summary>
    private static async Task CheckPathwayPartsAsync(SqliteConnection connection, SqliteTransaction transaction, PathwayAwardRecord award)
    {
        string[] ids = [.. award.Parts.Select(p => p.CredentialId)];
        var valid = new HashSet<string>(StringComparer.Ordinal);
        using (SqliteCommand read = Command(connection, transaction, string.Empty))
        {
            read.CommandText = $"SELECT id FROM credentials WHERE id IN ({SqliteAchievementStore.InList(read, "$p", ids)}) AND revoked = 0 AND suspended = 0;";
            using SqliteDataReader reader = await read.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
            while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                valid.Add(reader.GetString(0));
            }
        }

        string[] invalid = [.. ids.Where(id => !valid.Contains(id))];
        if (invalid.Length > 0)
        {
            throw new PathwayPartsChangedException(invalid);
        }
    }

    /// <summary>Records what a composite credential counted, inside the add's savepoint (so it is written only with the credential).</summary>
    private static async Task WritePathwayAwardAsync(SqliteConnection connection, SqliteTransaction transaction, string credentialId, PathwayAwardRecord award)
    {
        using (SqliteCommand insert = Command(connection, transaction,
            "INSERT INTO pathway_awards (credential_id, achievement_id, rule, required) VALUES ($id, $achievement, $rule, $required);"))
        {
            insert.Parameters.AddWithValue("$id", credentialId);
            insert.Parameters.AddWithValue("$achievement", award.AchievementId);
            insert.Parameters.AddWithValue("$rule", award.Rule);
            insert.Parameters.AddWithValue("$required", award.Required);
            await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        for (int i = 0; i < award.Parts.Count; i++)
        {
            PathwayAwardPart part = award.Parts[i];
            using SqliteCommand insert = Command(connection, transaction, """
                INSERT INTO pathway_award_parts (credential_id, position, part_credential_id, part_achievement_id, valid_until)
                VALUES ($id, $position, $part, $achievement, $until);
                """);
            insert.Parameters.AddWithValue("$id", credentialId);
            insert.Parameters.AddWithValue("$position", i);
            insert.Parameters.AddWithValue("$part", part.CredentialId);
            insert.Parameters.AddWithValue("$achievement", part.AchievementId);
            insert.Parameters.AddWithValue("$until", part.ValidUntil is { } until ? SqliteTime.Ticks(until) : DBNull.Value);
            await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
