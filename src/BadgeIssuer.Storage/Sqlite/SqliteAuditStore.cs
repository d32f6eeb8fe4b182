using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>The audit log; triggers refuse UPDATE and DELETE on the table.</summary>
internal sealed class SqliteAuditStore(SqliteBadgeStorage storage) : IAuditStore
{
    private const string Columns = "seq, issuer_id, actor, action, target, at, request_id, details";

    public async Task AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await AppendAsync(connection, null, record, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task AppendAsync(SqliteConnection connection, SqliteTransaction? transaction, AuditRecord record, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction,
            "INSERT INTO audit_log (issuer_id, actor, action, target, at, request_id, details) VALUES ($issuer, $actor, $action, $target, $at, $request, $details);");
        command.Parameters.AddWithValue("$issuer", (object?)record.IssuerId ?? DBNull.Value);
        command.Parameters.AddWithValue("$actor", record.Actor);
        command.Parameters.AddWithValue("$action", record.Action);
        command.Parameters.AddWithValue("$target", record.Target);
        command.Parameters.AddWithValue("$at", SqliteTime.Ticks(record.At));
        command.Parameters.AddWithValue("$request", (object?)record.RequestId ?? DBNull.Value);
        command.Parameters.AddWithValue("$details", (object?)record.Details ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAsync(string issuerId, int limit, long? beforeSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            $"SELECT {Columns} FROM audit_log WHERE issuer_id = $issuer AND seq < $before ORDER BY seq DESC LIMIT $limit;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        command.Parameters.AddWithValue("$before", beforeSeq ?? long.MaxValue);
        command.Parameters.AddWithValue("$limit", limit);
        var rows = new List<AuditRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new AuditRecord(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                SqliteTime.FromTicks(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return rows;
    }
}
