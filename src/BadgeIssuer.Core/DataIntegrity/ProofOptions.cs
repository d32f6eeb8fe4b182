using System.Globalization;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>
/// The options of a Data Integrity proof (VC Data Integrity 1.0 section 2.1): everything in the proof except
/// <c>proofValue</c>. <see cref="Created"/> is written as <c>yyyy-MM-ddTHH:mm:ssZ</c> (DIGEST T-3) unless
/// <see cref="CreatedLexical"/> gives the exact string to sign (to reproduce published vectors).
/// </summary>
public sealed record ProofOptions
{
    public const string DataIntegrityProofType = "DataIntegrityProof";
    public const string EddsaRdfc2022 = "eddsa-rdfc-2022";
    public const string AssertionMethod = "assertionMethod";

    public string Type { get; init; } = DataIntegrityProofType;

    /// <summary>The cryptosuite; null for legacy suites that have none (Ed25519Signature2020).</summary>
    public string? Cryptosuite { get; init; } = EddsaRdfc2022;

    public DateTimeOffset? Created { get; init; }

    /// <summary>The exact <c>created</c> string; overrides <see cref="Created"/>.</summary>
    public string? CreatedLexical { get; init; }

    public required string VerificationMethod { get; init; }

    public string ProofPurpose { get; init; } = AssertionMethod;

    public string? Id { get; init; }

    public string? Expires { get; init; }

    public string? Domain { get; init; }

    public string? Challenge { get; init; }

    public string? Nonce { get; init; }

    public string? PreviousProof { get; init; }

    internal string? CreatedString => CreatedLexical
        ?? Created?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
