namespace BadgeIssuer.Core.Schemas;

/// <summary>What happened to one <c>credentialSchema</c> entry of a credential.</summary>
public enum DeclaredSchemaStatus
{
    /// <summary>Mapped to a bundled schema and validated against it.</summary>
    Applied,

    /// <summary>Type <c>1EdTechJsonSchemaValidator2019</c>, but the URL is not one of the bundled schemas; not fetched.</summary>
    UnknownUrl,

    /// <summary>The entry has another <c>type</c> (or no <c>id</c>/<c>type</c> string); not validated.</summary>
    UnsupportedType,
}

/// <summary>A <c>credentialSchema</c> entry found in a credential (OB-DM-9, VER-2).</summary>
/// <param name="Url">The entry's <c>id</c> (empty when absent).</param>
/// <param name="Type">The entry's <c>type</c> (empty when absent).</param>
/// <param name="Status">Whether it was applied.</param>
/// <param name="Schema">The bundled schema it maps to, when <see cref="Status"/> is <see cref="DeclaredSchemaStatus.Applied"/>.</param>
public sealed record DeclaredSchema(string Url, string Type, DeclaredSchemaStatus Status, ObSchema? Schema);
