// Comprehensive Learner Record 2.0 (1EdTech, https://www.imsglobal.org/spec/clr/v2p0/) rules for a ClrCredential, checked
// on its JSON: no CLR JSON Schema is bundled (none was available to copy), so the data model's required members and
// shapes are checked here by hand. ClrCredential: the CLR context, type ClrCredential, id, name, an issuer Profile,
// validFrom (VC 2.0), and a ClrSubject credentialSubject whose verifiableCredential holds one or more credentials, with
// optional achievement (Achievement: id, type, name, description, criteria) and association (Association: type,
// associationType from the CLR enumeration, sourceId, targetId) members, and an optional boolean partial.
// The embedded credentials are verified by the verifier's own pipeline, one report each; before issuing, each is
// checked against the VC Data Model rules of its version and must be secured (a proof, or an enveloped credential).

using System.Text.Json;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Model;

/// <summary>The CLR 2.0 rules of a <c>ClrCredential</c> (see the file comment). Reports every violation with its JSON pointer.</summary>
public static class ClrRules
{
    /// <summary>The CLR 2.0 <c>AssociationType</c> enumeration.</summary>
    public static IReadOnlyList<string> AssociationTypes { get; } =
        ["exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo", "precedes", "replacedBy"];

    /// <summary>How deep CLRs inside CLRs are followed by <see cref="Check(JsonElement, bool)"/> before issuing.</summary>
    public const int MaxEmbeddingDepth = 4;

    /// <summary>Every CLR 2.0 violation of <paramref name="credential"/>.</summary>
    /// <param name="credential">The ClrCredential.</param>
    /// <param name="checkEmbedded">
    /// Also check each embedded credential against the VC Data Model rules of its version and require it to be secured
    /// (issuing); false when the verifier verifies each one on its own.
    /// </param>
    public static IReadOnlyList<CredentialViolation> Check(JsonElement credential, bool checkEmbedded)
    {
        var violations = new List<CredentialViolation>();
        Check(credential, credential, string.Empty, checkEmbedded, 0, violations);
        return violations;
    }

    private static void Check(JsonElement root, JsonElement credential, string at, bool checkEmbedded, int depth, List<CredentialViolation> violations)
    {
        void Add(string pointer, string code, string message)
            => violations.Add(new CredentialViolation(CredentialViolationKind.Clr, JsonLocations.ToPath(root, at + pointer), at + pointer, code, message));

        if (credential.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (!(credential.TryGetProperty("@context"u8, out JsonElement context) && context.ValueKind == JsonValueKind.Array
            && context.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && CredentialProfiles.ClrContexts.Contains(c.GetString()!, StringComparer.Ordinal))))
        {
            Add("/@context", "CLR-CONTEXT", $"a ClrCredential's @context must include the CLR 2.0 context {CredentialProfiles.ClrContexts[0]} (CLR 2.0 ClrCredential)");
        }

        if (!credential.TryGetProperty("id"u8, out _))
        {
            Add("/id", "CLR-ID", "a ClrCredential must have an id (CLR 2.0 ClrCredential: id [1])");
        }

        if (!(credential.TryGetProperty("name"u8, out JsonElement name) && name.ValueKind == JsonValueKind.String && name.GetString()!.Length > 0))
        {
            Add("/name", "CLR-NAME", "a ClrCredential must have a name, a non-empty string (CLR 2.0 ClrCredential: name [1])");
        }

        if (credential.TryGetProperty("issuer"u8, out JsonElement issuer) && !(issuer.ValueKind == JsonValueKind.Object && HasType(issuer, "Profile")))
        {
            Add("/issuer", "CLR-ISSUER", "a ClrCredential's issuer must be a Profile object (with type Profile and an id) (CLR 2.0 ClrCredential: issuer Profile [1])");
        }

        if (VcDataModelRules.Version(credential) != VcVersion.V11 && !credential.TryGetProperty("validFrom"u8, out _))
        {
            Add("/validFrom", "CLR-VALIDFROM", "a ClrCredential must have validFrom (CLR 2.0 ClrCredential: validFrom [1])");
        }

        if (credential.TryGetProperty("partial"u8, out JsonElement partial) && partial.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Add("/partial", "CLR-PARTIAL", "partial must be a boolean (CLR 2.0 ClrCredential: partial)");
        }

        if (!credential.TryGetProperty("credentialSubject"u8, out JsonElement subject))
        {
            return; // the VC Data Model rules report a missing credentialSubject
        }

        if (subject.ValueKind != JsonValueKind.Object)
        {
            Add("/credentialSubject", "CLR-SUBJECT", "a ClrCredential's credentialSubject must be one ClrSubject object (CLR 2.0 ClrCredential: credentialSubject ClrSubject [1])");
            return;
        }

        if (!HasType(subject, "ClrSubject"))
        {
            Add("/credentialSubject/type", "CLR-SUBJECT", "the credentialSubject's type must include ClrSubject (CLR 2.0 ClrSubject)");
        }

        CheckCredentials(root, subject, at, checkEmbedded, depth, violations, Add);
        List<(JsonElement Item, string Pointer)> achievements = Items(subject, "achievement", "/credentialSubject/achievement", out bool achievementsMalformed);
        foreach ((JsonElement achievement, string pointer) in achievements)
        {
            CheckAchievement(achievement, pointer, Add);
        }

        if (achievementsMalformed)
        {
            Add("/credentialSubject/achievement", "CLR-ACHIEVEMENT", "achievement must be an Achievement object or an array of them (CLR 2.0 ClrSubject: achievement [0..*])");
        }

        List<(JsonElement Item, string Pointer)> associations = Items(subject, "association", "/credentialSubject/association", out bool associationsMalformed);
        foreach ((JsonElement association, string pointer) in associations)
        {
            CheckAssociation(association, pointer, Add);
        }

        if (associationsMalformed)
        {
            Add("/credentialSubject/association", "CLR-ASSOCIATION", "association must be an Association object or an array of them (CLR 2.0 ClrSubject: association [0..*])");
        }
    }

