using System.Text.Json;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// The rule set a credential is checked against after the VC Data Model rules of its version (<see cref="VcDataModelRules"/>),
/// chosen by the types it claims (<see cref="CredentialProfiles.Detect"/>).
/// </summary>
public enum CredentialProfile
{
    /// <summary>No profile type: the VC Data Model rules only (wire name <c>vc</c>).</summary>
    Vc,

    /// <summary>Open Badges 3.0 <c>OpenBadgeCredential</c> / <c>AchievementCredential</c>: the OB context, the OB JSON Schema and the OB rules (<c>ob</c>).</summary>
    OpenBadge,

    /// <summary>Open Badges 3.0 <c>EndorsementCredential</c>: the OB context and the endorsement JSON Schema (<c>endorsement</c>).</summary>
    Endorsement,

    /// <summary>Comprehensive Learner Record 2.0 <c>ClrCredential</c>: the CLR context and the CLR rules (<see cref="ClrRules"/>), every embedded credential through the same rules (<c>clr</c>).</summary>
    Clr,
}

/// <summary>Chooses and names a <see cref="CredentialProfile"/>.</summary>
public static class CredentialProfiles
{
    /// <summary>The CLR 2.0 context URLs (the versioned one the spec names, and the older unversioned one).</summary>
    public static IReadOnlyList<string> ClrContexts { get; } =
    [
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
    ];

    /// <summary>
    /// The profile <paramref name="credential"/>'s <c>type</c> (a string or an array of strings) claims: <c>ClrCredential</c>
    /// first, then <c>EndorsementCredential</c> (as the OB schema selection does), then <c>OpenBadgeCredential</c> or
    /// <c>AchievementCredential</c>; otherwise <see cref="CredentialProfile.Vc"/>.
    /// </summary>
    public static CredentialProfile Detect(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object || !credential.TryGetProperty("type"u8, out JsonElement type))
        {
            return CredentialProfile.Vc;
        }

        bool clr = false, endorsement = false, ob = false;
        foreach (JsonElement t in type.ValueKind == JsonValueKind.Array ? type.EnumerateArray() : Single(type))
        {
            if (t.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            clr |= t.ValueEquals("ClrCredential"u8);
            endorsement |= t.ValueEquals("EndorsementCredential"u8);
            ob |= t.ValueEquals("OpenBadgeCredential"u8) || t.ValueEquals("AchievementCredential"u8);
        }

        return clr ? CredentialProfile.Clr
            : endorsement ? CredentialProfile.Endorsement
            : ob ? CredentialProfile.OpenBadge
            : CredentialProfile.Vc;
    }

    /// <summary>The wire name of a profile: <c>vc</c>, <c>ob</c>, <c>endorsement</c> or <c>clr</c>.</summary>
    public static string Name(CredentialProfile profile) => profile switch
    {
        CredentialProfile.OpenBadge => "ob",
        CredentialProfile.Endorsement => "endorsement",
        CredentialProfile.Clr => "clr",
        _ => "vc",
    };

    /// <summary>The profile's type as people read it: <c>a plain verifiable credential</c>, <c>Open Badges 3.0</c>, ….</summary>
    public static string Describe(CredentialProfile profile) => profile switch
    {
        CredentialProfile.OpenBadge => "Open Badges 3.0",
        CredentialProfile.Endorsement => "Open Badges 3.0 EndorsementCredential",
        CredentialProfile.Clr => "CLR 2.0",
        _ => "VC Data Model",
    };

    private static IEnumerable<JsonElement> Single(JsonElement value)
    {
        yield return value;
    }
}
