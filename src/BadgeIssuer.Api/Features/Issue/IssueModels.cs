using System.ComponentModel;
using System.Text.Json;

namespace BadgeIssuer.Api.Features.Issue;

// Wire shapes for OpenAPI. Handlers read requests with JsonDocument and write signed credentials as raw bytes.

/// <summary>W3C VC-API "Issue Credential" request.</summary>
public sealed record IssueCredentialRequest(
    [property: Description("The unsigned credential (VC 2.0 or 1.1) of any type: checked against the VC Data Model rules of its version and the rules of the profile its type claims (OpenBadgeCredential/AchievementCredential, EndorsementCredential, ClrCredential, or none). Its issuer (string or object with id) must be an issuer the caller may issue for.")]
    JsonElement Credential,
    IssueCredentialOptions? Options = null);

/// <summary>Options of an issue request.</summary>
public sealed record IssueCredentialOptions(
    [property: Description("di (Data Integrity: eddsa-rdfc-2022, or ecdsa-rdfc-2019 for P-256 issuers; default), jwt (VC-JWT) or both.")]
    string? Format = null,
    [property: Description("JWT algorithm: RS256 (default for did:web Ed25519 issuers) or EdDSA for Ed25519 issuers; ES256 for P-256 issuers.")]
    string? Alg = null,
    [property: Description("Status entries to add: revocation and/or suspension (strings, or objects with statusPurpose). An Open Badges credential takes one.")]
    JsonElement? CredentialStatus = null);

/// <summary>W3C VC-API "Issue Credential" response.</summary>
public sealed record IssueCredentialResponse(
    [property: Description("The secured credential: a Data Integrity JSON object (one proof is an object under proof, or a one-element array for Open Badges and CLR credentials; a proof set an array), or an EnvelopedVerifiableCredential whose id is a data:application/vc+jwt URL.")]
    JsonElement VerifiableCredential);

/// <summary>An award: one learner receives one achievement.</summary>
public sealed record AwardRequest(
    [property: Description("The achievement's id (its URL).")] string AchievementId,
    AwardRecipient Recipient,
    [property: Description("OB Evidence objects.")] JsonElement? Evidence = null,
    [property: Description("OB Result objects (credentialSubject.result).")] JsonElement? Results = null,
    [property: Description("Start of validity (default: now).")] DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    [property: Description("di (default), jwt or both.")] string? Format = null,
    [property: Description("Status purposes: [\"revocation\"] (default), [\"suspension\"] or [] for none.")] IReadOnlyList<string>? Status = null,
    [property: Description("Per-item idempotency key (batch only; single awards use the Idempotency-Key header).")] string? IdempotencyKey = null,
    [property: Description("Learner delivery: {offer: true | {txCode}} also creates a one-time wallet offer (OpenID4VCI), returned as 'offer'.")] AwardDelivery? Delivery = null);

/// <summary>How the award reaches the learner besides its download links.</summary>
public sealed record AwardDelivery(
    [property: Description("true, or {txCode: true | {length, description}}: a one-time credential offer for the learner's wallet.")] BadgeIssuer.Api.Infrastructure.CreateOfferRequest? Offer = null);

/// <summary>Who receives the award: an email (stored only as a salted SHA-256 unless hashed is false) or an id (DID/URL).</summary>
public sealed record AwardRecipient(string? Email = null, string? Id = null, string? Name = null, bool? Hashed = null);

/// <summary>The issued award: the signed credential and where to download it.</summary>
public sealed record AwardResponse(
    string CredentialId,
    [property: Description("The signed credential (Data Integrity JSON) when issued in that format.")] JsonElement? Credential,
    [property: Description("The VC-JWT when issued in that format.")] string? Jwt,
    AwardLinks Links,
    [property: Description("False when an earlier request with the same idempotency key produced this credential.")] bool Created,
    [property: Description("Present when this award completed pathways (stackable credentials): the composite credentials awarded for them.")] IReadOnlyList<CompositeAwardItem>? Composites = null,
    [property: Description("The wallet offer, when delivery.offer asked for one (see POST /credentials/{id}/offers).")] JsonElement? Offer = null);

/// <summary>A composite credential an award completed: a pathway achievement whose parts the learner now holds.</summary>
public sealed record CompositeAwardItem(
    [property: Description("The pathway achievement's id.")] string AchievementId,
    string Name,
    string CredentialId,
    [property: Description("True when this award issued it; false when a concurrent award did (or, for a retried award, it was issued before).")] bool Created);

public sealed record AwardLinks(string Credential, string? Json, string? Jwt, string Png, string Svg, string LinkedIn);

/// <summary>Up to the configured maximum of awards.</summary>
public sealed record AwardBatchRequest(IReadOnlyList<AwardRequest> Awards);

/// <summary>One result per submitted award, in order.</summary>
public sealed record AwardBatchResponse(int Succeeded, int Failed, IReadOnlyList<AwardBatchItem> Results);

/// <summary>Either the award or the problem of that item.</summary>
public sealed record AwardBatchItem(int Index, int Status, AwardResponse? Award = null, JsonElement? Problem = null);

/// <summary>A Comprehensive Learner Record request: one learner, the credentials to embed (by id and/or completed pathway).</summary>
public sealed record ClrRequest(
    ClrLearner Learner,
    [property: Description("Credential ids (URLs) to embed, in order; each the issuer's, the learner's and valid now.")] IReadOnlyList<string>? Credentials = null,
    [property: Description("Pathway achievement ids: for each, the learner's composite credential and every part credential it counted (nested pathways included).")] IReadOnlyList<string>? Pathways = null,
    [property: Description("The record's name (default: Comprehensive Learner Record).")] string? Name = null,
    string? Description = null,
    [property: Description("CLR 2.0 partial: true when this is not the learner's complete record.")] bool? Partial = null,
    [property: Description("The issuer (id); default: the API key's issuer.")] string? IssuerId = null,
    [property: Description("di (default), jwt or both.")] string? Format = null,
    [property: Description("Status purposes: [\"revocation\"] (default), [\"suspension\"] or [] for none.")] IReadOnlyList<string>? Status = null);

/// <summary>Whom the CLR is for: an email (written as a salted SHA-256 identifier) or an id (DID/URL, the ClrSubject's id).</summary>
public sealed record ClrLearner(string? Email = null, string? Id = null);

/// <summary>The issued CLR.</summary>
public sealed record ClrResponse(
    string CredentialId,
    [property: Description("How many credentials it embeds.")] int Embedded,
    [property: Description("How many associations between achievements it lists.")] int Associations,
    [property: Description("The signed ClrCredential (Data Integrity).")] JsonElement? Credential,
    [property: Description("The VC-JWT when issued in that format.")] string? Jwt,
    ClrLinks Links);

/// <summary>The CLR's downloads, as a credential's: JSON, JWT and the baked PNG/SVG.</summary>
public sealed record ClrLinks(string Credential, string? Json, string? Jwt, string Png, string Svg);
