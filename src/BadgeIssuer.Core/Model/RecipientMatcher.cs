using System.Text.Json;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// The OB 3.0 recipient check (VER-6): compares a known id with <c>credentialSubject.id</c>, or a known identifier
/// (type + value) with each <c>credentialSubject.identifier</c> entry, hashing with the entry's salt when it is hashed.
/// Accepts either a whole credential or its <c>credentialSubject</c>.
/// </summary>
public static class RecipientMatcher
{
    /// <summary>True when <c>credentialSubject.id</c> equals <paramref name="knownId"/> (ordinal).</summary>
    public static bool MatchesId(JsonElement credentialOrSubject, string knownId)
    {
        ArgumentNullException.ThrowIfNull(knownId);
        foreach (JsonElement subject in Subjects(credentialOrSubject))
        {
            if (subject.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String && id.ValueEquals(knownId))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when an <c>identifier</c> entry of type <paramref name="identityType"/> matches <paramref name="knownValue"/>:
    /// hashed entries by <see cref="IdentityHash.Matches"/> (sha256 or legacy md5, hex in any case, with the entry's salt),
    /// plaintext entries by ordinal comparison. Entries of another identity type are skipped.
    /// </summary>
    public static bool MatchesIdentifier(JsonElement credentialOrSubject, string identityType, string knownValue)
    {
        ArgumentNullException.ThrowIfNull(identityType);
        ArgumentNullException.ThrowIfNull(knownValue);
        foreach (JsonElement subject in Subjects(credentialOrSubject))
        {
            if (!subject.TryGetProperty("identifier", out JsonElement identifiers))
            {
                continue;
            }

            IEnumerable<JsonElement> entries = identifiers.ValueKind == JsonValueKind.Array ? identifiers.EnumerateArray() : [identifiers];
            foreach (JsonElement entry in entries)
            {
                if (EntryMatches(entry, identityType, knownValue))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// <see cref="MatchesIdentifier"/> for <c>emailAddress</c>. Tries the address as given, then trimmed and lower-cased
    /// (issuers commonly normalise before hashing), then as <see cref="EmailAddress.TryNormalize"/> writes it (an
    /// internationalised domain in ASCII form).
    /// </summary>
    public static bool MatchesEmail(JsonElement credentialOrSubject, string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (MatchesIdentifier(credentialOrSubject, IdentityObject.EmailAddress, email))
        {
            return true;
        }

        string normalized = email.Trim().ToLowerInvariant();
        if (!string.Equals(normalized, email, StringComparison.Ordinal)
            && MatchesIdentifier(credentialOrSubject, IdentityObject.EmailAddress, normalized))
        {
            return true;
        }

        // As this service hashes since it normalises addresses: an internationalised domain in its ASCII (A-label) form.
        return EmailAddress.TryNormalize(email, out string ascii, out _)
            && !string.Equals(ascii, normalized, StringComparison.Ordinal)
            && !string.Equals(ascii, email, StringComparison.Ordinal)
            && MatchesIdentifier(credentialOrSubject, IdentityObject.EmailAddress, ascii);
    }

    private static bool EntryMatches(JsonElement entry, string identityType, string knownValue)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("identityType", out JsonElement type) || type.ValueKind != JsonValueKind.String || !type.ValueEquals(identityType)
            || !entry.TryGetProperty("identityHash", out JsonElement hash) || hash.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        bool hashed = entry.TryGetProperty("hashed", out JsonElement h) && h.ValueKind == JsonValueKind.True;
        if (!hashed)
        {
            return hash.ValueEquals(knownValue);
        }

        string? salt = entry.TryGetProperty("salt", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        return IdentityHash.Matches(hash.GetString()!, knownValue, salt);
    }

    private static IEnumerable<JsonElement> Subjects(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("credentialSubject", out JsonElement subject))
        {
            element = subject;
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            yield return element;
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                {
                    yield return item;
                }
            }
        }
    }
}
