using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>
/// Webhook endpoints and the outbox. Several instances send from one database: a claim locks each endpoint's head
/// delivery with <c>FOR UPDATE SKIP LOCKED</c> and leases it in the same statement, so each delivery goes to one
/// sender, and the next delivery of an endpoint is not its head (so not claimable) while an earlier one is pending.
/// </summary>
internal sealed class PostgresWebhookStore(PostgresBadgeStorage storage) : IWebhookStore
{
    private const string EndpointColumns = "id, issuer_id, url, event_types, description, secret, enabled, created_at, updated_at";
    private const string DeliveryColumns = "seq, endpoint_id, message_id, event_type, payload, created_at, state, attempts, next_attempt_at, completed_at, last_status, last_error";

    /// <summary>
    /// The outbox insert as a statement the credential and status stores embed in their own writes (a CTE or a
    /// statement of their transaction): <c>$issuer</c>, <c>$type</c>, <c>$payload</c>, <c>$now</c>, <c>$msg</c> are
    /// placeholders the caller replaces with its parameter numbers.
    /// </summary>
    internal const string EnqueueTemplate = """
        INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at, state, attempts, next_attempt_at)
        SELECT e.id, $msg, $type, $payload, $now, 'pending', 0, $now FROM webhook_endpoints e
        WHERE e.issuer_id = $issuer AND e.enabled AND strpos(' ' || e.event_types || ' ', ' ' || $type || ' ') > 0
        """;

    public async Task<bool> CreateEndpointAsync(WebhookEndpointRecord endpoint, int maxPerIssuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The issuer row lock serializes endpoint creation per issuer (across instances), so the count bound holds.
        await ExecuteAsync(connection, transaction, "SELECT 1 FROM issuers WHERE id = $1 FOR NO KEY UPDATE;", cancellationToken, Pg.Text(endpoint.IssuerId)).ConfigureAwait(false);
        await using (NpgsqlCommand count = Command(connection, transaction, "SELECT count(*) FROM webhook_endpoints WHERE issuer_id = $1;", Pg.Text(endpoint.IssuerId)))
        {
            if ((long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! >= maxPerIssuer)
            {
                return false;
            }
        }

        try
        {
            await ExecuteAsync(connection, transaction, $"INSERT INTO webhook_endpoints ({EndpointColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);",
                cancellationToken, EndpointParameters(endpoint)).ConfigureAwait(false);
        }
        catch (PostgresException e) when (IsUniqueViolation(e))
        {
            throw new StorageConflictException("A webhook endpoint with this id already exists.", e);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static NpgsqlParameter[] EndpointParameters(WebhookEndpointRecord endpoint) =>
    [
        Pg.Text(endpoint.Id), Pg.Text(endpoint.IssuerId), Pg.Text(endpoint.Url), Pg.Text(endpoint.EventTypes), Pg.Text(endpoint.Description),
        Pg.Bytea(endpoint.ProtectedSecret), Pg.Boolean(endpoint.Enabled), Pg.Time(endpoint.CreatedAt), Pg.Time(endpoint.UpdatedAt),
    ];

    public async Task<WebhookEndpointRecord?> GetEndpointAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using NpgsqlCommand command = storage.Command($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE id = $1;", Pg.Text(id));
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadEndpoint(reader, 0) : null;
    }

    public async Task<IReadOnlyList<WebhookEndpointRecord>> ListEndpointsAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE issuer_id = $1 ORDER BY created_at, seq;", Pg.Text(issuerId));
        var rows = new List<WebhookEndpointRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(ReadEndpoint(reader, 0));
        }

        return rows;
    }

    public async Task<IReadOnlyList<WebhookEndpointRecord>> ListAllEndpointsAsync(CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = storage.Command($"SELECT {EndpointColumns} FROM webhook_endpoints ORDER BY issuer_id, created_at, seq;");
        var rows = new List<WebhookEndpointRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(ReadEndpoint(reader, 0));
        }

        return rows;
    }

    public async Task<bool> ReplaceProtectedSecretAsync(string id, ReadOnlyMemory<byte> expected, byte[] replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(replacement);
        await using NpgsqlCommand update = storage.Command(
            "UPDATE webhook_endpoints SET secret = $2 WHERE id = $1 AND secret = $3;", Pg.Text(id), Pg.Bytea(replacement), Pg.Bytea(expected.ToArray()));
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> UpdateEndpointAsync(WebhookEndpointRecord endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await using NpgsqlCommand update = storage.Command("""
            UPDATE webhook_endpoints SET url = $3, event_types = $4, description = $5, enabled = $6, updated_at = $8
            WHERE id = $1 AND issuer_id = $2 AND created_at = $7;
            """,
            Pg.Text(endpoint.Id), Pg.Text(endpoint.IssuerId), Pg.Text(endpoint.Url), Pg.Text(endpoint.EventTypes), Pg.Text(endpoint.Description),
            Pg.Boolean(endpoint.Enabled), Pg.Time(endpoint.CreatedAt), Pg.Time(endpoint.UpdatedAt));
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction,
            "DELETE FROM webhook_attempts WHERE delivery_seq IN (SELECT seq FROM webhook_deliveries WHERE endpoint_id = $1);", cancellationToken, Pg.Text(id)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "DELETE FROM webhook_deliveries WHERE endpoint_id = $1;", cancellationToken, Pg.Text(id)).ConfigureAwait(false);
        int deleted = await ExecuteAsync(connection, transaction, "DELETE FROM webhook_endpoints WHERE id = $1;", cancellationToken, Pg.Text(id)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 1;
    }

    public async Task<IReadOnlyList<WebhookClaim>> ClaimDueAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int max, int maxPerIssuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerIssuer, 1);

