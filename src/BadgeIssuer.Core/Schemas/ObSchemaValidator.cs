using System.Globalization;
using System.Text.Json;
using Json.Schema;

namespace BadgeIssuer.Core.Schemas;

/// <summary>
/// Validates OB 3.0 documents against the bundled 1EdTech JSON Schemas (draft 2019-09, see Schemas/PROVENANCE.md):
/// picks the schema by credential <c>type</c> and VC version, and also applies every declared
/// <c>credentialSchema</c> entry of type <c>1EdTechJsonSchemaValidator2019</c> that maps to a bundled file (VER-2).
/// Unknown schema URLs are reported, never fetched.
/// </summary>
/// <remarks>
/// Schemas are built once per instance on first use (thread-safe); <see cref="Shared"/> is the process-wide instance.
/// Valid documents are checked with the flag output; only failures are re-evaluated with the hierarchical output to
/// collect every violation with its instance location.
/// </remarks>
public sealed class ObSchemaValidator
{
    /// <summary>The <c>credentialSchema[].type</c> OB uses for its JSON Schemas (OB-DM-9).</summary>
    public const string SchemaValidatorType = "1EdTechJsonSchemaValidator2019";

    private const string SchemaBase = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/";
    private const string Vcdm11Context = Model.ContextUrls.CredentialsV1;

