// The one-sentence verdict of a report (issue 13), for people: "Valid: 'Intro to Welding', issued by 'Acme College'
// to 'Ada Lovelace' on 2026-12-07, not revoked." / "Not valid: revoked on 2026-12-08 (reason: issued in error)." /
// "Not valid: the signature does not match the content (it was changed after signing)."
// Built from the report only: its steps, its status findings and its display summary (which holds signed content
// only and exists only when a proof verified). What the credential says is quoted, bounded and stripped of control
// and bidirectional-formatting characters, so a value cannot end the quote, break the line or reorder the sentence.

using System.Globalization;
using System.Text;

namespace BadgeIssuer.Core.Verification;

internal static class VerdictSentence
{
    /// <summary>Longest value from the credential shown in a sentence (longer ones end with "…").</summary>
    internal const int MaxValueLength = 80;

    /// <summary>Longest step message or reason shown in a sentence.</summary>
    internal const int MaxMessageLength = 240;

    public static string For(VerificationReport report)
        => report.Verified ? Valid(report) : "Not valid: " + Reason(report) + ".";

    public static string For(PresentationVerificationReport report)
    {
        string holder = report.Holder is null ? string.Empty : " by " + Quote(report.Holder);
        if (report.Verified)
        {
            int n = report.Credentials.Count;
            return n switch
            {
                0 => $"Valid: a presentation{holder} with no credentials.",
                1 => $"Valid: a presentation{holder} of one credential ({Unprefixed(report.Credentials[0].Verdict, "Valid: ")}).",
                _ => string.Create(CultureInfo.InvariantCulture, $"Valid: a presentation{holder} of {n} credentials, each valid."),
            };
        }

        VerificationCheck? failed = report.Checks.FirstOrDefault(c => c.Status == CheckStatus.Failed && c.Name != PresentationCheckNames.Credentials);
        if (failed is not null)
        {
            return failed.Name switch
            {
                PresentationCheckNames.Format or PresentationCheckNames.Parse => $"Not valid: the input could not be read as a presentation ({Clean(failed.Message, MaxMessageLength)}).",
                PresentationCheckNames.Proof => $"Not valid: the presentation's proof does not verify ({Clean(failed.Message, MaxMessageLength)}).",
                _ => $"Not valid: {failed.Name}: {Clean(failed.Message, MaxMessageLength)}.",
            };
        }

        for (int i = 0; i < report.Credentials.Count; i++)
        {
            if (!report.Credentials[i].Verified)
            {
                return string.Create(CultureInfo.InvariantCulture, $"Not valid: credentials[{i}] is not valid ({TrimPeriod(Unprefixed(report.Credentials[i].Verdict, "Not valid: "))}).");
            }
        }

        VerificationCheck? any = report.Checks.FirstOrDefault(c => c.Status == CheckStatus.Failed);
        return any is null ? "Not valid: no presentation proof verified." : $"Not valid: {any.Name}: {Clean(any.Message, MaxMessageLength)}.";
    }