        // heads: each endpoint's oldest pending delivery. ranked: a due head's place in its issuer's queue (this owner's
        // unexpired leases of that issuer, plus its position among the issuer's due heads), which caps the issuer at $5 in
        // flight and orders the claim round by round across issuers. The row lock is taken (or the row skipped) in `due`,
        // and state and lease are in its WHERE so they are re-checked on the newest row version once locked: a head
        // another sender finished or leased since this statement's snapshot is not claimed again.
        string d = string.Join(", ", DeliveryColumns.Split(", ").Select(c => "w." + c));
        string e = string.Join(", ", EndpointColumns.Split(", ").Select(c => "e." + c));
        await using NpgsqlCommand claim = storage.Command($"""
            WITH inflight AS (
                SELECT e.issuer_id, count(*) AS n FROM webhook_deliveries l JOIN webhook_endpoints e ON e.id = l.endpoint_id
                WHERE l.state = 'pending' AND l.lease_owner = $3 AND l.lease_until > $1
                GROUP BY e.issuer_id
            ), heads AS (
                SELECT DISTINCT ON (endpoint_id) seq FROM webhook_deliveries WHERE state = 'pending' ORDER BY endpoint_id, seq
            ), ranked AS (
                SELECT d.seq, row_number() OVER (PARTITION BY e.issuer_id ORDER BY d.seq) + coalesce(i.n, 0) AS rank
                FROM webhook_deliveries d
                JOIN heads h ON h.seq = d.seq
                JOIN webhook_endpoints e ON e.id = d.endpoint_id
                LEFT JOIN inflight i ON i.issuer_id = e.issuer_id
                WHERE e.enabled AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
            ), due AS (
                SELECT d.seq FROM webhook_deliveries d
                JOIN ranked r ON r.seq = d.seq
                WHERE r.rank <= $5 AND d.state = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
                ORDER BY r.rank, d.seq LIMIT $2
                FOR UPDATE OF d SKIP LOCKED
            ), leased AS (
                UPDATE webhook_deliveries w SET lease_owner = $3, lease_until = $4 FROM due WHERE w.seq = due.seq
                RETURNING {d}
            )
            SELECT {string.Join(", ", DeliveryColumns.Split(", ").Select(c => "w." + c))}, {e}
            FROM leased w JOIN webhook_endpoints e ON e.id = w.endpoint_id ORDER BY w.seq;
            """, Pg.Time(now), Pg.Integer(max), Pg.Text(owner), Pg.Time(leaseUntil), Pg.Integer(maxPerIssuer));
        var claims = new List<WebhookClaim>();
        await using NpgsqlDataReader reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claims.Add(new WebhookClaim(ReadDelivery(reader, 0), ReadEndpoint(reader, 12)));
        }

        return claims;
    }

    public async Task<bool> RecordAttemptAsync(
        string owner, WebhookAttemptRecord attempt, WebhookAttemptOutcome outcome, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(attempt);
        await using NpgsqlCommand record = storage.Command("""
            WITH logged AS (
                INSERT INTO webhook_attempts (delivery_seq, attempted_at, status_code, error, duration_ms)
                SELECT seq, $3, $4, $5, $6 FROM webhook_deliveries WHERE seq = $1
            ), moved AS (
                UPDATE webhook_deliveries SET attempts = attempts + 1, state = $7, next_attempt_at = COALESCE($8, next_attempt_at),
                    completed_at = $9, last_status = $4, last_error = $5, lease_owner = NULL, lease_until = NULL
                WHERE seq = $1 AND lease_owner = $2 AND state = 'pending'
                RETURNING 1
            )
            SELECT count(*)::integer FROM moved;
            """,
            Pg.Bigint(attempt.DeliverySeq), Pg.Text(owner), Pg.Time(attempt.AttemptedAt), NullableInteger(attempt.StatusCode), Pg.Text(attempt.Error),
            Pg.Integer(attempt.DurationMilliseconds), Pg.Text(SqliteStateOf(outcome)), Pg.Time(nextAttemptAt),
            Pg.Time(outcome == WebhookAttemptOutcome.Retry ? null : attempt.AttemptedAt));
        return (int)(await record.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 1;
    }

    private static string SqliteStateOf(WebhookAttemptOutcome outcome) => Sqlite.SqliteWebhookStore.StateOf(outcome);

    private static NpgsqlParameter NullableInteger(int? value) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer, Value = value is { } v ? v : DBNull.Value };

    public async Task<IReadOnlyList<WebhookDeliveryRecord>> ListDeliveriesAsync(string endpointId, int limit, long? beforeSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE endpoint_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3;",
            Pg.Text(endpointId), Pg.Bigint(beforeSeq ?? long.MaxValue), Pg.Integer(limit));
        var rows = new List<WebhookDeliveryRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(ReadDelivery(reader, 0));
        }

        return rows;
    }

    public async Task<IReadOnlyList<WebhookAttemptRecord>> ListAttemptsAsync(IReadOnlyList<long> deliverySeqs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliverySeqs);
        if (deliverySeqs.Count == 0)
        {
            return [];
        }

        await using NpgsqlCommand command = storage.Command("""
            SELECT delivery_seq, attempted_at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_seq = ANY($1) ORDER BY seq;
            """, new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint, Value = deliverySeqs.ToArray() });
        var rows = new List<WebhookAttemptRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new WebhookAttemptRecord(
                reader.GetInt64(0), Pg.Time(reader, 1), reader.IsDBNull(2) ? null : reader.GetInt32(2), Pg.NullableString(reader, 3), reader.GetInt32(4)));
        }

        return rows;
    }

    public async Task<WebhookRedelivery> RedeliverAsync(string endpointId, string messageId, DateTimeOffset now, int maxPending, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointId);
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPending, 1);
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The endpoint row lock serializes redeliveries to the endpoint (across instances), so the checks below hold
        // until the insert commits. FOR NO KEY UPDATE does not conflict with the key-share lock of the outbox inserts.
        await ExecuteAsync(connection, transaction, "SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR NO KEY UPDATE;", cancellationToken, Pg.Text(endpointId))
            .ConfigureAwait(false);
        long known, copies, pending;
        await using (NpgsqlCommand check = Command(connection, transaction, """
            SELECT count(*) FILTER (WHERE message_id = $2),
                   count(*) FILTER (WHERE message_id = $2 AND state = 'pending'),
                   count(*) FILTER (WHERE state = 'pending')
            FROM webhook_deliveries WHERE endpoint_id = $1;
            """, Pg.Text(endpointId), Pg.Text(messageId)))
        {
            await using NpgsqlDataReader counts = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await counts.ReadAsync(cancellationToken).ConfigureAwait(false);
            (known, copies, pending) = (counts.GetInt64(0), counts.GetInt64(1), counts.GetInt64(2));
        }

        if (WebhookRedeliveryRules.Refusal(known, copies, pending, maxPending) is { } refusal)
        {
            return new(refusal);
        }

        WebhookDeliveryRecord delivery;
        await using (NpgsqlCommand insert = Command(connection, transaction, $"""
            INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at, state, attempts, next_attempt_at)
            SELECT endpoint_id, message_id, event_type, payload, $3, 'pending', 0, $3 FROM webhook_deliveries
            WHERE endpoint_id = $1 AND message_id = $2 ORDER BY seq DESC LIMIT 1
            RETURNING {DeliveryColumns};
            """, Pg.Text(endpointId), Pg.Text(messageId), Pg.Time(now)))
        {
            await using NpgsqlDataReader reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            delivery = ReadDelivery(reader, 0);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new(WebhookRedeliveryOutcome.Queued, delivery);
    }

    public async Task<int> ExpirePendingAsync(DateTimeOffset createdBefore, DateTimeOffset now, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        await using NpgsqlCommand expire = storage.Command("""
            UPDATE webhook_deliveries SET state = 'failed', completed_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
            WHERE state = 'pending' AND created_at < $3 AND (lease_until IS NULL OR lease_until <= $1);
            """, Pg.Time(now), Pg.Text(reason), Pg.Time(createdBefore));
        return await expire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PurgeAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken = default)
    {
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, """
            DELETE FROM webhook_attempts WHERE delivery_seq IN (SELECT seq FROM webhook_deliveries WHERE state <> 'pending' AND completed_at < $1);
            """, cancellationToken, Pg.Time(completedBefore)).ConfigureAwait(false);
        int deleted = await ExecuteAsync(connection, transaction,
            "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND completed_at < $1;", cancellationToken, Pg.Time(completedBefore)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static WebhookEndpointRecord ReadEndpoint(NpgsqlDataReader reader, int o) => new(
        reader.GetString(o),
        reader.GetString(o + 1),
        reader.GetString(o + 2),
        reader.GetString(o + 3),
        reader.GetString(o + 4),
        reader.GetFieldValue<byte[]>(o + 5),
        reader.GetBoolean(o + 6),
        Pg.Time(reader, o + 7),
        Pg.Time(reader, o + 8));

    private static WebhookDeliveryRecord ReadDelivery(NpgsqlDataReader reader, int o) => new(
        reader.GetInt64(o),
        reader.GetString(o + 1),
        reader.GetString(o + 2),
        reader.GetString(o + 3),
        reader.GetString(o + 4),
        Pg.Time(reader, o + 5),
        reader.GetString(o + 6),
        reader.GetInt32(o + 7),
        Pg.Time(reader, o + 8),
        Pg.NullableTime(reader, o + 9),
        reader.IsDBNull(o + 10) ? null : reader.GetInt32(o + 10),
        Pg.NullableString(reader, o + 11));
}
