namespace BadgeIssuer.Storage;

/// <summary>All stores of one backend (SQLite, PostgreSQL). Callers depend on these interfaces only.</summary>
public interface IBadgeStorage
{
    IIssuerStore Issuers { get; }
    IAchievementStore Achievements { get; }
    ICredentialStore Credentials { get; }
    IStatusListStore StatusLists { get; }
    IApiKeyStore ApiKeys { get; }
    IAuditStore Audit { get; }
    /// <summary>Webhook endpoints and the outbox the credential and status stores write into.</summary>
    IWebhookStore Webhooks { get; }
    /// <summary>One-time credential offers to wallets and the single use of their nonces.</summary>
    IOfferStore Offers { get; }

    /// <summary>True when the database answers a trivial query (readiness).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}

/// <summary>API keys: only a hash of each key is stored.</summary>
public interface IApiKeyStore
{
    /// <summary>
    /// Adds a key; throws <see cref="StorageConflictException"/> when the id or hash exists, or when
    /// <see cref="ApiKeyRecord.CreatedBy"/> names a key that is missing or revoked (checked atomically with
    /// <see cref="RevokeAsync"/>, so a key is never stored under a creator whose revocation it would escape).
    /// </summary>
    Task CreateAsync(ApiKeyRecord key, CancellationToken cancellationToken = default);
    /// <summary>The key whose SHA-256 hash is <paramref name="keyHash"/>, revoked or not.</summary>
    Task<ApiKeyRecord?> FindByHashAsync(ReadOnlyMemory<byte> keyHash, CancellationToken cancellationToken = default);
    /// <summary>Keys bound to the issuer (or admin keys when null), oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? issuerId, CancellationToken cancellationToken = default);
    Task<int> CountAsync(CancellationToken cancellationToken = default);
    Task<ApiKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken = default);
    /// <summary>
    /// Marks the key revoked (idempotent) and, in the same transaction, every key it created, transitively (through
    /// <see cref="ApiKeyRecord.CreatedBy"/>, including through keys already revoked), appending one audit entry for the
    /// key (under its issuer) and one <c>apikey.revoke.cascade</c> entry per key newly revoked by the cascade (under that
    /// key's issuer). Returns the keys the cascade newly revoked (not the key itself), oldest first; null when there is
    /// no such key (nothing written).
    /// </summary>
    Task<IReadOnlyList<ApiKeyRecord>?> RevokeAsync(string keyId, DateTimeOffset revokedAt, KeyRevocationAudit audit, CancellationToken cancellationToken = default);
    /// <summary>
    /// Clears the revocation of a key (bootstrap recovery from configuration) and appends <paramref name="audit"/> in the
    /// same transaction; false (nothing written) when there is no such key or it is not revoked. Keys revoked with it
    /// by a cascade stay revoked.
    /// </summary>
    Task<bool> ReinstateAsync(string keyId, AuditRecord audit, CancellationToken cancellationToken = default);
}

/// <summary>The append-only audit log: nothing here is ever updated or deleted.</summary>
public interface IAuditStore
{
    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken = default);
    /// <summary>The issuer's entries, newest first: at most <paramref name="limit"/>, older than <paramref name="beforeSeq"/> when given.</summary>
    Task<IReadOnlyList<AuditRecord>> ListAsync(string issuerId, int limit, long? beforeSeq = null, CancellationToken cancellationToken = default);
}

/// <summary>Issuers and their signing keys.</summary>
public interface IIssuerStore
{
    /// <summary>Adds an issuer; throws <see cref="StorageConflictException"/> when the id or slug exists.</summary>
    Task CreateAsync(IssuerRecord issuer, CancellationToken cancellationToken = default);
    Task<IssuerRecord?> GetAsync(string id, CancellationToken cancellationToken = default);
    Task<IssuerRecord?> GetBySlugAsync(string slug, CancellationToken cancellationToken = default);
    /// <summary>Replaces the profile JSON; false when the issuer does not exist.</summary>
    Task<bool> UpdateProfileAsync(string id, string profileJson, CancellationToken cancellationToken = default);
    Task<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a key. When <see cref="IssuerKeyRecord.IsCurrent"/> is set, the issuer's other keys of the same
    /// <see cref="IssuerKeyRecord.KeyType"/> stop being current in the same transaction (rotation keeps them).
    /// </summary>
    Task AddKeyAsync(IssuerKeyRecord key, CancellationToken cancellationToken = default);
    /// <summary>All keys of the issuer, oldest first (the DID document lists them all).</summary>
    Task<IReadOnlyList<IssuerKeyRecord>> ListKeysAsync(string issuerId, CancellationToken cancellationToken = default);
    Task<IssuerKeyRecord?> GetCurrentKeyAsync(string issuerId, string keyType, CancellationToken cancellationToken = default);

    /// <summary>Every key of every issuer, by issuer then age (for re-wrapping private keys under a new key-encryption key).</summary>
    Task<IReadOnlyList<IssuerKeyRecord>> ListAllKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a key's <see cref="IssuerKeyRecord.ProtectedPrivateKey"/> with <paramref name="replacement"/> only while it
    /// still equals <paramref name="expected"/> byte for byte (compare-and-swap, so instances re-wrapping at once cannot
    /// overwrite each other). Nothing else of the key changes. False when the key does not exist or its blob differs.
    /// </summary>
    Task<bool> ReplaceProtectedKeyAsync(string issuerId, string keyId, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> replacement, CancellationToken cancellationToken = default);
}

