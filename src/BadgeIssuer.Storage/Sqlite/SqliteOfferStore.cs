using Microsoft.Data.Sqlite;
using static BadgeIssuer.Storage.Sqlite.SqliteBadgeStorage;

namespace BadgeIssuer.Storage.Sqlite;

/// <summary>
/// Credential offers. Every state change is one <c>UPDATE … WHERE state = …</c> inside a write transaction (with its
/// audit entry), so a code, a transaction code attempt or a token counts once however many requests race.
/// </summary>
internal sealed class SqliteOfferStore(SqliteBadgeStorage storage) : IOfferStore
{
    private const string Columns = """
        offer_id, credential_id, issuer_id, handle_hash, code_hash, state, created_at, expires_at, created_by,
        tx_code_hash, tx_code_length, tx_code_description, tx_failures, token_hash, token_expires_at, granted_identifiers,
        redeemed_via, redeemed_at, delivered_at, delivered_credential_id, withdrawn_at
        """;

    public async Task CreateAsync(CredentialOfferRecord offer, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(audit);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using (SqliteCommand insert = Command(connection, transaction, $"""
            INSERT INTO credential_offers ({Columns})
            VALUES ($id, $credential, $issuer, $handle, $code, $state, $created, $expires, $by,
                    $tx, $txlen, $txdesc, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """))
        {
            insert.Parameters.AddWithValue("$id", offer.OfferId);
            insert.Parameters.AddWithValue("$credential", offer.CredentialId);
            insert.Parameters.AddWithValue("$issuer", offer.IssuerId);
            insert.Parameters.AddWithValue("$handle", offer.HandleHash.ToArray());
            insert.Parameters.AddWithValue("$code", offer.CodeHash.ToArray());
            insert.Parameters.AddWithValue("$state", offer.State);
            insert.Parameters.AddWithValue("$created", SqliteTime.Ticks(offer.CreatedAt));
            insert.Parameters.AddWithValue("$expires", SqliteTime.Ticks(offer.ExpiresAt));
            insert.Parameters.AddWithValue("$by", offer.CreatedBy);
            insert.Parameters.Add("$tx", SqliteType.Blob).Value = offer.TxCodeHash is { } tx ? tx.ToArray() : DBNull.Value;
            insert.Parameters.AddWithValue("$txlen", (object?)offer.TxCodeLength ?? DBNull.Value);
            insert.Parameters.AddWithValue("$txdesc", (object?)offer.TxCodeDescription ?? DBNull.Value);
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException e) when (IsUniqueViolation(e))
            {
                throw new StorageConflictException("An offer with this id or secret already exists.", e);
            }
        }

