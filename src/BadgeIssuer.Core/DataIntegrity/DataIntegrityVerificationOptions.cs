using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>Options for creating and verifying Data Integrity proofs.</summary>
public sealed class DataIntegrityOptions
{
    /// <summary>
    /// JSON-LD options for canonicalizing the document and the proof configuration when signing and verifying;
    /// <see cref="JsonLdOptions.Safe"/> with the bundled loader by default: safe mode, base direction as
    /// <c>i18n-datatype</c> literals and nested <c>{"@context": {…}}</c> context objects unwrapped, as the deployed
    /// Digital Bazaar suites canonicalize (docs/verification.md, compatibility rules).
    /// </summary>
    public JsonLdOptions JsonLd { get; init; } = JsonLdOptions.Safe;

    public RdfcOptions Rdfc { get; init; } = RdfcOptions.Default;

    /// <summary>The proof purpose a verifier expects (OB 3.0: assertionMethod).</summary>
    public string ExpectedProofPurpose { get; init; } = ProofOptions.AssertionMethod;

    /// <summary>When set, the verification method's controller must equal this (the credential issuer's id).</summary>
    public string? ExpectedController { get; init; }

    public static DataIntegrityOptions Default { get; } = new();
}
