using System.Text.Json;

namespace BadgeIssuer.Core.Verification;

/// <summary>The outcome of one verification step.</summary>
public enum CheckStatus
{
    Passed,
    Failed,
    Warning,
    Skipped,
}

/// <summary>One reported step of the verification algorithm.</summary>
/// <param name="Name">A stable step name, e.g. <c>format</c>, <c>schema</c>, <c>proof</c>, <c>status</c>.</param>
/// <param name="Status">Passed, failed, warning or skipped.</param>
/// <param name="Message">What was checked and what was found (never key material or the whole credential).</param>
public sealed record VerificationCheck(string Name, CheckStatus Status, string Message);

/// <summary>The report of verifying one credential: every step, in order, the verdict and a display summary.</summary>
public sealed class VerificationReport
{
    internal VerificationReport(string format, IReadOnlyList<VerificationCheck> checks, string? credentialId, string? issuerId)
        : this(format, checks, credentialId, issuerId, issuerKeyUntrusted: false, summary: null)
    {
    }

    private string? _verdict;

    internal VerificationReport(
        string format, IReadOnlyList<VerificationCheck> checks, string? credentialId, string? issuerId, bool issuerKeyUntrusted, CredentialSummary? summary)
    {
        Format = format;
        CredentialId = credentialId;
        IssuerId = issuerId;
        Summary = summary;
        bool anyProof = false;
        bool failed = false;
        bool readable = true;
        foreach (VerificationCheck c in checks)
        {
            failed |= c.Status == CheckStatus.Failed;
            readable &= !(c.Status == CheckStatus.Failed && c.Name is CheckNames.Format or CheckNames.Parse);
            anyProof |= c.Status == CheckStatus.Passed && c.Name.StartsWith(CheckNames.Proof, StringComparison.Ordinal);
        }

        IssuerKeyUntrusted = issuerKeyUntrusted;
        Verified = !failed && anyProof && !issuerKeyUntrusted;
        InputReadable = readable;

        // A false verdict always names its reason among the errors: should no step have failed (no proof passed, or an
        // untrusted key reported only as a warning), the verdict's own reason is added as a failed step.
        if (!Verified && !failed)
        {
            checks = [.. checks, new VerificationCheck(CheckNames.Verdict, CheckStatus.Failed, issuerKeyUntrusted
                ? "not verified: no signature was made with a key authenticated as the issuer's"
                : "not verified: no proof verified")];
        }

        Checks = checks;
    }

    /// <summary>False when the input could not be read as a credential at all (format or parse step failed).</summary>
    public bool InputReadable { get; }

    /// <summary>
    /// True when no step failed, at least one proof verified, and the signing key is authenticated as the issuer's
    /// (or the <see cref="CredentialVerifierOptions.TrustVerificationMethodFragment"/> policy accepts a key that only
    /// names the issuer). Warnings, endorsements included, do not change the verdict.
    /// </summary>
    public bool Verified { get; }

    /// <summary>
    /// True when a signature verified but only with a key that names the issuer (a <c>#z6Mk…</c> fragment or a VC-JWT
    /// header <c>jwk</c>) and the trust policy does not accept such keys: the <c>issuer-key</c> step is a warning and
    /// <see cref="Verified"/> is false.
    /// </summary>
    public bool IssuerKeyUntrusted { get; }

    /// <summary>How the credential arrived: <c>json</c>, <c>jwt</c>, <c>png</c> or <c>svg</c> (with the inner form, e.g. <c>png+jwt</c>).</summary>
    public string Format { get; }

    public IReadOnlyList<VerificationCheck> Checks { get; }

    public string? CredentialId { get; }

    public string? IssuerId { get; }

    /// <summary>What the credential claims, for display; null when it could not be read.</summary>
    public CredentialSummary? Summary { get; }

    /// <summary>
    /// The full report of each endorsement that was verified, in the order of its <c>endorsement</c> step (the JSON
    /// output carries only those steps; this is for callers that want the detail).
    /// </summary>
    public IReadOnlyList<EndorsementReport> Endorsements { get; internal init; } = [];

    /// <summary>
    /// The profile the credential was checked against after the VC Data Model rules of its version: <c>ob</c> (Open
    /// Badges 3.0), <c>endorsement</c> (an OB EndorsementCredential), <c>clr</c> (CLR 2.0) or <c>vc</c> (no profile type);
    /// null when the credential could not be read.
    /// </summary>
    public string? Profile { get; internal init; }

    /// <summary>
    /// The full report of each credential a CLR embeds (<c>credentialSubject.verifiableCredential</c>), in order, each
    /// verified by the same pipeline; its <c>clr-credential</c> step says whether it verified. Empty for any other credential.
    /// </summary>
    public IReadOnlyList<EmbeddedCredentialReport> EmbeddedCredentials { get; internal init; } = [];

    /// <summary>
    /// What the status step found for each <c>credentialStatus</c> entry it could check, in order (empty when none was
    /// checked). <see cref="StatusFinding.ChangedAt"/> and <see cref="StatusFinding.Reason"/> are filled when known.
    /// </summary>
    public IReadOnlyList<StatusFinding> StatusFindings { get; internal init; } = [];

    /// <summary>
    /// The verdict in one sentence, for people: "Valid: 'Intro to Welding', issued by 'Acme College' to 'Ada Lovelace'
    /// on 2026-12-07, not revoked." or "Not valid: revoked on 2026-12-08 (reason: issued in error)." Built from the
    /// steps, <see cref="StatusFindings"/> and the <see cref="Summary"/> (signed content only); values from the
    /// credential are quoted, bounded in length and stripped of control and bidirectional-formatting characters.
    /// </summary>
    public string Verdict => _verdict ??= VerdictSentence.For(this);

