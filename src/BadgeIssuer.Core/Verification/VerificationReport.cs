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

/// <summary>The report of verifying one credential: every step, in order, and the overall verdict.</summary>
public sealed class VerificationReport
{
    internal VerificationReport(string format, IReadOnlyList<VerificationCheck> checks, string? credentialId, string? issuerId)
    {
        Format = format;
        Checks = checks;
        CredentialId = credentialId;
        IssuerId = issuerId;
        bool anyProof = false;
        bool failed = false;
        bool readable = true;
        foreach (VerificationCheck c in checks)
        {
            failed |= c.Status == CheckStatus.Failed;
            readable &= !(c.Status == CheckStatus.Failed && c.Name is CheckNames.Format or CheckNames.Parse);
            anyProof |= c.Status == CheckStatus.Passed && c.Name.StartsWith(CheckNames.Proof, StringComparison.Ordinal);
        }

        Verified = !failed && anyProof;
        InputReadable = readable;
    }

    /// <summary>False when the input could not be read as a credential at all (format or parse step failed).</summary>
    public bool InputReadable { get; }

    /// <summary>True when no step failed and at least one proof verified.</summary>
    public bool Verified { get; }

    /// <summary>How the credential arrived: <c>json</c>, <c>jwt</c>, <c>png</c> or <c>svg</c> (with the inner form, e.g. <c>png+jwt</c>).</summary>
    public string Format { get; }

    public IReadOnlyList<VerificationCheck> Checks { get; }

    public string? CredentialId { get; }

    public string? IssuerId { get; }

    /// <summary>Writes <c>{"verified", "format", "credentialId", "issuer", "checks": [{"name", "status", "message"}]}</c>.</summary>
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
        writer.WriteEndObject();
    }
}

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
}
