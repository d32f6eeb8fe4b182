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
}

internal sealed class VerifyOptionsValidator : IValidateOptions<VerifyOptions>
{
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
