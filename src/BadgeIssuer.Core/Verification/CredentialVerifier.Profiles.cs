// Verification profiles. Every credential is first checked against the VC Data Model rules of its version (VC 2.0
// when @context[0] is https://www.w3.org/ns/credentials/v2, VC 1.1 when it is https://www.w3.org/2018/credentials/v1:
// the vc-data-model step, Model/VcDataModelRules.cs), then against the profile its signed types claim:
//   ob           OpenBadgeCredential / AchievementCredential: the OB 3.0 context, the OB JSON Schema (plus declared
//                bundled schemas, compacted form accepted, SER-3) and the subject's id or identifier (OB-DM-20);
//   endorsement  EndorsementCredential: the OB 3.0 context and the endorsement JSON Schema (an embedded endorsement
//                must be one, VER-8);
//   clr          ClrCredential: the CLR 2.0 context and the CLR rules (the clr step, Model/ClrRules.cs); every embedded
//                credential through this same pipeline (CredentialVerifier.Clr.cs);
//   vc           any other credential: the VC Data Model rules only; the schema step is skipped with the reason (or
//                validates against the declared credentialSchema entries that map to a bundled schema).
// Steps that belong to a profile the credential does not claim are reported skipped, never failed. The report names
// the profile it applied (VerificationReport.Profile, "profile" in JSON).

using System.Globalization;
using System.Text.Json;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Verification;

public sealed partial class CredentialVerifier
{
    private const string ObContextPrefix = "https://purl.imsglobal.org/spec/ob/v3p0/context";

    /// <summary>What a credential is verified as.</summary>
    private enum RunRole
    {
        /// <summary>The input (or a presentation's credential): any profile.</summary>
        Credential,

        /// <summary>An embedded endorsement: must be an EndorsementCredential (VER-8).</summary>
        Endorsement,

        /// <summary>A credential a CLR embeds: any profile, verified as the input is.</summary>
        Embedded,
    }

