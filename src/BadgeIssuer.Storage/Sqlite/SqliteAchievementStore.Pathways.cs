using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>Pathways: the parts an achievement is composed of (<c>achievement_pathways</c>, <c>achievement_pathway_parts</c>).</summary>
internal sealed partial class SqliteAchievementStore
{
    /// <summary>The most ids one lookup takes (each is a bound parameter).</summary>
    internal const int MaxLookupIds = 1000;

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

        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await GetPathwaysAsync(connection, null, achievementIds, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PathwayRecord>> ListPathwaysContainingAsync(IReadOnlyCollection<string> partIds, CancellationToken cancellationToken = default)
    {
        CheckIds(partIds);
        if (partIds.Count == 0)
        {
            return [];
        }

        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ListPathwaysContainingAsync(connection, null, partIds, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<PathwayRecord>> GetPathwaysAsync(
        SqliteConnection connection, SqliteTransaction? transaction, IReadOnlyCollection<string> achievementIds, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction, string.Empty);
        command.CommandText = $"""
            SELECT p.achievement_id, p.rule, p.required, p.auto_award, p.updated_at, x.part_id
            FROM achievement_pathways p JOIN achievement_pathway_parts x ON x.achievement_id = p.achievement_id
            WHERE p.achievement_id IN ({InList(command, "$a", achievementIds)})
            ORDER BY p.achievement_id, x.position;
            """;
        return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<PathwayRecord>> ListPathwaysContainingAsync(
        SqliteConnection connection, SqliteTransaction? transaction, IReadOnlyCollection<string> partIds, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction, string.Empty);
        command.CommandText = $"""
            SELECT p.achievement_id, p.rule, p.required, p.auto_award, p.updated_at, x.part_id
            FROM achievement_pathways p
            JOIN achievements a ON a.id = p.achievement_id
            JOIN achievement_pathway_parts x ON x.achievement_id = p.achievement_id
            WHERE p.achievement_id IN (SELECT achievement_id FROM achievement_pathway_parts WHERE part_id IN ({InList(command, "$p", partIds)}))
            ORDER BY a.created_at, p.achievement_id, x.position;
            """;
        return await ReadPathwaysAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SetPathwayAsync(string achievementId, PathwayRecord? pathway, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(achievementId);
        CheckPathwayOf(achievementId, pathway);

        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using (SqliteCommand exists = Command(connection, transaction, "SELECT 1 FROM achievements WHERE id = $id;"))
        {
            exists.Parameters.AddWithValue("$id", achievementId);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
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

        // The single writer (in this process) and BEGIN IMMEDIATE (across processes on the file): no other write of any
        // pathway commits between the check's reads and this write.
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        if (create)
        {
            await InsertAsync(connection, transaction, achievement, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using SqliteCommand update = Command(connection, transaction, "UPDATE achievements SET json = $json, updated_at = $updated WHERE id = $id;");
            update.Parameters.AddWithValue("$id", achievement.Id);
            update.Parameters.AddWithValue("$json", achievement.Json);
            update.Parameters.AddWithValue("$updated", SqliteTime.Ticks(achievement.UpdatedAt));
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return PathwaySaveOutcome.NotFound;
            }
        }

        if (!await check(new TransactionGraph(connection, transaction), cancellationToken).ConfigureAwait(false))
        {
            return PathwaySaveOutcome.Refused;
        }

        await WritePathwayAsync(connection, transaction, achievement.Id, pathway, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return PathwaySaveOutcome.Saved;
    }

    private static void CheckPathwayOf(string achievementId, PathwayRecord? pathway)
    {
        if (pathway is not null && !string.Equals(pathway.AchievementId, achievementId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The pathway belongs to another achievement.", nameof(pathway));
        }

        CheckPathway(pathway);
    }

    private static async Task WritePathwayAsync(
        SqliteConnection connection, SqliteTransaction transaction, string achievementId, PathwayRecord? pathway, CancellationToken cancellationToken)
    {
        using (SqliteCommand delete = Command(connection, transaction,
            "DELETE FROM achievement_pathway_parts WHERE achievement_id = $id; DELETE FROM achievement_pathways WHERE achievement_id = $id;"))
        {
            delete.Parameters.AddWithValue("$id", achievementId);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (pathway is null)
        {
            return;
        }

        using (SqliteCommand insert = Command(connection, transaction,
            "INSERT INTO achievement_pathways (achievement_id, rule, required, auto_award, updated_at) VALUES ($id, $rule, $required, $auto, $updated);"))
        {
            insert.Parameters.AddWithValue("$id", achievementId);
            insert.Parameters.AddWithValue("$rule", pathway.Rule);
            insert.Parameters.AddWithValue("$required", pathway.Required);
            insert.Parameters.AddWithValue("$auto", pathway.AutoAward ? 1 : 0);
            insert.Parameters.AddWithValue("$updated", SqliteTime.Ticks(pathway.UpdatedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        for (int i = 0; i < pathway.Parts.Count; i++)
        {
            using SqliteCommand part = Command(connection, transaction,
                "INSERT INTO achievement_pathway_parts (achievement_id, position, part_id) VALUES ($id, $position, $part);");
            part.Parameters.AddWithValue("$id", achievementId);
            part.Parameters.AddWithValue("$position", i);
            part.Parameters.AddWithValue("$part", pathway.Parts[i]);
            try
            {
                await part.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT: unknown or repeated part */)
            {
                throw new StorageConflictException($"Part '{pathway.Parts[i]}' is not a stored achievement or is named twice.", e);
            }
        }
    }

    /// <summary>The pathway graph as the write transaction sees it (its own connection, so its own uncommitted writes too).</summary>
    private sealed class TransactionGraph(SqliteConnection connection, SqliteTransaction transaction) : IPathwayGraph
    {
        public async Task<AchievementRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(id);
            using SqliteCommand command = Command(connection, transaction, $"SELECT {Columns} FROM achievements WHERE id = $id;");
            command.Parameters.AddWithValue("$id", id);
            IReadOnlyList<AchievementRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }

        public Task<IReadOnlyList<PathwayRecord>> GetPathwaysAsync(IReadOnlyCollection<string> achievementIds, CancellationToken cancellationToken = default)
        {
            CheckIds(achievementIds);
            return achievementIds.Count == 0 ? Task.FromResult<IReadOnlyList<PathwayRecord>>([]) : SqliteAchievementStore.GetPathwaysAsync(connection, transaction, achievementIds, cancellationToken);
        }

        public Task<IReadOnlyList<PathwayRecord>> ListPathwaysContainingAsync(IReadOnlyCollection<string> partIds, CancellationToken cancellationToken = default)
        {
            CheckIds(partIds);
            return partIds.Count == 0 ? Task.FromResult<IReadOnlyList<PathwayRecord>>([]) : SqliteAchievementStore.ListPathwaysContainingAsync(connection, transaction, partIds, cancellationToken);
        }
    }

    internal static void CheckPathway(PathwayRecord? pathway)
    {
        if (pathway is not null && (pathway.Parts.Count == 0 || pathway.Required < 1 || pathway.Required > pathway.Parts.Count))
        {
            throw new ArgumentException("A pathway has at least one part and requires 1 to all of them.", nameof(pathway));
        }
    }

    private static void CheckIds(IReadOnlyCollection<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ids.Count, MaxLookupIds);
    }

    /// <summary>Binds each id as its own parameter (<paramref name="prefix"/>0, …) and returns the SQL list of their names.</summary>
    internal static string InList(SqliteCommand command, string prefix, IEnumerable<string> ids)
    {
        var names = new List<string>();
        foreach (string id in ids)
        {
            string name = prefix + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue(name, id);
            names.Add(name);
        }

        return string.Join(", ", names);
    }

    // Rows are one per part, grouped by pathway and in part order.
    private static async Task<IReadOnlyList<PathwayRecord>> ReadPathwaysAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var pathways = new List<PathwayRecord>();
        List<string>? parts = null;
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (pathways.Count == 0 || !string.Equals(pathways[^1].AchievementId, id, StringComparison.Ordinal))
            {
                parts = [];
                pathways.Add(new PathwayRecord(id, reader.GetString(1), reader.GetInt32(2), parts, reader.GetInt64(3) != 0, SqliteTime.FromTicks(reader.GetInt64(4))));
            }

            parts!.Add(reader.GetString(5));
        }

        return pathways;
    }
}
