using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Model;

/// <summary>The outcome of <see cref="CredentialValidator"/>: every violation found, never an exception.</summary>
public sealed class CredentialValidationResult
{
    internal CredentialValidationResult(IReadOnlyList<CredentialViolation> violations, IReadOnlyList<CredentialViolation> warnings, ObSchemaValidationResult? schema)
    {
        Violations = violations;
        Warnings = warnings;
        Schema = schema;
    }

    /// <summary>True when there are no violations (warnings do not count).</summary>
    public bool IsValid => Violations.Count == 0;

    public IReadOnlyList<CredentialViolation> Violations { get; }

    /// <summary>Things worth telling the issuer that do not block signing (unknown declared schema URLs).</summary>
    public IReadOnlyList<CredentialViolation> Warnings { get; }

    /// <summary>The profile the credential was checked against, for <see cref="CredentialValidator.ValidateProfile"/>; null otherwise.</summary>
    public CredentialProfile? Profile { get; init; }

    /// <summary>The raw JSON Schema result (applied and declared schemas), when the input was a JSON object.</summary>
    public ObSchemaValidationResult? Schema { get; }
}