        await SqliteAuditStore.AppendAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<CredentialOfferRecord?> GetAsync(string offerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerId);
        return FindAsync("offer_id = $v", offerId, cancellationToken);
    }

    public Task<CredentialOfferRecord?> FindByHandleAsync(ReadOnlyMemory<byte> handleHash, CancellationToken cancellationToken = default) =>
        FindAsync("handle_hash = $v", handleHash.ToArray(), cancellationToken);

    public Task<CredentialOfferRecord?> FindByCodeAsync(ReadOnlyMemory<byte> codeHash, CancellationToken cancellationToken = default) =>
        FindAsync("code_hash = $v", codeHash.ToArray(), cancellationToken);

    public Task<CredentialOfferRecord?> FindByTokenAsync(ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default) =>
        FindAsync("token_hash = $v", tokenHash.ToArray(), cancellationToken);

    public async Task<IReadOnlyList<CredentialOfferRecord>> ListAsync(string credentialId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null,
            $"SELECT {Columns} FROM credential_offers WHERE credential_id = $c ORDER BY created_at DESC, rowid DESC LIMIT $limit;");
        command.Parameters.AddWithValue("$c", credentialId);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<(CredentialOfferRecord? Offer, bool Changed)> WithdrawAsync(string offerId, DateTimeOffset at, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerId);
        ArgumentNullException.ThrowIfNull(audit);
        CredentialOfferRecord? changed = await UpdateAsync(
            $"""
            UPDATE credential_offers SET state = '{OfferStates.Withdrawn}', withdrawn_at = $at
            WHERE offer_id = $id AND state IN ('{OfferStates.Offered}', '{OfferStates.Redeemed}', '{OfferStates.Locked}')
            RETURNING {Columns};
            """,
            p =>
            {
                p.AddWithValue("$id", offerId);
                p.AddWithValue("$at", SqliteTime.Ticks(at));
            },
            audit,
            cancellationToken).ConfigureAwait(false);
        return changed is not null ? (changed, true) : (await GetAsync(offerId, cancellationToken).ConfigureAwait(false), false);
    }

    public Task<CredentialOfferRecord?> RedeemAsync(OfferRedemption redemption, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redemption);
        ArgumentNullException.ThrowIfNull(audit);
        return UpdateAsync(
            $"""
            UPDATE credential_offers
            SET state = '{OfferStates.Redeemed}', token_hash = $token, token_expires_at = $tokenExpires, granted_identifiers = $granted,
                redeemed_via = $via, redeemed_at = $now
            WHERE code_hash = $code AND state = '{OfferStates.Offered}' AND expires_at > $now AND tx_failures < $max
              AND ((tx_code_hash IS NULL AND $tx IS NULL) OR tx_code_hash = $tx)
            RETURNING {Columns};
            """,
            p =>
            {
                p.AddWithValue("$code", redemption.CodeHash.ToArray());
                p.Add("$tx", SqliteType.Blob).Value = redemption.TxCodeHash is { } tx ? tx.ToArray() : DBNull.Value;
                p.AddWithValue("$now", SqliteTime.Ticks(redemption.Now));
                p.AddWithValue("$token", redemption.TokenHash.ToArray());
                p.AddWithValue("$tokenExpires", SqliteTime.Ticks(redemption.TokenExpiresAt));
                p.AddWithValue("$max", redemption.MaxTxCodeFailures);
                p.AddWithValue("$via", redemption.Via);
                p.AddWithValue("$granted", (object?)redemption.GrantedIdentifiers ?? DBNull.Value);
            },
            audit,
            cancellationToken);
    }

    public async Task<CredentialOfferRecord?> RecordTxCodeFailureAsync(ReadOnlyMemory<byte> codeHash, int maxFailures, AuditRecord lockAudit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lockAudit);
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        IReadOnlyList<CredentialOfferRecord> rows;
        using (SqliteCommand command = Command(connection, transaction, $"""
            UPDATE credential_offers
            SET tx_failures = tx_failures + 1,
                state = CASE WHEN tx_failures + 1 >= $max THEN '{OfferStates.Locked}' ELSE state END
            WHERE code_hash = $code AND state = '{OfferStates.Offered}'
            RETURNING {Columns};
            """))
        {
            command.Parameters.AddWithValue("$code", codeHash.ToArray());
            command.Parameters.AddWithValue("$max", maxFailures);
            rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        }

        if (rows.Count == 1 && rows[0].State == OfferStates.Locked)
        {
            await SqliteAuditStore.AppendAsync(connection, transaction, lockAudit with { Target = rows[0].OfferId }, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : null;
    }

    public Task<CredentialOfferRecord?> ClaimTokenAsync(ReadOnlyMemory<byte> tokenHash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            $"""
            UPDATE credential_offers SET state = '{OfferStates.Issuing}'
            WHERE token_hash = $token AND state = '{OfferStates.Redeemed}' AND token_expires_at > $now
            RETURNING {Columns};
            """,
            p =>
            {
                p.AddWithValue("$token", tokenHash.ToArray());
                p.AddWithValue("$now", SqliteTime.Ticks(now));
            },
            null,
            cancellationToken);

    public Task<CredentialOfferRecord?> ClaimForExchangeAsync(ReadOnlyMemory<byte> handleHash, DateTimeOffset now, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return UpdateAsync(
            $"""
            UPDATE credential_offers SET state = '{OfferStates.Issuing}', redeemed_via = '{OfferRedeemers.VcApi}', redeemed_at = $now
            WHERE handle_hash = $handle AND state = '{OfferStates.Offered}' AND expires_at > $now AND tx_code_hash IS NULL
            RETURNING {Columns};
            """,
            p =>
            {
                p.AddWithValue("$handle", handleHash.ToArray());
                p.AddWithValue("$now", SqliteTime.Ticks(now));
            },
            audit,
            cancellationToken);
    }

    public async Task<bool> ReleaseClaimAsync(string offerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerId);
        return await UpdateAsync(
            $"""
            UPDATE credential_offers
            SET state = CASE WHEN redeemed_via = '{OfferRedeemers.VcApi}' THEN '{OfferStates.Offered}' ELSE '{OfferStates.Redeemed}' END,
                redeemed_at = CASE WHEN redeemed_via = '{OfferRedeemers.VcApi}' THEN NULL ELSE redeemed_at END,
                redeemed_via = CASE WHEN redeemed_via = '{OfferRedeemers.VcApi}' THEN NULL ELSE redeemed_via END
            WHERE offer_id = $id AND state = '{OfferStates.Issuing}'
            RETURNING {Columns};
            """,
            p => p.AddWithValue("$id", offerId),
            null,
            cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<bool> CompleteAsync(string offerId, string deliveredCredentialId, DateTimeOffset at, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerId);
        ArgumentNullException.ThrowIfNull(deliveredCredentialId);
        ArgumentNullException.ThrowIfNull(audit);
        return await UpdateAsync(
            $"""
            UPDATE credential_offers SET state = '{OfferStates.Delivered}', delivered_at = $at, delivered_credential_id = $delivered
            WHERE offer_id = $id AND state = '{OfferStates.Issuing}'
            RETURNING {Columns};
            """,
            p =>
            {
                p.AddWithValue("$id", offerId);
                p.AddWithValue("$at", SqliteTime.Ticks(at));
                p.AddWithValue("$delivered", deliveredCredentialId);
            },
            audit,
            cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<bool> ConsumeNonceAsync(ReadOnlyMemory<byte> nonceHash, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using (SqliteCommand purge = Command(connection, transaction, "DELETE FROM used_nonces WHERE expires_at <= $now;"))
        {
            purge.Parameters.AddWithValue("$now", SqliteTime.Ticks(now));
            await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int added;
        using (SqliteCommand insert = Command(connection, transaction, "INSERT INTO used_nonces (nonce_hash, expires_at) VALUES ($hash, $expires) ON CONFLICT (nonce_hash) DO NOTHING;"))
        {
            insert.Parameters.AddWithValue("$hash", nonceHash.ToArray());
            insert.Parameters.AddWithValue("$expires", SqliteTime.Ticks(expiresAt));
            added = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added == 1;
    }

    private async Task<CredentialOfferRecord?> UpdateAsync(string sql, Action<SqliteParameterCollection> bind, AuditRecord? audit, CancellationToken cancellationToken)
    {
        using WriteLease writeLease = await storage.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        IReadOnlyList<CredentialOfferRecord> rows;
        using (SqliteCommand command = Command(connection, transaction, sql))
        {
            bind(command.Parameters);
            rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        }

        if (rows.Count == 1 && audit is not null)
        {
            await SqliteAuditStore.AppendAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : null;
    }

    private async Task<CredentialOfferRecord?> FindAsync(string where, object value, CancellationToken cancellationToken)
    {
        using SqliteConnection connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, $"SELECT {Columns} FROM credential_offers WHERE {where};");
        command.Parameters.AddWithValue("$v", value);
        IReadOnlyList<CredentialOfferRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<IReadOnlyList<CredentialOfferRecord>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<CredentialOfferRecord>();
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new CredentialOfferRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                (byte[])reader.GetValue(3),
                (byte[])reader.GetValue(4),
                reader.GetString(5),
                SqliteTime.FromTicks(reader.GetInt64(6)),
                SqliteTime.FromTicks(reader.GetInt64(7)),
                reader.GetString(8))
            {
                TxCodeHash = reader.IsDBNull(9) ? null : (ReadOnlyMemory<byte>?)(byte[])reader.GetValue(9),
                TxCodeLength = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                TxCodeDescription = reader.IsDBNull(11) ? null : reader.GetString(11),
                TxCodeFailures = reader.GetInt32(12),
                TokenHash = reader.IsDBNull(13) ? null : (ReadOnlyMemory<byte>?)(byte[])reader.GetValue(13),
                TokenExpiresAt = reader.IsDBNull(14) ? null : SqliteTime.FromTicks(reader.GetInt64(14)),
                GrantedIdentifiers = reader.IsDBNull(15) ? null : reader.GetString(15),
                RedeemedVia = reader.IsDBNull(16) ? null : reader.GetString(16),
                RedeemedAt = reader.IsDBNull(17) ? null : SqliteTime.FromTicks(reader.GetInt64(17)),
                DeliveredAt = reader.IsDBNull(18) ? null : SqliteTime.FromTicks(reader.GetInt64(18)),
                DeliveredCredentialId = reader.IsDBNull(19) ? null : reader.GetString(19),
                WithdrawnAt = reader.IsDBNull(20) ? null : SqliteTime.FromTicks(reader.GetInt64(20)),
            });
        }

        return rows;
    }
}
