using Npgsql;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>The audit log; a trigger refuses UPDATE, DELETE and TRUNCATE on the table.</summary>
internal sealed class PostgresAuditStore(PostgresBadgeStorage storage) : IAuditStore
{
    private const string Columns = "seq, issuer_id, actor, action, target, at, request_id, details";

    public async Task AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using NpgsqlCommand command = storage.Command(
            "INSERT INTO audit_log (issuer_id, actor, action, target, at, request_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7);",
            Pg.Text(record.IssuerId), Pg.Text(record.Actor), Pg.Text(record.Action), Pg.Text(record.Target), Pg.Time(record.At),
            Pg.Text(record.RequestId), Pg.Text(record.Details));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAsync(string issuerId, int limit, long? beforeSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {Columns} FROM audit_log WHERE issuer_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3;",
            Pg.Text(issuerId), Pg.Bigint(beforeSeq ?? long.MaxValue), Pg.Integer(limit));
        var rows = new List<AuditRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new AuditRecord(
                reader.GetInt64(0),
                Pg.NullableString(reader, 1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                Pg.Time(reader, 5),
                Pg.NullableString(reader, 6),
                Pg.NullableString(reader, 7)));
        }

        return rows;
    }
}
