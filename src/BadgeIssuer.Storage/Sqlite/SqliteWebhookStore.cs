using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>
/// Webhook endpoints and the outbox. Claims run under the single writer (the in-process gate and <c>BEGIN IMMEDIATE</c>),
/// so two senders never lease one delivery; the lease only matters when a sender dies mid-delivery.
/// </summary>
internal sealed class SqliteWebhookStore(SqliteBadgeStorage storage) : IWebhookStore
{
    private const string EndpointColumns = "id, issuer_id, url, event_types, description, secret, enabled, created_at, updated_at";
    private const string DeliveryColumns = "seq, endpoint_id, message_id, event_type, payload, created_at, state, attempts, next_attempt_at, completed_at, last_status, last_error";

    /// <summary>
    /// Writes one delivery of the message for every enabled endpoint of <paramref name="issuerId"/> subscribed to
    /// <paramref name="eventType"/>, inside the caller's transaction (the outbox half of the change).
    /// </summary>
    internal static async Task EnqueueAsync(
        SqliteConnection connection, SqliteTransaction transaction, string issuerId, string eventType, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using SqliteCommand insert = Command(connection, transaction, """
            INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at, state, attempts, next_attempt_at)
            SELECT id, $msg, $type, $payload, $now, 'pending', 0, $now FROM webhook_endpoints
            WHERE issuer_id = $issuer AND enabled = 1 AND instr(' ' || event_types || ' ', $needle) > 0
            ORDER BY created_at, rowid;
            """);
        insert.Parameters.AddWithValue("$msg", WebhookEvents.NewMessageId());
        insert.Parameters.AddWithValue("$type", eventType);
        insert.Parameters.AddWithValue("$payload", payload);
        insert.Parameters.AddWithValue("$now", SqliteTime.Ticks(now));
        insert.Parameters.AddWithValue("$issuer", issuerId);
        insert.Parameters.AddWithValue("$needle", " " + eventType + " ");
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CreateEndpointAsync(WebhookEndpointRecord endpoint, int maxPerIssuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using (SqliteCommand count = Command(connection, transaction, "SELECT count(*) FROM webhook_endpoints WHERE issuer_id = $issuer;"))
        {
            count.Parameters.AddWithValue("$issuer", endpoint.IssuerId);
            if ((long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! >= maxPerIssuer)
            {
                return false;
            }
        }

        using (SqliteCommand insert = Command(connection, transaction,
            $"INSERT INTO webhook_endpoints ({EndpointColumns}) VALUES ($id, $issuer, $url, $types, $description, $secret, $enabled, $created, $updated);"))
        {
            BindEndpoint(insert, endpoint);
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e) when (IsUniqueViolation(e))
            {
                throw new StorageConflictException("A webhook endpoint with this id already exists.", e);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static void BindEndpoint(SqliteCommand command, WebhookEndpointRecord endpoint)
    {
        command.Parameters.AddWithValue("$id", endpoint.Id);
        command.Parameters.AddWithValue("$issuer", endpoint.IssuerId);
        command.Parameters.AddWithValue("$url", endpoint.Url);
        command.Parameters.AddWithValue("$types", endpoint.EventTypes);
        command.Parameters.AddWithValue("$description", endpoint.Description);
        command.Parameters.Add("$secret", SqliteType.Blob).Value = endpoint.ProtectedSecret.ToArray();
        command.Parameters.AddWithValue("$enabled", endpoint.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$created", SqliteTime.Ticks(endpoint.CreatedAt));
        command.Parameters.AddWithValue("$updated", SqliteTime.Ticks(endpoint.UpdatedAt));
    }

    public async Task<WebhookEndpointRecord?> GetEndpointAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadEndpoint(reader, 0) : null;
    }

    public async Task<IReadOnlyList<WebhookEndpointRecord>> ListEndpointsAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE issuer_id = $issuer ORDER BY created_at, rowid;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        var rows = new List<WebhookEndpointRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(ReadEndpoint(reader, 0));
        }

        return rows;
    }

    public async Task<IReadOnlyList<WebhookEndpointRecord>> ListAllEndpointsAsync(CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {EndpointColumns} FROM webhook_endpoints ORDER BY issuer_id, created_at, rowid;");
        var rows = new List<WebhookEndpointRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = Command(connection, null, "UPDATE webhook_endpoints SET secret = $new WHERE id = $id AND secret = $old;");
        update.Parameters.AddWithValue("$new", replacement);
        update.Parameters.AddWithValue("$id", id);
        update.Parameters.AddWithValue("$old", expected.ToArray());
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> UpdateEndpointAsync(WebhookEndpointRecord endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand update = Command(connection, null, """
            UPDATE webhook_endpoints SET url = $url, event_types = $types, description = $description, enabled = $enabled, updated_at = $updated
            WHERE id = $id AND issuer_id = $issuer;
            """);
        BindEndpoint(update, endpoint);
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using (SqliteCommand attempts = Command(connection, transaction,
            "DELETE FROM webhook_attempts WHERE delivery_seq IN (SELECT seq FROM webhook_deliveries WHERE endpoint_id = $id);"))
        {
            attempts.Parameters.AddWithValue("$id", id);
            await attempts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (SqliteCommand deliveries = Command(connection, transaction, "DELETE FROM webhook_deliveries WHERE endpoint_id = $id;"))
        {
            deliveries.Parameters.AddWithValue("$id", id);
            await deliveries.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int deleted;
        using (SqliteCommand endpoint = Command(connection, transaction, "DELETE FROM webhook_endpoints WHERE id = $id;"))
        {
            endpoint.Parameters.AddWithValue("$id", id);
            deleted = await endpoint.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 1;
    }

    public async Task<IReadOnlyList<WebhookClaim>> ClaimDueAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int max, int maxPerIssuer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerIssuer, 1);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);

        // Each endpoint's head (its oldest pending delivery) only: a later one never overtakes an earlier one. A head's
        // place in its issuer's queue (rank: the owner's unexpired leases of that issuer, plus its position among the
        // issuer's due heads) caps the issuer at $per in flight and orders the claim round by round across issuers.
        var claimed = new List<long>();
        using (SqliteCommand lease = Command(connection, transaction, """
            WITH inflight AS (
                SELECT e.issuer_id, count(*) AS n FROM webhook_deliveries l JOIN webhook_endpoints e ON e.id = l.endpoint_id
                WHERE l.state = 'pending' AND l.lease_owner = $owner AND l.lease_until > $now
                GROUP BY e.issuer_id
            ), due AS (
                SELECT d.seq, e.issuer_id, row_number() OVER (PARTITION BY e.issuer_id ORDER BY d.seq) AS position
                FROM (SELECT min(seq) AS seq FROM webhook_deliveries WHERE state = 'pending' GROUP BY endpoint_id) h
                JOIN webhook_deliveries d ON d.seq = h.seq
                JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE e.enabled = 1 AND d.next_attempt_at <= $now AND (d.lease_until IS NULL OR d.lease_until <= $now)
            )
            UPDATE webhook_deliveries SET lease_owner = $owner, lease_until = $until
            WHERE seq IN (
                SELECT due.seq FROM due LEFT JOIN inflight i ON i.issuer_id = due.issuer_id
                WHERE due.position + coalesce(i.n, 0) <= $per
                ORDER BY due.position + coalesce(i.n, 0), due.seq LIMIT $max)
            RETURNING seq;
            """))
        {
            lease.Parameters.AddWithValue("$owner", owner);
            lease.Parameters.AddWithValue("$until", SqliteTime.Ticks(leaseUntil));
            lease.Parameters.AddWithValue("$now", SqliteTime.Ticks(now));
            lease.Parameters.AddWithValue("$max", max);
            lease.Parameters.AddWithValue("$per", maxPerIssuer);
            using SqliteDataReader reader = await lease.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                claimed.Add(reader.GetInt64(0));
            }
        }

        var claims = new List<WebhookClaim>(claimed.Count);
        if (claimed.Count > 0)
        {
            using SqliteCommand read = Command(connection, transaction, $"""
                SELECT {string.Join(", ", DeliveryColumns.Split(", ").Select(c => "d." + c))}, {string.Join(", ", EndpointColumns.Split(", ").Select(c => "e." + c))}
                FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.seq IN (SELECT value FROM json_each($seqs)) ORDER BY d.seq;
                """);
            read.Parameters.AddWithValue("$seqs", "[" + string.Join(",", claimed) + "]");
            using SqliteDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                claims.Add(new WebhookClaim(ReadDelivery(reader, 0), ReadEndpoint(reader, 12)));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return claims;
    }

    public async Task<bool> RecordAttemptAsync(
        string owner, WebhookAttemptRecord attempt, WebhookAttemptOutcome outcome, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(attempt);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using (SqliteCommand log = Command(connection, transaction, """
            INSERT INTO webhook_attempts (delivery_seq, attempted_at, status_code, error, duration_ms)
            SELECT seq, $at, $status, $error, $duration FROM webhook_deliveries WHERE seq = $seq;
            """))
        {
            log.Parameters.AddWithValue("$seq", attempt.DeliverySeq);
            log.Parameters.AddWithValue("$at", SqliteTime.Ticks(attempt.AttemptedAt));
            log.Parameters.AddWithValue("$status", (object?)attempt.StatusCode ?? DBNull.Value);
            log.Parameters.AddWithValue("$error", (object?)attempt.Error ?? DBNull.Value);
            log.Parameters.AddWithValue("$duration", attempt.DurationMilliseconds);
            await log.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int updated;
        using (SqliteCommand move = Command(connection, transaction, """
            UPDATE webhook_deliveries SET attempts = attempts + 1, state = $state, next_attempt_at = COALESCE($next, next_attempt_at),
                completed_at = $completed, last_status = $status, last_error = $error, lease_owner = NULL, lease_until = NULL
            WHERE seq = $seq AND lease_owner = $owner AND state = 'pending';
            """))
        {
            move.Parameters.AddWithValue("$seq", attempt.DeliverySeq);
            move.Parameters.AddWithValue("$owner", owner);
            move.Parameters.AddWithValue("$state", StateOf(outcome));
            move.Parameters.AddWithValue("$next", nextAttemptAt is { } next ? SqliteTime.Ticks(next) : DBNull.Value);
            move.Parameters.AddWithValue("$completed", outcome == WebhookAttemptOutcome.Retry ? DBNull.Value : SqliteTime.Ticks(attempt.AttemptedAt));
            move.Parameters.AddWithValue("$status", (object?)attempt.StatusCode ?? DBNull.Value);
            move.Parameters.AddWithValue("$error", (object?)attempt.Error ?? DBNull.Value);
            updated = await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    internal static string StateOf(WebhookAttemptOutcome outcome) => outcome switch
    {
        WebhookAttemptOutcome.Succeeded => WebhookDeliveryStates.Succeeded,
        WebhookAttemptOutcome.Failed => WebhookDeliveryStates.Failed,
        _ => WebhookDeliveryStates.Pending,
    };

    public async Task<IReadOnlyList<WebhookDeliveryRecord>> ListDeliveriesAsync(string endpointId, int limit, long? beforeSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE endpoint_id = $endpoint AND seq < $before ORDER BY seq DESC LIMIT $limit;");
        command.Parameters.AddWithValue("$endpoint", endpointId);
        command.Parameters.AddWithValue("$before", beforeSeq ?? long.MaxValue);
        command.Parameters.AddWithValue("$limit", limit);
        var rows = new List<WebhookDeliveryRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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

        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, """
            SELECT delivery_seq, attempted_at, status_code, error, duration_ms FROM webhook_attempts
            WHERE delivery_seq IN (SELECT value FROM json_each($seqs)) ORDER BY seq;
            """);
        command.Parameters.AddWithValue("$seqs", "[" + string.Join(",", deliverySeqs) + "]");
        var rows = new List<WebhookAttemptRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new WebhookAttemptRecord(
                reader.GetInt64(0), SqliteTime.FromTicks(reader.GetInt64(1)), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4)));
        }

        return rows;
    }

    public async Task<WebhookRedelivery> RedeliverAsync(string endpointId, string messageId, DateTimeOffset now, int maxPending, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpointId);
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPending, 1);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        long known, copies, pending;
        using (SqliteCommand check = Command(connection, transaction, """
            SELECT
                (SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $endpoint AND message_id = $msg),
                (SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $endpoint AND message_id = $msg AND state = 'pending'),
                (SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $endpoint AND state = 'pending');
            """))
        {
            check.Parameters.AddWithValue("$endpoint", endpointId);
            check.Parameters.AddWithValue("$msg", messageId);
            using SqliteDataReader counts = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await counts.ReadAsync(cancellationToken).ConfigureAwait(false);
            (known, copies, pending) = (counts.GetInt64(0), counts.GetInt64(1), counts.GetInt64(2));
        }

        if (WebhookRedeliveryRules.Refusal(known, copies, pending, maxPending) is { } refusal)
        {
            return new(refusal);
        }

        WebhookDeliveryRecord delivery;
        using (SqliteCommand insert = Command(connection, transaction, $"""
            INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at, state, attempts, next_attempt_at)
            SELECT endpoint_id, message_id, event_type, payload, $now, 'pending', 0, $now FROM webhook_deliveries
            WHERE endpoint_id = $endpoint AND message_id = $msg ORDER BY seq DESC LIMIT 1
            RETURNING {DeliveryColumns};
            """))
        {
            insert.Parameters.AddWithValue("$endpoint", endpointId);
            insert.Parameters.AddWithValue("$msg", messageId);
            insert.Parameters.AddWithValue("$now", SqliteTime.Ticks(now));
            using SqliteDataReader reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            delivery = ReadDelivery(reader, 0);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new(WebhookRedeliveryOutcome.Queued, delivery);
    }

    public async Task<int> ExpirePendingAsync(DateTimeOffset createdBefore, DateTimeOffset now, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand expire = Command(connection, null, """
            UPDATE webhook_deliveries SET state = 'failed', completed_at = $now, last_error = $error, lease_owner = NULL, lease_until = NULL
            WHERE state = 'pending' AND created_at < $before AND (lease_until IS NULL OR lease_until <= $now);
            """);
        expire.Parameters.AddWithValue("$now", SqliteTime.Ticks(now));
        expire.Parameters.AddWithValue("$error", reason);
        expire.Parameters.AddWithValue("$before", SqliteTime.Ticks(createdBefore));
        return await expire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PurgeAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken = default)
    {
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(connection, transaction, $"""
            DELETE FROM webhook_attempts WHERE delivery_seq IN (
                SELECT seq FROM webhook_deliveries WHERE state <> 'pending' AND completed_at < {SqliteTime.Ticks(completedBefore)});
            """, cancellationToken).ConfigureAwait(false);
        int deleted = await ExecuteAsync(connection, transaction,
            $"DELETE FROM webhook_deliveries WHERE state <> 'pending' AND completed_at < {SqliteTime.Ticks(completedBefore)};", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static WebhookEndpointRecord ReadEndpoint(SqliteDataReader reader, int o) => new(
        reader.GetString(o),
        reader.GetString(o + 1),
        reader.GetString(o + 2),
        reader.GetString(o + 3),
        reader.GetString(o + 4),
        (byte[])reader.GetValue(o + 5),
        reader.GetInt64(o + 6) != 0,
        SqliteTime.FromTicks(reader.GetInt64(o + 7)),
        SqliteTime.FromTicks(reader.GetInt64(o + 8)));

    private static WebhookDeliveryRecord ReadDelivery(SqliteDataReader reader, int o) => new(
        reader.GetInt64(o),
        reader.GetString(o + 1),
        reader.GetString(o + 2),
        reader.GetString(o + 3),
        reader.GetString(o + 4),
        SqliteTime.FromTicks(reader.GetInt64(o + 5)),
        reader.GetString(o + 6),
        reader.GetInt32(o + 7),
        SqliteTime.FromTicks(reader.GetInt64(o + 8)),
        reader.IsDBNull(o + 9) ? null : SqliteTime.FromTicks(reader.GetInt64(o + 9)),
        reader.IsDBNull(o + 10) ? null : reader.GetInt32(o + 10),
        reader.IsDBNull(o + 11) ? null : reader.GetString(o + 11));
}
