using System.Text.Json;

namespace BadgeIssuer.Core.Verification;

/// <summary>The names of the presentation-level steps of <see cref="PresentationVerifier"/>.</summary>
public static class PresentationCheckNames
{
    public const string Format = "format";
    public const string Parse = "parse";
    public const string Proof = "presentation-proof";
    public const string Challenge = "challenge";
    public const string Domain = "domain";
    public const string Holder = "holder";
    public const string Credentials = "credentials";
}

/// <summary>
/// The report of verifying one Verifiable Presentation: the presentation-level steps (format, parse, proof,
/// challenge, domain, holder, credentials) and one <see cref="VerificationReport"/> per contained credential.
/// </summary>
public sealed class PresentationVerificationReport
{
    private string? _verdict;

    internal PresentationVerificationReport(
        string format,
        IReadOnlyList<VerificationCheck> checks,
        IReadOnlyList<VerificationReport> credentials,
        string? presentationId,
        string? holder)
    {
        Format = format;
        Credentials = credentials;
        PresentationId = presentationId;
        Holder = holder;
        bool failed = false;
        bool proof = false;
        bool readable = true;
        foreach (VerificationCheck c in checks)
        {
            failed |= c.Status == CheckStatus.Failed;
            readable &= !(c.Status == CheckStatus.Failed && c.Name is PresentationCheckNames.Format or PresentationCheckNames.Parse);
            proof |= c.Status == CheckStatus.Passed && string.Equals(c.Name, PresentationCheckNames.Proof, StringComparison.Ordinal);
        }

        Verified = !failed && proof && credentials.All(r => r.Verified);
        InputReadable = readable;

        // As for credentials: a false verdict always names its reason among the errors.
        if (!Verified && !failed)
        {
            checks = [.. checks, new VerificationCheck(CheckNames.Verdict, CheckStatus.Failed, proof
                ? "not verified: a credential in the presentation did not verify"
                : "not verified: no presentation proof verified")];
        }

        Checks = checks;
    }

    /// <summary>The verdict in one sentence (see <see cref="VerificationReport.Verdict"/>); for a presentation that is not valid, the first reason.</summary>
    public string Verdict => _verdict ??= VerdictSentence.For(this);

    /// <summary>The messages of the presentation-level steps that failed, in order (never empty when <see cref="Verified"/> is false).</summary>
    public IEnumerable<string> Errors => Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => c.Message);

    /// <summary>The messages of the presentation-level steps that ended in a warning, in order.</summary>
    public IEnumerable<string> Warnings => Checks.Where(c => c.Status == CheckStatus.Warning).Select(c => c.Message);

    /// <summary>True when the presentation proof verified, no presentation step failed and every credential verified.</summary>
    public bool Verified { get; }

    /// <summary>False when the input could not be read as a presentation at all (format or parse step failed).</summary>
    public bool InputReadable { get; }

    /// <summary>How the presentation arrived: <c>json</c> (Data Integrity), <c>jwt</c> (VP-JWT) or <c>json+enveloped</c>.</summary>
    public string Format { get; }

    public IReadOnlyList<VerificationCheck> Checks { get; }

    /// <summary>One report per credential, in the order the presentation lists them.</summary>
    public IReadOnlyList<VerificationReport> Credentials { get; }

    public string? PresentationId { get; }

    /// <summary>The holder the presentation names (<c>holder</c>, or the VP-JWT <c>iss</c>).</summary>
    public string? Holder { get; }

    /// <summary>
    /// Writes <c>{"verified", "verdict", "format", "id"?, "holder"?, "checks": [...], "warnings": [...], "errors": [...],
    /// "credentials": [...]}</c>; each credential is written by <see cref="VerificationReport.WriteTo"/>, exactly as the
    /// credential endpoint writes it. <c>errors</c> holds the presentation-level failures and is never empty when
    /// <c>verified</c> is false (a credential that did not verify fails the <c>credentials</c> step).
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteBoolean("verified", Verified);
        writer.WriteString("verdict", Verdict);
        writer.WriteString("format", Format);
        if (PresentationId is not null)
        {
            writer.WriteString("id", PresentationId);
        }

        if (Holder is not null)
        {
            writer.WriteString("holder", Holder);
        }

        writer.WriteStartArray("checks");
        foreach (VerificationCheck c in Checks)
        {
            writer.WriteStartObject();
            writer.WriteString("name", c.Name);
            writer.WriteString("status", c.Status switch
            {
                CheckStatus.Passed => "passed",
                CheckStatus.Failed => "failed",
                CheckStatus.Warning => "warning",
                _ => "skipped",
            });
            writer.WriteString("message", c.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("warnings");
        foreach (string warning in Warnings)
        {
            writer.WriteStringValue(warning);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("errors");
        foreach (string error in Errors)
        {
            writer.WriteStringValue(error);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("credentials");
        foreach (VerificationReport credential in Credentials)
        {
            credential.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
