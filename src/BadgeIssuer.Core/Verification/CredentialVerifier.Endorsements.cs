// Endorsements (DIGEST VER-8, OB-DM-8/23/31/40/41): embedded EndorsementCredentials (`endorsement`) and VC-JWT
// endorsements (`endorsementJwt`) on the credential, its issuer Profile, the achievement, the achievement's creator
// Profile and the subject's source Profile are each verified by this same pipeline (context, type
// EndorsementCredential, schema, safe mode, proof, issuer key, known issuer, validity, status, and their own
// endorsements), and reported as one `endorsement` step each: passed when it verifies, a warning when it does not.
// Bounds: MaxEndorsementDepth levels and MaxEndorsements verifications per input; the rest are reported as skipped.

using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.Core.Verification;

public sealed partial class CredentialVerifier
{
    private static readonly string[][] s_endorsementHolders =
    [
        [],
        ["issuer"],
        ["credentialSubject", "achievement"],
        ["credentialSubject", "achievement", "creator"],
        ["credentialSubject", "source"],
    ];

    /// <summary>
    /// Endorsements where the signed <paramref name="credential"/> has them. A VC-JWT endorsement is a signed string and
    /// is read from there. An embedded one needs its own JSON (for its own proof), so it is taken from
    /// <paramref name="submitted"/> (all of which the credential's proof covers, safe mode dropping nothing); a signed
    /// endorsement the JSON does not show at one of these places is reported as a warning, and one shown twice is
    /// verified once. Endorsements never fail the endorsed credential.
    /// </summary>
    private async ValueTask CheckEndorsementsAsync(JsonElement credential, JsonElement submitted, Run run, CancellationToken cancellationToken)
    {
        List<(string Where, JsonElement Value)>? found = null;
        var signedIds = new HashSet<string>(StringComparer.Ordinal);
        int signedAnonymous = 0;
        foreach (string[] path in s_endorsementHolders)
        {
            if (Navigate(credential, path) is not JsonElement holder)
            {
                continue;
            }

            string prefix = path.Length == 0 ? string.Empty : string.Join('.', path) + ".";
            Collect(holder, "endorsementJwt", prefix, ref found);
            if (holder.TryGetProperty("endorsement", out JsonElement signed))
            {
                foreach (JsonElement e in signed.ValueKind == JsonValueKind.Array ? signed.EnumerateArray() : Enumerate(signed))
                {
                    if ((e.ValueKind == JsonValueKind.String ? e.GetString() : CredentialJson.StringMember(e, "id")) is string id)
                    {
                        signedIds.Add(id);
                    }
                    else
                    {
                        signedAnonymous++;
                    }
                }
            }

            if (Navigate(submitted, path) is JsonElement own)
            {
                Collect(own, "endorsement", prefix, ref found);
            }
        }

        if (found is not null)
        {
            // Shown twice (the same IRI node written out twice keeps the signed data): verified once.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            found.RemoveAll(f => f.Value.ValueKind == JsonValueKind.Object && CredentialJson.StringMember(f.Value, "id") is string id && !seen.Add(id));
            int shownAnonymous = found.Count(f => f.Value.ValueKind == JsonValueKind.Object && CredentialJson.StringMember(f.Value, "id") is null && !f.Where.Contains("endorsementJwt", StringComparison.Ordinal));
            signedIds.ExceptWith(seen);
            signedAnonymous = Math.Max(0, signedAnonymous - shownAnonymous);
        }

        if (signedIds.Count + signedAnonymous > 0)
        {
            string which = signedIds.Count == 0 ? string.Empty : " (" + string.Join(", ", signedIds.Order(StringComparer.Ordinal).Take(5)) + ")";
            run.Add(CheckNames.Endorsement, CheckStatus.Warning, string.Create(CultureInfo.InvariantCulture,
                $"{signedIds.Count + signedAnonymous} signed endorsement(s){which} are not shown where the JSON should show them; not verified"));
        }

        if (found is not { Count: > 0 })
        {
            return;
        }

        if (run.Depth >= _options.MaxEndorsementDepth)
        {
            run.Add(CheckNames.Endorsement, CheckStatus.Skipped, string.Create(CultureInfo.InvariantCulture, $"{found.Count} endorsement(s) not verified: endorsements are verified {_options.MaxEndorsementDepth} level(s) deep"));
            return;
        }

        int skipped = 0;
        foreach ((string where, JsonElement value) in found)
        {
            if (run.Budget.Remaining <= 0)
            {
                skipped++;
                continue;
            }

            run.Budget.Remaining--;
            var nested = new Run(run.Depth + 1, run.Budget) { Role = RunRole.Endorsement };
            VerificationReport report;
            if (value.ValueKind == JsonValueKind.Object)
            {
                report = await VerifyCredentialAsync(value, "json", nested, cancellationToken).ConfigureAwait(false);
            }
            else if (value.ValueKind == JsonValueKind.String && LooksLikeCompactJws(value.GetString()!))
            {
                report = await VerifyJwtAsync(value.GetString()!, "jwt", nested, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                run.Add(CheckNames.Endorsement, CheckStatus.Warning, $"{where}: not an EndorsementCredential object or a compact VC-JWT; not verified");
                continue;
            }

            run.Add(CheckNames.Endorsement, report.Verified ? CheckStatus.Passed : CheckStatus.Warning, DescribeEndorsement(where, report));
            (run.Endorsements ??= []).Add(new EndorsementReport(where, report));
        }

        if (skipped > 0)
        {
            run.Add(CheckNames.Endorsement, CheckStatus.Skipped, string.Create(CultureInfo.InvariantCulture, $"{skipped} more endorsement(s) not verified: at most {_options.MaxEndorsements} are verified per input"));
        }
    }

    // "endorsement by 'Example Accreditor' (https://…) of https://… (issuer.endorsement[0]): verified"
    private static string DescribeEndorsement(string where, VerificationReport report)
    {
        ProfileSummary? endorser = report.Summary?.Issuer;
        string who = endorser?.Name is string name
            ? $"'{name}' ({endorser.Id ?? report.IssuerId})"
            : $"'{report.IssuerId ?? "an unnamed endorser"}'";
        string id = report.CredentialId is null ? string.Empty : " " + report.CredentialId;
        string head = $"endorsement{id} by {who} ({where})";
        if (report.Verified)
        {
            int warnings = report.Checks.Count(c => c.Status == CheckStatus.Warning);
            return warnings == 0
                ? $"{head}: verified"
                : string.Create(CultureInfo.InvariantCulture, $"{head}: verified, with {warnings} warning(s)");
        }

        IEnumerable<string> reasons = report.Checks
            .Where(c => c.Status == CheckStatus.Failed)
            .Take(2)
            .Select(c => $"{c.Name}: {c.Message}");
        string because = string.Join("; ", reasons);
        if (because.Length == 0 && report.IssuerKeyUntrusted)
        {
            because = "issuer-key: the endorser's key is not authenticated";
        }

        return $"{head}: not verified ({(because.Length == 0 ? "no proof verified" : because)})";
    }

    private static void Collect(JsonElement holder, string member, string prefix, ref List<(string Where, JsonElement Value)>? found)
    {
        if (!holder.TryGetProperty(member, out JsonElement value))
        {
            return;
        }

        found ??= [];
        if (value.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                found.Add((string.Create(CultureInfo.InvariantCulture, $"{prefix}{member}[{i++}]"), item));
            }
        }
        else
        {
            found.Add((prefix + member, value));
        }
    }

    private static JsonElement? Navigate(JsonElement element, string[] path)
    {
        foreach (string member in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(member, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.Object ? element : null;
    }
}
