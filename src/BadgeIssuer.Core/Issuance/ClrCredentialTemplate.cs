using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// The Comprehensive Learner Record family on the issuing path: a <c>ClrCredential</c> for one learner that embeds
/// already-issued credentials as they were issued (proofs intact), lists their achievements and the associations between
/// them, and receives its id and status entries from issuance. Written by <see cref="ClrCredentialBuilder"/>.
/// </summary>
public sealed class ClrCredentialTemplate : ICredentialTemplate
{
    /// <summary>The issuer's Profile as UTF-8 JSON (an object with id, type Profile and name), written as given.</summary>
    public required ReadOnlyMemory<byte> IssuerProfile { get; init; }

    /// <summary>The record's name (CLR 2.0 ClrCredential.name).</summary>
    public required string Name { get; init; }

    /// <summary>The learner: <c>credentialSubject.id</c> and/or <c>identifier</c> of the ClrSubject.</summary>
    public required Recipient Learner { get; init; }

    /// <summary>The secured credentials to embed (UTF-8 JSON objects), in order, each written byte for byte.</summary>
    public required IReadOnlyList<ReadOnlyMemory<byte>> Credentials { get; init; }

    /// <summary>Start of validity.</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary>End of validity, if any.</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>An optional description.</summary>
    public string? Description { get; init; }

    /// <summary>CLR 2.0 <c>partial</c>: true when the record is not the learner's complete record; null leaves it out.</summary>
    public bool? Partial { get; init; }

    /// <summary>The ClrSubject's <c>achievement</c> entries (UTF-8 JSON Achievement objects), written as given.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Achievements { get; init; } = [];

    /// <summary>The ClrSubject's <c>association</c> entries.</summary>
    public IReadOnlyList<ClrAssociation> Associations { get; init; } = [];

    /// <inheritdoc/>
    /// <remarks>
    /// <see cref="CredentialChecks.Profile"/>: the VC Data Model 2.0 rules, the CLR 2.0 rules (<see cref="ClrRules"/>, each
    /// embedded credential against its own VC Data Model rules and secured), then JSON-LD safe mode.
    /// </remarks>
    public CredentialChecks Checks => CredentialChecks.Profile;

    /// <inheritdoc/>
    public byte[] Build(string credentialId, byte[]? credentialStatus)
        => ClrCredentialBuilder.Build(this, credentialId, credentialStatus);
}
