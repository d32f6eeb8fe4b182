using Npgsql;

namespace BadgeIssuer.Storage.Postgres;

/// <summary>
/// Credential offers. Every state change is one statement — <c>UPDATE … WHERE state = … RETURNING</c> with its audit
/// entry in a data-modifying CTE — so on any number of instances a code, a transaction code attempt or a token counts
/// once: concurrent updates of one row queue on its lock and re-check the state.
/// </summary>
internal sealed class PostgresOfferStore(PostgresBadgeStorage storage) : IOfferStore
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
        NpgsqlParameter[] parameters =
        [
            Pg.Text(offer.OfferId), Pg.Text(offer.CredentialId), Pg.Text(offer.IssuerId), Pg.Bytea(offer.HandleHash), Pg.Bytea(offer.CodeHash),
            Pg.Text(offer.State), Pg.Time(offer.CreatedAt), Pg.Time(offer.ExpiresAt), Pg.Text(offer.CreatedBy),
            Pg.NullableBytea(offer.TxCodeHash), NullableInteger(offer.TxCodeLength), Pg.Text(offer.TxCodeDescription),
        ];
        await using NpgsqlCommand command = storage.Command(
            $"""
            WITH changed AS (
                INSERT INTO credential_offers (offer_id, credential_id, issuer_id, handle_hash, code_hash, state, created_at, expires_at, created_by,
                                               tx_code_hash, tx_code_length, tx_code_description)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                RETURNING 1
            ){Audit(13)}
            SELECT count(*)::integer FROM changed;
            """,
            [.. parameters, .. AuditParameters(audit)]);
        try
        {
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (PostgresBadgeStorage.IsUniqueViolation(e))
        {
            throw new StorageConflictException("An offer with this id or secret already exists.", e);
        }
    }

    public Task<CredentialOfferRecord?> GetAsync(string offerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerId);
        return FindAsync("offer_id = $1", Pg.Text(offerId), cancellationToken);
    }

    public Task<CredentialOfferRecord?> FindByHandleAsync(ReadOnlyMemory<byte> handleHash, CancellationToken cancellationToken = default) =>
        FindAsync("handle_hash = $1", Pg.Bytea(handleHash), cancellationToken);

    public Task<CredentialOfferRecord?> FindByCodeAsync(ReadOnlyMemory<byte> codeHash, CancellationToken cancellationToken = default) =>
        FindAsync("code_hash = $1", Pg.Bytea(codeHash), cancellationToken);

    public Task<CredentialOfferRecord?> FindByTokenAsync(ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default) =>
        FindAsync("token_hash = $1", Pg.Bytea(tokenHash), cancellationToken);

    public async Task<IReadOnlyList<CredentialOfferRecord>> ListAsync(string credentialId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using NpgsqlCommand command = storage.Command(
            $"SELECT {Columns} FROM credential_offers WHERE credential_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2;",
            Pg.Text(credentialId), Pg.Integer(limit));
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<(CredentialOfferRecord? Offer, bool Changed)> WithdrawAsync(string offerId, DateTimeOffset at, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerId);
        ArgumentNullException.ThrowIfNull(audit);
        CredentialOfferRecord? changed = await UpdateAsync(
            $"""
            UPDATE credential_offers SET state = '{OfferStates.Withdrawn}', withdrawn_at = $2
            WHERE offer_id = $1 AND state IN ('{OfferStates.Offered}', '{OfferStates.Redeemed}', '{OfferStates.Locked}')
            """,
            [Pg.Text(offerId), Pg.Time(at)],
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
            SET state = '{OfferStates.Redeemed}', token_hash = $4, token_expires_at = $5, granted_identifiers = $8, redeemed_via = $7, redeemed_at = $3
            WHERE code_hash = $1 AND state = '{OfferStates.Offered}' AND expires_at > $3 AND tx_failures < $6
              AND ((tx_code_hash IS NULL AND $2::bytea IS NULL) OR tx_code_hash = $2)
            """,
            [
                Pg.Bytea(redemption.CodeHash), Pg.NullableBytea(redemption.TxCodeHash), Pg.Time(redemption.Now), Pg.Bytea(redemption.TokenHash),
                Pg.Time(redemption.TokenExpiresAt), Pg.Integer(redemption.MaxTxCodeFailures), Pg.Text(redemption.Via), Pg.Text(redemption.GrantedIdentifiers),
            ],
            audit,
            cancellationToken);
    }

    public async Task<CredentialOfferRecord?> RecordTxCodeFailureAsync(ReadOnlyMemory<byte> codeHash, int maxFailures, AuditRecord lockAudit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lockAudit);
        // The audit entry is written only by the update that locks the offer.
        await using NpgsqlCommand command = storage.Command(
            $"""
            WITH changed AS (
                UPDATE credential_offers
                SET tx_failures = tx_failures + 1,
                    state = CASE WHEN tx_failures + 1 >= $2 THEN '{OfferStates.Locked}' ELSE state END
                WHERE code_hash = $1 AND state = '{OfferStates.Offered}'
                RETURNING {Columns}
            ), audited AS (
                INSERT INTO audit_log (issuer_id, actor, action, target, at, request_id, details)
                SELECT $3, $4, $5, changed.offer_id, $6, $7, $8 FROM changed WHERE changed.state = '{OfferStates.Locked}'
                RETURNING 1
            )
            SELECT {Columns} FROM changed;
            """,
            Pg.Bytea(codeHash), Pg.Integer(maxFailures), Pg.Text(lockAudit.IssuerId), Pg.Text(lockAudit.Actor), Pg.Text(lockAudit.Action),
            Pg.Time(lockAudit.At), Pg.Text(lockAudit.RequestId), Pg.Text(lockAudit.Details));
        IReadOnlyList<CredentialOfferRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : null;
    }

    public Task<CredentialOfferRecord?> ClaimTokenAsync(ReadOnlyMemory<byte> tokenHash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            $"""
            UPDATE credential_offers SET state = '{OfferStates.Issuing}'
            WHERE token_hash = $1 AND state = '{OfferStates.Redeemed}' AND token_expires_at > $2
            """,
            [Pg.Bytea(tokenHash), Pg.Time(now)],
            null,
            cancellationToken);

    public Task<CredentialOfferRecord?> ClaimForExchangeAsync(ReadOnlyMemory<byte> handleHash, DateTimeOffset now, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return UpdateAsync(
            $"""
            UPDATE credential_offers SET state = '{OfferStates.Issuing}', redeemed_via = '{OfferRedeemers.VcApi}', redeemed_at = $2
            WHERE handle_hash = $1 AND state = '{OfferStates.Offered}' AND expires_at > $2 AND tx_code_hash IS NULL
            """,
            [Pg.Bytea(handleHash), Pg.Time(now)],
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
            WHERE offer_id = $1 AND state = '{OfferStates.Issuing}'
            """,
            [Pg.Text(offerId)],
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
            UPDATE credential_offers SET state = '{OfferStates.Delivered}', delivered_at = $2, delivered_credential_id = $3
            WHERE offer_id = $1 AND state = '{OfferStates.Issuing}'
            """,
            [Pg.Text(offerId), Pg.Time(at), Pg.Text(deliveredCredentialId)],
            audit,
            cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<bool> ConsumeNonceAsync(ReadOnlyMemory<byte> nonceHash, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // The primary key decides between racing requests on any instance: one insert wins, the others do nothing.
        await using NpgsqlCommand command = storage.Command(
            """
            WITH purged AS (DELETE FROM used_nonces WHERE expires_at <= $3 AND nonce_hash <> $1)
            INSERT INTO used_nonces (nonce_hash, expires_at) VALUES ($1, $2) ON CONFLICT (nonce_hash) DO NOTHING;
            """,
            Pg.Bytea(nonceHash), Pg.Time(expiresAt), Pg.Time(now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<CredentialOfferRecord?> UpdateAsync(string update, NpgsqlParameter[] parameters, AuditRecord? audit, CancellationToken cancellationToken)
    {
        string sql = audit is null
            ? $"{update} RETURNING {Columns};"
            : $"""
              WITH changed AS (
                  {update}
                  RETURNING {Columns}
              ){Audit(parameters.Length + 1)}
              SELECT {Columns} FROM changed;
              """;
        await using NpgsqlCommand command = storage.Command(sql, audit is null ? parameters : [.. parameters, .. AuditParameters(audit)]);
        IReadOnlyList<CredentialOfferRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : null;
    }

    // The audit entry of a changed row, written in the same statement; its seven parameters start at $first.
    private static string Audit(int first)
    {
        string P(int i) => "$" + (first + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"""
            , audited AS (
                INSERT INTO audit_log (issuer_id, actor, action, target, at, request_id, details)
                SELECT {P(0)}, {P(1)}, {P(2)}, {P(3)}, {P(4)}, {P(5)}, {P(6)} FROM changed
                RETURNING 1
            )
            """;
    }

    private static NpgsqlParameter[] AuditParameters(AuditRecord audit) =>
    [
        Pg.Text(audit.IssuerId), Pg.Text(audit.Actor), Pg.Text(audit.Action), Pg.Text(audit.Target), Pg.Time(audit.At),
        Pg.Text(audit.RequestId), Pg.Text(audit.Details),
    ];

    private static NpgsqlParameter NullableInteger(int? value) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer, Value = value is { } v ? v : DBNull.Value };

    private async Task<CredentialOfferRecord?> FindAsync(string where, NpgsqlParameter value, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = storage.Command($"SELECT {Columns} FROM credential_offers WHERE {where};", value);
        IReadOnlyList<CredentialOfferRecord> rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<IReadOnlyList<CredentialOfferRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<CredentialOfferRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new CredentialOfferRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<byte[]>(3),
                reader.GetFieldValue<byte[]>(4),
                reader.GetString(5),
                Pg.Time(reader, 6),
                Pg.Time(reader, 7),
                reader.GetString(8))
            {
                TxCodeHash = reader.IsDBNull(9) ? null : (ReadOnlyMemory<byte>?)reader.GetFieldValue<byte[]>(9),
                TxCodeLength = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                TxCodeDescription = Pg.NullableString(reader, 11),
                TxCodeFailures = reader.GetInt32(12),
                TokenHash = reader.IsDBNull(13) ? null : (ReadOnlyMemory<byte>?)reader.GetFieldValue<byte[]>(13),
                TokenExpiresAt = Pg.NullableTime(reader, 14),
                GrantedIdentifiers = Pg.NullableString(reader, 15),
                RedeemedVia = Pg.NullableString(reader, 16),
                RedeemedAt = Pg.NullableTime(reader, 17),
                DeliveredAt = Pg.NullableTime(reader, 18),
                DeliveredCredentialId = Pg.NullableString(reader, 19),
                WithdrawnAt = Pg.NullableTime(reader, 20),
            });
        }

        return rows;
    }
}
