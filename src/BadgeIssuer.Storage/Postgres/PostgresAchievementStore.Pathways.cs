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

        await using NpgsqlCommand command = storage.Command(GetPathwaysSql, Pg.TextArray([.. achievementIds]));
        return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PathwayRecord>> ListPathwaysContainingAsync(IReadOnlyCollection<string> partIds, CancellationToken cancellationToken = default)
    {
        CheckIds(partIds);
        if (partIds.Count == 0)
        {
            return [];
        }

        await using NpgsqlCommand command = storage.Command(ContainingSql, Pg.TextArray([.. partIds]));
        return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private const string GetPathwaysSql = PathwaySelect + " WHERE p.achievement_id = ANY($1) ORDER BY p.achievement_id, x.position;";

    private const string ContainingSql = PathwaySelect + """
         WHERE p.achievement_id IN (SELECT achievement_id FROM achievement_pathway_parts WHERE part_id = ANY($1))
        ORDER BY a.created_at, p.achievement_id, x.position;
        """;

    public async Task<bool> SetPathwayAsync(string achievementId, PathwayRecord? pathway, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        CheckPathwayOf(achievementId, pathway);

        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await LockIssuerPathwaysAsync(connection, transaction, achievementId, null, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        await WritePathwayAsync(connection, transaction, achievementId, pathway, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<PathwaySaveOutcome> SaveWithPathwayAsync(
        AchievementRecord achievement, bool create, PathwayRecord? pathway, PathwayCheck check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievement);
        ArgumentNullException.ThrowIfNull(check);
        CheckPathwayOf(achievement.Id, pathway);

        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Every pathway write of the issuer takes this lock first, and READ COMMITTED statements after it see whatever the
        // previous holder committed: the check below reads the graph as it will be when this write commits.
        if (await LockIssuerPathwaysAsync(connection, transaction, achievement.Id, create ? achievement.IssuerId : null, cancellationToken).ConfigureAwait(false) is null)
        {
            return PathwaySaveOutcome.NotFound;
        }

        if (create)
        {
            try
            {
                await ExecuteAsync(connection, transaction, $"INSERT INTO achievements ({Columns}) VALUES ($1, $2, $3, $4, $5);", cancellationToken,
                    Pg.Text(achievement.Id), Pg.Text(achievement.IssuerId), Pg.Text(achievement.Json), Pg.Time(achievement.CreatedAt), Pg.Time(achievement.UpdatedAt))
                    .ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsUniqueViolation(e))
            {
                throw new StorageConflictException("An achievement with this id already exists.", e);
            }
        }
        else if (await ExecuteAsync(connection, transaction, "UPDATE achievements SET json = $2, updated_at = $3 WHERE id = $1;", cancellationToken,
            Pg.Text(achievement.Id), Pg.Text(achievement.Json), Pg.Time(achievement.UpdatedAt)).ConfigureAwait(false) != 1)
        {
            return PathwaySaveOutcome.NotFound;
        }

        if (!await check(new TransactionGraph(connection, transaction), cancellationToken).ConfigureAwait(false))
        {
            return PathwaySaveOutcome.Refused;
        }

        await WritePathwayAsync(connection, transaction, achievement.Id, pathway, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return PathwaySaveOutcome.Saved;
    }

    /// <summary>
    /// Takes the advisory transaction lock of the issuer's pathways (the issuer of <paramref name="achievementId"/>, or
    /// <paramref name="issuerId"/> for an achievement being created) and returns that issuer; null when there is no such
    /// achievement. A pathway's parts are achievements of its own issuer, so one issuer's lock orders every write that can
    /// close a cycle or deepen a nesting in its graph. Taken before any row lock, so it cannot deadlock with them.
    /// </summary>
    private static async Task<string?> LockIssuerPathwaysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string achievementId, string? issuerId, CancellationToken cancellationToken)
    {
        if (issuerId is null)
        {
            await using NpgsqlCommand read = Command(connection, transaction, "SELECT issuer_id FROM achievements WHERE id = $1;", Pg.Text(achievementId));
            issuerId = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            if (issuerId is null)
            {
                return null;
            }
        }

        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0));", cancellationToken,
            Pg.Text("achievement-pathways\n" + issuerId)).ConfigureAwait(false);
        return issuerId;
    }

    private static void CheckPathwayOf(string achievementId, PathwayRecord? pathway)
    {
        if (pathway is not null && !string.Equals(pathway.AchievementId, achievementId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The pathway belongs to another achievement.", nameof(pathway));
        }

        if (pathway is not null && (pathway.Parts.Count == 0 || pathway.Required < 1 || pathway.Required > pathway.Parts.Count))
        {
            throw new ArgumentException("A pathway has at least one part and requires 1 to all of them.", nameof(pathway));
        }
    }

    private static async Task WritePathwayAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string achievementId, PathwayRecord? pathway, CancellationToken cancellationToken)
    {
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
    }

    /// <summary>The pathway graph as the write transaction sees it (after its lock; its own writes included).</summary>
    private sealed class TransactionGraph(NpgsqlConnection connection, NpgsqlTransaction transaction) : IPathwayGraph
    {
        public async Task<AchievementRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(id);
            await using NpgsqlCommand command = Command(connection, transaction, $"SELECT {Columns} FROM achievements WHERE id = $1;", Pg.Text(id));
            IReadOnlyList<AchievementRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }

        public async Task<IReadOnlyList<PathwayRecord>> GetPathwaysAsync(IReadOnlyCollection<string> achievementIds, CancellationToken cancellationToken = default)
        {
            CheckIds(achievementIds);
            if (achievementIds.Count == 0)
            {
                return [];
            }

            await using NpgsqlCommand command = Command(connection, transaction, GetPathwaysSql, Pg.TextArray([.. achievementIds]));
            return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<PathwayRecord>> ListPathwaysContainingAsync(IReadOnlyCollection<string> partIds, CancellationToken cancellationToken = default)
        {
            CheckIds(partIds);
            if (partIds.Count == 0)
            {
                return [];
            }

            await using NpgsqlCommand command = Command(connection, transaction, ContainingSql, Pg.TextArray([.. partIds]));
            return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
        }
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