    private static void CheckCredentials(JsonElement root, JsonElement subject, string at, bool checkEmbedded, int depth, List<CredentialViolation> violations, Action<string, string, string> add)
    {
        const string Member = "/credentialSubject/verifiableCredential";
        if (!subject.TryGetProperty("verifiableCredential"u8, out JsonElement embedded))
        {
            add(Member, "CLR-CREDENTIALS", "a ClrSubject must hold one or more credentials in verifiableCredential (CLR 2.0 ClrSubject: verifiableCredential [1..*])");
            return;
        }

        List<(JsonElement Item, string Pointer)> items = Items(subject, "verifiableCredential", Member, out bool malformed);
        if (malformed || items.Count == 0)
        {
            add(Member, "CLR-CREDENTIALS", "verifiableCredential must be one or more credential objects (CLR 2.0 ClrSubject: verifiableCredential [1..*])");
            return;
        }

        foreach ((JsonElement item, string pointer) in items)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                add(pointer, "CLR-CREDENTIALS", "each verifiableCredential must be a credential object, not a string, number or URL (CLR 2.0 ClrSubject; VC 2.0 §4.13)");
                continue;
            }

            if (!checkEmbedded)
            {
                continue;
            }

            if (HasType(item, "EnvelopedVerifiableCredential"))
            {
                if (!(item.TryGetProperty("id"u8, out JsonElement id) && id.ValueKind == JsonValueKind.String && id.GetString()!.StartsWith("data:", StringComparison.Ordinal)))
                {
                    add(pointer + "/id", "CLR-CREDENTIALS", "an EnvelopedVerifiableCredential's id must be a data: URL holding the secured credential (VC 2.0 §4.13.1)");
                }

                continue;
            }

            if (!item.TryGetProperty("proof"u8, out _))
            {
                add(pointer + "/proof", "CLR-CREDENTIALS", "each embedded credential must be secured: it needs its own proof (or must be an EnvelopedVerifiableCredential) (CLR 2.0: individually signed credentials)");
            }

