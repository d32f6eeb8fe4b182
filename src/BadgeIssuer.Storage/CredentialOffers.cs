namespace BadgeIssuer.Storage;

/// <summary>
/// The states of a credential offer. An offer moves one way only, each step one atomic update in the database, so a
/// pre-authorized code, a transaction code attempt and an access token each count once across every instance:
/// <c>offered</c> → <c>redeemed</c> (an access token was issued for it) → <c>issuing</c> (the token was spent on a
/// credential request) → <c>delivered</c>; <c>offered</c> → <c>locked</c> (too many wrong transaction codes);
/// <c>offered</c>, <c>redeemed</c> or <c>locked</c> → <c>withdrawn</c>; a VC-API exchange takes an offer without a
/// transaction code <c>offered</c> → <c>issuing</c> (and back to <c>offered</c> if issuing fails). Expiry is not a state: an offer (or its token)
/// past its time is refused wherever it stands.
/// </summary>
public static class OfferStates
{
    public const string Offered = "offered";
    public const string Redeemed = "redeemed";
    public const string Issuing = "issuing";
    public const string Delivered = "delivered";
    public const string Locked = "locked";
    public const string Withdrawn = "withdrawn";
}

/// <summary>The protocols that redeem offers (<see cref="CredentialOfferRecord.RedeemedVia"/>).</summary>
public static class OfferRedeemers
{
    public const string OpenId4Vci = "openid4vci";
    public const string VcApi = "vcapi";
}

/// <summary>
/// A one-time offer of an issued credential to a learner's wallet. Its secrets are stored only as SHA-256 hashes: the
/// handle in the offer URL (<see cref="HandleHash"/>), the pre-authorized code (<see cref="CodeHash"/>), the
/// transaction code (<see cref="TxCodeHash"/>, hashed together with the pre-authorized code) and the access token
/// (<see cref="TokenHash"/>). The record is protocol-neutral: OpenID4VCI redeems it through the pre-authorized code
/// (<see cref="RedeemedVia"/> <c>openid4vci</c>); another delivery protocol (a VC-API exchange) can add its own handle
/// columns and redeem the same one-time state. A VC-API exchange needs no column of its own: its URL carries the same
/// handle, and it moves the offer straight from <c>offered</c> to <c>issuing</c> (<see cref="RedeemedVia"/> <c>vcapi</c>).
/// </summary>
public sealed record CredentialOfferRecord(
    string OfferId,
    string CredentialId,
    string IssuerId,
    ReadOnlyMemory<byte> HandleHash,
    ReadOnlyMemory<byte> CodeHash,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string CreatedBy)
{
    /// <summary>The transaction code's hash when the offer requires one.</summary>
    public ReadOnlyMemory<byte>? TxCodeHash { get; init; }

    /// <summary>The transaction code's length (digits), shown to the wallet.</summary>
    public int? TxCodeLength { get; init; }

    /// <summary>The issuer's hint on where the learner finds the transaction code (at most 300 characters).</summary>
    public string? TxCodeDescription { get; init; }

    /// <summary>Wrong transaction codes so far.</summary>
    public int TxCodeFailures { get; init; }

    public ReadOnlyMemory<byte>? TokenHash { get; init; }

    public DateTimeOffset? TokenExpiresAt { get; init; }

    /// <summary>
    /// The credential identifiers the token response granted (space-separated) when the wallet asked with
    /// <c>authorization_details</c>; the credential request must then name one of them.
    /// </summary>
    public string? GrantedIdentifiers { get; init; }

    /// <summary>The protocol that redeemed the offer (<c>openid4vci</c> or <c>vcapi</c>).</summary>
    public string? RedeemedVia { get; init; }

    public DateTimeOffset? RedeemedAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>The holder-bound credential delivered for this offer.</summary>
    public string? DeliveredCredentialId { get; init; }

    public DateTimeOffset? WithdrawnAt { get; init; }
}

/// <summary>What <see cref="IOfferStore.RedeemAsync"/> needs: the code, the transaction code's hash (or null) and the token it hands out.</summary>
public sealed record OfferRedemption(
    ReadOnlyMemory<byte> CodeHash,
    ReadOnlyMemory<byte>? TxCodeHash,
    DateTimeOffset Now,
    ReadOnlyMemory<byte> TokenHash,
    DateTimeOffset TokenExpiresAt,
    int MaxTxCodeFailures,
    string Via)
{
    public string? GrantedIdentifiers { get; init; }
}

