using System.ComponentModel;
using System.Text.Json;

namespace BadgeIssuer.Api.Features.Verify;

// These types describe the wire format for OpenAPI. The handler reads the request with JsonDocument and writes the
// report with VerificationReport.WriteTo, so a credential's signed bytes are never re-shaped by a serializer.

/// <summary>A VC-API verify request (W3C VC-API "Verify Credential").</summary>
/// <param name="VerifiableCredential">The credential: a JSON object (Data Integrity) or a compact VC-JWT string.</param>
/// <param name="Options">Verification options.</param>
public sealed record VerifyCredentialRequest(
    [property: Description("The credential: a JSON object secured with a Data Integrity proof, or a compact VC-JWT string.")]
    JsonElement VerifiableCredential,
    VerifyCredentialOptions? Options = null);

/// <summary>Options of a VC-API verify request.</summary>
/// <param name="Recipient">An email address or identifier expected to be the credential's subject.</param>
/// <param name="TrustVerificationMethodFragment">This request's policy for keys named only by a Multikey fragment.</param>
public sealed record VerifyCredentialOptions(
    [property: Description("An email address or identifier the credential subject must match (OB 3.0 identity hash or id).")]
    string? Recipient = null,
    [property: Description("Overrides the server's policy for this request: when true, a signature under a key named only by the verification method's Multikey fragment (not published by the issuer) verifies, with the issuer-key step a warning; when false it does not. Absent: the server default.")]
    bool? TrustVerificationMethodFragment = null);

/// <summary>The verification report: the verdict, every step in order, the warning and error messages, and what the credential says.</summary>
public sealed record VerificationReportDocument(
    [property: Description("True when no step failed, at least one proof verified and the signing key is authenticated as the issuer's (or accepted by the trustVerificationMethodFragment policy). Warnings do not change it.")]
    bool Verified,
    [property: Description("The verdict in one sentence, e.g. \"Valid: 'Intro to Welding', issued by 'Acme College' to 'Ada Lovelace' on 2026-12-07, not revoked.\" or \"Not valid: revoked on 2026-12-08 (reason: issued in error).\" Values from the credential are quoted, bounded and stripped of control and bidi characters.")]
    string Verdict,
    [property: Description("How the credential arrived: json, jwt, png+json, png+jwt, svg+json, svg+jwt (+enveloped) or unknown.")]
    string Format,
    IReadOnlyList<VerificationCheckDocument> Checks,
    [property: Description("The messages of the steps with status warning, in order.")]
    IReadOnlyList<string> Warnings,
    [property: Description("The messages of the steps with status failed, in order; never empty when verified is false.")]
    IReadOnlyList<string> Errors,
    [property: Description("What the status step found for each credentialStatus entry it could check, in order.")]
    IReadOnlyList<StatusFindingDocument> Status,
    [property: Description("The credential's id, when it has one.")]
    string? CredentialId = null,
    [property: Description("The issuer's id, when the credential could be read.")]
    string? Issuer = null,
    [property: Description("What the credential claims, for display: only signed content, present when a proof verified; believe it only when its verified is true.")]
    CredentialSummaryDocument? Credential = null,
    [property: Description("The profile the credential was checked against after the VC Data Model rules of its version: ob (OpenBadgeCredential/AchievementCredential), endorsement (EndorsementCredential), clr (ClrCredential) or vc (no profile type: the VC Data Model rules only). Absent when no credential could be read.")]
    string? Profile = null,
    [property: Description("For a CLR: one report per credential in credentialSubject.verifiableCredential, in order, each with its location and exactly the members of this report; the CLR verifies only when each does.")]
    IReadOnlyList<EmbeddedCredentialReportDocument>? EmbeddedCredentials = null);

