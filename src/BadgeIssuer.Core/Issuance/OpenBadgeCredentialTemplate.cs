using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// An award: the OpenBadgeCredential an issuing service writes for one recipient of one achievement, from parts that
/// are already JSON (the issuer's embedded profile and the embedded achievement, each prepared once and reused for every
/// award) plus the award's own recipient, dates, evidence and results. <see cref="Build"/> writes it with
/// <see cref="OpenBadgeCredentialBuilder.Build(OpenBadgeCredentialTemplate, string, byte[])"/>.
/// </summary>
/// <remarks>
/// The JSON elements are written, not copied: the template must not outlive the documents they belong to.
/// </remarks>
public sealed class OpenBadgeCredentialTemplate : ICredentialTemplate
{
    /// <summary>The issuer's Profile as a UTF-8 JSON object (without <c>@context</c>), written as the credential's <c>issuer</c>.</summary>
    public required ReadOnlyMemory<byte> IssuerProfile { get; init; }

    /// <summary>The Achievement as a UTF-8 JSON object (without <c>@context</c>), written as <c>credentialSubject.achievement</c>.</summary>
    public required ReadOnlyMemory<byte> Achievement { get; init; }

    /// <summary>The credential's <c>name</c> (the achievement's name).</summary>
    public required string Name { get; init; }

    /// <summary>The subject's id and/or identity objects.</summary>
    public required Recipient Recipient { get; init; }

    /// <summary>Written in UTC as <c>yyyy-MM-ddTHH:mm:ssZ</c>; fractional seconds are dropped.</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary>End of validity, when there is one (same form as <see cref="ValidFrom"/>).</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>The caller's Evidence objects (a JSON array), written as given; null for none.</summary>
    public JsonElement? Evidence { get; init; }

    /// <summary>
    /// Evidence the service writes itself (for a pathway award: one per part credential, its id the part credential's
    /// URL), written with <c>type: ["Evidence"]</c> before any caller <see cref="Evidence"/>; null or empty for none.
    /// </summary>
    public IReadOnlyList<Model.Evidence>? EvidenceItems { get; init; }

    /// <summary>The caller's Result objects (a JSON array), written as <c>credentialSubject.result</c>; null for none.</summary>
    public JsonElement? Results { get; init; }

    /// <inheritdoc/>
    /// <remarks>
    /// The OB JSON Schema runs when the award carries <see cref="Evidence"/>, <see cref="EvidenceItems"/> or <see cref="Results"/>;
    /// otherwise JSON-LD safe mode only, because every other part was checked on its own: the achievement when it was
    /// stored (<see cref="AchievementValidator"/>), the issuer profile when it was written
    /// (<see cref="ProfileJson"/>), the recipient and dates by the caller, the frame by construction.
    /// </remarks>
    public CredentialChecks Checks => Evidence is not null || EvidenceItems is { Count: > 0 } || Results is not null
        ? CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode
        : CredentialChecks.JsonLdSafeMode;

    /// <inheritdoc/>
    public byte[] Build(string credentialId, byte[]? credentialStatus)
        => OpenBadgeCredentialBuilder.Build(this, credentialId, credentialStatus);
}
