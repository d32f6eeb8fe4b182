using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>
/// Credentials. One statement inserts the credential (the (issuer, idempotency key) unique index is the ON CONFLICT
/// arbiter, so concurrent adds with one key on any instance store one row: the losers wait for the winner's commit and
/// then read its row), links its status indexes and appends the audit entry; the transaction commits only when every
/// index was an unused allocation. PostgreSQL groups concurrent commits itself, so there is no queue here.
/// </summary>
internal sealed partial class PostgresCredentialStore(PostgresBadgeStorage storage) : ICredentialStore
{
    private const string Columns = "id, issuer_id, achievement_id, recipient, signed_json, jwt, status_entries, issued_at, idempotency_key, reissue_of";

    // What a read returns: the stored columns and the keyed recipient hash (CredentialRecord.RecipientKey).
    private const string ReadColumns = Columns + ", recipient_key";
    private const int MaxAttempts = 8;

    private const string AddSql = $"""
        WITH ins AS (
            INSERT INTO credentials ({Columns}, recipient_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $16, $13)
            ON CONFLICT (issuer_id, idempotency_key) DO NOTHING
            RETURNING id
        ), linked AS (
            UPDATE status_allocations a SET credential_id = ins.id
            FROM ins, unnest($10::text[], $11::integer[]) AS s(list_id, idx)
            WHERE a.list_id = s.list_id AND a.idx = s.idx AND a.credential_id IS NULL
            RETURNING 1
        ), audited AS (
            INSERT INTO audit_log (issuer_id, actor, action, target, at, request_id, details)
            SELECT $2, $12, 'credential.issue', ins.id, $8, NULL, $3 FROM ins WHERE $12 IS NOT NULL
            RETURNING 1
        ), hooked AS (
            INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at, state, attempts, next_attempt_at)
            SELECT e.id, $14, 'credential.issued', $15, $8, 'pending', 0, $8 FROM ins, webhook_endpoints e
            WHERE e.issuer_id = $2 AND e.enabled AND strpos(' ' || e.event_types || ' ', ' credential.issued ') > 0
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins)::integer, (SELECT count(*) FROM linked)::integer;
        """;

    public async Task<CredentialAddResult> AddAsync(
        CredentialRecord credential,
        IReadOnlyList<StatusListIndex> statusIndexes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(statusIndexes);
        string[] lists = new string[statusIndexes.Count];
        int[] indexes = new int[statusIndexes.Count];
        for (int i = 0; i < statusIndexes.Count; i++)
        {
            lists[i] = statusIndexes[i].ListId;
            indexes[i] = statusIndexes[i].Index;
        }

        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (await TryAddAsync(credential, lists, indexes, cancellationToken).ConfigureAwait(false) is { } result)
                {
                    return result;
                }
            }
            catch (PostgresException e) when (IsTransient(e) && attempt < MaxAttempts)
            {
            }

