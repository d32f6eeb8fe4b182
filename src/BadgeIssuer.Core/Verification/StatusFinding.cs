namespace BadgeIssuer.Core.Verification;

/// <summary>
/// What one checked <c>credentialStatus</c> entry says: its purpose, whether its status is set, the list's
/// <c>statusMessage</c> for the value found (Bitstring Status List v1.0 §2.1, when the entry or list defines messages),
/// and — only for lists the verifying service keeps itself, from its own records, never from a list document — when
/// the entry last changed and the reason given.
/// </summary>
public sealed record StatusFinding(string Purpose, bool Set, string? StatusMessage, DateTimeOffset? ChangedAt, string? Reason);

/// <summary>
/// The record a status list's keeper holds for one entry: when it last changed, to which value, the reason given, and
/// the credential the change was made for. Supplied by the host for the lists it publishes
/// (<see cref="CredentialVerifierOptions.StatusRecords"/>). The verifier shows it only for a credential whose proof
/// verified with a key that authenticates its issuer and whose signed <c>id</c> is <paramref name="CredentialId"/>:
/// anyone can name a list and an index, so nothing else may read the record.
/// </summary>
public sealed record StatusEntryRecord(DateTimeOffset ChangedAt, int Value, string? Reason, string? CredentialId);

/// <summary>
/// The host's own records of its status lists' changes. Asked only after the list verified; return null for a list
/// the host does not keep (a foreign list carries no such record; nothing in a list document is taken as one).
/// </summary>
public interface IStatusRecordSource
{
    /// <summary>The latest change of entry <paramref name="index"/> of the list at <paramref name="statusListCredential"/>, or null.</summary>
    ValueTask<StatusEntryRecord?> GetLatestAsync(string statusListCredential, int index, CancellationToken cancellationToken = default);
}
