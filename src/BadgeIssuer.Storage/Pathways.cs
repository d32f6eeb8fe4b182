namespace BadgeIssuer.Storage;

/// <summary>The rules a pathway may have: every part, or at least <see cref="PathwayRecord.Required"/> of them.</summary>
public static class PathwayRules
{
    /// <summary>Every part is required (<see cref="PathwayRecord.Required"/> equals the number of parts).</summary>
    public const string AllOf = "allOf";

    /// <summary>At least <see cref="PathwayRecord.Required"/> of the parts.</summary>
    public const string NOf = "nOf";
}

/// <summary>
/// An achievement's pathway (stackable credentials): the achievements it is composed of, in the declared order, and how
/// many of them a learner must hold. Kept beside the achievement, never inside its OB document (the pathway is no
/// Open Badges term). <see cref="AutoAward"/> asks the service to award the achievement by itself once a learner holds
/// enough valid parts.
/// </summary>
public sealed record PathwayRecord(
    string AchievementId,
    string Rule,
    int Required,
    IReadOnlyList<string> Parts,
    bool AutoAward,
    DateTimeOffset UpdatedAt);

/// <summary>One credential a composite credential was awarded for.</summary>
/// <param name="CredentialId">The part credential.</param>
/// <param name="AchievementId">The part achievement it was issued for.</param>
/// <param name="ValidUntil">The part credential's own <c>validUntil</c> (signed, so it never changes); null when open-ended.</param>
public sealed record PathwayAwardPart(string CredentialId, string AchievementId, DateTimeOffset? ValidUntil)
{
    /// <summary>The part credential's revoked/suspended state when read; ignored when written.</summary>
    public CredentialListStatus Status { get; init; }

    /// <summary>Still counts at <paramref name="now"/>: neither revoked nor suspended, and not past its <see cref="ValidUntil"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => Status == CredentialListStatus.Active && (ValidUntil is not { } until || until > now);
}

/// <summary>
/// What a composite credential (<see cref="CredentialId"/>, issued for the pathway achievement <see cref="AchievementId"/>)
/// was awarded for: the rule as it was then and every part credential that counted, in the pathway's order. Written in
/// the transaction that stores the composite (<see cref="CredentialRecord.PathwayAward"/>), so a stored composite always
/// has it; a CLR assembles "everything of a pathway" from it.
/// </summary>
public sealed record PathwayAwardRecord(
    string CredentialId,
    string AchievementId,
    string Rule,
    int Required,
    IReadOnlyList<PathwayAwardPart> Parts);

/// <summary>
/// What the pathway checks read: achievements and the pathways between them. <see cref="IAchievementStore"/> reads what is
/// committed; the graph handed to a <see cref="PathwayCheck"/> reads inside the transaction that will write the pathway.
/// </summary>
public interface IPathwayGraph
{
    /// <summary>The achievement, or null.</summary>
    Task<AchievementRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The pathways of those of <paramref name="achievementIds"/> that declare one (at most 1,000 ids).</summary>
    Task<IReadOnlyList<PathwayRecord>> GetPathwaysAsync(IReadOnlyCollection<string> achievementIds, CancellationToken cancellationToken = default);

    /// <summary>The pathways that name any of <paramref name="partIds"/> as a part (at most 1,000 ids), oldest achievement first.</summary>
    Task<IReadOnlyList<PathwayRecord>> ListPathwaysContainingAsync(IReadOnlyCollection<string> partIds, CancellationToken cancellationToken = default);
}

/// <summary>
/// Checks a pathway about to be written against <paramref name="graph"/>, which reads inside the write's transaction
/// (after the lock that orders the issuer's pathway writes); false refuses the write, and nothing is stored.
/// </summary>
public delegate Task<bool> PathwayCheck(IPathwayGraph graph, CancellationToken cancellationToken);

/// <summary>The outcome of <see cref="IAchievementStore.SaveWithPathwayAsync"/>.</summary>
public enum PathwaySaveOutcome
{
    /// <summary>The achievement and its pathway are stored.</summary>
    Saved,

