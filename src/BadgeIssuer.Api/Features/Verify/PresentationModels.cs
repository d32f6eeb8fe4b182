using System.ComponentModel;
using System.Text.Json;

namespace BadgeIssuer.Api.Features.Verify;

// Wire format for OpenAPI only: the handler reads the request with JsonDocument and writes the report with
// PresentationVerificationReport.WriteTo, so signed bytes are never re-shaped by a serializer.

/// <summary>A VC-API verify-presentation request (W3C VC-API "Verify Presentation").</summary>
public sealed record VerifyPresentationRequest(
    [property: Description("The presentation: a JSON-LD VerifiablePresentation with a Data Integrity proof (proofPurpose authentication), an EnvelopedVerifiablePresentation, or a compact VP-JWT string.")]
    JsonElement VerifiablePresentation,
    VerifyPresentationOptions? Options = null);

/// <summary>Options of a verify-presentation request.</summary>
public sealed record VerifyPresentationOptions(
    [property: Description("The challenge the verifier gave the holder; the proof's challenge (VP-JWT: nonce) must equal it.")]
    string? Challenge = null,
    [property: Description("The verifier's domain; the proof's domain (VP-JWT: aud) must equal or contain it.")]
    string? Domain = null,
    [property: Description("Overrides the server's policy for keys named only by a Multikey fragment, for the contained credentials (see the verify-credential option).")]
    bool? TrustVerificationMethodFragment = null);

/// <summary>The presentation report: presentation-level steps and one credential report per contained credential.</summary>
public sealed record PresentationReportDocument(
    [property: Description("True when the presentation proof verified, no presentation step failed and every credential verified.")]
    bool Verified,
    [property: Description("The verdict in one sentence; when not valid, the first reason (a credential's own reason when one did not verify).")]
    string Verdict,
    [property: Description("How the presentation arrived: json (Data Integrity), jwt (VP-JWT) or json+enveloped.")]
    string Format,
    [property: Description("The steps: format, parse, presentation-proof, challenge, domain, holder, credentials.")]
    IReadOnlyList<VerificationCheckDocument> Checks,
    [property: Description("The messages of the presentation steps with status warning, in order.")]
    IReadOnlyList<string> Warnings,
    [property: Description("The messages of the presentation steps with status failed, in order; never empty when verified is false.")]
    IReadOnlyList<string> Errors,
    [property: Description("One report per credential, in order, exactly as POST /credentials/verify writes it.")]
    IReadOnlyList<VerificationReportDocument> Credentials,
    [property: Description("The presentation's id, when it has one.")]
    string? Id = null,
    [property: Description("The holder the presentation names (holder, or the VP-JWT iss).")]
    string? Holder = null);
