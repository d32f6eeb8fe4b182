namespace BadgeIssuer.Storage;

/// <summary>An issuer (tenant). <see cref="ProfileJson"/> is the OB <c>Profile</c> document, stored as given.</summary>
public sealed record IssuerRecord(string Id, string Slug, string ProfileJson, string DidMethod, DateTimeOffset CreatedAt);

/// <summary>
/// One signing key of an issuer. <see cref="ProtectedPrivateKey"/> is an encrypted/opaque blob: the store keeps
/// the bytes and never interprets them. Rotation adds a key and moves the current flag; old keys stay.
/// </summary>
public sealed record IssuerKeyRecord(
    string IssuerId,
    string KeyId,
    string KeyType,
    string PublicJwk,
    ReadOnlyMemory<byte> ProtectedPrivateKey,
    bool IsCurrent,
    DateTimeOffset CreatedAt);

/// <summary>An achievement (badge template); <see cref="Json"/> is the OB <c>Achievement</c> document.</summary>
public sealed record AchievementRecord(string Id, string IssuerId, string Json, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// An issued credential as signed: <see cref="SignedJson"/> (Data Integrity) and/or <see cref="Jwt"/>.
/// <see cref="IdempotencyKey"/> is unique per issuer.
/// </summary>
public sealed record CredentialRecord(
    string Id,
    string IssuerId,
    string? AchievementId,
    string Recipient,
    string? SignedJson,
    string? Jwt,
    string? StatusEntriesJson,
    DateTimeOffset IssuedAt,
    string? IdempotencyKey)
{
    /// <summary>Who issued it (an actor as in the audit log); when set, the store appends a <c>credential.issue</c> audit entry in the same transaction.</summary>
    public string? IssuedBy { get; init; }

    /// <summary>
    /// A keyed hash (HMAC-SHA256 under the service's recipient-lookup key) of the normalised recipient identifier, so the
    /// issuer can list by recipient without the store holding the address; null when none was computed (older rows).
    /// </summary>
    public ReadOnlyMemory<byte>? RecipientKey { get; init; }

    /// <summary>
    /// For a composite credential (a pathway achievement awarded automatically): what it was awarded for, written in the
    /// same transaction as the credential and only when this add stores it. Not read back here (see
    /// <see cref="ICredentialStore.GetPathwayAwardAsync"/>); null otherwise.
    /// </summary>
    public PathwayAwardRecord? PathwayAward { get; init; }

    /// <summary>
    /// The credential this one re-issues (a holder-bound copy delivered to a wallet). A re-issue holds no status entry of
    /// its own: it carries the original's, so a status change through either id changes both, and both follow it in
    /// listings.
    /// </summary>
    public string? ReissueOf { get; init; }
}

/// <summary>What a credential listing selects: one issuer's credentials, optionally narrowed, newest first.</summary>
public sealed record CredentialQuery(string IssuerId, int Limit)
{
    public string? AchievementId { get; init; }

    /// <summary>Only credentials whose <see cref="CredentialRecord.RecipientKey"/> equals this.</summary>
    public ReadOnlyMemory<byte>? RecipientKey { get; init; }

    public CredentialListStatus? Status { get; init; }

    /// <summary>Issued at or after this instant.</summary>
    public DateTimeOffset? IssuedAfter { get; init; }

    /// <summary>Issued strictly before this instant.</summary>
    public DateTimeOffset? IssuedBefore { get; init; }

    /// <summary>Continue after this position (the last item of the previous page).</summary>
    public CredentialPosition? After { get; init; }
}

/// <summary>A position in a listing, which is ordered by issue time then id, both descending.</summary>
public sealed record CredentialPosition(DateTimeOffset IssuedAt, string Id);

/// <summary>A credential's state as kept beside it (the status list bits are the truth; these follow every change).</summary>
public enum CredentialListStatus
{
    /// <summary>Neither revoked nor suspended.</summary>
    Active,
    /// <summary>Revocation bit set (whatever the suspension bit).</summary>
    Revoked,
    /// <summary>Suspension bit set, not revoked.</summary>
    Suspended,
}

/// <summary>One listed credential: identifiers and state, not the signed document.</summary>
public sealed record CredentialListItem(
    string Id,
    string IssuerId,
    string? AchievementId,
    DateTimeOffset IssuedAt,
    CredentialListStatus Status,
    bool HasJson,
    bool HasJwt);

/// <summary>
/// One audit entry: who (<see cref="Actor"/>) did what (<see cref="Action"/>, e.g. <c>credential.issue</c>) to which
/// target, when, in which request. <see cref="Seq"/> is assigned by the store (0 when appending).
/// </summary>
public sealed record AuditRecord(
    long Seq,
    string? IssuerId,
    string Actor,
    string Action,
    string Target,
    DateTimeOffset At,
    string? RequestId,
    string? Details);

/// <summary>The outcome of <see cref="ICredentialStore.AddAsync"/>: the stored credential and whether this call created it.</summary>
public sealed record CredentialAddResult(CredentialRecord Credential, bool Created);

/// <summary>A position in a status list handed out by <see cref="IStatusListStore.AllocateIndexAsync"/>.</summary>
public sealed record StatusListIndex(string ListId, int Index);

/// <summary>Where to allocate: the issuer's lists for <paramref name="Purpose"/>; a new list gets <paramref name="NewListLength"/> entries.</summary>
public sealed record StatusAllocationRequest(string IssuerId, string Purpose, int StatusSize = 1, int NewListLength = StatusAllocationRequest.MinimumListLength)
{
    /// <summary>The Bitstring Status List minimum (16 KiB of one-bit entries) for herd privacy.</summary>
    public const int MinimumListLength = 131_072;
}

/// <summary>
/// A Bitstring Status List as stored: <see cref="Length"/> entries of <see cref="StatusSize"/> bits each,
/// entry 0 in the most significant bit of byte 0 (W3C Bitstring Status List §4.1).
/// <see cref="Version"/> increases on every change, for ETags and re-signing.
/// </summary>
public sealed record StatusListRecord(
    string ListId,
    string IssuerId,
    string Purpose,
    int StatusSize,
    int Length,
    ReadOnlyMemory<byte> Bitstring,
    long Version,
    int AllocatedCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Reads the status value at <paramref name="index"/>.</summary>
    public int GetStatus(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        return StatusBits.Read(Bitstring.Span, index, StatusSize);
    }
}

/// <summary>Why a status update did or did not change a list.</summary>
public enum StatusUpdateOutcome
{
    /// <summary>The value changed and the list version was bumped.</summary>
    Updated,
    /// <summary>The entry already had the value; the version is unchanged.</summary>
    Unchanged,
    /// <summary>No credential with that id.</summary>
    CredentialNotFound,
    /// <summary>The credential has no status entry for that purpose.</summary>
    NoStatusEntry,
    /// <summary>No list with that id.</summary>
    ListNotFound,
    /// <summary>The index (or value) does not fit the list.</summary>
    OutOfRange,
}

/// <summary>The result of a status update; <see cref="Version"/> is the list version after the call.</summary>
public sealed record StatusUpdateResult(StatusUpdateOutcome Outcome, string? ListId = null, int? Index = null, long? Version = null)
{
    public bool Succeeded => Outcome is StatusUpdateOutcome.Updated or StatusUpdateOutcome.Unchanged;
}

/// <summary>One recorded status change: who set which entry from what to what, and the list version it produced.</summary>
public sealed record StatusChangeRecord(
    string ListId,
    int Index,
    string? CredentialId,
    int OldValue,
    int NewValue,
    string Actor,
    DateTimeOffset ChangedAt,
    long Version)
{
    /// <summary>Why, as the caller said (bounded free text, no control characters); null when none was given.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// An API key as stored: the SHA-256 of the key, a short visible prefix to recognise it, the issuer it acts for
/// (null for a key bound to no issuer), its scopes (space-separated), optional expiry/revocation, and the key that
/// created it (<see cref="CreatedBy"/>; null for bootstrap and configured keys, and for keys created before creators
/// were recorded when the audit log does not name one). Revoking a key revokes every key created by it, transitively.
/// </summary>
public sealed record ApiKeyRecord(
    string KeyId,
    string Prefix,
    ReadOnlyMemory<byte> KeyHash,
    string? IssuerId,
    string Scopes,
    string Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? CreatedBy = null);

/// <summary>
/// Who revokes a key, for the audit entries the revocation appends in its own transaction: <see cref="Action"/> for
/// the key itself, <c>apikey.revoke.cascade</c> for each key revoked because an ancestor was.
/// </summary>
public sealed record KeyRevocationAudit(string Actor, string Action, string? RequestId);
