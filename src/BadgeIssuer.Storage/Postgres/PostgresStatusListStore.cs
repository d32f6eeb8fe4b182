using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using static BadgeIssuer.Storage.Postgres.PostgresBadgeStorage;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>
/// Status lists across instances.
/// <para>Allocation: a transaction takes an advisory lock keyed on (issuer, purpose, status size), so allocations
/// for one kind of list queue in the database whichever instance runs them, and so do list roll-overs (never two open
/// lists). Under the lock it picks the oldest list with room (or creates one), claims random indexes in one
/// <c>INSERT … SELECT unnest(…)</c> against the (list_id, idx) primary key and counts them in the same statement. A unique
/// violation, serialization failure or deadlock retries the whole transaction.</para>
/// <para>Status changes: the list row is locked (<c>FOR NO KEY UPDATE</c>) while the entry's byte or two are read and
/// written back with <c>overlay</c>, the version bumped and the change and audit rows written, all in one transaction,
/// so concurrent changes to one list from any instance never lose each other and each change gets its own version.</para>
/// </summary>
internal sealed class PostgresStatusListStore(PostgresBadgeStorage storage, TimeProvider timeProvider) : IStatusListStore
{
    private const string Columns = "list_id, issuer_id, purpose, status_size, length, bitstring, version, allocated, created_at, updated_at";
    private const string ChangeColumns = "list_id, idx, credential_id, old_value, new_value, actor, changed_at, version, reason";
    private const int MaxAttempts = 16;
    private const int SparseRounds = 4;

    // Claims up to $3 of the candidate indexes $2 (in their random order) that are free, and counts them on the list.
    private const string ClaimSql = """
        WITH claimed AS (
            INSERT INTO status_allocations (list_id, idx)
            SELECT $1, u.c FROM unnest($2::integer[]) WITH ORDINALITY AS u(c, o)
            WHERE NOT EXISTS (SELECT 1 FROM status_allocations s WHERE s.list_id = $1 AND s.idx = u.c)
            ORDER BY u.o
            LIMIT $3
            ON CONFLICT DO NOTHING
            RETURNING idx
        ), counted AS (
            UPDATE status_lists SET allocated = allocated + (SELECT count(*) FROM claimed) WHERE list_id = $1
        )
        SELECT idx FROM claimed;
        """;