/// <summary>The report of one credential a CLR embeds: where it sits, then the same members as a verification report.</summary>
public sealed record EmbeddedCredentialReportDocument(
    [property: Description("Where the credential sits in the CLR, e.g. credentialSubject.verifiableCredential[0].")]
    string Location,
    bool Verified,
    string Verdict,
    string Format,
    IReadOnlyList<VerificationCheckDocument> Checks,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Errors,
    IReadOnlyList<StatusFindingDocument> Status,
    string? Profile = null,
    string? CredentialId = null,
    string? Issuer = null,
    [property: Description("Its own embedded credentials, when it is a CLR too.")]
    IReadOnlyList<EmbeddedCredentialReportDocument>? EmbeddedCredentials = null,
    CredentialSummaryDocument? Credential = null);

/// <summary>The status of one credentialStatus entry.</summary>
public sealed record StatusFindingDocument(
    [property: Description("revocation, suspension, message, … (a 1EdTech revocation list: revocation).")]
    string Purpose,
    [property: Description("True when the entry's status value is not zero (revoked, suspended, …).")]
    bool Set,
    [property: Description("The meaning of the value from the entry's statusMessage list (Bitstring Status List), when it defines one.")]
    string? Message = null,
    [property: Description("When the status last changed, when known (lists this service publishes).")]
    DateTimeOffset? ChangedAt = null,
    [property: Description("Why, when known (this service's records, or a 1EdTech revocation list's revocationReason). Display as text.")]
    string? Reason = null);

/// <summary>One verification step.</summary>
public sealed record VerificationCheckDocument(
    [property: Description("The step: format, parse, context, type, vc-data-model, schema, clr, jsonld-safe-mode, proof (proof[i] for a proof set), issuer-key, known-issuer, validity, status, refresh, related-resource, recipient, endorsement, clr-credential; verdict when the verdict is false and no other step failed.")]
    string Name,
    [property: Description("passed, failed, warning or skipped.")]
    string Status,
    string Message);

/// <summary>The employer-readable summary of a credential.</summary>
public sealed record CredentialSummaryDocument(
    [property: Description("The report's verdict, repeated here: show the summary as genuine only when it is true.")]
    bool Verified,
    [property: Description("revoked, suspended, active (every status entry checked and clear), unknown (a status could not be checked) or none (the credential has no credentialStatus).")]
    string Status,
    [property: Description("OpenBadgeCredential, AchievementCredential, EndorsementCredential or ClrCredential.")]
    string? Type = null,
    string? Name = null,
    string? Description = null,
    ProfileSummaryDocument? Issuer = null,
    AchievementSummaryDocument? Achievement = null,
    RecipientSummaryDocument? Recipient = null,
    [property: Description("For an EndorsementCredential: the endorser's comment.")]
    string? EndorsementComment = null,
    [property: Description("validFrom (VC 2.0) or issuanceDate (VC 1.1), as written.")]
    string? ValidFrom = null,
    [property: Description("validUntil (VC 2.0) or expirationDate (VC 1.1), as written.")]
    string? ValidUntil = null,
    string? AwardedDate = null);

/// <summary>An issuer Profile as the credential presents it.</summary>
public sealed record ProfileSummaryDocument(string? Id = null, string? Name = null, string? Url = null, [property: Description("Image URL or data: URI.")] string? Image = null);

/// <summary>The achievement as the credential presents it.</summary>
public sealed record AchievementSummaryDocument(
    string? Id = null,
    string? Name = null,
    string? Description = null,
    string? AchievementType = null,
    CriteriaSummaryDocument? Criteria = null,
    [property: Description("Image URL or data: URI.")]
    string? Image = null,
    IReadOnlyList<AlignmentSummaryDocument>? Alignments = null);

/// <summary>How the achievement is earned.</summary>
public sealed record CriteriaSummaryDocument(
    [property: Description("URL of a human-readable criteria page.")]
    string? Id = null,
    [property: Description("Markdown.")]
    string? Narrative = null);

/// <summary>An alignment of the achievement to a framework.</summary>
public sealed record AlignmentSummaryDocument(string? TargetName = null, string? TargetUrl = null, string? TargetFramework = null, string? TargetCode = null);

/// <summary>The recipient, when the credential names them in plain text.</summary>
public sealed record RecipientSummaryDocument(string? Name = null);
