using System.Text.Json;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// The content of an unsigned OB 3.0 EndorsementCredential (OB-DM-8, §B.1.2): an issuer's comment on a Profile,
/// Achievement or credential. Serialise it with <see cref="EndorsementCredentialBuilder"/>.
/// </summary>
public sealed record EndorsementCredential
{
    /// <summary>Credential URI: a URL or <c>urn:uuid:…</c> (<see cref="OpenBadgeCredentialBuilder.NewUrnUuid"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The endorser, embedded as a Profile object.</summary>
    public required Profile Issuer { get; init; }

    /// <summary>The id of what is endorsed (a Profile, an Achievement or a credential): <c>credentialSubject.id</c>.</summary>
    public required string SubjectId { get; init; }

    /// <summary>Emitted in UTC as <c>yyyy-MM-ddTHH:mm:ssZ</c>; fractional seconds are dropped.</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary>End of validity, when there is one.</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>The credential's name (the schema requires one).</summary>
    public required string Name { get; init; }

    /// <summary>The credential's description.</summary>
    public string? Description { get; init; }

    /// <summary>The endorser's comment (Markdown): <c>credentialSubject.endorsementComment</c>.</summary>
    public string? EndorsementComment { get; init; }

    /// <summary><c>credentialStatus</c> as supplied (e.g. a BitstringStatusListEntry), written unchanged.</summary>
    public JsonElement? CredentialStatus { get; init; }

    /// <summary>Emit the <c>credentialSchema</c> entry of the OB endorsement schema (adds the OB <c>extensions.json</c> context). Default true.</summary>
    public bool IncludeCredentialSchema { get; init; } = true;
}
