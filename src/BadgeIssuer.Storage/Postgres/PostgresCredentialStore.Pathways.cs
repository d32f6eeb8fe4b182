using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>Pathway awards: the part credentials a composite credential counted (<c>pathway_awards</c>, <c>pathway_award_parts</c>).</summary>
internal sealed partial class PostgresCredentialStore
{
    public async Task<IReadOnlyList<CredentialRecord>> ListActiveForRecipientAsync(
        string issuerId, ReadOnlyMemory<byte> recipientKey, IReadOnlyCollection<string> achievementIds, int perAchievement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(achievementIds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(achievementIds.Count, 1000);
        ArgumentOutOfRangeException.ThrowIfLessThan(perAchievement, 1);
        if (achievementIds.Count == 0)
        {
            return [];
        }

        await using NpgsqlCommand command = storage.Command($"""
            SELECT {ReadColumns} FROM (
                SELECT {ReadColumns}, row_number() OVER (PARTITION BY achievement_id ORDER BY issued_at DESC, id DESC) AS rn
                FROM credentials
                WHERE issuer_id = $1 AND recipient_key = $2 AND NOT revoked AND NOT suspended AND reissue_of IS NULL AND achievement_id = ANY($3)) AS held
            WHERE rn <= $4 ORDER BY achievement_id, issued_at DESC, id DESC;
            """, Pg.Text(issuerId), Pg.Bytea(recipientKey), Pg.TextArray([.. achievementIds]), Pg.Integer(perAchievement));
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PathwayAwardRecord?> GetPathwayAwardAsync(string credentialId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        await using NpgsqlCommand command = storage.Command(AwardsSql("w.credential_id = $1"), Pg.Text(credentialId));
        IReadOnlyList<PathwayAwardRecord> awards = await ReadAwardsAsync(command, cancellationToken).ConfigureAwait(false);
        return awards.Count == 0 ? null : awards[0];
    }

    public async Task<IReadOnlyList<PathwayAwardRecord>> ListPathwayAwardsCountingAsync(string partCredentialId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partCredentialId);
        await using NpgsqlCommand command = storage.Command(
            AwardsSql("w.credential_id IN (SELECT credential_id FROM pathway_award_parts WHERE part_credential_id = $1)"), Pg.Text(partCredentialId));
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
        ORDER BY k.issued_at, k.seq, x.position;
        """;

    private static async Task<IReadOnlyList<PathwayAwardRecord>> ReadAwardsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var awards = new List<PathwayAwardRecord>();
        List<PathwayAwardPart>? parts = null;
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (awards.Count == 0 || !string.Equals(awards[^1].CredentialId, id, StringComparison.Ordinal))
            {
                parts = [];
                awards.Add(new PathwayAwardRecord(id, reader.GetString(1), reader.GetString(2), reader.GetInt32(3), parts));
            }

            parts!.Add(new PathwayAwardPart(reader.GetString(4), reader.GetString(5), Pg.NullableTime(reader, 6))
            {
                Status = reader.GetBoolean(7) ? CredentialListStatus.Revoked : reader.GetBoolean(8) ? CredentialListStatus.Suspended : CredentialListStatus.Active,
            });
        }

        return awards;
    }

    /// <summary>
    /// The part credentials of <paramref name="award"/> that are revoked, suspended or gone, read in the composite's
    /// transaction under FOR SHARE: a status change updates the part's row, so it either committed before this read (and
    /// is seen) or waits until the composite is committed (and its answer finds the composite).
    /// </summary>
    private static async Task<IReadOnlyList<string>> InvalidPartsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, PathwayAwardRecord award, CancellationToken cancellationToken)
    {
        string[] ids = [.. award.Parts.Select(p => p.CredentialId)];
        var valid = new HashSet<string>(StringComparer.Ordinal);
        await using (NpgsqlCommand read = Command(connection, transaction,
            "SELECT id FROM credentials WHERE id = ANY($1) AND NOT revoked AND NOT suspended ORDER BY id FOR SHARE;", Pg.TextArray(ids)))
        {
            await using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                valid.Add(reader.GetString(0));
            }
        }

        return [.. ids.Where(id => !valid.Contains(id))];
    }

    /// <summary>Records what a composite credential counted, in the transaction that inserted it (before it commits).</summary>
    private static async Task WritePathwayAwardAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string credentialId, PathwayAwardRecord award, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Pg.BatchCommand(
            "INSERT INTO pathway_awards (credential_id, achievement_id, rule, required) VALUES ($1, $2, $3, $4);",
            Pg.Text(credentialId), Pg.Text(award.AchievementId), Pg.Text(award.Rule), Pg.Integer(award.Required)));
        for (int i = 0; i < award.Parts.Count; i++)
        {
            PathwayAwardPart part = award.Parts[i];
            batch.BatchCommands.Add(Pg.BatchCommand("""
                INSERT INTO pathway_award_parts (credential_id, position, part_credential_id, part_achievement_id, valid_until) VALUES ($1, $2, $3, $4, $5);
                """, Pg.Text(credentialId), Pg.Integer(i), Pg.Text(part.CredentialId), Pg.Text(part.AchievementId), Pg.Time(part.ValidUntil)));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
