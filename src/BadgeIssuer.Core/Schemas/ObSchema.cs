namespace BadgeIssuer.Core.Schemas;

/// <summary>One bundled OB 3.0 JSON Schema file (see Schemas/PROVENANCE.md).</summary>
/// <param name="Kind">The class the schema validates.</param>
/// <param name="Build">The generated build the file comes from.</param>
/// <param name="Id">The <c>$id</c> inside the file.</param>
/// <param name="OfficialUrl">The URL credentials put in <c>credentialSchema[].id</c> for this class.</param>
public sealed record ObSchema(ObSchemaKind Kind, ObSchemaBuild Build, string Id, string OfficialUrl)
{
    internal string ResourceName => "Schemas/" + BuildFolder(Build) + "/" + FileName(Kind);

    internal static string BuildFolder(ObSchemaBuild build) => build switch
    {
        ObSchemaBuild.Current => "ob_v3p0",
        _ => "ob_v3p0-vcdm1.1-build-2024-03",
    };

    internal static string FileName(ObSchemaKind kind) => kind switch
    {
        ObSchemaKind.AchievementCredential => "achievementcredential.json",
        ObSchemaKind.EndorsementCredential => "endorsementcredential.json",
        _ => "profile.json",
    };
}