    private static void ValidateProfileOptions(CredentialVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.RelatedResources, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxEmbeddedCredentialDepth, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxEmbeddedCredentials, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRelatedResources, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRelatedResourceBytes, nameof(options));
    }

    /// <summary>
    /// The context, type, vc-data-model, schema and (for a CLR) clr steps. The profile is chosen by the signed types
    /// (<paramref name="content"/>: the signed view, or the JSON of a VC-JWT), and the type step reads them there, so no
    /// JSON rewrite changes it; the VC Data Model rules, the JSON Schema and the CLR rules read the submitted JSON
    /// (<paramref name="credential"/>): a JSON that does not show the signed members fails them, and the schema entries
    /// it acts on must be the signed ones.
    /// </summary>
    private static void CheckProfile(JsonElement credential, JsonElement content, JsonDocument? view, Run run)
    {
        CredentialProfile profile = CredentialProfiles.Detect(content);
        run.Profile = profile;
        run.HasSignedView = view is not null;
        CheckContextStep(credential, profile, run);
        CheckTypeStep(content, profile, run);
        CheckVcDataModelStep(credential, run);
        if (profile is CredentialProfile.OpenBadge or CredentialProfile.Endorsement)
        {
            CheckObSchemaStep(credential, run);
        }
        else
        {
            CheckDeclaredSchemaStep(credential, profile, run);
        }

        // The schema step validates the submitted JSON against the schemas it declares: those must be the signed ones,
        // or a rewrite could hide a declared schema the credential fails.
        if (view is not null && !SameIds(credential, view.RootElement, "credentialSchema"))
        {
            run.Add(CheckNames.Schema, CheckStatus.Failed, "the credential's JSON does not show the credentialSchema entries that are signed (write them as credentialSchema)");
        }

        // credentialSubject has id or identifier (VER-2, OB-DM-20)
        if (profile == CredentialProfile.OpenBadge
            && content.TryGetProperty("credentialSubject", out JsonElement subject) && subject.ValueKind == JsonValueKind.Object
            && !subject.TryGetProperty("id", out _) && !subject.TryGetProperty("identifier", out _))
        {
            run.Add(CheckNames.Schema, CheckStatus.Failed, "credentialSubject has neither id nor identifier");
        }

        if (profile == CredentialProfile.Clr)
        {
            IReadOnlyList<CredentialViolation> violations = ClrRules.Check(credential, checkEmbedded: false);
            run.Add(violations.Count == 0
                ? new(CheckNames.Clr, CheckStatus.Passed, "a ClrCredential with the CLR 2.0 context, an id, a name and a ClrSubject holding its credentials; achievements and associations well-formed")
                : new(CheckNames.Clr, CheckStatus.Failed, Summarize(violations.Select(v => $"{v.Path}: {v.Message}"), violations.Count)));
        }
    }

    private static void CheckContextStep(JsonElement credential, CredentialProfile profile, Run run)
    {
        if (!credential.TryGetProperty("@context", out JsonElement context) || context.ValueKind != JsonValueKind.Array || context.GetArrayLength() == 0)
        {
            run.Add(CheckNames.Context, CheckStatus.Failed, "@context must be an array starting with the VC base context");
            return;
        }

        string? first = context[0].ValueKind == JsonValueKind.String ? context[0].GetString() : null;
        if (first is not (CredentialsV2 or CredentialsV1))
        {
            run.Add(CheckNames.Context, CheckStatus.Failed, "@context[0] is not the VC 2.0 or VC 1.1 base context");
            return;
        }

        string vc = first == CredentialsV2 ? "VC 2.0" : "VC 1.1";
        bool Has(Func<string, bool> match) => context.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && match(c.GetString()!));
        switch (profile)
        {
            case CredentialProfile.OpenBadge or CredentialProfile.Endorsement:
                run.Add(!Has(c => c.StartsWith(ObContextPrefix, StringComparison.Ordinal))
                    ? new(CheckNames.Context, CheckStatus.Failed, "the Open Badges 3.0 context is missing")
                    : new(CheckNames.Context, CheckStatus.Passed, first == CredentialsV2 ? "VC 2.0 and Open Badges 3.0 contexts" : "VC 1.1 and Open Badges 3.0 contexts (legacy)"));
                break;
            case CredentialProfile.Clr:
                run.Add(!Has(c => CredentialProfiles.ClrContexts.Contains(c, StringComparer.Ordinal))
                    ? new(CheckNames.Context, CheckStatus.Failed, "the CLR 2.0 context is missing (" + CredentialProfiles.ClrContexts[0] + ")")
                    : new(CheckNames.Context, CheckStatus.Passed, vc + " and CLR 2.0 contexts"));
                break;
            default:
                run.Add(CheckNames.Context, CheckStatus.Passed, first == CredentialsV2 ? "VC 2.0 base context" : "VC 1.1 base context (legacy)");
                break;
        }
    }

    private static void CheckTypeStep(JsonElement content, CredentialProfile profile, Run run)
    {
        bool vc = false;
        if (content.TryGetProperty("type", out JsonElement type))
        {
            foreach (JsonElement t in type.ValueKind == JsonValueKind.Array ? type.EnumerateArray() : Enumerate(type))
            {
                vc |= t.ValueKind == JsonValueKind.String && t.ValueEquals("VerifiableCredential");
            }
        }

        // An embedded endorsement must be an EndorsementCredential (VER-8, OB-DM-40).
        if (run.Role == RunRole.Endorsement)
        {
            run.Add(vc && profile == CredentialProfile.Endorsement
                ? new(CheckNames.Type, CheckStatus.Passed, "VerifiableCredential, EndorsementCredential")
                : new(CheckNames.Type, CheckStatus.Failed, "an endorsement must have type VerifiableCredential and EndorsementCredential"));
            return;
        }

        if (!vc)
        {
            run.Add(CheckNames.Type, CheckStatus.Failed, "type must contain VerifiableCredential");
            return;
        }

        run.Add(CheckNames.Type, CheckStatus.Passed, profile switch
        {
            CredentialProfile.OpenBadge => "VerifiableCredential, " + (HasType(content, "OpenBadgeCredential") ? "OpenBadgeCredential" : "AchievementCredential"),
            CredentialProfile.Endorsement => "VerifiableCredential, EndorsementCredential",
            CredentialProfile.Clr => "VerifiableCredential, ClrCredential",
            _ => "VerifiableCredential (no Open Badges or CLR type: checked against the VC Data Model only, profile vc)",
        });
    }

    private static void CheckVcDataModelStep(JsonElement credential, Run run)
    {
        IReadOnlyList<CredentialViolation> violations;
        if (run.VcClaimPayload is JsonElement payload && payload.ValueKind == JsonValueKind.Object)
        {
            // A VC 1.1 VC-JWT may leave members of its vc claim to the registered claims: judged as decoded.
            using JsonDocument decoded = DecodeVcClaim(credential, payload);
            violations = VcDataModelRules.Check(decoded.RootElement);
        }
        else
        {
            violations = VcDataModelRules.Check(credential);
        }

        string rules = VcDataModelRules.Version(credential) == VcVersion.V11 ? "VC Data Model 1.1" : "VC Data Model 2.0";
        run.Add(violations.Count == 0
            ? new(CheckNames.VcDataModel, CheckStatus.Passed, $"conforms to the {rules} rules: contexts, id, type, issuer, credentialSubject, dates, and the shape of status, schema, refresh, terms of use, evidence and related resources")
            : new(CheckNames.VcDataModel, CheckStatus.Failed, Summarize(violations.Select(v => $"{v.Path}: {v.Message}"), violations.Count)));
    }

    /// <summary>
    /// The credential of a VC 1.1 VC-JWT's <c>vc</c> claim as VC Data Model 1.1 §6.3.1 decodes it: <c>iss</c> sets
    /// <c>issuer</c>, <c>nbf</c> <c>issuanceDate</c>, <c>exp</c> <c>expirationDate</c> and <c>jti</c> <c>id</c> when the
    /// claim leaves them out (the claims' agreement with present members is the proof step's).
    /// </summary>
    private static JsonDocument DecodeVcClaim(JsonElement credential, JsonElement payload)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (JsonProperty p in credential.EnumerateObject())
            {
                p.WriteTo(w);
            }

            void Fill(string member, string claim, bool date)
            {
                if (credential.TryGetProperty(member, out _) || !payload.TryGetProperty(claim, out JsonElement value))
                {
                    return;
                }

                if (date && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long seconds) && seconds is >= 0 and <= 253402300799)
                {
                    w.WriteString(member, DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }
                else if (!date && value.ValueKind == JsonValueKind.String)
                {
                    w.WriteString(member, value.GetString());
                }
            }

            Fill("issuer", "iss", date: false);
            Fill("id", "jti", date: false);
            Fill("issuanceDate", "nbf", date: true);
            Fill("expirationDate", "exp", date: true);
            w.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    /// <summary>The OB 3.0 JSON Schema of the credential's class and VC version, plus declared bundled schemas (VER-2); the compacted form is accepted (SER-3).</summary>
    private static void CheckObSchemaStep(JsonElement credential, Run run)
    {
        // Pass/fail first (the compiled evaluator); every violation is collected only for a credential that fails in both forms.
        ObSchemaValidationResult schema = ObSchemaValidator.Shared.Validate(credential, collectViolations: false);
        string compacted = string.Empty;
        if (!schema.IsValid && CompactedForm.TryExpand(credential, out JsonDocument? expanded, out string wrapped))
        {
            using (expanded)
            {
                ObSchemaValidationResult retry = ObSchemaValidator.Shared.Validate(expanded.RootElement, collectViolations: false);
                if (retry.IsValid)
                {
                    schema = retry;
                    compacted = $" (compacted JSON-LD form accepted, SER-3: single-valued {wrapped})";
                }
            }
        }

        if (!schema.IsValid)
        {
            schema = ObSchemaValidator.Shared.Validate(credential);

            // Single-valued type members deeper than the fixed walk reaches (SER-3 allows them on every class): wrapped
            // exactly where the schema wants an array, then judged again.
            if (CompactedForm.TryExpandAt(credential, schema.Violations.Where(v => v.Keyword == "type").Select(v => v.InstanceLocation), out JsonDocument? guided, out string guidedWrapped))
            {
                using (guided)
                {
                    ObSchemaValidationResult retry = ObSchemaValidator.Shared.Validate(guided.RootElement, collectViolations: false);
                    if (retry.IsValid)
                    {
                        schema = retry;
                        compacted = $" (compacted JSON-LD form accepted, SER-3: single-valued {guidedWrapped})";
                    }
                }
            }
        }

        AddSchemaResult(schema, compacted, run);
    }

    /// <summary>A credential of no OB profile: only the credentialSchema entries it declares that map to a bundled schema; skipped when there are none.</summary>
    private static void CheckDeclaredSchemaStep(JsonElement credential, CredentialProfile profile, Run run)
    {
        ObSchemaValidationResult schema = ObSchemaValidator.Shared.ValidateDeclared(credential, collectViolations: false);
        if (schema.AppliedSchemas.Count == 0)
        {
            List<string> declared = [.. schema.DeclaredSchemas.Select(d => d.Url.Length == 0 ? "(no id)" : d.Url).Take(3)];
            string notApplied = declared.Count == 0
                ? " and declares no credentialSchema"
                : $"; its declared credentialSchema ({string.Join(", ", declared)}) is not a bundled schema and was not fetched";
            run.Add(CheckNames.Schema, CheckStatus.Skipped, profile == CredentialProfile.Clr
                ? $"no CLR 2.0 JSON Schema is bundled{notApplied}; the CLR 2.0 rules are checked by the clr step"
                : $"no JSON Schema applies: the credential claims no Open Badges type{notApplied}");
            return;
        }

        string compacted = string.Empty;
        if (!schema.IsValid && CompactedForm.TryExpand(credential, out JsonDocument? expanded, out string wrapped))
        {
            using (expanded)
            {
                ObSchemaValidationResult retry = ObSchemaValidator.Shared.ValidateDeclared(expanded.RootElement, collectViolations: false);
                if (retry.IsValid)
                {
                    schema = retry;
                    compacted = $" (compacted JSON-LD form accepted, SER-3: single-valued {wrapped})";
                }
            }
        }

        if (!schema.IsValid)
        {
            schema = ObSchemaValidator.Shared.ValidateDeclared(credential);
        }

        AddSchemaResult(schema, compacted, run);
    }

    private static void AddSchemaResult(ObSchemaValidationResult schema, string compacted, Run run)
    {
        if (schema.IsValid)
        {
            string applied = string.Join(", ", schema.AppliedSchemas.Select(s => $"{s.Kind} schema ({s.Build} build, {s.OfficialUrl})"));
            run.Add(CheckNames.Schema, CheckStatus.Passed, $"valid against {applied}{compacted}");
        }
        else
        {
            run.Add(CheckNames.Schema, CheckStatus.Failed, Summarize(schema.Violations.Select(v => $"{v.Path}: {v.Message}"), schema.Violations.Count));
        }
    }

    /// <summary>The first five messages, joined, and how many more there are.</summary>
    private static string Summarize(IEnumerable<string> messages, int count)
    {
        string more = count > 5 ? string.Create(CultureInfo.InvariantCulture, $" (and {count - 5} more)") : string.Empty;
        return string.Join("; ", messages.Take(5)) + more;
    }

    private static bool HasType(JsonElement node, string type)
        => node.TryGetProperty("type", out JsonElement value)
            && (value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : Enumerate(value)).Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals(type));

    /// <summary>The profile and role of one credential's verification.</summary>
    private sealed partial class Run
    {
        /// <summary>What this credential is verified as (set by the caller that embeds it).</summary>
        public RunRole Role { get; init; }

        /// <summary>The profile its signed types claim, once the type step has read them.</summary>
        public CredentialProfile? Profile { get; set; }

        /// <summary>The payload of a VC 1.1 VC-JWT whose credential is its <c>vc</c> claim; null otherwise.</summary>
        public JsonElement? VcClaimPayload { get; set; }

        /// <summary>Whether the steps after the proof read a signed view (Data Integrity), not the JSON itself (a VC-JWT, or no view).</summary>
        public bool HasSignedView { get; set; }

        /// <summary>The reports of the credentials a CLR embeds.</summary>
        public List<EmbeddedCredentialReport>? Embedded { get; set; }
    }

    /// <summary>Embedded credentials verified so far for one input (shared by every level).</summary>
    private sealed partial class EndorsementBudget
    {
        public int EmbeddedCredentials { get; set; }
    }
}
