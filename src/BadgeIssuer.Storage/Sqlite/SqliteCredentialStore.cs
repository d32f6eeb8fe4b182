using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>
/// Credentials. Writes go through a group-commit queue: one writer drains every pending add into one
/// <c>BEGIN IMMEDIATE</c> transaction (each add in its own savepoint, so one failure does not undo the others) and
/// commits once, so a burst of issuance costs one durable commit (one fsync) instead of one per credential.
/// A caller's task completes only after the commit that holds its row.
/// </summary>
internal sealed partial class SqliteCredentialStore(SqliteBadgeStorage storage) : ICredentialStore, IDisposable
{
    private const string Columns = "id, issuer_id, achievement_id, recipient, signed_json, jwt, status_entries, issued_at, idempotency_key, reissue_of";

    // What a read returns: the stored columns and the keyed recipient hash (CredentialRecord.RecipientKey).
    private const string ReadColumns = Columns + ", recipient_key";
    private const int MaxGroup = 256;

    private readonly Channel<PendingAdd> _queue = Channel.CreateUnbounded<PendingAdd>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startLock = new();
    private Task? _writer;

    public Task<CredentialAddResult> AddAsync(
        CredentialRecord credential,
        IReadOnlyList<StatusListIndex> statusIndexes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(statusIndexes);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureWriter();
        var pending = new PendingAdd(credential, statusIndexes);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);

