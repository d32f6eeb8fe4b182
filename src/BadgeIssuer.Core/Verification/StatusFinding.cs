namespace BadgeIssuer.Core.Verification;

/// <summary>
/// What the <c>status</c> step found for one <c>credentialStatus</c> entry it could check (written to the report as
/// <c>status: [{purpose, set, message?, changedAt?, reason?}]</c>).
/// </summary>
/// <param name="Purpose">The entry's purpose: <c>revocation</c>, <c>suspension</c>, <c>message</c>, … (a 1EdTech revocation list: <c>revocation</c>).</param>
/// <param name="Set">True when the entry's status value is not zero (revoked, suspended, or a non-zero message status).</param>
/// <param name="StatusMessage">
/// The meaning of the value from the entry's <c>statusMessage</c> list (Bitstring Status List v1.0 §2.1), when the entry
/// defines one for it; null otherwise.
/// </param>
/// <param name="ChangedAt">When the status last changed, when known (the issuing service's own records); null otherwise.</param>
/// <param name="Reason">
/// Why, when known: the issuing service's own records, or a 1EdTech revocation list's <c>revocationReason</c>; null otherwise.
/// Free text from outside this verifier: display it as text, never as markup.
/// </param>
public sealed record StatusFinding(string Purpose, bool Set, string? StatusMessage, DateTimeOffset? ChangedAt, string? Reason);