            // The key's row went away between the conflict and the read (or a transient failure): go again.
            if (attempt >= MaxAttempts)
            {
                throw new InvalidOperationException($"Could not store credential '{credential.Id}' after {MaxAttempts} attempts.");
            }
        }
    }

    private async Task<CredentialAddResult?> TryAddAsync(CredentialRecord credential, string[] lists, int[] indexes, CancellationToken cancellationToken)
    {
        int inserted;
        int linked;
        await using (NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (NpgsqlCommand add = Command(connection, transaction, AddSql,
                Pg.Text(credential.Id), Pg.Text(credential.IssuerId), Pg.Text(credential.AchievementId), Pg.Text(credential.Recipient),
                Pg.Text(credential.SignedJson), Pg.Text(credential.Jwt), Pg.Text(credential.StatusEntriesJson), Pg.Time(credential.IssuedAt),
                Pg.Text(credential.IdempotencyKey), Pg.TextArray(lists), Pg.IntegerArray(indexes), Pg.Text(credential.IssuedBy),
                Pg.NullableBytea(credential.RecipientKey),
                // The outbox half of issuance (written only when the insert happened and an endpoint subscribes).
                Pg.Text(WebhookEvents.NewMessageId()),
                Pg.Text(WebhookEvents.Payload(WebhookEvents.CredentialIssued, credential.IssuedAt, credential.Id, credential.IssuerId, credential.AchievementId)),
                Pg.Text(credential.ReissueOf)))
            {
                try
                {
                    await using NpgsqlDataReader reader = await add.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    inserted = reader.GetInt32(0);
                    linked = reader.GetInt32(1);
                }
                catch (PostgresException e) when (IsUniqueViolation(e))
                {
                    throw new StorageConflictException("A credential with this id already exists.", e);
                }
            }

            if (inserted == 1 && linked == indexes.Length)
            {
                if (credential.PathwayAward is { } pathwayAward)
                {
                    IReadOnlyList<string> invalid = await InvalidPartsAsync(connection, transaction, pathwayAward, cancellationToken).ConfigureAwait(false);
                    if (invalid.Count > 0)
                    {
                        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        throw new PathwayPartsChangedException(invalid);
                    }

                    await WritePathwayAwardAsync(connection, transaction, credential.Id, pathwayAward, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new CredentialAddResult(credential, Created: true);
            }

            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        if (inserted == 1)
        {
            // Rolled back: an index not allocated, or held by another credential, is a caller bug.
            throw new InvalidOperationException($"A status index of credential '{credential.Id}' is not an unused allocation.");
        }

        // The idempotency key is taken (by a commit this statement waited for, or long ago): return that credential.
        CredentialRecord? existing = await GetByIdempotencyKeyAsync(credential.IssuerId, credential.IdempotencyKey!, cancellationToken).ConfigureAwait(false);
        return existing is null ? null : new CredentialAddResult(existing, Created: false);
    }

    public async Task<CredentialRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using NpgsqlCommand command = storage.Command($"SELECT {ReadColumns} FROM credentials WHERE id = $1;", Pg.Text(id));
        IReadOnlyList<CredentialRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<CredentialRecord?> GetByIdempotencyKeyAsync(string issuerId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {ReadColumns} FROM credentials WHERE issuer_id = $1 AND idempotency_key = $2;", Pg.Text(issuerId), Pg.Text(idempotencyKey));
        IReadOnlyList<CredentialRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<CredentialListItem>> QueryAsync(CredentialQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.IssuerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 1000);
        var parameters = new List<NpgsqlParameter> { Pg.Text(query.IssuerId) };
        var sql = new System.Text.StringBuilder(
            "SELECT id, issuer_id, achievement_id, issued_at, revoked, suspended, signed_json IS NOT NULL, jwt IS NOT NULL FROM credentials WHERE issuer_id = $1");
        string Next(NpgsqlParameter parameter)
        {
            parameters.Add(parameter);
            return "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (query.AchievementId is { } achievement)
        {
            sql.Append(" AND achievement_id = ").Append(Next(Pg.Text(achievement)));
        }

        if (query.RecipientKey is { } key)
        {
            sql.Append(" AND recipient_key = ").Append(Next(Pg.Bytea(key)));
        }

        sql.Append(query.Status switch
        {
            CredentialListStatus.Active => " AND NOT revoked AND NOT suspended",
            CredentialListStatus.Revoked => " AND revoked",
            CredentialListStatus.Suspended => " AND NOT revoked AND suspended",
            _ => string.Empty,
        });
        if (query.IssuedAfter is { } after)
        {
            sql.Append(" AND issued_at >= ").Append(Next(Pg.Time(after)));
        }

        if (query.IssuedBefore is { } before)
        {
            sql.Append(" AND issued_at < ").Append(Next(Pg.Time(before)));
        }

        if (query.After is { } position)
        {
            string at = Next(Pg.Time(position.IssuedAt));
            string id = Next(Pg.Text(position.Id));
            sql.Append(" AND (issued_at, id) < (").Append(at).Append(", ").Append(id).Append(')');
        }

        sql.Append(" ORDER BY issued_at DESC, id DESC LIMIT ").Append(Next(Pg.Integer(query.Limit))).Append(';');
        await using NpgsqlCommand command = storage.Command(sql.ToString(), [.. parameters]);
        var rows = new List<CredentialListItem>(Math.Min(query.Limit, 256));
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new CredentialListItem(
                reader.GetString(0),
                reader.GetString(1),
                Pg.NullableString(reader, 2),
                Pg.Time(reader, 3),
                reader.GetBoolean(4) ? CredentialListStatus.Revoked : reader.GetBoolean(5) ? CredentialListStatus.Suspended : CredentialListStatus.Active,
                reader.GetBoolean(6),
                reader.GetBoolean(7)));
        }

        return rows;
    }

    public async Task<IReadOnlyList<CredentialRecord>> ListAsync(string issuerId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {ReadColumns} FROM credentials WHERE issuer_id = $1 ORDER BY issued_at DESC, seq DESC LIMIT $2;", Pg.Text(issuerId), Pg.Integer(limit));
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<CredentialRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<CredentialRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new CredentialRecord(
                reader.GetString(0),
                reader.GetString(1),
                Pg.NullableString(reader, 2),
                reader.GetString(3),
                Pg.NullableString(reader, 4),
                Pg.NullableString(reader, 5),
                Pg.NullableString(reader, 6),
                Pg.Time(reader, 7),
                Pg.NullableString(reader, 8))
            {
                ReissueOf = Pg.NullableString(reader, 9),
                RecipientKey = reader.IsDBNull(10) || reader.GetFieldValue<byte[]>(10) is not { Length: > 0 } key ? (ReadOnlyMemory<byte>?)null : key,
            });
        }

        return rows;
    }
}
