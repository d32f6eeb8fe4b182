namespace BadgeIssuer.Core.Model;

/// <summary>Which check a <see cref="CredentialViolation"/> comes from.</summary>
public enum CredentialViolationKind
{
    /// <summary>The input is not JSON, or not a JSON object.</summary>
    MalformedJson,

    /// <summary>An OB 3.0 JSON Schema assertion failed (<see cref="CredentialViolation.Code"/> is the schema keyword).</summary>
    Schema,

    /// <summary>JSON-LD safe-mode expansion/toRdf failed (<see cref="CredentialViolation.Code"/> is the JSON-LD error code).</summary>
    JsonLd,

    /// <summary>The AchievementSubject has neither <c>id</c> nor an <c>identifier</c> (OB-DM-20).</summary>
    SubjectIdentity,

    /// <summary><c>@context</c> does not start with the VC v2 context followed by an OB context (OB-DM-1, T-15).</summary>
    Context,

    /// <summary><c>validFrom</c> (or a VCDM 1.1 <c>issuanceDate</c>) is missing its timezone or is not a date-time (OB-DM-5, T-13).</summary>
    DateTime,

    /// <summary><c>validUntil</c> is not after <c>validFrom</c>.</summary>
    ValidityPeriod,

    /// <summary>A declared <c>credentialSchema</c> URL is not bundled and was not fetched (a warning).</summary>
    UnknownSchema,

    /// <summary>A VC Data Model rule of the credential's version (<see cref="VcDataModelRules"/>; <see cref="CredentialViolation.Code"/> starts with <c>VCDM</c>).</summary>
    VcDataModel,

    /// <summary>A CLR 2.0 rule (<see cref="ClrRules"/>; <see cref="CredentialViolation.Code"/> starts with <c>CLR</c>).</summary>
    Clr,
}

/// <summary>One problem found in a credential.</summary>
/// <param name="Kind">The check that failed.</param>
/// <param name="Path">JSONPath-style location, e.g. <c>$.credentialSubject.achievement.criteria</c>.</param>
/// <param name="InstanceLocation">The same location as a JSON Pointer (RFC 6901).</param>
/// <param name="Code">A stable code: the schema keyword, the JSON-LD error code (e.g. <c>safe mode undefined term</c>), or the digest rule id (e.g. <c>OB-DM-20</c>).</param>
/// <param name="Message">Human-readable detail.</param>
public sealed record CredentialViolation(CredentialViolationKind Kind, string Path, string InstanceLocation, string Code, string Message);