    private static string Valid(VerificationReport report)
    {
        CredentialSummary? summary = report.Summary;
        var sentence = new StringBuilder("Valid: ");
        sentence.Append(Quote(summary?.Achievement?.Name ?? summary?.Name) ?? "the credential");
        // A name is the credential's claim: unless the issuer is hosted here or on the known-issuers list, say whose key
        // signed it and that nobody here vouches for that name (anyone can mint a did:key called "Harvard"). A name
        // that cleans to nothing falls back to the id, and the caveat stands even when there is nothing to name.
        bool known = report.Checks.Any(c => c.Name == CheckNames.KnownIssuer && c.Status == CheckStatus.Passed);
        string? issuerName = Quote(summary?.Issuer?.Name);
        string? issuerId = Quote(report.IssuerId ?? summary?.Issuer?.Id);
        if ((issuerName ?? issuerId) is string shown)
        {
            sentence.Append(", issued by ").Append(shown);
            if (!known)
            {
                sentence.Append(issuerName is not null && issuerId is not null ? " (" + issuerId + ", not a known issuer)" : " (not a known issuer)");
            }
        }
        else if (!known)
        {
            sentence.Append(", from an issuer not known here");
        }

        if (Quote(summary?.RecipientName) is string recipient)
        {
            sentence.Append(" to ").Append(recipient);
        }

        if (DateOf(summary?.ValidFrom) is string date)
        {
            sentence.Append(" on ").Append(date);
        }

        // A CLR verifies only when every credential it embeds does.
        if (report.EmbeddedCredentials.Count > 0)
        {
            sentence.Append(report.EmbeddedCredentials.Count == 1
                ? ", holding 1 credential, valid"
                : string.Create(CultureInfo.InvariantCulture, $", holding {report.EmbeddedCredentials.Count} credentials, each valid"));
        }

        sentence.Append(", ").Append(StatusPhrase(report));
        if (report.Checks.Any(c => c.Name == CheckNames.IssuerKey && c.Status == CheckStatus.Warning))
        {
            sentence.Append("; the signing key only names the issuer (accepted by the trust policy)");
        }

        return sentence.Append('.').ToString();
    }

    private static string StatusPhrase(VerificationReport report)
    {
        if (report.Summary?.Status is null or CredentialStatusState.None)
        {
            return "with no revocation status (it cannot be revoked)";
        }

        bool revocation = report.StatusFindings.Any(f => f.Purpose == "revocation");
        bool suspension = report.StatusFindings.Any(f => f.Purpose == "suspension");
        return (revocation, suspension) switch
        {
            (true, true) => "not revoked or suspended",
            (false, true) => "not suspended",
            (true, false) => "not revoked",
            _ => "status checked",
        };
    }

