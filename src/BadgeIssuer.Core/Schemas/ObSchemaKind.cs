namespace BadgeIssuer.Core.Schemas;

/// <summary>The OB 3.0 classes that have a JSON Schema bundled with this library.</summary>
public enum ObSchemaKind
{
    /// <summary>AchievementCredential / OpenBadgeCredential (OB 3.0 §B.1.1, <c>ob_v3p0_achievementcredential_schema.json</c>).</summary>
    AchievementCredential,

    /// <summary>EndorsementCredential (OB 3.0 §B.1.6, <c>ob_v3p0_endorsementcredential_schema.json</c>).</summary>
    EndorsementCredential,

    /// <summary>Profile (API getProfile/putProfile bodies, <c>ob_v3p0_profile_schema.json</c>).</summary>
    Profile,
}

/// <summary>Which generated build of the OB 3.0 schemas to use.</summary>
public enum ObSchemaBuild
{
    /// <summary>The VC Data Model 2.0 build (2024-07-30): <c>validFrom</c>, context v2, arrays for every <c>type</c>/<c>proof</c>.</summary>
    Current,

    /// <summary>The VC Data Model 1.1 build (2024-03-04): <c>issuanceDate</c>, context <c>https://www.w3.org/2018/credentials/v1</c> (VCDM-4).</summary>
    LegacyVcdm11,
}