    public async Task<StatusListIndex> AllocateIndexAsync(StatusAllocationRequest request, CancellationToken cancellationToken = default) =>
        (await AllocateIndexesAsync(request, 1, cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<StatusListIndex>> AllocateIndexesAsync(StatusAllocationRequest request, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 4096);
        ValidateRequest(request);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAllocateAsync(request, count, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when ((IsUniqueViolation(e) || IsTransient(e)) && attempt < MaxAttempts)
            {
                // Lost a race; start over with fresh state.
            }
        }
    }

    private static void ValidateRequest(StatusAllocationRequest request)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.StatusSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.StatusSize, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.NewListLength, 8);
        if (request.NewListLength % 8 != 0)
        {
            throw new ArgumentException("A status list length must be a multiple of 8.", nameof(request));
        }
    }

    private async Task<IReadOnlyList<StatusListIndex>> TryAllocateAsync(StatusAllocationRequest request, int count, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string lockKey = string.Create(CultureInfo.InvariantCulture, $"status-allocation\n{request.IssuerId}\n{request.Purpose}\n{request.StatusSize}");
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0));", cancellationToken, Pg.Text(lockKey))
            .ConfigureAwait(false);

        var result = new List<StatusListIndex>(count);
        while (result.Count < count)
        {
            (string listId, int length, int room) = await OpenListAsync(connection, transaction, request, cancellationToken).ConfigureAwait(false);
            int take = Math.Min(room, count - result.Count);
            foreach (int index in await ClaimIndexesAsync(connection, transaction, listId, length, room, take, cancellationToken).ConfigureAwait(false))
            {
                result.Add(new StatusListIndex(listId, index));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    // The oldest list with room for the purpose, or a new one. The caller holds the allocation lock for the request.
    private async Task<(string ListId, int Length, int Room)> OpenListAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, StatusAllocationRequest request, CancellationToken cancellationToken)
    {
        await using (NpgsqlCommand open = Command(connection, transaction, """
            SELECT list_id, length, length - allocated FROM status_lists
            WHERE issuer_id = $1 AND purpose = $2 AND status_size = $3 AND allocated < length
            ORDER BY created_at, seq LIMIT 1;
            """, Pg.Text(request.IssuerId), Pg.Text(request.Purpose), Pg.Integer(request.StatusSize)))
        {
            await using NpgsqlDataReader reader = await open.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2));
            }
        }

        string listId = Guid.NewGuid().ToString("N");
        int length = request.NewListLength;
        await ExecuteAsync(connection, transaction, $"""
            INSERT INTO status_lists ({Columns})
            VALUES ($1, $2, $3, $4, $5, decode(repeat('00', $6), 'hex'), 1, 0, $7, $7);
            """, cancellationToken,
            Pg.Text(listId), Pg.Text(request.IssuerId), Pg.Text(request.Purpose), Pg.Integer(request.StatusSize), Pg.Integer(length),
            Pg.Integer(checked(length * request.StatusSize / 8)), Pg.Time(timeProvider.GetUtcNow())).ConfigureAwait(false);
        return (listId, length, length);
    }

    // Claims `take` random unused indexes of a list that has `room` free. While the list has plenty of room, one batch
    // of random candidates (sized for the fill level) almost always yields enough free ones; once it is mostly full
    // (or a few batches fall short), the taken indexes are read once and the rest are drawn uniformly from the free ones.
    private static async Task<List<int>> ClaimIndexesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string listId, int length, int room, int take, CancellationToken cancellationToken)
    {
        var claimed = new List<int>(take);
        var tried = new HashSet<int>();
        for (int round = 0; round < SparseRounds && claimed.Count < take && (long)room * 8 >= length; round++)
        {
            int wanted = take - claimed.Count;
            // Expect room/length of the candidates to be free; ask for a quarter more and a few spare.
            long candidates = Math.Min(length - tried.Count, (long)Math.Ceiling(wanted * (double)length / room * 1.25) + 16);
            int[] batch = Draw(length, (int)candidates, tried);
            List<int> claimedNow = await ClaimAsync(connection, transaction, listId, batch, wanted, cancellationToken).ConfigureAwait(false);
            claimed.AddRange(claimedNow);
            room -= claimedNow.Count;
        }

        if (claimed.Count == take)
        {
            return claimed;
        }

        // Dense phase: one read of the taken indexes, then a uniform draw from the free ones.
        var taken = new bool[length];
        await using (NpgsqlCommand read = Command(connection, transaction, "SELECT idx FROM status_allocations WHERE list_id = $1;", Pg.Text(listId)))
        {
            await using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                taken[reader.GetInt32(0)] = true;
            }
        }

        var free = new List<int>();
        for (int i = 0; i < length; i++)
        {
            if (!taken[i])
            {
                free.Add(i);
            }
        }

        int rest = take - claimed.Count;
        if (free.Count < rest)
        {
            throw new InvalidOperationException($"Status list '{listId}' is full although its allocation count says otherwise.");
        }

        // Partial Fisher-Yates: the first `rest` entries become a uniform random choice.
        for (int i = 0; i < rest; i++)
        {
            int pick = i + RandomNumberGenerator.GetInt32(free.Count - i);
            (free[i], free[pick]) = (free[pick], free[i]);
        }

        int[] chosen = [.. free.GetRange(0, rest)];
        List<int> got = await ClaimAsync(connection, transaction, listId, chosen, rest, cancellationToken).ConfigureAwait(false);
        if (got.Count != rest)
        {
            throw new InvalidOperationException($"Status indexes of list '{listId}' were taken inside the allocating transaction.");
        }

        claimed.AddRange(got);
        return claimed;
    }

    private static async Task<List<int>> ClaimAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string listId, int[] candidates, int limit, CancellationToken cancellationToken)
    {
        var claimed = new List<int>(limit);
        await using NpgsqlCommand claim = Command(connection, transaction, ClaimSql, Pg.Text(listId), Pg.IntegerArray(candidates), Pg.Integer(limit));
        await using NpgsqlDataReader reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(reader.GetInt32(0));
        }

        return claimed;
    }

    // `count` distinct random indexes below `length` that are not in `tried` (which gains them).
    private static int[] Draw(int length, int count, HashSet<int> tried)
    {
        var drawn = new int[count];
        if ((long)(tried.Count + count) * 2 > length)
        {
            // Small or crowded: shuffle what is left instead of rejection sampling.
            var rest = new List<int>(length - tried.Count);
            for (int i = 0; i < length; i++)
            {
                if (!tried.Contains(i))
                {
                    rest.Add(i);
                }
            }

            for (int i = 0; i < count; i++)
            {
                int pick = i + RandomNumberGenerator.GetInt32(rest.Count - i);
                (rest[i], rest[pick]) = (rest[pick], rest[i]);
                drawn[i] = rest[i];
                tried.Add(rest[i]);
            }

            return drawn;
        }

        for (int i = 0; i < count;)
        {
            int candidate = RandomNumberGenerator.GetInt32(length);
            if (tried.Add(candidate))
            {
                drawn[i++] = candidate;
            }
        }

        return drawn;
    }

    public async Task<long?> GetVersionAsync(string listId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        await using NpgsqlCommand command = storage.Command("SELECT version FROM status_lists WHERE list_id = $1;", Pg.Text(listId));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : null;
    }

    public async Task<StatusListRecord?> GetAsync(string listId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        await using NpgsqlCommand command = storage.Command($"SELECT {Columns} FROM status_lists WHERE list_id = $1;", Pg.Text(listId));
        IReadOnlyList<StatusListRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<StatusListRecord>> ListAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {Columns} FROM status_lists WHERE issuer_id = $1 ORDER BY created_at, seq;", Pg.Text(issuerId));
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public Task<StatusUpdateResult> SetStatusAsync(string listId, int index, int value, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        ArgumentNullException.ThrowIfNull(actor);
        return SetWithRetryAsync(listId, index, value, null, actor, reason, null, cancellationToken);
    }

    public async Task<StatusUpdateResult> SetCredentialStatusAsync(string credentialId, string purpose, int value, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        ArgumentNullException.ThrowIfNull(purpose);
        ArgumentNullException.ThrowIfNull(actor);

        // A credential's allocations never change once stored, so the lookup needs no lock.
        string listId;
        int index;
        string? achievementId;
        await using (NpgsqlCommand find = storage.Command("""
            SELECT a.list_id, a.idx, o.achievement_id, o.id FROM credentials c
            JOIN credentials o ON o.id = COALESCE(c.reissue_of, c.id)
            LEFT JOIN (status_allocations a JOIN status_lists l ON l.list_id = a.list_id AND l.purpose = $2) ON a.credential_id = o.id
            WHERE c.id = $1
            LIMIT 1;
            """, Pg.Text(credentialId), Pg.Text(purpose)))
        {
            await using NpgsqlDataReader reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new StatusUpdateResult(StatusUpdateOutcome.CredentialNotFound);
            }

            if (reader.IsDBNull(0))
            {
                return new StatusUpdateResult(StatusUpdateOutcome.NoStatusEntry);
            }

            listId = reader.GetString(0);
            index = reader.GetInt32(1);
            achievementId = Pg.NullableString(reader, 2);
            // A re-issue holds its original's entry: the change is the original's (and both credentials follow it).
            credentialId = reader.GetString(3);
        }

        return await SetWithRetryAsync(listId, index, value, credentialId, actor, reason, achievementId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<StatusUpdateResult> SetWithRetryAsync(string listId, int index, int value, string? credentialId, string actor, string? reason, string? achievementId, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await SetAsync(listId, index, value, credentialId, actor, reason, achievementId, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsTransient(e) && attempt < MaxAttempts)
            {
            }
        }
    }

    private async Task<StatusUpdateResult> SetAsync(string listId, int index, int value, string? credentialId, string actor, string? reason, string? achievementId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Lock the list row and read only the byte or two that hold the entry.
        int statusSize;
        int length;
        long version;
        string purpose;
        string issuerId;
        byte[]? window;
        await using (NpgsqlCommand read = Command(connection, transaction, """
            SELECT status_size, length, version, purpose,
                   CASE WHEN $2 >= 0 AND $2 < length THEN substring(bitstring FROM (($2::bigint * status_size) / 8)::integer + 1 FOR 2) END,
                   issuer_id
            FROM status_lists WHERE list_id = $1
            FOR NO KEY UPDATE;
            """, Pg.Text(listId), Pg.Integer(index)))
        {
            await using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new StatusUpdateResult(StatusUpdateOutcome.ListNotFound, listId, index);
            }

            statusSize = reader.GetInt32(0);
            length = reader.GetInt32(1);
            version = reader.GetInt64(2);
            purpose = reader.GetString(3);
            window = reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4);
            issuerId = reader.GetString(5);
        }

        if (window is null || index < 0 || index >= length || value < 0 || value >= 1 << statusSize)
        {
            return new StatusUpdateResult(StatusUpdateOutcome.OutOfRange, listId, index, version);
        }

        long firstBit = (long)index * statusSize;
        long firstByte = firstBit / 8;
        int oldValue = StatusBits.ReadAt(window, firstBit - (firstByte * 8), statusSize);
        if (oldValue == value)
        {
            return new StatusUpdateResult(StatusUpdateOutcome.Unchanged, listId, index, version);
        }

        StatusBits.WriteAt(window, firstBit - (firstByte * 8), statusSize, value);
        string target = credentialId ?? listId + "#" + index.ToString(CultureInfo.InvariantCulture);
        string detailsPrefix = StatusChangeAudit.DetailsPrefix(listId, index, oldValue, value, reason);
        long newVersion;
        DateTimeOffset now = timeProvider.GetUtcNow();
        await using (NpgsqlCommand write = Command(connection, transaction, """
            WITH u AS (
                UPDATE status_lists SET bitstring = overlay(bitstring PLACING $2 FROM $3), version = version + 1, updated_at = $4
                WHERE list_id = $1
                RETURNING version, issuer_id
            ), changed AS (
                INSERT INTO status_changes (list_id, idx, credential_id, old_value, new_value, actor, changed_at, version, reason)
                SELECT $1, $5, $6, $7, $8, $9, $4, u.version, $13 FROM u
            ), followed AS (
                -- The credential holding the entry follows (with its re-issues), so listings filter by state without reading bits.
                UPDATE credentials SET
                    revoked = CASE WHEN $10 = 'status.revocation' THEN $8 <> 0 ELSE revoked END,
                    suspended = CASE WHEN $10 = 'status.suspension' THEN $8 <> 0 ELSE suspended END
                WHERE (id = COALESCE($6, (SELECT credential_id FROM status_allocations WHERE list_id = $1 AND idx = $5))
                       OR reissue_of = COALESCE($6, (SELECT credential_id FROM status_allocations WHERE list_id = $1 AND idx = $5)))
                  AND EXISTS (SELECT 1 FROM u)
            ), audited AS (
                INSERT INTO audit_log (issuer_id, actor, action, target, at, request_id, details)
                SELECT u.issuer_id, $9, $10, $11, $4, NULL, $12 || u.version::text || '}' FROM u
            )
            SELECT version FROM u;
            """,
            Pg.Text(listId), Pg.Bytea(window), Pg.Integer(checked((int)firstByte + 1)), Pg.Time(now),
            Pg.Integer(index), Pg.Text(credentialId), Pg.Integer(oldValue), Pg.Integer(value), Pg.Text(actor),
            Pg.Text("status." + purpose), Pg.Text(target), Pg.Text(detailsPrefix), Pg.Text(reason)))
        {
            newVersion = (long)(await write.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        Debug.Assert(newVersion == version + 1, "The row lock keeps the version from moving under us.");
        if (credentialId is not null && WebhookEvents.ForStatusChange(purpose, oldValue, value) is { } eventType)
        {
            // The outbox half of the status change, in the same transaction.
            await ExecuteAsync(connection, transaction,
                PostgresWebhookStore.EnqueueTemplate.Replace("$issuer", "$1", StringComparison.Ordinal).Replace("$type", "$2", StringComparison.Ordinal)
                    .Replace("$payload", "$3", StringComparison.Ordinal).Replace("$now", "$4", StringComparison.Ordinal).Replace("$msg", "$5", StringComparison.Ordinal) + ";",
                cancellationToken,
                Pg.Text(issuerId), Pg.Text(eventType), Pg.Text(WebhookEvents.Payload(eventType, now, credentialId, issuerId, achievementId, purpose, reason)), Pg.Time(now),
                Pg.Text(WebhookEvents.NewMessageId())).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new StatusUpdateResult(StatusUpdateOutcome.Updated, listId, index, newVersion);
    }

    public async Task<IReadOnlyList<StatusChangeRecord>> ListChangesAsync(string listId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {ChangeColumns} FROM status_changes WHERE list_id = $1 ORDER BY seq;", Pg.Text(listId));
        return await ReadChangesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StatusChangeRecord?> GetLatestChangeAsync(string listId, int index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {ChangeColumns} FROM status_changes WHERE list_id = $1 AND idx = $2 ORDER BY seq DESC LIMIT 1;", Pg.Text(listId), Pg.Integer(index));
        IReadOnlyList<StatusChangeRecord> rows = await ReadChangesAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<IReadOnlyList<StatusChangeRecord>> ReadChangesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<StatusChangeRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new StatusChangeRecord(
                reader.GetString(0),
                reader.GetInt32(1),
                Pg.NullableString(reader, 2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                reader.GetString(5),
                Pg.Time(reader, 6),
                reader.GetInt64(7))
            {
                Reason = Pg.NullableString(reader, 8),
            });
        }

        return rows;
    }

    private static async Task<IReadOnlyList<StatusListRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<StatusListRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new StatusListRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                reader.GetFieldValue<byte[]>(5),
                reader.GetInt64(6),
                reader.GetInt32(7),
                Pg.Time(reader, 8),
                Pg.Time(reader, 9)));
        }

        return rows;
    }
}
