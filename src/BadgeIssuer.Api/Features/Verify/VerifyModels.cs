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
public sealed record VerifyCredentialOptions(
    [property: Description("An email address or identifier the credential subject must match (OB 3.0 identity hash or id).")]
    string? Recipient = null);

/// <summary>The verification report: every step in order and the verdict.</summary>
public sealed record VerificationReportDocument(
    [property: Description("True when no step failed and at least one proof verified.")]
    bool Verified,
    [property: Description("How the credential arrived: json, jwt, png+json, png+jwt, svg+json, svg+jwt or unknown.")]
    string Format,
    IReadOnlyList<VerificationCheckDocument> Checks,
    [property: Description("The credential's id, when it has one.")]
    string? CredentialId = null,
    [property: Description("The issuer's id, when the credential could be read.")]
    string? Issuer = null);

/// <summary>One verification step.</summary>
public sealed record VerificationCheckDocument(
    [property: Description("The step: format, parse, context, type, schema, jsonld-safe-mode, proof, issuer-key, validity, status, refresh, recipient.")]
    string Name,
    [property: Description("passed, failed, warning or skipped.")]
    string Status,
    string Message);