        // Once queued the write happens; cancelling only stops the wait (an idempotency key makes the retry safe).
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private void EnsureWriter()
    {
        if (_writer is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _writer ??= Task.Run(WriteLoopAsync);
        }
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingAdd>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out PendingAdd? next))
            {
                group.Add(next);
            }

            if (group.Count > 0)
            {
                await WriteGroupAsync(group).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteGroupAsync(List<PendingAdd> group)
    {
        var results = new (CredentialAddResult? Result, Exception? Error)[group.Count];
        try
        {
            using WriteLease writeLease = await storage.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);
            using SqliteConnection connection = await storage.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
            for (int i = 0; i < group.Count; i++)
            {
                await ExecuteAsync(connection, transaction, "SAVEPOINT add_one;", CancellationToken.None).ConfigureAwait(false);
                try
                {
                    results[i] = (await AddOneAsync(connection, transaction, group[i].Credential, group[i].StatusIndexes).ConfigureAwait(false), null);
                    await ExecuteAsync(connection, transaction, "RELEASE add_one;", CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SqliteException or StorageConflictException or InvalidOperationException or PathwayPartsChangedException)
                {
                    await ExecuteAsync(connection, transaction, "ROLLBACK TO add_one; RELEASE add_one;", CancellationToken.None).ConfigureAwait(false);
                    results[i] = (null, e);
                }
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException)
        {
            foreach (PendingAdd pending in group)
            {
                pending.Completion.TrySetException(e);
            }

            return;
        }

        for (int i = 0; i < group.Count; i++)
        {
            if (results[i].Error is { } error)
            {
                group[i].Completion.TrySetException(error);
            }
            else
            {
                group[i].Completion.TrySetResult(results[i].Result!);
            }
        }
    }

    private static async Task<CredentialAddResult> AddOneAsync(
        SqliteConnection connection, SqliteTransaction transaction, CredentialRecord credential, IReadOnlyList<StatusListIndex> statusIndexes)
    {
        CancellationToken cancellationToken = CancellationToken.None;
        if (credential.IdempotencyKey is not null)
        {
            CredentialRecord? existing = await GetByIdempotencyKeyAsync(connection, transaction, credential.IssuerId, credential.IdempotencyKey, cancellationToken)
                .ConfigureAwait(false);
            if (existing is not null)
            {
                return new CredentialAddResult(existing, Created: false);
            }
        }

        if (credential.PathwayAward is { } parts)
        {
            await CheckPathwayPartsAsync(connection, transaction, parts).ConfigureAwait(false);
        }

        using (SqliteCommand insert = Command(connection, transaction,
            $"INSERT INTO credentials ({Columns}, recipient_key) VALUES ($id, $issuer, $achievement, $recipient, $json, $jwt, $status, $issued, $idem, $reissue, $key);"))
        {
            insert.Parameters.Add("$key", SqliteType.Blob).Value = credential.RecipientKey is { } key ? key.ToArray() : DBNull.Value;
            insert.Parameters.AddWithValue("$id", credential.Id);
            insert.Parameters.AddWithValue("$issuer", credential.IssuerId);
            insert.Parameters.AddWithValue("$achievement", (object?)credential.AchievementId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$recipient", credential.Recipient);
            insert.Parameters.AddWithValue("$json", (object?)credential.SignedJson ?? DBNull.Value);
            insert.Parameters.AddWithValue("$jwt", (object?)credential.Jwt ?? DBNull.Value);
            insert.Parameters.AddWithValue("$status", (object?)credential.StatusEntriesJson ?? DBNull.Value);
            insert.Parameters.AddWithValue("$issued", SqliteTime.Ticks(credential.IssuedAt));
            insert.Parameters.AddWithValue("$idem", (object?)credential.IdempotencyKey ?? DBNull.Value);
            insert.Parameters.AddWithValue("$reissue", (object?)credential.ReissueOf ?? DBNull.Value);
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e) when (IsUniqueViolation(e))
            {
                throw new StorageConflictException("A credential with this id already exists.", e);
            }
        }

        foreach (StatusListIndex index in statusIndexes)
        {
            using SqliteCommand link = Command(connection, transaction,
                "UPDATE status_allocations SET credential_id = $id WHERE list_id = $list AND idx = $idx AND credential_id IS NULL;");
            link.Parameters.AddWithValue("$id", credential.Id);
            link.Parameters.AddWithValue("$list", index.ListId);
            link.Parameters.AddWithValue("$idx", index.Index);
            if (await link.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                // Rolls back with the savepoint: an index not allocated, or held by another credential, is a caller bug.
                throw new InvalidOperationException($"Status index {index.Index} of list '{index.ListId}' is not an unused allocation.");
            }
        }

        if (credential.PathwayAward is { } pathwayAward)
        {
            await WritePathwayAwardAsync(connection, transaction, credential.Id, pathwayAward).ConfigureAwait(false);
        }

        if (credential.IssuedBy is { } actor)
        {
            await SqliteAuditStore.AppendAsync(connection, transaction,
                new AuditRecord(0, credential.IssuerId, actor, "credential.issue", credential.Id, credential.IssuedAt, null, credential.AchievementId), cancellationToken).ConfigureAwait(false);
        }

        // The outbox half of issuance: one delivery per subscribed endpoint, in this savepoint and transaction.
        await SqliteWebhookStore.EnqueueAsync(connection, transaction, credential.IssuerId, WebhookEvents.CredentialIssued,
            WebhookEvents.Payload(WebhookEvents.CredentialIssued, credential.IssuedAt, credential.Id, credential.IssuerId, credential.AchievementId),
            credential.IssuedAt, cancellationToken).ConfigureAwait(false);
        return new CredentialAddResult(credential, Created: true);
    }

    public async Task<IReadOnlyList<CredentialRecord>> ListAsync(string issuerId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            $"SELECT {ReadColumns} FROM credentials WHERE issuer_id = $issuer ORDER BY issued_at DESC, rowid DESC LIMIT $limit;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        command.Parameters.AddWithValue("$limit", limit);
        var rows = new List<CredentialRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    public async Task<IReadOnlyList<CredentialListItem>> QueryAsync(CredentialQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.IssuerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 1000);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, string.Empty);
        var sql = new System.Text.StringBuilder(
            "SELECT id, issuer_id, achievement_id, issued_at, revoked, suspended, signed_json IS NOT NULL, jwt IS NOT NULL FROM credentials WHERE issuer_id = $issuer");
        command.Parameters.AddWithValue("$issuer", query.IssuerId);
        if (query.AchievementId is { } achievement)
        {
            sql.Append(" AND achievement_id = $achievement");
            command.Parameters.AddWithValue("$achievement", achievement);
        }

        if (query.RecipientKey is { } key)
        {
            sql.Append(" AND recipient_key = $key");
            command.Parameters.Add("$key", SqliteType.Blob).Value = key.ToArray();
        }

        sql.Append(query.Status switch
        {
            CredentialListStatus.Active => " AND revoked = 0 AND suspended = 0",
            CredentialListStatus.Revoked => " AND revoked = 1",
            CredentialListStatus.Suspended => " AND revoked = 0 AND suspended = 1",
            _ => string.Empty,
        });
        if (query.IssuedAfter is { } after)
        {
            sql.Append(" AND issued_at >= $after");
            command.Parameters.AddWithValue("$after", SqliteTime.Ticks(after));
        }

        if (query.IssuedBefore is { } before)
        {
            sql.Append(" AND issued_at < $before");
            command.Parameters.AddWithValue("$before", SqliteTime.Ticks(before));
        }

        if (query.After is { } position)
        {
            sql.Append(" AND (issued_at < $at OR (issued_at = $at AND id < $id))");
            command.Parameters.AddWithValue("$at", SqliteTime.Ticks(position.IssuedAt));
            command.Parameters.AddWithValue("$id", position.Id);
        }

        sql.Append(" ORDER BY issued_at DESC, id DESC LIMIT $limit;");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();
        var rows = new List<CredentialListItem>(Math.Min(query.Limit, 256));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new CredentialListItem(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                SqliteTime.FromTicks(reader.GetInt64(3)),
                reader.GetInt64(4) != 0 ? CredentialListStatus.Revoked : reader.GetInt64(5) != 0 ? CredentialListStatus.Suspended : CredentialListStatus.Active,
                reader.GetInt64(6) != 0,
                reader.GetInt64(7) != 0));
        }

        return rows;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer?.Wait(TimeSpan.FromSeconds(30));
    }

    private sealed class PendingAdd(CredentialRecord credential, IReadOnlyList<StatusListIndex> statusIndexes)
    {
        public CredentialRecord Credential { get; } = credential;
        public IReadOnlyList<StatusListIndex> StatusIndexes { get; } = statusIndexes;
        public TaskCompletionSource<CredentialAddResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<CredentialRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {ReadColumns} FROM credentials WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        return await ReadOneAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CredentialRecord?> GetByIdempotencyKeyAsync(string issuerId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuerId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await GetByIdempotencyKeyAsync(connection, null, issuerId, idempotencyKey, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<CredentialRecord?> GetByIdempotencyKeyAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string issuerId, string idempotencyKey, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction,
            $"SELECT {ReadColumns} FROM credentials WHERE issuer_id = $issuer AND idempotency_key = $idem;");
        command.Parameters.AddWithValue("$issuer", issuerId);
        command.Parameters.AddWithValue("$idem", idempotencyKey);
        return await ReadOneAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<CredentialRecord?> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return Read(reader);
    }

    private static CredentialRecord Read(SqliteDataReader reader)
    {
        return new CredentialRecord(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            SqliteTime.FromTicks(reader.GetInt64(7)),
            reader.IsDBNull(8) ? null : reader.GetString(8))
        {
            ReissueOf = reader.IsDBNull(9) ? null : reader.GetString(9),
            RecipientKey = reader.IsDBNull(10) || reader.GetValue(10) is not byte[] { Length: > 0 } key ? (ReadOnlyMemory<byte>?)null : key,
        };
    }
}
