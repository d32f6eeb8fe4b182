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

    internal VerificationReport(
        string format, IReadOnlyList<VerificationCheck> checks, string? credentialId, string? issuerId, bool issuerKeyUntrusted, CredentialSummary? summary)
    {
        Format = format;
        Checks = checks;
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

    /// <summary>One finding per <c>credentialStatus</c> entry whose status was read, in order.</summary>
    public IReadOnlyList<StatusFinding> StatusFindings { get; internal init; } = [];

    /// <summary>The messages of the steps that ended in a warning, in order.</summary>
    public IEnumerable<string> Warnings => Checks.Where(c => c.Status == CheckStatus.Warning).Select(c => c.Message);

    /// <summary>The messages of the steps that failed, in order.</summary>
    public IEnumerable<string> Errors => Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => c.Message);

    /// <summary>
    /// Writes <c>{"verified", "format", "credentialId"?, "issuer"?, "checks": [{"name", "status", "message"}], "warnings": [...],
    /// "errors": [...], "status": [{"purpose", "set", "message"?, "changedAt"?, "reason"?}], "credential"?: {display summary}}</c>.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteBoolean("verified", Verified);
        writer.WriteString("format", Format);
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

            if (finding.ChangedAt is { } changedAt)
            {
                writer.WriteString("changedAt", changedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            }

            if (finding.Reason is not null)
            {
                writer.WriteString("reason", finding.Reason);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
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
}