/// <summary>Credential offers and the single use of OpenID4VCI nonces.</summary>
public interface IOfferStore
{
    /// <summary>Stores a new offer and its audit entry in one transaction; <see cref="StorageConflictException"/> when an id or hash exists.</summary>
    Task CreateAsync(CredentialOfferRecord offer, AuditRecord audit, CancellationToken cancellationToken = default);

    Task<CredentialOfferRecord?> GetAsync(string offerId, CancellationToken cancellationToken = default);

    Task<CredentialOfferRecord?> FindByHandleAsync(ReadOnlyMemory<byte> handleHash, CancellationToken cancellationToken = default);

    Task<CredentialOfferRecord?> FindByCodeAsync(ReadOnlyMemory<byte> codeHash, CancellationToken cancellationToken = default);

    Task<CredentialOfferRecord?> FindByTokenAsync(ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default);

    /// <summary>The offers of one credential, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<CredentialOfferRecord>> ListAsync(string credentialId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>offered</c>, <c>redeemed</c> or <c>locked</c> → <c>withdrawn</c> with its audit entry, atomically. Returns the
    /// offer as it is afterwards (unchanged when it was in another state), or null when there is none.
    /// </summary>
    Task<(CredentialOfferRecord? Offer, bool Changed)> WithdrawAsync(string offerId, DateTimeOffset at, AuditRecord audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>offered</c> → <c>redeemed</c>, storing the token, when the code matches, the offer has not expired, fewer than
    /// the allowed transaction codes failed and the transaction code hash equals the stored one (both absent for an
    /// offer without one); appends <paramref name="audit"/> in the same transaction. Null when nothing changed.
    /// </summary>
    Task<CredentialOfferRecord?> RedeemAsync(OfferRedemption redemption, AuditRecord audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts one wrong transaction code for an <c>offered</c> offer; at <paramref name="maxFailures"/> the offer becomes
    /// <c>locked</c> and <paramref name="lockAudit"/> is appended in the same transaction. Returns the offer afterwards
    /// (null when no offered offer has the code).
    /// </summary>
    Task<CredentialOfferRecord?> RecordTxCodeFailureAsync(ReadOnlyMemory<byte> codeHash, int maxFailures, AuditRecord lockAudit, CancellationToken cancellationToken = default);

    /// <summary><c>redeemed</c> → <c>issuing</c> for the offer holding the token, when the token has not expired. Null when nothing changed.</summary>
    Task<CredentialOfferRecord?> ClaimTokenAsync(ReadOnlyMemory<byte> tokenHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>offered</c> → <c>issuing</c> for a VC-API exchange (<see cref="CredentialOfferRecord.RedeemedVia"/> <c>vcapi</c>): the offer with the
    /// handle, unexpired at <paramref name="now"/> and without a transaction code (a VC-API exchange has none, so it may
    /// not redeem an offer that requires one); appends <paramref name="audit"/> in the same transaction. One atomic
    /// update, so of any number of racing exchanges on any number of instances exactly one gets the offer. Null when
    /// nothing changed.
    /// </summary>
    Task<CredentialOfferRecord?> ClaimForExchangeAsync(ReadOnlyMemory<byte> handleHash, DateTimeOffset now, AuditRecord audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>issuing</c> → <c>redeemed</c> (the credential could not be made; the token may be used again while it lasts);
    /// an offer claimed by a VC-API exchange (no token) goes back to <c>offered</c>.
    /// </summary>
    Task<bool> ReleaseClaimAsync(string offerId, CancellationToken cancellationToken = default);

    /// <summary><c>issuing</c> → <c>delivered</c> with the delivered credential and the audit entry, atomically.</summary>
    Task<bool> CompleteAsync(string offerId, string deliveredCredentialId, DateTimeOffset at, AuditRecord audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a nonce as used until <paramref name="expiresAt"/> (dropping records that expired before
    /// <paramref name="now"/>); false when it was already used.
    /// </summary>
    Task<bool> ConsumeNonceAsync(ReadOnlyMemory<byte> nonceHash, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default);
}
