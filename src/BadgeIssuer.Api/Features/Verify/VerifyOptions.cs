using BadgeIssuer.Core.DataIntegrity;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>Limits and tolerances of <c>POST /credentials/verify</c> (configuration section <c>Verify</c>).</summary>
internal sealed class VerifyOptions
{
    public const string Section = "Verify";

    /// <summary>Largest JSON or JWT body (VC-API request, raw credential, raw JWT).</summary>
    public int MaxJsonBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest baked PNG or SVG body.</summary>
    public int MaxImageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Tolerance for validFrom/validUntil and JWT nbf/exp.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>
    /// Server default of the trust policy for keys that only name the issuer (a <c>#z6Mk…</c> fragment, a VC-JWT header
    /// <c>jwk</c>): off, such credentials are reported with a warning and not verified; on, they verify (still warned).
    /// </summary>
    public bool TrustVerificationMethodFragment { get; set; }

    /// <summary>A known-issuers JSON file (see <c>KnownIssuers</c>); a relative path resolves against the working directory. Empty: none.</summary>
    public string? KnownIssuersFile { get; set; }

    /// <summary>How deep endorsements of endorsements are verified.</summary>
    public int MaxEndorsementDepth { get; set; } = 3;

    /// <summary>Most endorsements verified per request.</summary>
    public int MaxEndorsements { get; set; } = 16;

    /// <summary>Most credentials embedded in CLRs verified per request (a CLR holding more is not valid); as many as a CLR may embed by default.</summary>
    public int MaxEmbeddedCredentials { get; set; } = 1000;

    /// <summary>
    /// The Data Integrity cryptosuites proofs are verified with (credentials, presentations, status lists, endorsements),
    /// by name: <c>eddsa-rdfc-2022</c>, <c>ecdsa-rdfc-2019</c>, <c>Ed25519Signature2018</c>. Empty (the default): all of
    /// them. A proof of a suite not listed fails "unsupported cryptosuite &lt;name&gt;".
    /// </summary>
    public string[] Cryptosuites { get; set; } = [];

    /// <summary>The configured suites (<see cref="CryptosuiteSet.Default"/> when none is listed).</summary>
    public CryptosuiteSet CryptosuiteSet() => Cryptosuites.Length == 0 ? Core.DataIntegrity.CryptosuiteSet.Default : Core.DataIntegrity.CryptosuiteSet.FromNames(Cryptosuites);
}

internal sealed class VerifyOptionsValidator : IValidateOptions<VerifyOptions>
{
    /// <summary>A configured path; a relative one resolves against the working directory, as the data directory does.</summary>
    public static string ResolvePath(string path) => Path.GetFullPath(path);

    public ValidateOptionsResult Validate(string? name, VerifyOptions options)
    {
        var failures = new List<string>();
        if (options.MaxJsonBytes <= 0)
        {
            failures.Add("Verify:MaxJsonBytes must be positive.");
        }

        if (options.MaxImageBytes < options.MaxJsonBytes)
        {
            failures.Add("Verify:MaxImageBytes must be at least Verify:MaxJsonBytes (an image carries a credential).");
        }

        if (options.ClockSkewSeconds is < 0 or > 3600)
        {
            failures.Add("Verify:ClockSkewSeconds must be between 0 and 3600.");
        }

        if (options.MaxEndorsementDepth is < 0 or > 10)
        {
            failures.Add("Verify:MaxEndorsementDepth must be between 0 and 10.");
        }

        if (options.MaxEmbeddedCredentials is < 0 or > 10_000)
        {
            failures.Add("Verify:MaxEmbeddedCredentials must be between 0 and 10000.");
        }

        if (options.MaxEndorsements is < 0 or > 256)
        {
            failures.Add("Verify:MaxEndorsements must be between 0 and 256.");
        }

        if (options.Cryptosuites.Length > 0)
        {
            try
            {
                _ = options.CryptosuiteSet();
            }
            catch (ArgumentException ex)
            {
                failures.Add($"Verify:Cryptosuites: {ex.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.KnownIssuersFile) && !File.Exists(ResolvePath(options.KnownIssuersFile)))
        {
            failures.Add($"Verify:KnownIssuersFile '{options.KnownIssuersFile}' does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
