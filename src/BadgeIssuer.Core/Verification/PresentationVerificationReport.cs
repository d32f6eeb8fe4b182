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
    internal PresentationVerificationReport(
        string format,
        IReadOnlyList<VerificationCheck> checks,
        IReadOnlyList<VerificationReport> credentials,
        string? presentationId,
        string? holder)
    {
        Format = format;
        Checks = checks;
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
    }

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
    /// Writes <c>{"verified", "format", "id"?, "holder"?, "checks": [...], "credentials": [...]}</c>; each credential is
    /// written by <see cref="VerificationReport.WriteTo"/>, exactly as the credential endpoint writes it.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteBoolean("verified", Verified);
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
        writer.WriteStartArray("credentials");
        foreach (VerificationReport credential in Credentials)
        {
            credential.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