/// <summary>Achievements (badge templates).</summary>
public partial interface IAchievementStore
{
    /// <summary>Adds an achievement; throws <see cref="StorageConflictException"/> when the id exists.</summary>
    Task CreateAsync(AchievementRecord achievement, CancellationToken cancellationToken = default);
    /// <summary>Replaces the JSON; false when the achievement does not exist.</summary>
    Task<bool> UpdateAsync(string id, string json, DateTimeOffset updatedAt, CancellationToken cancellationToken = default);
    /// <summary>The issuer's achievements, oldest first.</summary>
    Task<IReadOnlyList<AchievementRecord>> ListAsync(string issuerId, CancellationToken cancellationToken = default);
    /// <summary>Stores (replaces) the achievement's own image, baked into downloads; false when the achievement does not exist.</summary>
    Task<bool> SetImageAsync(string achievementId, string mediaType, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default);
    /// <summary>The stored image, or null.</summary>
    Task<(string MediaType, byte[] Bytes)?> GetImageAsync(string achievementId, CancellationToken cancellationToken = default);
}

/// <summary>Issued credentials.</summary>
public partial interface ICredentialStore
{
    /// <summary>
    /// Stores a credential and links the status indexes allocated for it. When the issuer already has a credential
    /// with the same idempotency key, nothing is written and that credential is returned with Created = false.
    /// </summary>
    Task<CredentialAddResult> AddAsync(
        CredentialRecord credential,
        IReadOnlyList<StatusListIndex> statusIndexes,
        CancellationToken cancellationToken = default);
    Task<CredentialRecord?> GetAsync(string id, CancellationToken cancellationToken = default);
    Task<CredentialRecord?> GetByIdempotencyKeyAsync(string issuerId, string idempotencyKey, CancellationToken cancellationToken = default);
    /// <summary>The issuer's credentials, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<CredentialRecord>> ListAsync(string issuerId, int limit, CancellationToken cancellationToken = default);
    /// <summary>
    /// One page of <see cref="CredentialQuery.IssuerId"/>'s credentials matching the query, ordered by issue time then id
    /// (both descending), after <see cref="CredentialQuery.After"/> when given: at most <see cref="CredentialQuery.Limit"/>
    /// (1..1000) items. Keyset paging, so rows added meanwhile never shift a later page.
    /// </summary>
    Task<IReadOnlyList<CredentialListItem>> QueryAsync(CredentialQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Bitstring status lists with atomic index allocation.</summary>
public interface IStatusListStore
{
    /// <summary>
    /// Hands out a random unused index in the issuer's oldest list with room for the purpose (and status size),
    /// creating a list when all are full. No index is ever handed out twice.
    /// </summary>
    Task<StatusListIndex> AllocateIndexAsync(StatusAllocationRequest request, CancellationToken cancellationToken = default);
    /// <summary>
    /// Hands out <paramref name="count"/> random unused indexes in one transaction (as <see cref="AllocateIndexAsync"/>,
    /// spilling into a new list when the open one fills). Callers reserve blocks so issuance does not write once per index;
    /// an index reserved and never used stays unused, which costs nothing but a slot.
    /// </summary>
    Task<IReadOnlyList<StatusListIndex>> AllocateIndexesAsync(StatusAllocationRequest request, int count, CancellationToken cancellationToken = default);
    /// <summary>The list's current version, or null when there is no such list (a cheap freshness check for publishers).</summary>
    Task<long?> GetVersionAsync(string listId, CancellationToken cancellationToken = default);
    Task<StatusListRecord?> GetAsync(string listId, CancellationToken cancellationToken = default);
    /// <summary>The issuer's lists in creation order (ties in <c>CreatedAt</c> keep insertion order).</summary>
    Task<IReadOnlyList<StatusListRecord>> ListAsync(string issuerId, CancellationToken cancellationToken = default);
    /// <summary>
    /// Sets one entry; when the value changes the version increases and the change is recorded with
    /// <paramref name="actor"/> in the same transaction.
    /// </summary>
    Task<StatusUpdateResult> SetStatusAsync(string listId, int index, int value, string actor, CancellationToken cancellationToken = default)
        => SetStatusAsync(listId, index, value, actor, null, cancellationToken);
    /// <summary>
    /// <see cref="SetStatusAsync(string, int, int, string, CancellationToken)"/> recording <paramref name="reason"/> with the
    /// change (and in its audit entry). The credential holding the entry follows (its listed revoked/suspended state).
    /// </summary>
    Task<StatusUpdateResult> SetStatusAsync(string listId, int index, int value, string actor, string? reason, CancellationToken cancellationToken = default);
    /// <summary>Sets the entry a credential holds for <paramref name="purpose"/> (e.g. revocation), as <see cref="SetStatusAsync(string, int, int, string, CancellationToken)"/>.</summary>
    Task<StatusUpdateResult> SetCredentialStatusAsync(string credentialId, string purpose, int value, string actor, CancellationToken cancellationToken = default)
        => SetCredentialStatusAsync(credentialId, purpose, value, actor, null, cancellationToken);
    /// <summary><see cref="SetCredentialStatusAsync(string, string, int, string, CancellationToken)"/> recording <paramref name="reason"/> with the change.</summary>
    Task<StatusUpdateResult> SetCredentialStatusAsync(string credentialId, string purpose, int value, string actor, string? reason, CancellationToken cancellationToken = default);
    /// <summary>The recorded changes of a list, oldest first.</summary>
    Task<IReadOnlyList<StatusChangeRecord>> ListChangesAsync(string listId, CancellationToken cancellationToken = default);
    /// <summary>The latest recorded change of one entry, or null when it never changed.</summary>
    Task<StatusChangeRecord?> GetLatestChangeAsync(string listId, int index, CancellationToken cancellationToken = default);
}

/// <summary>A unique key (id, slug) already exists.</summary>
public sealed class StorageConflictException : Exception
{
    public StorageConflictException()
    {
    }

    public StorageConflictException(string message) : base(message)
    {
    }

    public StorageConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
