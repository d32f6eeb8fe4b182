// CLR 2.0 embedded credentials: a ClrCredential's credentialSubject.verifiableCredential holds complete, individually
// secured credentials. Each one is verified by this same pipeline, on its own JSON and by its own proof (any profile:
// an OB AchievementCredential, another CLR, a plain VC), reported as one clr-credential step and one nested report
// (VerificationReport.EmbeddedCredentials). The CLR verifies only when every embedded credential does: a revoked,
// expired or forged one makes it not valid, and the step names which one. The credentials the CLR's proof signs must be
// the ones its JSON shows (count and ids), or a signed credential could be hidden from verification. Bounds:
// MaxEmbeddedCredentialDepth levels and MaxEmbeddedCredentials per input; a credential past a bound is not verified
// and the CLR fails (fail closed).

using System.Globalization;
using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Verification;

public sealed partial class CredentialVerifier
{
    private const string ClrVerifiableCredential = "https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential";
    private const string EmbeddedAt = "credentialSubject.verifiableCredential";

    private async ValueTask CheckEmbeddedCredentialsAsync(JsonElement credential, JsonElement submitted, Run run, CancellationToken cancellationToken)
    {
        if (run.Profile != CredentialProfile.Clr)
        {
            return;
        }

        List<(string Where, JsonElement Item)> shown = Embedded(submitted, "verifiableCredential");
        if (run.HasSignedView && !SameEmbedded(credential, submitted, out string? mismatch))
        {
            run.Add(CheckNames.EmbeddedCredential, CheckStatus.Failed, mismatch!);
        }

        if (shown.Count == 0)
        {
            return; // the clr step reports a ClrSubject without credentials
        }

        if (run.Depth >= _options.MaxEmbeddedCredentialDepth)
        {
            run.Add(CheckNames.EmbeddedCredential, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture,
                $"{shown.Count} embedded credential(s) not verified: embedded credentials are verified {_options.MaxEmbeddedCredentialDepth} level(s) deep, so this CLR cannot be verified"));
            return;
        }

        foreach ((string where, JsonElement item) in shown)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                run.Add(CheckNames.EmbeddedCredential, CheckStatus.Failed, $"{where}: not a credential object; not verified");
                continue;
            }

            if (run.Budget.EmbeddedCredentials >= _options.MaxEmbeddedCredentials)
            {
                run.Add(CheckNames.EmbeddedCredential, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture,
                    $"{where}: not verified: at most {_options.MaxEmbeddedCredentials} embedded credentials are verified per input, so this CLR cannot be verified"));
                continue;
            }

            run.Budget.EmbeddedCredentials++;
            var nested = new Run(run.Depth + 1, run.Budget) { Role = RunRole.Embedded };
            VerificationReport report = await VerifyCredentialAsync(item, "json", nested, cancellationToken).ConfigureAwait(false);
            string id = report.CredentialId is null ? string.Empty : " " + VerdictSentence.Clean(report.CredentialId, VerdictSentence.MaxValueLength);
            run.Add(CheckNames.EmbeddedCredential, report.Verified ? CheckStatus.Passed : CheckStatus.Failed, $"{where}{id}: {report.Verdict}");
            (run.Embedded ??= []).Add(new EmbeddedCredentialReport(where, report));
        }
    }

    /// <summary>
    /// Whether the credentials the signed view <paramref name="credential"/> embeds are the ones the JSON
    /// <paramref name="submitted"/> shows (the same ids, as many). RDF merges a node's statements: when a CLR the CLR
    /// embeds names the same subject, the credentials that inner CLR embeds are signed on that one subject node too, so
    /// what such inner CLRs show counts as shown here.
    /// </summary>
    private static bool SameEmbedded(JsonElement credential, JsonElement submitted, out string? mismatch)
    {
        mismatch = null;
        string name = SignedVocabulary.Shared.Compact(ClrVerifiableCredential);
        List<string> signed = [.. Embedded(credential, name).Select(e => IdOf(e.Item))];
        string? subjectId = SubjectId(submitted);
        var shown = new List<string>();
        CollectShown(submitted, subjectId, shown, depth: 0);
        signed.Sort(StringComparer.Ordinal);
        shown.Sort(StringComparer.Ordinal);
        if (signed.SequenceEqual(shown, StringComparer.Ordinal))
        {
            return true;
        }

        mismatch = string.Create(CultureInfo.InvariantCulture,
            $"the CLR's signed data embeds {signed.Count} credential(s) and its JSON shows {shown.Count} at {EmbeddedAt}, not the same ones; a credential the JSON does not show cannot be verified, so the CLR is not");
        return false;
    }

    private static void CollectShown(JsonElement credential, string? subjectId, List<string> ids, int depth)
    {
        foreach ((_, JsonElement item) in Embedded(credential, "verifiableCredential"))
        {
            ids.Add(IdOf(item));
            if (depth < ClrRules.MaxEmbeddingDepth && subjectId is not null && item.ValueKind == JsonValueKind.Object
                && CredentialProfiles.Detect(item) == CredentialProfile.Clr && string.Equals(SubjectId(item), subjectId, StringComparison.Ordinal))
            {
                CollectShown(item, subjectId, ids, depth + 1);
            }
        }
    }

    private static string IdOf(JsonElement item)
        => item.ValueKind == JsonValueKind.String ? item.GetString()! : CredentialJson.StringMember(item, "id") ?? string.Empty;

    private static string? SubjectId(JsonElement credential)
        => credential.ValueKind == JsonValueKind.Object && credential.TryGetProperty("credentialSubject", out JsonElement subject)
            ? CredentialJson.StringMember(subject, "id")
            : null;

    /// <summary>The values of <c>credentialSubject.&lt;member&gt;</c> (one, or each of an array) with where they sit.</summary>
    private static List<(string Where, JsonElement Item)> Embedded(JsonElement credential, string member)
    {
        var items = new List<(string, JsonElement)>();
        if (credential.ValueKind != JsonValueKind.Object
            || !credential.TryGetProperty("credentialSubject", out JsonElement subject) || subject.ValueKind != JsonValueKind.Object
            || !subject.TryGetProperty(member, out JsonElement value))
        {
            return items;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                items.Add((string.Create(CultureInfo.InvariantCulture, $"{EmbeddedAt}[{i++}]"), item));
            }
        }
        else
        {
            items.Add((EmbeddedAt, value));
        }

        return items;
    }
}