            // The embedded credential's own VC Data Model rules, reported at their place in the CLR.
            foreach (CredentialViolation v in VcDataModelRules.Check(item))
            {
                string pointerInRoot = at + pointer + v.InstanceLocation;
                violations.Add(v with { InstanceLocation = pointerInRoot, Path = JsonLocations.ToPath(root, pointerInRoot) });
            }

            if (CredentialProfiles.Detect(item) == CredentialProfile.Clr && depth + 1 < MaxEmbeddingDepth)
            {
                Check(root, item, at + pointer, checkEmbedded, depth + 1, violations);
            }
        }
    }

    private static void CheckAchievement(JsonElement achievement, string pointer, Action<string, string, string> add)
    {
        const string Rule = "(CLR 2.0 Achievement: id, type, name, description and criteria are required)";
        if (achievement.ValueKind != JsonValueKind.Object)
        {
            add(pointer, "CLR-ACHIEVEMENT", "each achievement must be an Achievement object " + Rule);
            return;
        }

        if (!(achievement.TryGetProperty("id"u8, out JsonElement id) && id.ValueKind == JsonValueKind.String && VcDataModelRules.IsUrl(id.GetString())))
        {
            add(pointer + "/id", "CLR-ACHIEVEMENT", "an achievement needs an id that is a URI " + Rule);
        }

        if (!HasType(achievement, "Achievement"))
        {
            add(pointer + "/type", "CLR-ACHIEVEMENT", "an achievement's type must include Achievement " + Rule);
        }

        foreach (string member in (string[])["name", "description"])
        {
            if (!(achievement.TryGetProperty(member, out JsonElement text) && text.ValueKind == JsonValueKind.String))
            {
                add(pointer + "/" + member, "CLR-ACHIEVEMENT", $"an achievement needs a {member} string " + Rule);
            }
        }

        if (!(achievement.TryGetProperty("criteria"u8, out JsonElement criteria) && criteria.ValueKind == JsonValueKind.Object))
        {
            add(pointer + "/criteria", "CLR-ACHIEVEMENT", "an achievement needs a criteria object " + Rule);
        }
    }

    private static void CheckAssociation(JsonElement association, string pointer, Action<string, string, string> add)
    {
        const string Rule = "(CLR 2.0 Association: type, associationType, sourceId and targetId are required)";
        if (association.ValueKind != JsonValueKind.Object)
        {
            add(pointer, "CLR-ASSOCIATION", "each association must be an Association object " + Rule);
            return;
        }

        if (!HasType(association, "Association"))
        {
            add(pointer + "/type", "CLR-ASSOCIATION", "an association's type must be Association " + Rule);
        }

        if (!(association.TryGetProperty("associationType"u8, out JsonElement kind) && kind.ValueKind == JsonValueKind.String && AssociationTypes.Contains(kind.GetString()!, StringComparer.Ordinal)))
        {
            add(pointer + "/associationType", "CLR-ASSOCIATION", $"associationType must be one of {string.Join(", ", AssociationTypes)} " + Rule);
        }

        foreach (string member in (string[])["sourceId", "targetId"])
        {
            if (!(association.TryGetProperty(member, out JsonElement id) && id.ValueKind == JsonValueKind.String && VcDataModelRules.IsUrl(id.GetString())))
            {
                add(pointer + "/" + member, "CLR-ASSOCIATION", $"{member} must be the URI of an achievement " + Rule);
            }
        }
    }

    /// <summary>The values of <paramref name="member"/> (one, or each of an array) with their pointers; <paramref name="malformed"/> when it is neither an object nor an array.</summary>
    private static List<(JsonElement Item, string Pointer)> Items(JsonElement owner, string member, string pointer, out bool malformed)
    {
        malformed = false;
        if (!owner.TryGetProperty(member, out JsonElement value))
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            return [(value, pointer)];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            malformed = true;
            return [];
        }

        var items = new List<(JsonElement Item, string Pointer)>();
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            items.Add((item, JsonLocations.AppendIndex(pointer, i++)));
        }

        return items;
    }

    private static bool HasType(JsonElement node, string type)
    {
        if (!node.TryGetProperty("type"u8, out JsonElement value))
        {
            return false;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.ValueEquals(type)
            : value.ValueKind == JsonValueKind.Array && value.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals(type));
    }
}
