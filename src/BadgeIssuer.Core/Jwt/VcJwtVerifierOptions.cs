namespace BadgeIssuer.Core.Jwt;

/// <summary>
/// Options for <see cref="VcJwtVerifier"/>. Defaults are strict (JWT-2, JWT-3, JWT-5); the
/// <c>Allow…</c> switches give the tolerance JWT-7 asks verifiers for.
/// </summary>
public sealed class VcJwtVerifierOptions
{
    public const int DefaultMaxTokenLength = 1024 * 1024;
    public const int DefaultMaxDepth = 64;

    /// <summary>Source of "now" for nbf/exp/validFrom/validUntil checks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Tolerance for clock differences when checking nbf and exp. Default 60 s.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Check the validity period at all (off: only signature and claim consistency).</summary>
    public bool ValidateLifetime { get; init; } = true;

    /// <summary>Accept a payload without <c>nbf</c> (the OB spec's own signed examples omit it; JWT-7).</summary>
    public bool AllowMissingNotBefore { get; init; }

    /// <summary>
    /// Accept a payload without <c>exp</c> although the credential has validUntil (two OB spec examples);
    /// validUntil is still enforced.
    /// </summary>
    public bool AllowMissingExpiration { get; init; }

    /// <summary>Accept a payload without <c>sub</c> although credentialSubject has an id (1EdTech fixtures use <c>aud</c>).</summary>
    public bool AllowMissingSubject { get; init; }

    /// <summary>Accept VCDM 1.1 JWTs that carry the credential in a <c>vc</c> claim (JWT-5).</summary>
    public bool AllowVcClaim { get; init; } = true;

    /// <summary>
    /// Accept VC-JOSE-COSE tokens (<c>typ</c> <c>vc+jwt</c> / <c>vc+ld+json+jwt</c>, header <c>cty</c>,
    /// payload = credential, registered claims optional). Off by default: OB requires <c>typ: JWT</c>.
    /// </summary>
    public bool AllowVcJoseCose { get; init; }

    /// <summary>When the key came from <c>kid</c>, require its controller to equal the issuer id (VER-7).</summary>
    public bool RequireControllerMatchesIssuer { get; init; } = true;

    /// <summary>When the key came from <c>kid</c>, require it to be listed under assertionMethod.</summary>
    public bool RequireAssertionMethod { get; init; } = true;

    /// <summary>Largest accepted compact JWS, in characters/bytes. Default 1 MiB.</summary>
    public int MaxTokenLength { get; init; } = DefaultMaxTokenLength;

    /// <summary>Largest JSON nesting depth of header and payload.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;
}
