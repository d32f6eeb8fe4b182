using System.Text.Json;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Model;

public sealed partial class CredentialValidator
{
    /// <summary>
    /// The checks before signing a credential of any type (the issuing path's <c>CredentialChecks.Profile</c>): the VC Data
    /// Model rules of its version (<see cref="VcDataModelRules"/>), then the rules of the profile its types claim
    /// (<see cref="CredentialProfiles.Detect"/>): for <c>OpenBadgeCredential</c>/<c>AchievementCredential</c> the OB JSON
    /// Schema, the OB context order (OB-DM-1, T-15) and the subject's id or identifier (OB-DM-20); for
    /// <c>EndorsementCredential</c> the endorsement JSON Schema and the OB context order; for <c>ClrCredential</c> the CLR
    /// rules (<see cref="ClrRules"/>, embedded credentials included); for any other credential nothing more. A credential
    /// of no OB profile is also validated against the declared <c>credentialSchema</c> entries that map to a bundled
    /// schema. JSON-LD safe mode is not run here (signing runs it and reports its own error). Every violation, each
    /// with its JSON pointer; never throws for bad input.
    /// </summary>
    public CredentialValidationResult ValidateProfile(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object)
        {
            return Single(CredentialViolationKind.MalformedJson, "type", $"A credential must be a JSON object, not {credential.ValueKind}.");
        }

        List<CredentialViolation> violations = [];
        List<CredentialViolation> warnings = [];
        VcDataModelRules.Check(credential, violations);
        CredentialProfile profile = CredentialProfiles.Detect(credential);
        ObSchemaValidationResult schema = profile is CredentialProfile.OpenBadge or CredentialProfile.Endorsement
            ? _schemas.Validate(credential)
            : _schemas.ValidateDeclared(credential);
        foreach (SchemaViolation v in schema.Violations)
        {
            violations.Add(new CredentialViolation(CredentialViolationKind.Schema, v.Path, v.InstanceLocation, v.Keyword, v.Message));
        }

        foreach (DeclaredSchema declared in schema.DeclaredSchemas)
        {
            if (declared.Status == DeclaredSchemaStatus.UnknownUrl)
            {
                warnings.Add(new CredentialViolation(CredentialViolationKind.UnknownSchema, "$.credentialSchema", "/credentialSchema", "VER-2", $"Schema {declared.Url} is not bundled and was not fetched."));
            }
        }

        switch (profile)
        {
            case CredentialProfile.OpenBadge:
                CheckContext(credential, violations);
                CheckSubjectIdentity(credential, violations);
                if (VcDataModelRules.Version(credential) == VcVersion.V11)
                {
                    // VC 1.1 allows a date-time without a time zone; OB's DateTimeZ does not (T-13).
                    CheckDates(credential, ObSchemaBuild.LegacyVcdm11, violations);
                }

                break;
            case CredentialProfile.Endorsement:
                CheckContext(credential, violations);
                break;
            case CredentialProfile.Clr:
                violations.AddRange(ClrRules.Check(credential, checkEmbedded: true));
                break;
        }

        return new CredentialValidationResult(violations, warnings, schema) { Profile = profile };
    }
}
