using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// Checks an unsigned OB 3.0 credential before signing: the OB JSON Schema (<see cref="ObSchemaValidator"/>),
/// JSON-LD safe-mode toRdf (every property and type defined by the contexts, T-6), and OB rules the schema does not
/// express: subject <c>id</c>/<c>identifier</c> (OB-DM-20), <c>@context</c> order (OB-DM-1, T-15), <c>validFrom</c>
/// with a timezone (T-13), <c>validUntil</c> after <c>validFrom</c>. Returns every violation; never throws for bad input.
/// </summary>
public sealed partial class CredentialValidator
{
    /// <summary>Largest accepted UTF-8 input for <see cref="Validate(ReadOnlyMemory{byte})"/>.</summary>
    public const int MaxDocumentBytes = 1024 * 1024;


    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = JsonLdOptions.DefaultMaxDepth };

    private readonly ObSchemaValidator _schemas;
    private readonly JsonLdOptions _jsonLdOptions;

    /// <summary>Creates a validator; defaults are <see cref="ObSchemaValidator.Shared"/> and <see cref="JsonLdOptions.Safe"/>.</summary>
    public CredentialValidator(ObSchemaValidator? schemas = null, JsonLdOptions? jsonLdOptions = null)
    {
        _schemas = schemas ?? ObSchemaValidator.Shared;
        _jsonLdOptions = jsonLdOptions ?? JsonLdOptions.Safe;
    }

    /// <summary>A validator with the default settings.</summary>
    public static CredentialValidator Default { get; } = new();

    /// <summary>Validates UTF-8 JSON; malformed or oversized input is reported as a violation.</summary>
    public CredentialValidationResult Validate(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Length > MaxDocumentBytes)
        {
            return Single(CredentialViolationKind.MalformedJson, "size", $"The document is {utf8Json.Length} bytes; the limit is {MaxDocumentBytes}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, s_documentOptions);
        }
        catch (JsonException ex)
        {
            return Single(CredentialViolationKind.MalformedJson, "json", ex.Message);
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }

    /// <summary>Validates a parsed credential.</summary>
    public CredentialValidationResult Validate(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object)
        {
            return Single(CredentialViolationKind.MalformedJson, "type", $"A credential must be a JSON object, not {credential.ValueKind}.");
        }

        List<CredentialViolation> violations = [];
        List<CredentialViolation> warnings = [];

        ObSchemaValidationResult schema = _schemas.Validate(credential);
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

        CheckJsonLd(credential, violations);
        CheckContext(credential, violations);
        ObSchemaBuild build = ObSchemaValidator.DetectBuild(credential);
        if (ObSchemaValidator.DetectKind(credential) == ObSchemaKind.AchievementCredential)
        {
            CheckSubjectIdentity(credential, violations);
        }

        CheckDates(credential, build, violations);
        return new CredentialValidationResult(violations, warnings, schema);
    }

    private void CheckJsonLd(JsonElement credential, List<CredentialViolation> violations)
    {
        try
        {
            _ = JsonLdProcessor.ToRdf(credential, _jsonLdOptions);
        }
        catch (JsonLdException ex)
        {
            string pointer = LocateJsonLdError(credential, ex);
            violations.Add(new CredentialViolation(CredentialViolationKind.JsonLd, JsonLocations.ToPath(credential, pointer), pointer, ex.SpecCode, ex.Message));
        }
    }

    // JSON-LD errors name the offending term or value ("undefined term: foo", "relative @id reference: bar (at 'baz')");
    // the first occurrence in document order is where it is reported.
    internal static string LocateJsonLdError(JsonElement credential, JsonLdException ex)
    {
        string message = ex.Message;
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0)
        {
            return string.Empty;
        }

        string token = message[(colon + 2)..];
        int at = token.IndexOf(" (at '", StringComparison.Ordinal);
        if (at >= 0)
        {
            token = token[..at];
        }

        bool valueFirst = ex.Code is JsonLdErrorCode.SafeModeRelativeId or JsonLdErrorCode.SafeModeRelativeType or JsonLdErrorCode.SafeModeInvalidLanguageTag;
        string? pointer = valueFirst
            ? FindStringValue(credential, token, string.Empty) ?? FindProperty(credential, token, string.Empty)
            : FindProperty(credential, token, string.Empty) ?? FindStringValue(credential, token, string.Empty);
        return pointer ?? string.Empty;
    }

    private static string? FindProperty(JsonElement element, string name, string pointer)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in element.EnumerateObject())
            {
                string child = JsonLocations.AppendProperty(pointer, property.Name);
                if (string.Equals(property.Name, name, StringComparison.Ordinal))
                {
                    return child;
                }

                if (FindProperty(property.Value, name, child) is { } found)
                {
                    return found;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (JsonElement item in element.EnumerateArray())
            {
                if (FindProperty(item, name, JsonLocations.AppendIndex(pointer, i++)) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static string? FindStringValue(JsonElement element, string value, string pointer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.ValueEquals(value) ? pointer : null;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (FindStringValue(property.Value, value, JsonLocations.AppendProperty(pointer, property.Name)) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (FindStringValue(item, value, JsonLocations.AppendIndex(pointer, i++)) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static void CheckContext(JsonElement credential, List<CredentialViolation> violations)
    {
        if (!credential.TryGetProperty("@context", out JsonElement context) || context.ValueKind != JsonValueKind.Array)
        {
            Add(violations, credential, CredentialViolationKind.Context, "/@context", "OB-DM-1", "@context must be an array: the VC context, then the OB context.");
            return;
        }

        int count = context.GetArrayLength();
        bool v1 = count > 0 && context[0].ValueKind == JsonValueKind.String && context[0].ValueEquals(ContextUrls.CredentialsV1);
        if (count == 0 || context[0].ValueKind != JsonValueKind.String || !(context[0].ValueEquals(ContextUrls.CredentialsV2) || v1))
        {
            Add(violations, credential, CredentialViolationKind.Context, "/@context/0", "OB-DM-1", $"@context[0] must be \"{ContextUrls.CredentialsV2}\".");
        }

        if (count < 2 || context[1].ValueKind != JsonValueKind.String || !ObContextRegex().IsMatch(context[1].GetString()!))
        {
            Add(violations, credential, CredentialViolationKind.Context, "/@context/1", "T-15", "@context[1] must be an OB 3.0 context URL (https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json).");
        }
    }

    private static void CheckSubjectIdentity(JsonElement credential, List<CredentialViolation> violations)
    {
        if (!credential.TryGetProperty("credentialSubject", out JsonElement subject) || subject.ValueKind != JsonValueKind.Object)
        {
            return; // the schema reports a missing or malformed credentialSubject
        }

        bool hasId = subject.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String && id.GetString()!.Length > 0;
        bool hasIdentifier = subject.TryGetProperty("identifier", out JsonElement identifier)
            && ((identifier.ValueKind == JsonValueKind.Array && identifier.GetArrayLength() > 0) || identifier.ValueKind == JsonValueKind.Object);
        if (!hasId && !hasIdentifier)
        {
            Add(violations, credential, CredentialViolationKind.SubjectIdentity, "/credentialSubject", "OB-DM-20", "credentialSubject must have an id or at least one identifier.");
        }
    }

    private static void CheckDates(JsonElement credential, ObSchemaBuild build, List<CredentialViolation> violations)
    {
        string fromName = build == ObSchemaBuild.LegacyVcdm11 ? "issuanceDate" : "validFrom";
        string untilName = build == ObSchemaBuild.LegacyVcdm11 ? "expirationDate" : "validUntil";
        DateTimeOffset? from = ReadDate(credential, fromName, violations);
        DateTimeOffset? until = ReadDate(credential, untilName, violations);
        if (from is { } f && until is { } u && u <= f)
        {
            Add(violations, credential, CredentialViolationKind.ValidityPeriod, "/" + untilName, "VER-5", $"{untilName} ({u:O}) must be after {fromName} ({f:O}).");
        }
    }

    private static DateTimeOffset? ReadDate(JsonElement credential, string name, List<CredentialViolation> violations)
    {
        if (!credential.TryGetProperty(name, out JsonElement value))
        {
            return null; // required-ness is the schema's job
        }

        string pointer = "/" + name;
        if (value.ValueKind != JsonValueKind.String)
        {
            Add(violations, credential, CredentialViolationKind.DateTime, pointer, "OB-DM-5", $"{name} must be a date-time string.");
            return null;
        }

        string text = value.GetString()!;
        if (!DateTimeRegex().IsMatch(text))
        {
            Add(violations, credential, CredentialViolationKind.DateTime, pointer, "OB-DM-5", $"{name} \"{text}\" is not an xsd:dateTime.");
            return null;
        }

        if (!TimezoneRegex().IsMatch(text))
        {
            Add(violations, credential, CredentialViolationKind.DateTime, pointer, "T-13", $"{name} \"{text}\" has no timezone (DateTimeZ requires Z or ±hh:mm).");
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset parsed) ? parsed : null;
    }

    private static void Add(List<CredentialViolation> violations, JsonElement credential, CredentialViolationKind kind, string pointer, string code, string message)
        => violations.Add(new CredentialViolation(kind, JsonLocations.ToPath(credential, pointer), pointer, code, message));

    private static CredentialValidationResult Single(CredentialViolationKind kind, string code, string message)
        => new([new CredentialViolation(kind, "$", string.Empty, code, message)], [], null);

    [GeneratedRegex(@"^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex ObContextRegex();

    [GeneratedRegex(@"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeRegex();

    [GeneratedRegex(@"(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimezoneRegex();
}