    private static readonly EvaluationOptions s_flag = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true, Culture = CultureInfo.InvariantCulture };
    private static readonly EvaluationOptions s_detailed = new() { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true, Culture = CultureInfo.InvariantCulture };
    private static readonly Lazy<ObSchemaValidator> s_shared = new(static () => new ObSchemaValidator(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<ObSchema, Lazy<BuiltSchema>> _built;

    /// <summary>Creates a validator with its own (lazily built) schema cache. Prefer <see cref="Shared"/>.</summary>
    public ObSchemaValidator()
    {
        _built = [];
        foreach (ObSchema schema in KnownSchemas)
        {
            _built[schema] = new Lazy<BuiltSchema>(() => BuiltSchema.Load(schema), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    /// <summary>The process-wide validator; its schemas are built once.</summary>
    public static ObSchemaValidator Shared => s_shared.Value;

    /// <summary>Every bundled schema.</summary>
    public static IReadOnlyList<ObSchema> KnownSchemas { get; } =
    [
        new(ObSchemaKind.AchievementCredential, ObSchemaBuild.Current, SchemaBase + "ob_v3p0_achievementcredential-jsonschema1.json", SchemaBase + "ob_v3p0_achievementcredential_schema.json"),
        new(ObSchemaKind.EndorsementCredential, ObSchemaBuild.Current, SchemaBase + "ob_v3p0_endorsementcredential-jsonschema1.json", SchemaBase + "ob_v3p0_endorsementcredential_schema.json"),
        new(ObSchemaKind.Profile, ObSchemaBuild.Current, SchemaBase + "ob_v3p0_profile-jsonschema1.json", SchemaBase + "ob_v3p0_profile_schema.json"),
        new(ObSchemaKind.AchievementCredential, ObSchemaBuild.LegacyVcdm11, SchemaBase + "ob_v3p0_achievementcredential_schema.json", SchemaBase + "ob_v3p0_achievementcredential_schema.json"),
        new(ObSchemaKind.EndorsementCredential, ObSchemaBuild.LegacyVcdm11, SchemaBase + "ob_v3p0_endorsementcredential_schema.json", SchemaBase + "ob_v3p0_endorsementcredential_schema.json"),
        new(ObSchemaKind.Profile, ObSchemaBuild.LegacyVcdm11, SchemaBase + "ob_v3p0_profile_schema.json", SchemaBase + "ob_v3p0_profile_schema.json"),
    ];

    /// <summary>The bundled schema for a class and build.</summary>
    public static ObSchema GetSchema(ObSchemaKind kind, ObSchemaBuild build)
    {
        foreach (ObSchema schema in KnownSchemas)
        {
            if (schema.Kind == kind && schema.Build == build)
            {
                return schema;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(kind), kind, "No bundled schema for this kind and build.");
    }

    /// <summary>
    /// Maps a <c>credentialSchema[].id</c> URL to a bundled schema. The <c>-jsonschema1.json</c> <c>$id</c>s always map to
    /// the current build; the official <c>…_schema.json</c> URLs served the VCDM 1.1 build until 2024 and the VCDM 2.0
    /// build since, so they map to the build matching the credential (<paramref name="credentialBuild"/>).
    /// </summary>
    public static bool TryResolveSchemaUrl(string url, ObSchemaBuild credentialBuild, out ObSchema? schema)
    {
        ArgumentNullException.ThrowIfNull(url);
        string normalized = url.Trim().TrimEnd('#');
        foreach (ObSchema candidate in KnownSchemas)
        {
            if (candidate.Build == ObSchemaBuild.Current && string.Equals(candidate.Id, normalized, StringComparison.Ordinal))
            {
                schema = candidate;
                return true;
            }
        }

        foreach (ObSchema candidate in KnownSchemas)
        {
            if (candidate.Build == credentialBuild && string.Equals(candidate.OfficialUrl, normalized, StringComparison.Ordinal))
            {
                schema = candidate;
                return true;
            }
        }

        schema = null;
        return false;
    }

    /// <summary>VC version of a credential: <see cref="ObSchemaBuild.LegacyVcdm11"/> when <c>@context[0]</c> is the VCDM 1.1 context, else current.</summary>
    public static ObSchemaBuild DetectBuild(JsonElement credential)
    {
        if (credential.ValueKind == JsonValueKind.Object && credential.TryGetProperty("@context", out JsonElement context))
        {
            JsonElement first = context.ValueKind == JsonValueKind.Array && context.GetArrayLength() > 0 ? context[0] : context;
            if (first.ValueKind == JsonValueKind.String && first.ValueEquals(Vcdm11Context))
            {
                return ObSchemaBuild.LegacyVcdm11;
            }
        }

        return ObSchemaBuild.Current;
    }

    /// <summary>Credential class: <see cref="ObSchemaKind.EndorsementCredential"/> when <c>type</c> names it, else AchievementCredential.</summary>
    public static ObSchemaKind DetectKind(JsonElement credential)
    {
        if (credential.ValueKind == JsonValueKind.Object && credential.TryGetProperty("type", out JsonElement type))
        {
            if (type.ValueKind == JsonValueKind.String && type.ValueEquals("EndorsementCredential"))
            {
                return ObSchemaKind.EndorsementCredential;
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in type.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && item.ValueEquals("EndorsementCredential"))
                    {
                        return ObSchemaKind.EndorsementCredential;
                    }
                }
            }
        }

        return ObSchemaKind.AchievementCredential;
    }

    /// <summary>
    /// Validates a credential against the schema selected by its <c>type</c> and <c>@context</c>, plus every declared
    /// <c>credentialSchema</c> entry of type <c>1EdTechJsonSchemaValidator2019</c> that maps to a bundled schema.
    /// </summary>
    public ObSchemaValidationResult Validate(JsonElement credential) => Validate(credential, collectViolations: true);

    /// <summary>
    /// As <see cref="Validate(JsonElement)"/>; with <paramref name="collectViolations"/> false only the pass/fail
    /// answer is computed (the compiled evaluator, an order of magnitude cheaper): a failing schema then contributes one violation at
    /// the root naming the schema, and a caller that needs every violation validates again with details.
    /// </summary>
    public ObSchemaValidationResult Validate(JsonElement credential, bool collectViolations) => Validate(credential, collectViolations, includeTypeSchema: true);

    /// <summary>
    /// Validates a credential of no Open Badges profile (a plain VC, a CLR) against only the <c>credentialSchema</c>
    /// entries it declares that map to a bundled schema; <see cref="ObSchemaValidationResult.AppliedSchemas"/> is empty
    /// when it declares none.
    /// </summary>
    public ObSchemaValidationResult ValidateDeclared(JsonElement credential, bool collectViolations = true) => Validate(credential, collectViolations, includeTypeSchema: false);

    private ObSchemaValidationResult Validate(JsonElement credential, bool collectViolations, bool includeTypeSchema)
    {
        ThrowIfUndefined(credential);
        ObSchemaBuild build = DetectBuild(credential);
        List<ObSchema> applied = includeTypeSchema ? [GetSchema(DetectKind(credential), build)] : [];
        List<DeclaredSchema> declared = CollectDeclared(credential, build);
        foreach (DeclaredSchema entry in declared)
        {
            if (entry.Schema is not null && !applied.Contains(entry.Schema))
            {
                applied.Add(entry.Schema);
            }
        }

        List<SchemaViolation> violations = [];
        foreach (ObSchema schema in applied)
        {
            if (collectViolations)
            {
                EvaluateCore(schema, credential, violations);
            }
            else if (!_built[schema].Value.IsValid(credential))
            {
                violations.Add(new SchemaViolation(string.Empty, "$", "schema", $"not valid against {schema.Id} (details not collected)", schema.Id));
            }
        }

        return new ObSchemaValidationResult(violations, applied, declared);
    }

    /// <summary>Validates a document against one bundled schema (no <c>credentialSchema</c> processing).</summary>
    public ObSchemaValidationResult Validate(JsonElement document, ObSchemaKind kind, ObSchemaBuild build)
    {
        ThrowIfUndefined(document);
        ObSchema schema = GetSchema(kind, build);
        List<SchemaViolation> violations = [];
        EvaluateCore(schema, document, violations);
        return new ObSchemaValidationResult(violations, [schema], []);
    }

    /// <summary>For the differential test: whether the fast evaluator exists for <paramref name="schema"/>, and both answers.</summary>
    internal (bool Compiled, bool Fast, bool Reference) CompareEvaluators(ObSchema schema, JsonElement instance)
    {
        BuiltSchema built = _built[schema].Value;
        return (built.Compiled is not null, built.IsValid(instance), built.IsValidByReference(instance));
    }

    private static void ThrowIfUndefined(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The JSON element is undefined (default(JsonElement)).", nameof(element));
        }
    }

    private static List<DeclaredSchema> CollectDeclared(JsonElement credential, ObSchemaBuild build)
    {
        List<DeclaredSchema> declared = [];
        if (credential.ValueKind != JsonValueKind.Object || !credential.TryGetProperty("credentialSchema", out JsonElement entries))
        {
            return declared;
        }

        // The compacted single-object form is tolerated here; the schema itself reports it (SER-3, T-7).
        IEnumerable<JsonElement> items = entries.ValueKind == JsonValueKind.Array ? entries.EnumerateArray() : [entries];
        foreach (JsonElement entry in items)
        {
            string url = StringMember(entry, "id");
            string type = StringMember(entry, "type");
            if (url.Length == 0 || !string.Equals(type, SchemaValidatorType, StringComparison.Ordinal))
            {
                declared.Add(new DeclaredSchema(url, type, DeclaredSchemaStatus.UnsupportedType, null));
            }
            else if (TryResolveSchemaUrl(url, build, out ObSchema? schema))
            {
                declared.Add(new DeclaredSchema(url, type, DeclaredSchemaStatus.Applied, schema));
            }
            else
            {
                declared.Add(new DeclaredSchema(url, type, DeclaredSchemaStatus.UnknownUrl, null));
            }
        }

        return declared;
    }

    private static string StringMember(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : string.Empty;

    private void EvaluateCore(ObSchema schema, JsonElement instance, List<SchemaViolation> violations)
    {
        BuiltSchema built = _built[schema].Value;
        if (built.IsValid(instance))
        {
            return;
        }

        EvaluationResults results = built.Schema.Evaluate(instance, s_detailed);
        HashSet<(string, string, string)> seen = [];
        Collect(built, instance, results, violations, seen);
    }

    // Walks failed nodes only: a passing oneOf/anyOf branch is valid, so its sibling branches' errors are not reported.
    private static void Collect(BuiltSchema built, JsonElement instance, EvaluationResults node, List<SchemaViolation> violations, HashSet<(string, string, string)> seen)
    {
        if (node.IsValid)
        {
            return;
        }

        string pointer = node.InstanceLocation.ToString();
        string schemaLocation = node.SchemaLocation.OriginalString;
        if (node.Errors is not null)
        {
            foreach (KeyValuePair<string, string> error in node.Errors)
            {
                if (string.Equals(error.Key, "required", StringComparison.Ordinal) && ExpandRequired(built, instance, pointer, schemaLocation, violations, seen))
                {
                    continue;
                }

                Add(violations, seen, new SchemaViolation(pointer, JsonLocations.ToPath(instance, pointer), error.Key, error.Value, schemaLocation));
            }
        }

        if (node.Details is not null)
        {
            foreach (EvaluationResults child in node.Details)
            {
                Collect(built, instance, child, violations, seen);
            }
        }
    }

    // Reports each missing required property at its own location ($.issuer) rather than at the parent object.
    private static bool ExpandRequired(BuiltSchema built, JsonElement instance, string pointer, string schemaLocation, List<SchemaViolation> violations, HashSet<(string, string, string)> seen)
    {
        int hash = schemaLocation.IndexOf('#', StringComparison.Ordinal);
        string fragment = hash < 0 ? string.Empty : Uri.UnescapeDataString(schemaLocation[(hash + 1)..]);
        if (!JsonLocations.TryResolve(built.Document, fragment, out JsonElement subschema)
            || subschema.ValueKind != JsonValueKind.Object
            || !subschema.TryGetProperty("required", out JsonElement required)
            || required.ValueKind != JsonValueKind.Array
            || !JsonLocations.TryResolve(instance, pointer, out JsonElement target)
            || target.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        bool any = false;
        foreach (JsonElement name in required.EnumerateArray())
        {
            string property = name.GetString() ?? string.Empty;
            if (!target.TryGetProperty(property, out _))
            {
                string missing = JsonLocations.AppendProperty(pointer, property);
                Add(violations, seen, new SchemaViolation(missing, JsonLocations.ToPath(instance, missing), "required", $"Required property '{property}' is missing.", schemaLocation));
                any = true;
            }
        }

        return any;
    }

    private static void Add(List<SchemaViolation> violations, HashSet<(string, string, string)> seen, SchemaViolation violation)
    {
        if (seen.Add((violation.InstanceLocation, violation.Keyword, violation.Message)))
        {
            violations.Add(violation);
        }
    }

    private sealed class BuiltSchema
    {
        private BuiltSchema(JsonElement document, JsonSchema schema)
        {
            Document = document;
            Schema = schema;
            Compiled = CompiledSchema.TryCompile(document);
        }

        public JsonElement Document { get; }

        public JsonSchema Schema { get; }

        /// <summary>The fast pass/fail evaluator (null when the schema uses a keyword it does not support).</summary>
        public CompiledSchema? Compiled { get; }

        /// <summary>Pass/fail: the compiled evaluator when there is one, else JsonSchema.Net's flag output.</summary>
        public bool IsValid(JsonElement instance) => Compiled?.IsValid(instance) ?? IsValidByReference(instance);

        /// <summary>JsonSchema.Net's own pass/fail answer (the reference the compiled evaluator is tested against).</summary>
        public bool IsValidByReference(JsonElement instance) => Schema.Evaluate(instance, s_flag).IsValid;

        public static BuiltSchema Load(ObSchema schema)
        {
            using Stream stream = typeof(ObSchemaValidator).Assembly.GetManifestResourceStream(schema.ResourceName)
                ?? throw new InvalidOperationException("Embedded schema missing: " + schema.ResourceName);
            using JsonDocument parsed = JsonDocument.Parse(stream);
            JsonElement document = parsed.RootElement.Clone();

            // A private registry per schema: no global state, no fetching ($refs are all local to each file).
            BuildOptions options = new() { SchemaRegistry = new SchemaRegistry() };
            return new BuiltSchema(document, JsonSchema.Build(document, options));
        }
    }
}
