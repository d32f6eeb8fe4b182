using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>Pathways: the parts an achievement is composed of (<c>achievement_pathways</c>, <c>achievement_pathway_parts</c>).</summary>
internal sealed partial class PostgresAchievementStore
{
    private const string PathwaySelect = """
        SELECT p.achievement_id, p.rule, p.required, p.auto_award, p.updated_at, x.part_id
        FROM achievement_pathways p
        JOIN achievements a ON a.id = p.achievement_id
        JOIN achievement_pathway_parts x ON x.achievement_id = p.achievement_id
        """;

    public async Task<PathwayRecord?> GetPathwayAsync(string achievementId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        IReadOnlyList<PathwayRecord> found = await GetPathwaysAsync([achievementId], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<PathwayRecord>> GetPathwaysAsync(IReadOnlyCollection<string> achievementIds, CancellationToken cancellationToken = default)
    {
        CheckIds(achievementIds);
        if (achievementIds.Count == 0)
        {
            return [];
        }

        await using NpgsqlCommand command = storage.Command(
            PathwaySelect + " WHERE p.achievement_id = ANY($1) ORDER BY p.achievement_id, x.position;", Pg.TextArray([.. achievementIds]));
        return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PathwayRecord>> ListPathwaysContainingAsync(IReadOnlyCollection<string> partIds, CancellationToken cancellationToken = default)
    {
        CheckIds(partIds);
        if (partIds.Count == 0)
        {
            return [];
        }

        await using NpgsqlCommand command = storage.Command(
            PathwaySelect + """
             WHERE p.achievement_id IN (SELECT achievement_id FROM achievement_pathway_parts WHERE part_id = ANY($1))
            ORDER BY a.created_at, p.achievement_id, x.position;
            """, Pg.TextArray([.. partIds]));
        return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SetPathwayAsync(string achievementId, PathwayRecord? pathway, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        if (pathway is not null && !string.Equals(pathway.AchievementId, achievementId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The pathway belongs to another achievement.", nameof(pathway));
        }

        if (pathway is not null && (pathway.Parts.Count == 0 || pathway.Required < 1 || pathway.Required > pathway.Parts.Count))
        {
            throw new ArgumentException("A pathway has at least one part and requires 1 to all of them.", nameof(pathway));
        }

        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The achievement row is locked, so two replacements of one pathway run one after the other.
        await using (NpgsqlCommand exists = Command(connection, transaction, "SELECT 1 FROM achievements WHERE id = $1 FOR UPDATE;", Pg.Text(achievementId)))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Pg.BatchCommand("DELETE FROM achievement_pathway_parts WHERE achievement_id = $1;", Pg.Text(achievementId)));
        batch.BatchCommands.Add(Pg.BatchCommand("DELETE FROM achievement_pathways WHERE achievement_id = $1;", Pg.Text(achievementId)));
        if (pathway is not null)
        {
            batch.BatchCommands.Add(Pg.BatchCommand(
                "INSERT INTO achievement_pathways (achievement_id, rule, required, auto_award, updated_at) VALUES ($1, $2, $3, $4, $5);",
                Pg.Text(achievementId), Pg.Text(pathway.Rule), Pg.Integer(pathway.Required), Pg.Boolean(pathway.AutoAward), Pg.Time(pathway.UpdatedAt)));
            batch.BatchCommands.Add(Pg.BatchCommand("""
                INSERT INTO achievement_pathway_parts (achievement_id, position, part_id)
                SELECT $1, (p.position - 1)::integer, p.part_id FROM unnest($2::text[]) WITH ORDINALITY AS p(part_id, position);
                """, Pg.Text(achievementId), Pg.TextArray([.. pathway.Parts])));
        }

        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.UniqueViolation)
        {
            throw new StorageConflictException("A part is not a stored achievement or is named twice.", e);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static void CheckIds(IReadOnlyCollection<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ids.Count, 1000);
    }

    // Rows are one per part, grouped by pathway and in part order.
    private static async Task<IReadOnlyList<PathwayRecord>> ReadPathwaysAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var pathways = new List<PathwayRecord>();
        List<string>? parts = null;
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (pathways.Count == 0 || !string.Equals(pathways[^1].AchievementId, id, StringComparison.Ordinal))
            {
                parts = [];
                pathways.Add(new PathwayRecord(id, reader.GetString(1), reader.GetInt32(2), parts, reader.GetBoolean(3), Pg.Time(reader, 4)));
            }

            parts!.Add(reader.GetString(5));
        }

        return pathways;
    }
}