    /// <summary>The messages of the steps that ended in a warning, in order.</summary>
    public IEnumerable<string> Warnings => Checks.Where(c => c.Status == CheckStatus.Warning).Select(c => c.Message);

    /// <summary>The messages of the steps that failed, in order.</summary>
    public IEnumerable<string> Errors => Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => c.Message);

    /// <summary>
    /// Writes <c>{"verified", "verdict", "format", "profile"?, "credentialId"?, "issuer"?, "checks": [{"name", "status",
    /// "message"}], "warnings": [...], "errors": [...], "status": [{"purpose", "set", "message"?, "changedAt"?, "reason"?}],
    /// "embeddedCredentials"?: [{"location", …one report each…}], "credential"?: {display summary}}</c>. <c>errors</c> is
    /// never empty when <c>verified</c> is false.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer) => WriteReport(writer, location: null);

    private void WriteReport(Utf8JsonWriter writer, string? location)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (location is not null)
        {
            writer.WriteString("location", location);
        }

        writer.WriteBoolean("verified", Verified);
        writer.WriteString("verdict", Verdict);
        writer.WriteString("format", Format);
        if (Profile is not null)
        {
            writer.WriteString("profile", Profile);
        }

        if (CredentialId is not null)
        {
            writer.WriteString("credentialId", CredentialId);
        }

        if (IssuerId is not null)
        {
            writer.WriteString("issuer", IssuerId);
        }

        writer.WriteStartArray("checks");
        foreach (VerificationCheck c in Checks)
        {
            writer.WriteStartObject();
            writer.WriteString("name", c.Name);
            writer.WriteString("status", StatusName(c.Status));
            writer.WriteString("message", c.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteMessages(writer, "warnings", CheckStatus.Warning);
        WriteMessages(writer, "errors", CheckStatus.Failed);
        writer.WriteStartArray("status");
        foreach (StatusFinding finding in StatusFindings)
        {
            writer.WriteStartObject();
            writer.WriteString("purpose", finding.Purpose);
            writer.WriteBoolean("set", finding.Set);
            if (finding.StatusMessage is not null)
            {
                writer.WriteString("message", finding.StatusMessage);
            }

            if (finding.ChangedAt is DateTimeOffset changedAt)
            {
                writer.WriteString("changedAt", changedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            }

            if (finding.Reason is not null)
            {
                writer.WriteString("reason", finding.Reason);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (EmbeddedCredentials.Count > 0)
        {
            writer.WriteStartArray("embeddedCredentials");
            foreach (EmbeddedCredentialReport embedded in EmbeddedCredentials)
            {
                embedded.Report.WriteReport(writer, embedded.Location);
            }

            writer.WriteEndArray();
        }

        if (Summary is not null)
        {
            writer.WritePropertyName("credential");
            Summary.WriteTo(writer, Verified);
        }

        writer.WriteEndObject();
    }

    /// <summary>The wire name of a step outcome: <c>passed</c>, <c>failed</c>, <c>warning</c> or <c>skipped</c>.</summary>
    public static string StatusName(CheckStatus status) => status switch
    {
        CheckStatus.Passed => "passed",
        CheckStatus.Failed => "failed",
        CheckStatus.Warning => "warning",
        _ => "skipped",
    };

    private void WriteMessages(Utf8JsonWriter writer, string name, CheckStatus status)
    {
        writer.WriteStartArray(name);
        foreach (VerificationCheck c in Checks)
        {
            if (c.Status == status)
            {
                writer.WriteStringValue(c.Message);
            }
        }

        writer.WriteEndArray();
    }
}

/// <summary>An endorsement's own verification report and where the endorsement sat (e.g. <c>issuer.endorsement[0]</c>).</summary>
public sealed record EndorsementReport(string Location, VerificationReport Report);

/// <summary>The report of a credential a CLR embeds and where it sat (e.g. <c>credentialSubject.verifiableCredential[0]</c>).</summary>
public sealed record EmbeddedCredentialReport(string Location, VerificationReport Report);

/// <summary>The names of the verification steps.</summary>
public static class CheckNames
{
    public const string Format = "format";
    public const string Parse = "parse";
    public const string Context = "context";
    public const string Type = "type";
    public const string Schema = "schema";
    public const string JsonLd = "jsonld-safe-mode";
    public const string Proof = "proof";
    public const string IssuerKey = "issuer-key";
    public const string Validity = "validity";
    public const string Status = "status";
    public const string Refresh = "refresh";
    public const string Recipient = "recipient";
    public const string KnownIssuer = "known-issuer";
    public const string Endorsement = "endorsement";

    /// <summary>The VC Data Model rules of the credential's version (VC 2.0 or 1.1).</summary>
    public const string VcDataModel = "vc-data-model";

    /// <summary>The CLR 2.0 rules of a ClrCredential.</summary>
    public const string Clr = "clr";

    /// <summary>One credential a CLR embeds, verified by the same pipeline (its report is in <see cref="VerificationReport.EmbeddedCredentials"/>).</summary>
    public const string EmbeddedCredential = "clr-credential";

    /// <summary>The digest of one relatedResource entry (VC 2.0 §5.3).</summary>
    public const string RelatedResource = "related-resource";

    /// <summary>The verdict's own reason, added only when it is false and no other step failed.</summary>
    public const string Verdict = "verdict";
}
