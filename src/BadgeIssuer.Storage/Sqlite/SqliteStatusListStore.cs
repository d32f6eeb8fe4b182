using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>
/// Index allocation: inside one transaction, pick the oldest list with room (or create one), try a random index
/// against the (list_id, idx) primary key, count it. A unique violation means another writer took the index
/// first (possible on backends without SQLite's single writer), so the whole transaction retries.
/// </summary>
internal sealed class SqliteStatusListStore(SqliteBadgeStorage storage, TimeProvider timeProvider) : IStatusListStore
{
    private const string Columns = "list_id, issuer_id, purpose, status_size, length, bitstring, version, allocated, created_at, updated_at";
    private const string ChangeColumns = "list_id, idx, credential_id, old_value, new_value, actor, changed_at, version, reason";
    private const int RandomProbes = 32;
    private const int MaxAttempts = 16;

    public async Task<StatusListIndex> AllocateIndexAsync(StatusAllocationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateRequest(request);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAllocateAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e) when (IsUniqueViolation(e) && attempt < MaxAttempts)
            {
                // Lost a race for the index; start over with fresh state.
            }
        }
    }

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
            catch (SqliteException e) when (IsUniqueViolation(e) && attempt < MaxAttempts)
            {
                // Lost a race for an index; start over with fresh state.
            }
        }
    }

    public async Task<long?> GetVersionAsync(string listId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT version FROM status_lists WHERE list_id = $list;");
        command.Parameters.AddWithValue("$list", listId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : null;
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

    private async Task<StatusListIndex> TryAllocateAsync(StatusAllocationRequest request, CancellationToken cancellationToken)
        => (await TryAllocateAsync(request, 1, cancellationToken).ConfigureAwait(false))[0];

    private async Task<IReadOnlyList<StatusListIndex>> TryAllocateAsync(StatusAllocationRequest request, int count, CancellationToken cancellationToken)
    {
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        var result = new List<StatusListIndex>(count);
        while (result.Count < count)
        {
            (string listId, int length, int room) = await OpenListAsync(connection, transaction, request, cancellationToken).ConfigureAwait(false);
            int take = Math.Min(room, count - result.Count);
            foreach (int index in await ClaimIndexesAsync(connection, transaction, listId, length, room, take, cancellationToken).ConfigureAwait(false))
            {
                result.Add(new StatusListIndex(listId, index));
            }

            using SqliteCommand counter = Command(connection, transaction, "UPDATE status_lists SET allocated = allocated + $n WHERE list_id = $list;");
            counter.Parameters.AddWithValue("$n", take);
            counter.Parameters.AddWithValue("$list", listId);
            await counter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    // The oldest list with room for the purpose, or a new one.
    private async Task<(string ListId, int Length, int Room)> OpenListAsync(
        SqliteConnection connection, SqliteTransaction transaction, StatusAllocationRequest request, CancellationToken cancellationToken)
    {
        using (SqliteCommand open = Command(connection, transaction, """
            SELECT list_id, length, length - allocated FROM status_lists
            WHERE issuer_id = $issuer AND purpose = $purpose AND status_size = $size AND allocated < length
            ORDER BY created_at, rowid LIMIT 1;
            """))
        {
            open.Parameters.AddWithValue("$issuer", request.IssuerId);
            open.Parameters.AddWithValue("$purpose", request.Purpose);
            open.Parameters.AddWithValue("$size", request.StatusSize);
            using SqliteDataReader reader = await open.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2));
            }
        }

        string listId = Guid.NewGuid().ToString("N");
        int length = request.NewListLength;
        long now = SqliteTime.Ticks(timeProvider.GetUtcNow());
        using SqliteCommand create = Command(connection, transaction, $"""
            INSERT INTO status_lists ({Columns})
            VALUES ($list, $issuer, $purpose, $size, $length, zeroblob($bytes), 1, 0, $now, $now);
            """);
        create.Parameters.AddWithValue("$list", listId);
        create.Parameters.AddWithValue("$issuer", request.IssuerId);
        create.Parameters.AddWithValue("$purpose", request.Purpose);
        create.Parameters.AddWithValue("$size", request.StatusSize);
        create.Parameters.AddWithValue("$length", length);
        create.Parameters.AddWithValue("$bytes", checked(length * request.StatusSize / 8));
        create.Parameters.AddWithValue("$now", now);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return (listId, length, length);
    }

    // Claims `take` random unused indexes of a list that has `room` free. While the list has plenty of room, random
    // probes against the (list_id, idx) key succeed at once; once it is mostly full (or a probe run misses), the free
    // indexes are read once and the rest are drawn uniformly from them, so the cost per block stays bounded
    // instead of growing with the list (a full read per index made issuance collapse near the end of a list).
    private static async Task<List<int>> ClaimIndexesAsync(
        SqliteConnection connection, SqliteTransaction transaction, string listId, int length, int room, int take, CancellationToken cancellationToken)
    {
        using SqliteCommand insert = Command(connection, transaction,
            "INSERT INTO status_allocations (list_id, idx) VALUES ($list, $idx) ON CONFLICT (list_id, idx) DO NOTHING;");
        insert.Parameters.AddWithValue("$list", listId);
        SqliteParameter idx = insert.Parameters.Add("$idx", SqliteType.Integer);
        var claimed = new List<int>(take);

        if ((long)room * 8 >= length)
        {
            while (claimed.Count < take)
            {
                bool found = false;
                for (int probe = 0; probe < RandomProbes && !found; probe++)
                {
                    int candidate = RandomNumberGenerator.GetInt32(length);
                    idx.Value = candidate;
                    if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        claimed.Add(candidate);
                        found = true;
                    }
                }

                if (!found)
                {
                    break;
                }
            }
        }

        if (claimed.Count == take)
        {
            return claimed;
        }

        // Dense phase: one read of the taken indexes, then a uniform draw from the free ones.
        var taken = new bool[length];
        using (SqliteCommand read = Command(connection, transaction, "SELECT idx FROM status_allocations WHERE list_id = $list;"))
        {
            read.Parameters.AddWithValue("$list", listId);
            using SqliteDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                taken[reader.GetInt32(0)] = true;
            }
        }

        var free = new List<int>(room);
        for (int i = 0; i < length; i++)
        {
            if (!taken[i])
            {
                free.Add(i);
            }
        }

        while (claimed.Count < take)
        {
            if (free.Count == 0)
            {
                throw new InvalidOperationException($"Status list '{listId}' is full although its allocation count says otherwise.");
            }

            int pick = RandomNumberGenerator.GetInt32(free.Count);
            int chosen = free[pick];
            free[pick] = free[^1];
            free.RemoveAt(free.Count - 1);
            idx.Value = chosen;
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new InvalidOperationException($"Status index {chosen} of list '{listId}' was taken inside the allocating transaction.");
            }

            claimed.Add(chosen);
        }

        return claimed;
    }

    public async Task<StatusListRecord?> GetAsync(string listId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {Columns} FROM status_lists WHERE list_id = $list;");
        command.Parameters.AddWithValue("$list", listId);
        IReadOnlyList<StatusListRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<StatusListRecord>> ListAsync(string issuerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            $"SELECT {Columns} FROM status_lists WHERE issuer_id = $issuer ORDER BY created_at, rowid;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StatusUpdateResult> SetStatusAsync(string listId, int index, int value, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        ArgumentNullException.ThrowIfNull(actor);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        StatusUpdateResult result = await SetStatusAsync(connection, transaction, listId, index, value, null, actor, reason, null, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<StatusUpdateResult> SetCredentialStatusAsync(string credentialId, string purpose, int value, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        ArgumentNullException.ThrowIfNull(purpose);
        ArgumentNullException.ThrowIfNull(actor);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);

        string? achievementId;
        // A re-issue holds its original's entry: the change is the original's (and both credentials follow it).
        using (SqliteCommand exists = Command(connection, transaction,
            "SELECT o.achievement_id, o.id FROM credentials c JOIN credentials o ON o.id = COALESCE(c.reissue_of, c.id) WHERE c.id = $id;"))
        {
            exists.Parameters.AddWithValue("$id", credentialId);
            using SqliteDataReader found = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await found.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new StatusUpdateResult(StatusUpdateOutcome.CredentialNotFound);
            }

            achievementId = found.IsDBNull(0) ? null : found.GetString(0);
            credentialId = found.GetString(1);
        }

        string listId;
        int index;
        using (SqliteCommand find = Command(connection, transaction, """
            SELECT a.list_id, a.idx FROM status_allocations a JOIN status_lists l ON l.list_id = a.list_id
            WHERE a.credential_id = $id AND l.purpose = $purpose LIMIT 1;
            """))
        {
            find.Parameters.AddWithValue("$id", credentialId);
            find.Parameters.AddWithValue("$purpose", purpose);
            using SqliteDataReader reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new StatusUpdateResult(StatusUpdateOutcome.NoStatusEntry);
            }

            listId = reader.GetString(0);
            index = reader.GetInt32(1);
        }

        StatusUpdateResult result = await SetStatusAsync(connection, transaction, listId, index, value, credentialId, actor, reason, achievementId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<StatusUpdateResult> SetStatusAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string listId,
        int index,
        int value,
        string? credentialId,
        string actor,
        string? reason,
        string? achievementId,
        CancellationToken cancellationToken)
    {
        byte[] bits;
        int statusSize;
        int length;
        long version;
        string issuerId;
        string purpose;
        using (SqliteCommand read = Command(connection, transaction, "SELECT bitstring, status_size, length, version, issuer_id, purpose FROM status_lists WHERE list_id = $list;"))
        {
            read.Parameters.AddWithValue("$list", listId);
            using SqliteDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new StatusUpdateResult(StatusUpdateOutcome.ListNotFound, listId, index);
            }

            bits = (byte[])reader.GetValue(0);
            statusSize = reader.GetInt32(1);
            length = reader.GetInt32(2);
            version = reader.GetInt64(3);
            issuerId = reader.GetString(4);
            purpose = reader.GetString(5);
        }

        if (index < 0 || index >= length || value < 0 || value >= 1 << statusSize)
        {
            return new StatusUpdateResult(StatusUpdateOutcome.OutOfRange, listId, index, version);
        }

        int oldValue = StatusBits.Read(bits, index, statusSize);
        if (oldValue == value)
        {
            return new StatusUpdateResult(StatusUpdateOutcome.Unchanged, listId, index, version);
        }

        StatusBits.Write(bits, index, statusSize, value);
        long now = SqliteTime.Ticks(timeProvider.GetUtcNow());
        using (SqliteCommand write = Command(connection, transaction,
            "UPDATE status_lists SET bitstring = $bits, version = version + 1, updated_at = $now WHERE list_id = $list RETURNING version;"))
        {
            write.Parameters.Add("$bits", SqliteType.Blob).Value = bits;
            write.Parameters.AddWithValue("$now", now);
            write.Parameters.AddWithValue("$list", listId);
            version = (long)(await write.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        using (SqliteCommand audit = Command(connection, transaction, """
            INSERT INTO status_changes (list_id, idx, credential_id, old_value, new_value, actor, changed_at, version, reason)
            VALUES ($list, $idx, $credential, $old, $new, $actor, $now, $version, $reason);
            """))
        {
            audit.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            audit.Parameters.AddWithValue("$list", listId);
            audit.Parameters.AddWithValue("$idx", index);
            audit.Parameters.AddWithValue("$credential", (object?)credentialId ?? DBNull.Value);
            audit.Parameters.AddWithValue("$old", oldValue);
            audit.Parameters.AddWithValue("$new", value);
            audit.Parameters.AddWithValue("$actor", actor);
            audit.Parameters.AddWithValue("$now", now);
            audit.Parameters.AddWithValue("$version", version);
            await audit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // The credential holding the entry follows (with its re-issues), so listings filter by state without reading bits.
        using (SqliteCommand follow = Command(connection, transaction, """
            UPDATE credentials SET
                revoked = CASE WHEN $purpose = 'revocation' THEN $set ELSE revoked END,
                suspended = CASE WHEN $purpose = 'suspension' THEN $set ELSE suspended END
            WHERE id = COALESCE($credential, (SELECT credential_id FROM status_allocations WHERE list_id = $list AND idx = $idx))
               OR reissue_of = COALESCE($credential, (SELECT credential_id FROM status_allocations WHERE list_id = $list AND idx = $idx));
            """))
        {
            follow.Parameters.AddWithValue("$purpose", purpose);
            follow.Parameters.AddWithValue("$set", value != 0 ? 1 : 0);
            follow.Parameters.AddWithValue("$credential", (object?)credentialId ?? DBNull.Value);
            follow.Parameters.AddWithValue("$list", listId);
            follow.Parameters.AddWithValue("$idx", index);
            await follow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await SqliteAuditStore.AppendAsync(connection, transaction, new AuditRecord(
            0, issuerId, actor, "status." + purpose, credentialId ?? listId + "#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            SqliteTime.FromTicks(now), null, StatusChangeAudit.Details(listId, index, oldValue, value, reason, version)), cancellationToken).ConfigureAwait(false);
        if (credentialId is not null && WebhookEvents.ForStatusChange(purpose, oldValue, value) is { } eventType)
        {
            // The outbox half of the status change, in the same transaction.
            await SqliteWebhookStore.EnqueueAsync(connection, transaction, issuerId, eventType,
                WebhookEvents.Payload(eventType, SqliteTime.FromTicks(now), credentialId, issuerId, achievementId, purpose, reason),
                SqliteTime.FromTicks(now), cancellationToken).ConfigureAwait(false);
        }

        return new StatusUpdateResult(StatusUpdateOutcome.Updated, listId, index, version);
    }

    public async Task<IReadOnlyList<StatusChangeRecord>> ListChangesAsync(string listId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"""
            SELECT {ChangeColumns} FROM status_changes WHERE list_id = $list ORDER BY seq;
            """);
        command.Parameters.AddWithValue("$list", listId);
        return await ReadChangesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StatusChangeRecord?> GetLatestChangeAsync(string listId, int index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listId);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"""
            SELECT {ChangeColumns} FROM status_changes WHERE list_id = $list AND idx = $idx ORDER BY seq DESC LIMIT 1;
            """);
        command.Parameters.AddWithValue("$list", listId);
        command.Parameters.AddWithValue("$idx", index);
        IReadOnlyList<StatusChangeRecord> rows = await ReadChangesAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<IReadOnlyList<StatusChangeRecord>> ReadChangesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<StatusChangeRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new StatusChangeRecord(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                reader.GetString(5),
                SqliteTime.FromTicks(reader.GetInt64(6)),
                reader.GetInt64(7))
            {
                Reason = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        }

        return rows;
    }

    private static async Task<IReadOnlyList<StatusListRecord>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<StatusListRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new StatusListRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                (byte[])reader.GetValue(5),
                reader.GetInt64(6),
                reader.GetInt32(7),
                SqliteTime.FromTicks(reader.GetInt64(8)),
                SqliteTime.FromTicks(reader.GetInt64(9))));
        }

        return rows;
    }
}