    /// <summary>No such achievement (an update); nothing was written.</summary>
    NotFound,

    /// <summary>The check refused the pathway; nothing was written.</summary>
    Refused,
}

public partial interface IAchievementStore : IPathwayGraph
{
    /// <summary>The achievement's pathway, or null when it declares none.</summary>
    Task<PathwayRecord?> GetPathwayAsync(string achievementId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the achievement's pathway with <paramref name="pathway"/> (whose <see cref="PathwayRecord.AchievementId"/>
    /// must be <paramref name="achievementId"/>), or removes it when null, in one transaction. False when there is no such
    /// achievement. Every part must be a stored achievement. Nothing else is checked: the service writes pathways through
    /// <see cref="SaveWithPathwayAsync"/>.
    /// </summary>
    Task<bool> SetPathwayAsync(string achievementId, PathwayRecord? pathway, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="achievement"/> (inserted when <paramref name="create"/>, else its JSON and update time
    /// replaced) and replaces its pathway with <paramref name="pathway"/> (removed when null) in one transaction, which
    /// first takes the issuer's pathway lock (SQLite: the single writer, <c>BEGIN IMMEDIATE</c>; PostgreSQL: a
    /// per-issuer advisory transaction lock) and then runs <paramref name="check"/> on a graph read inside it. So two
    /// concurrent writes of one issuer's pathways (A → B and B → A) are checked one after the other, each seeing the
    /// other's result: a cycle or a nesting bound cannot be passed by a race. <see cref="StorageConflictException"/> when
    /// a created id exists or a part is no stored achievement.
    /// </summary>
    Task<PathwaySaveOutcome> SaveWithPathwayAsync(
        AchievementRecord achievement, bool create, PathwayRecord? pathway, PathwayCheck check, CancellationToken cancellationToken = default);
}

/// <summary>
/// Thrown by <see cref="ICredentialStore.AddAsync"/> for a composite (<see cref="CredentialRecord.PathwayAward"/>) when a
/// part credential it counts is, inside the transaction that would store it, revoked, suspended or gone: nothing is
/// stored, and the caller looks at the learner's parts again. The part rows are read under a lock that a status change
/// also takes, so a part revoked at the same moment is either seen here or finds the stored composite in its answer.
/// </summary>
public sealed class PathwayPartsChangedException(IReadOnlyList<string> parts)
    : Exception("A part credential the composite counts is no longer valid: " + string.Join(", ", parts) + ".")
{
    /// <summary>The part credentials that no longer count.</summary>
    public IReadOnlyList<string> Parts { get; } = parts;
}

public partial interface ICredentialStore
{
    /// <summary>
    /// The issuer's credentials for the recipient with keyed hash <paramref name="recipientKey"/> whose achievement is one
    /// of <paramref name="achievementIds"/> (at most 1,000) and that are neither revoked nor suspended nor a holder-bound
    /// copy (a wallet copy is keyed to whichever DID redeemed the offer, so it never counts as that DID's own award): for
    /// each achievement the newest <paramref name="perAchievement"/> (by issue time, then id). Validity dates are inside
    /// the credential.
    /// </summary>
    Task<IReadOnlyList<CredentialRecord>> ListActiveForRecipientAsync(
        string issuerId, ReadOnlyMemory<byte> recipientKey, IReadOnlyCollection<string> achievementIds, int perAchievement, CancellationToken cancellationToken = default);

    /// <summary>What the composite credential <paramref name="credentialId"/> was awarded for, each part with its current state; null when it is no composite.</summary>
    Task<PathwayAwardRecord?> GetPathwayAwardAsync(string credentialId, CancellationToken cancellationToken = default);

    /// <summary>Every composite credential that counted <paramref name="partCredentialId"/>, each with all its parts and their current state, oldest first.</summary>
    Task<IReadOnlyList<PathwayAwardRecord>> ListPathwayAwardsCountingAsync(string partCredentialId, CancellationToken cancellationToken = default);
}
