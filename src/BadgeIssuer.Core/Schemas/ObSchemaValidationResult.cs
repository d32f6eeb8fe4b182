namespace BadgeIssuer.Core.Schemas;

/// <summary>The outcome of validating a document against the OB 3.0 JSON Schemas.</summary>
public sealed class ObSchemaValidationResult
{
    internal ObSchemaValidationResult(IReadOnlyList<SchemaViolation> violations, IReadOnlyList<ObSchema> appliedSchemas, IReadOnlyList<DeclaredSchema> declaredSchemas)
    {
        Violations = violations;
        AppliedSchemas = appliedSchemas;
        DeclaredSchemas = declaredSchemas;
    }

    /// <summary>True when every applied schema accepted the document.</summary>
    public bool IsValid => Violations.Count == 0;

    /// <summary>Every failed assertion, in document order per schema.</summary>
    public IReadOnlyList<SchemaViolation> Violations { get; }

    /// <summary>The schemas the document was validated against (selected by type and VC version, plus declared ones).</summary>
    public IReadOnlyList<ObSchema> AppliedSchemas { get; }

    /// <summary>The credential's own <c>credentialSchema</c> entries and what was done with each.</summary>
    public IReadOnlyList<DeclaredSchema> DeclaredSchemas { get; }

    /// <summary>Declared <c>1EdTechJsonSchemaValidator2019</c> URLs that are not bundled (reported, never fetched).</summary>
    public IEnumerable<string> UnknownSchemaUrls => DeclaredSchemas.Where(static d => d.Status == DeclaredSchemaStatus.UnknownUrl).Select(static d => d.Url);
}