    private static string Reason(VerificationReport report)
    {
        List<VerificationCheck> failed = [.. report.Checks.Where(c => c.Status == CheckStatus.Failed)];
        if (!report.InputReadable)
        {
            return $"the input could not be read as a credential ({Message(failed.FirstOrDefault())})";
        }

        bool proofPassed = report.Checks.Any(c => IsProof(c.Name) && c.Status == CheckStatus.Passed);
        if (!proofPassed && failed.FirstOrDefault(c => IsProof(c.Name)) is VerificationCheck proof)
        {
            return ProofReason(proof.Message);
        }

        if (failed.FirstOrDefault(c => c.Name == CheckNames.IssuerKey) is VerificationCheck key)
        {
            return key.Message.StartsWith("issuer key not authenticated", StringComparison.Ordinal)
                ? "the signature verifies, but its key is not authenticated as the issuer's: no key document of the issuer is known here, so it proves only that someone signed"
                : $"the signing key is not the issuer's ({Message(key)})";
        }

        if (report.StatusFindings.FirstOrDefault(f => f.Set && f.Purpose is "revocation" or "suspension") is StatusFinding set)
        {
            var reason = new StringBuilder(set.Purpose == "revocation" ? "revoked" : "suspended");
            if (set.ChangedAt is DateTimeOffset at)
            {
                reason.Append(" on ").Append(at.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            if (Clean(set.Reason, MaxMessageLength) is { Length: > 0 } why)
            {
                reason.Append(" (reason: ").Append(why).Append(')');
            }
            else if (Clean(set.StatusMessage, MaxValueLength) is { Length: > 0 } message)
            {
                reason.Append(" (status: ").Append(message).Append(')');
            }

            return reason.ToString();
        }

        if (failed.FirstOrDefault(c => c.Name == CheckNames.Validity) is VerificationCheck validity)
        {
            return Message(validity);
        }

        if (failed.FirstOrDefault(c => c.Name == CheckNames.Status) is VerificationCheck status)
        {
            return $"its revocation status could not be checked ({Message(status)})";
        }

        // A CLR whose own steps pass but one of whose credentials does not: name that credential and why.
        if (failed.FirstOrDefault() is { Name: CheckNames.EmbeddedCredential } embedded
            && report.EmbeddedCredentials.FirstOrDefault(e => !e.Report.Verified && embedded.Message.StartsWith(e.Location, StringComparison.Ordinal)) is EmbeddedCredentialReport bad)
        {
            string id = Clean(bad.Report.CredentialId, MaxValueLength) is { Length: > 0 } shown ? " (" + shown + ")" : string.Empty;
            return $"the embedded credential {bad.Location}{id} is not valid: {TrimPeriod(Unprefixed(bad.Report.Verdict, "Not valid: "))}";
        }

        if (failed.FirstOrDefault() is VerificationCheck first)
        {
            return first.Name == CheckNames.Verdict ? Message(first) : $"{first.Name}: {Message(first)}";
        }

        return "no proof verified";
    }

    private static string ProofReason(string message)
    {
        if (message.Contains(nameof(DataIntegrity.ProofFailure.SignatureInvalid), StringComparison.Ordinal)
            || message.Contains(nameof(Jwt.VcJwtFailure.InvalidSignature), StringComparison.Ordinal))
        {
            return "the signature does not match the content (it was changed after signing, or signed with another key)";
        }

        if (message.Contains(nameof(DataIntegrity.ProofFailure.VerificationMethodNotFound), StringComparison.Ordinal)
            || message.Contains(nameof(Jwt.VcJwtFailure.KeyResolutionFailed), StringComparison.Ordinal))
        {
            return $"the signing key could not be found, so the signature cannot be checked ({Clean(message, MaxMessageLength)})";
        }

        if (message.Contains(nameof(DataIntegrity.ProofFailure.MissingProof), StringComparison.Ordinal))
        {
            return "the credential is not signed (it has no proof)";
        }

        return $"the proof does not verify ({Clean(message, MaxMessageLength)})";
    }

    private static bool IsProof(string name)
        => name == CheckNames.Proof || name.StartsWith(CheckNames.Proof + "[", StringComparison.Ordinal);

    private static string Message(VerificationCheck? check) => check is null ? "no reason given" : Clean(check.Message, MaxMessageLength) ?? string.Empty;

    /// <summary>The date part of an xsd:dateTime as written (in its own offset), or null when it is not one.</summary>
    private static string? DateOf(string? lexical)
        => lexical is not null && DateTimeOffset.TryParse(lexical, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset parsed)
            ? parsed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;

    private static string Unprefixed(string sentence, string prefix)
        => sentence.StartsWith(prefix, StringComparison.Ordinal) ? sentence[prefix.Length..] : sentence;

    private static string TrimPeriod(string sentence) => sentence.EndsWith('.') ? sentence[..^1] : sentence;

    /// <summary>A value from the credential, cleaned, bounded and in single quotes (a quote inside becomes ’); null when empty.</summary>
    internal static string? Quote(string? value)
        => Clean(value, MaxValueLength) is { Length: > 0 } clean ? "'" + clean.Replace('\'', '’') + "'" : null;

    /// <summary>
    /// <paramref name="value"/> without control characters (line breaks included), bidirectional-formatting and other
    /// invisible format characters, with runs of white space collapsed to one space, and at most <paramref name="max"/>
    /// characters (cut at a character boundary, ending with "…").
    /// </summary>
    internal static string? Clean(string? value, int max)
    {
        if (value is null)
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(value.Length, max + 1));
        bool space = false;
        foreach (char c in value)
        {
            // Hidden characters are dropped, except the white-space controls (line breaks, tabs), which collapse below.
            if (DisplayText.IsHidden(c) && !(char.IsControl(c) && char.IsWhiteSpace(c)))
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                space = clean.Length > 0;
                continue;
            }

            if (space)
            {
                clean.Append(' ');
                space = false;
            }

            clean.Append(c);
            if (clean.Length > max)
            {
                break;
            }
        }

        if (clean.Length <= max)
        {
            return clean.ToString();
        }

        int cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(clean[cut - 1]))
        {
            cut--;
        }

        return clean.ToString(0, cut) + "…";
    }
}
