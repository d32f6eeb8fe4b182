// The related-resource step (VC Data Model 2.0 §5.3): for each signed relatedResource entry (read from the signed
// view, so a JSON rewrite cannot hide one), the resource is asked of CredentialVerifierOptions.RelatedResources (the
// bundled contexts by default) and its digestSRI / digestMultibase are computed and compared (RelatedResources.cs).
// A mismatch, a malformed digest or another media type than the entry's fails the credential; a resource no source
// has, or one larger than MaxRelatedResourceBytes, or a digest in an algorithm not supported here, is a warning that
// says the digest was not checked and why. At most MaxRelatedResources entries are checked per credential.

using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.Core.Verification;

public sealed partial class CredentialVerifier
{
    private async ValueTask CheckRelatedResourcesAsync(JsonElement credential, Run run, CancellationToken cancellationToken)
    {
        if (!credential.TryGetProperty("relatedResource", out JsonElement value))
        {
            return;
        }

        List<JsonElement> entries = value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [value];
        int skipped = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            if (i >= _options.MaxRelatedResources)
            {
                skipped++;
                continue;
            }

            await CheckRelatedResourceAsync(entries[i], run, cancellationToken).ConfigureAwait(false);
        }

        if (skipped > 0)
        {
            run.Add(CheckNames.RelatedResource, CheckStatus.Skipped, string.Create(CultureInfo.InvariantCulture,
                $"{skipped} more relatedResource entries not checked: at most {_options.MaxRelatedResources} are checked per credential"));
        }
    }

    private async ValueTask CheckRelatedResourceAsync(JsonElement entry, Run run, CancellationToken cancellationToken)
    {
        string? id = entry.ValueKind == JsonValueKind.String ? entry.GetString() : CredentialJson.StringMember(entry, "id");
        List<string> sri = Strings(entry, "digestSRI");
        List<string> multibase = Strings(entry, "digestMultibase");
        if (id is null || entry.ValueKind != JsonValueKind.Object || (sri.Count == 0 && multibase.Count == 0))
        {
            run.Add(CheckNames.RelatedResource, CheckStatus.Skipped, $"{Shown(id)}: digest not checked: the entry has no id or no digest (see vc-data-model)");
            return;
        }

        string? mediaType = CredentialJson.StringMember(entry, "mediaType");
        RelatedResourceContent found = await _options.RelatedResources.GetAsync(id, mediaType, _options.MaxRelatedResourceBytes, cancellationToken).ConfigureAwait(false);
        if (found.Content is not ReadOnlyMemory<byte> content)
        {
            run.Add(CheckNames.RelatedResource, CheckStatus.Warning, $"{Shown(id)}: digest not checked: the resource is not available to this verifier ({found.Unavailable ?? "no reason given"})");
            return;
        }

        if (mediaType is not null && found.MediaType is not null && !string.Equals(Essence(mediaType), Essence(found.MediaType), StringComparison.OrdinalIgnoreCase))
        {
            run.Add(CheckNames.RelatedResource, CheckStatus.Failed, $"{Shown(id)}: the resource is {Essence(found.MediaType)} ({found.Origin}), not the {Essence(mediaType)} the credential names");
            return;
        }

        var results = new List<(DigestOutcome Outcome, string Detail)>();
        if (sri.Count > 0)
        {
            results.Add(ResourceDigests.CheckSri(sri, content.Span));
        }

        foreach (string digest in multibase)
        {
            results.Add(ResourceDigests.CheckMultibase(digest, content.Span));
        }

        string Details(DigestOutcome outcome) => string.Join("; ", results.Where(r => r.Outcome == outcome).Select(r => r.Detail));
        if (results.Any(r => r.Outcome is DigestOutcome.Mismatched or DigestOutcome.Malformed))
        {
            string bad = string.Join("; ", results.Where(r => r.Outcome is DigestOutcome.Mismatched or DigestOutcome.Malformed).Select(r => r.Detail));
            run.Add(CheckNames.RelatedResource, CheckStatus.Failed, $"{Shown(id)}: the resource ({found.Origin}) is not the one the credential names: {bad}");
        }
        else if (results.Any(r => r.Outcome == DigestOutcome.Matched))
        {
            string unsupported = Details(DigestOutcome.Unsupported);
            run.Add(CheckNames.RelatedResource, CheckStatus.Passed,
                $"{Shown(id)}: {Details(DigestOutcome.Matched)} match{(mediaType is null ? string.Empty : " (" + Essence(mediaType) + ")")} ({found.Origin}){(unsupported.Length == 0 ? string.Empty : "; not checked: " + unsupported)}");
        }
        else
        {
            run.Add(CheckNames.RelatedResource, CheckStatus.Warning, $"{Shown(id)}: digest not checked: {Details(DigestOutcome.Unsupported)}");
        }
    }

    /// <summary>A string member or the strings of an array member.</summary>
    private static List<string> Strings(JsonElement owner, string member)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(member, out JsonElement value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.String ? [value.GetString()!]
            : value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
    }

    /// <summary>A media type without its parameters.</summary>
    private static string Essence(string mediaType)
    {
        int semicolon = mediaType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
    }

    private static string Shown(string? id) => id is null ? "relatedResource" : "relatedResource " + (VerdictSentence.Clean(id, VerdictSentence.MaxMessageLength) ?? string.Empty);
}
