using System.Text.Json;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// The content of an unsigned OB 3.0 OpenBadgeCredential (OB-DM-1..13, VCDM 2.0). Serialise it with
/// <see cref="OpenBadgeCredentialBuilder"/>.
/// </summary>
public sealed record OpenBadgeCredential
{
    /// <summary>Credential URI (OB-DM-3): a URL or <c>urn:uuid:…</c> (<see cref="OpenBadgeCredentialBuilder.NewUrnUuid"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The issuer, embedded as a Profile object (OB-DM-4).</summary>
    public required Profile Issuer { get; init; }

    public required Achievement Achievement { get; init; }

    public required Recipient Recipient { get; init; }

    /// <summary>Emitted in UTC as <c>yyyy-MM-ddTHH:mm:ssZ</c> (OB-DM-5, T-13); fractional seconds are dropped.</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Original award date, kept across re-issues (OB-DM-7).</summary>
    public DateTimeOffset? AwardedDate { get; init; }

    /// <summary>Display name for wallets; defaults to the achievement's name when null.</summary>
    public string? Name { get; init; }

    public string? Description { get; init; }

    public Image? Image { get; init; }

    public IReadOnlyList<Evidence>? Evidence { get; init; }

    /// <summary>The subject's results (AchievementSubject.result).</summary>
    public IReadOnlyList<Result>? Results { get; init; }

    /// <summary>Markdown narrative of this award (AchievementSubject.narrative).</summary>
    public string? SubjectNarrative { get; init; }

    /// <summary>
    /// <c>credentialStatus</c> as supplied (e.g. a BitstringStatusListEntry), written unchanged. The OB schema wants a
    /// single object with <c>id</c> (OB-DM-10, T-8); an array is written as given and then reported by the validator.
    /// </summary>
    public JsonElement? CredentialStatus { get; init; }

    /// <summary>Emit the OB-DM-9 <c>credentialSchema</c> entry (adds the OB <c>extensions.json</c> context, which defines its type). Default true.</summary>
    public bool IncludeCredentialSchema { get; init; } = true;
}
