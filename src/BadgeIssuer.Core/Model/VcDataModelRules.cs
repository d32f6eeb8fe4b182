// The MUST-level rules of the W3C VC Data Model that a credential's JSON can be checked against without JSON-LD
// processing, for the version its first context names: VC Data Model 2.0 (https://www.w3.org/TR/vc-data-model-2.0/)
// when @context[0] is https://www.w3.org/ns/credentials/v2, VC Data Model 1.1 (https://www.w3.org/TR/vc-data-model-1.1/)
// when it is https://www.w3.org/2018/credentials/v1. Every rule names its section. Used on both sides: the verifier's
// vc-data-model step and the issuing path before anything is signed, so what one refuses the other reports.
// What JSON-LD processing already checks (terms defined by the contexts, contexts after the first being processable,
// relative IRIs) is left to it: safe mode refuses it on both sides.

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Model;

/// <summary>The VC Data Model version a credential follows (by its first <c>@context</c>).</summary>
public enum VcVersion
{
    /// <summary>The first context is neither base context: the 2.0 rules are applied and the context is reported.</summary>
    Unknown,

    /// <summary>VC Data Model 1.1: <c>https://www.w3.org/2018/credentials/v1</c>.</summary>
    V11,

    /// <summary>VC Data Model 2.0: <c>https://www.w3.org/ns/credentials/v2</c>.</summary>
    V20,
}

/// <summary>
/// The VC Data Model MUSTs of a credential's version that its JSON shows: contexts, id, type, issuer, credentialSubject,
/// names and descriptions, validity dates, and the shape of credentialStatus, credentialSchema, refreshService,
/// termsOfUse, evidence and relatedResource. Reports every violation with its JSON pointer; never throws for bad input.
/// </summary>
public static partial class VcDataModelRules
{
    /// <summary>The code of every violation these rules report (<see cref="CredentialViolation.Code"/> starts with it).</summary>
    public const string CodePrefix = "VCDM";

    /// <summary>The version <paramref name="credential"/>'s first <c>@context</c> names.</summary>
    public static VcVersion Version(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object || !credential.TryGetProperty("@context"u8, out JsonElement context)
            || context.ValueKind != JsonValueKind.Array || context.GetArrayLength() == 0 || context[0].ValueKind != JsonValueKind.String)
        {
            return VcVersion.Unknown;
        }

        return context[0].ValueEquals(ContextUrls.CredentialsV2) ? VcVersion.V20
            : context[0].ValueEquals(ContextUrls.CredentialsV1) ? VcVersion.V11
            : VcVersion.Unknown;
    }

    /// <summary>"VC 2.0" or "VC 1.1": how the rules of a version are named in messages.</summary>
    public static string Label(VcVersion version) => version == VcVersion.V11 ? "VC 1.1" : "VC 2.0";

    /// <summary>Every violation of the VC Data Model rules of <paramref name="credential"/>'s version.</summary>
    public static IReadOnlyList<CredentialViolation> Check(JsonElement credential)
    {
        var violations = new List<CredentialViolation>();
        Check(credential, violations);
        return violations;
    }

    /// <summary>Adds every violation of the VC Data Model rules of <paramref name="credential"/>'s version to <paramref name="violations"/>.</summary>
    public static void Check(JsonElement credential, List<CredentialViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var rules = new Rules(credential, violations);
        if (credential.ValueKind != JsonValueKind.Object)
        {
            rules.Add(string.Empty, "VCDM-CREDENTIAL", "a credential is a JSON object");
            return;
        }

        rules.Run();
    }

    /// <summary>Whether <paramref name="value"/> is a URL as identifiers need it: an absolute URI (a scheme, then no white space).</summary>
    public static bool IsUrl(string? value)
        => value is { Length: > 0 } && UrlRegex().IsMatch(value) && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>Whether <paramref name="value"/> is an XML Schema 1.1 <c>dateTimeStamp</c> (a <c>dateTime</c> with a time zone) naming a real instant.</summary>
    public static bool IsDateTimeStamp(string? value) => IsDateTime(value, requireZone: true);

    /// <summary>Whether <paramref name="value"/> is an XML Schema <c>dateTime</c> (time zone optional) naming a real date.</summary>
    public static bool IsDateTime(string? value, bool requireZone)
    {
        if (value is null || value.Length > 64)
        {
            return false;
        }

        Match m = DateTimeRegex().Match(value);
        if (!m.Success || (requireZone && !m.Groups["zone"].Success))
        {
            return false;
        }

        // 24:00:00 is the end of the day (XSD); every other value must be a date that exists.
        int year = int.Parse(m.Groups["year"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int month = int.Parse(m.Groups["month"].ValueSpan, CultureInfo.InvariantCulture);
        int day = int.Parse(m.Groups["day"].ValueSpan, CultureInfo.InvariantCulture);
        return year is >= 1 and <= 9999 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary>The SRI hash expressions of a <c>digestSRI</c> value (white-space separated), each <c>sha256|sha384|sha512-base64[?options]</c>.</summary>
    public static bool IsSriHashExpression(string value) => SriRegex().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex UrlRegex();

    [GeneratedRegex(@"^(?<year>-?([1-9][0-9]{3,}|0[0-9]{3}))-(?<month>0[1-9]|1[0-2])-(?<day>0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)(?<zone>Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeRegex();

    [GeneratedRegex(@"^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}(\?[\x21-\x7E]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SriRegex();

    /// <summary>One run over one credential.</summary>
    private sealed class Rules(JsonElement credential, List<CredentialViolation> violations)
    {
        private readonly VcVersion _version = Version(credential);

        private bool V1 => _version == VcVersion.V11;

        /// <summary>The section of the version's specification, e.g. "VC 2.0 §4.7 Issuer".</summary>
        private string Section(string v2, string v1) => V1 ? "VC 1.1 §" + v1 : "VC 2.0 §" + v2;

        public void Run()
        {
            CheckContext();
            CheckId();
            CheckType();
            CheckIssuer();
            CheckSubject();
            CheckDates();
            if (!V1)
            {
                CheckText(credential, "name", string.Empty);
                CheckText(credential, "description", string.Empty);
            }

            CheckTypedObjects("credentialStatus", Section("4.10 Status", "4.9 Status"), idRequired: false);
            CheckTypedObjects("credentialSchema", Section("4.11 Data Schemas", "5.4 Data Schemas"), idRequired: true);
            CheckTypedObjects("refreshService", Section("5.4 Refreshing", "5.5 Refreshing"), idRequired: V1);
            CheckTypedObjects("termsOfUse", Section("5.5 Terms of Use", "5.6 Terms of Use"), idRequired: false);
            CheckTypedObjects("evidence", Section("5.6 Evidence", "5.7 Evidence"), idRequired: false);
            if (!V1)
            {
                CheckRelatedResources();
            }
        }

        public void Add(string pointer, string code, string message)
            => violations.Add(new CredentialViolation(CredentialViolationKind.VcDataModel, JsonLocations.ToPath(credential, pointer), pointer, code, message));

        private void CheckContext()
        {
            if (!credential.TryGetProperty("@context"u8, out JsonElement context))
            {
                Add("/@context", "VCDM-CONTEXT", "@context is required (VC 2.0 §4.3 Contexts)");
                return;
            }

            if (context.ValueKind != JsonValueKind.Array || context.GetArrayLength() == 0)
            {
                Add("/@context", "VCDM-CONTEXT", "@context must be an ordered set (a JSON array) whose first item is the base context (VC 2.0 §4.3 Contexts)");
                return;
            }

            if (_version == VcVersion.Unknown)
            {
                Add("/@context/0", "VCDM-CONTEXT", $"the first @context must be {ContextUrls.CredentialsV2} (VC 2.0 §4.3 Contexts) or, for VC 1.1, {ContextUrls.CredentialsV1}");
            }
        }

        private void CheckId()
        {
            if (credential.TryGetProperty("id"u8, out JsonElement id) && !(id.ValueKind == JsonValueKind.String && IsUrl(id.GetString())))
            {
                Add("/id", "VCDM-ID", $"id, when present, must be a single URL ({Section("4.4 Identifiers", "4.2 Identifiers")})");
            }
        }

        private void CheckType()
        {
            string section = Section("4.5 Types", "4.3 Types");
            if (!credential.TryGetProperty("type"u8, out JsonElement type))
            {
                Add("/type", "VCDM-TYPE", $"type is required and must include VerifiableCredential ({section})");
                return;
            }

            if (!TypeValues(type, out bool hasVc))
            {
                Add("/type", "VCDM-TYPE", $"type must be one or more terms or absolute URLs: a string or an array of strings ({section})");
            }
            else if (!hasVc)
            {
                Add("/type", "VCDM-TYPE", $"type must include VerifiableCredential ({section})");
            }
        }

        private void CheckIssuer()
        {
            string section = Section("4.7 Issuer", "4.5 Issuer");
            if (!credential.TryGetProperty("issuer"u8, out JsonElement issuer))
            {
                Add("/issuer", "VCDM-ISSUER", $"issuer is required ({section})");
                return;
            }

            if (issuer.ValueKind == JsonValueKind.String)
            {
                if (!IsUrl(issuer.GetString()))
                {
                    Add("/issuer", "VCDM-ISSUER", $"issuer must be a URL or an object whose id is a URL ({section})");
                }

                return;
            }

            if (issuer.ValueKind != JsonValueKind.Object)
            {
                Add("/issuer", "VCDM-ISSUER", $"issuer must be a URL or an object whose id is a URL ({section})");
                return;
            }

            if (!(issuer.TryGetProperty("id"u8, out JsonElement id) && id.ValueKind == JsonValueKind.String && IsUrl(id.GetString())))
            {
                Add("/issuer/id", "VCDM-ISSUER", $"an issuer object needs an id that is a URL ({section})");
            }

            if (!V1)
            {
                CheckText(issuer, "name", "/issuer");
                CheckText(issuer, "description", "/issuer");
            }
        }

        private void CheckSubject()
        {
            string section = Section("4.8 Credential Subject", "4.4 Credential Subject");
            if (!credential.TryGetProperty("credentialSubject"u8, out JsonElement subject))
            {
                Add("/credentialSubject", "VCDM-SUBJECT", $"credentialSubject is required ({section})");
                return;
            }

            if (subject.ValueKind == JsonValueKind.Object)
            {
                if (IsEmpty(subject))
                {
                    Add("/credentialSubject", "VCDM-SUBJECT", $"credentialSubject must make one or more claims; it is an empty object ({section})");
                }

                return;
            }

            if (subject.ValueKind != JsonValueKind.Array || subject.GetArrayLength() == 0)
            {
                Add("/credentialSubject", "VCDM-SUBJECT", $"credentialSubject must be an object or a non-empty array of objects ({section})");
                return;
            }

            int i = 0;
            foreach (JsonElement item in subject.EnumerateArray())
            {
                string pointer = JsonLocations.AppendIndex("/credentialSubject", i++);
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Add(pointer, "VCDM-SUBJECT", $"each credentialSubject must be an object ({section})");
                }
                else if (IsEmpty(item))
                {
                    Add(pointer, "VCDM-SUBJECT", $"each credentialSubject must make one or more claims; this one is an empty object ({section})");
                }
            }
        }

        private void CheckDates()
        {
            if (V1)
            {
                // VC 1.1 §4.6 Issuance Date, §4.8 Expiration: XML Schema dateTime strings; issuanceDate is required.
                if (!credential.TryGetProperty("issuanceDate"u8, out JsonElement issued))
                {
                    Add("/issuanceDate", "VCDM-DATE", "issuanceDate is required (VC 1.1 §4.6 Issuance Date)");
                }
                else if (!(issued.ValueKind == JsonValueKind.String && IsDateTime(issued.GetString(), requireZone: false)))
                {
                    Add("/issuanceDate", "VCDM-DATE", "issuanceDate must be an XML Schema dateTime string (VC 1.1 §4.6 Issuance Date)");
                }

                if (credential.TryGetProperty("expirationDate"u8, out JsonElement expires)
                    && !(expires.ValueKind == JsonValueKind.String && IsDateTime(expires.GetString(), requireZone: false)))
                {
                    Add("/expirationDate", "VCDM-DATE", "expirationDate must be an XML Schema dateTime string (VC 1.1 §4.8 Expiration)");
                }

                return;
            }

            DateTimeOffset? from = Stamp("validFrom");
            DateTimeOffset? until = Stamp("validUntil");
            if (from is { } f && until is { } u && f > u)
            {
                Add("/validUntil", "VCDM-DATE", "validUntil must be the same as or later than validFrom (VC 2.0 §4.9 Validity Period)");
            }
        }

        private DateTimeOffset? Stamp(string name)
        {
            if (!credential.TryGetProperty(name, out JsonElement value))
            {
                return null;
            }

            if (!(value.ValueKind == JsonValueKind.String && IsDateTimeStamp(value.GetString())))
            {
                Add("/" + name, "VCDM-DATE", $"{name} must be an XML Schema dateTimeStamp: a date-time with a time zone, e.g. 2026-01-01T00:00:00Z (VC 2.0 §4.9 Validity Period)");
                return null;
            }

            // A valid 24:00:00 (the end of a day) does not parse here; such a value is not compared.
            return DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed) ? parsed : null;
        }

        /// <summary>credentialStatus, credentialSchema, refreshService, termsOfUse, evidence: one object or an array of them, each with a type (and an id URL where required).</summary>
        private void CheckTypedObjects(string member, string section, bool idRequired)
        {
            if (!credential.TryGetProperty(member, out JsonElement value))
            {
                return;
            }

            string pointer = "/" + member;
            if (value.ValueKind == JsonValueKind.Object)
            {
                CheckTypedObject(value, pointer, member, section, idRequired);
                return;
            }

            if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
            {
                Add(pointer, "VCDM-" + member.ToUpperInvariant(), $"{member} must be an object or a non-empty array of objects ({section})");
                return;
            }

            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                CheckTypedObject(item, JsonLocations.AppendIndex(pointer, i++), member, section, idRequired);
            }
        }

        private void CheckTypedObject(JsonElement item, string pointer, string member, string section, bool idRequired)
        {
            string code = "VCDM-" + member.ToUpperInvariant();
            if (item.ValueKind != JsonValueKind.Object)
            {
                Add(pointer, code, $"each {member} must be an object ({section})");
                return;
            }

            if (!item.TryGetProperty("type"u8, out JsonElement type) || !TypeValues(type, out _))
            {
                Add(pointer + "/type", code, $"each {member} must have a type: a string or an array of strings ({section})");
            }

            if (item.TryGetProperty("id"u8, out JsonElement id))
            {
                if (!(id.ValueKind == JsonValueKind.String && IsUrl(id.GetString())))
                {
                    Add(pointer + "/id", code, $"the id of a {member} must be a URL ({section})");
                }
            }
            else if (idRequired)
            {
                Add(pointer + "/id", code, $"each {member} must have an id that is a URL ({section})");
            }
        }

        /// <summary>VC 2.0 §5.3: objects with a unique id URL and at least one of digestSRI and digestMultibase.</summary>
        private void CheckRelatedResources()
        {
            const string Section = "VC 2.0 §5.3 Integrity of Related Resources";
            if (!credential.TryGetProperty("relatedResource"u8, out JsonElement value))
            {
                return;
            }

            var items = new List<(JsonElement Item, string Pointer)>();
            if (value.ValueKind == JsonValueKind.Object)
            {
                items.Add((value, "/relatedResource"));
            }
            else if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
            {
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    items.Add((item, JsonLocations.AppendIndex("/relatedResource", i++)));
                }
            }
            else
            {
                Add("/relatedResource", "VCDM-RELATEDRESOURCE", $"relatedResource must be an object or a non-empty array of objects ({Section})");
                return;
            }

            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach ((JsonElement item, string pointer) in items)
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Add(pointer, "VCDM-RELATEDRESOURCE", $"each relatedResource must be an object ({Section})");
                    continue;
                }

                if (!(item.TryGetProperty("id"u8, out JsonElement id) && id.ValueKind == JsonValueKind.String && IsUrl(id.GetString())))
                {
                    Add(pointer + "/id", "VCDM-RELATEDRESOURCE", $"each relatedResource must have an id that is a URL ({Section})");
                }
                else if (!ids.Add(id.GetString()!))
                {
                    Add(pointer + "/id", "VCDM-RELATEDRESOURCE", $"the id of each relatedResource must be unique among them; {id.GetString()} is listed twice ({Section})");
                }

                bool sri = item.TryGetProperty("digestSRI"u8, out JsonElement digestSri);
                bool multibase = item.TryGetProperty("digestMultibase"u8, out JsonElement digestMultibase);
                if (!sri && !multibase)
                {
                    Add(pointer, "VCDM-RELATEDRESOURCE", $"each relatedResource must have a digestSRI or a digestMultibase ({Section})");
                }

                if (sri && !DigestStrings(digestSri, s => s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts && parts.All(IsSriHashExpression)))
                {
                    Add(pointer + "/digestSRI", "VCDM-RELATEDRESOURCE", $"digestSRI must hold Subresource Integrity hash expressions (sha256-, sha384- or sha512- and the base64 digest) ({Section})");
                }

                if (multibase && !DigestStrings(digestMultibase, s => s.Length > 1 && !s.Any(char.IsWhiteSpace)))
                {
                    Add(pointer + "/digestMultibase", "VCDM-RELATEDRESOURCE", $"digestMultibase must hold multibase-encoded multihash digests ({Section}, VC Data Integrity §2.6)");
                }

                if (item.TryGetProperty("mediaType"u8, out JsonElement mediaType) && !(mediaType.ValueKind == JsonValueKind.String && MediaTypeRegex().IsMatch(mediaType.GetString()!)))
                {
                    Add(pointer + "/mediaType", "VCDM-RELATEDRESOURCE", $"mediaType must be a media type, e.g. application/ld+json ({Section})");
                }
            }
        }

        /// <summary>name/description (VC 2.0 §4.6): a string, a language value object, or an array of them.</summary>
        private void CheckText(JsonElement owner, string member, string ownerPointer)
        {
            if (!owner.TryGetProperty(member, out JsonElement value))
            {
                return;
            }

            bool ok = value.ValueKind == JsonValueKind.Array
                ? value.GetArrayLength() > 0 && value.EnumerateArray().All(IsTextValue)
                : IsTextValue(value);
            if (!ok)
            {
                Add(ownerPointer + "/" + member, "VCDM-TEXT", $"{member} must be a string or a language value object ({{\"@value\", \"@language\"?, \"@direction\"?}}) (VC 2.0 §4.6 Names and Descriptions, §11.1)");
            }
        }

        private static bool IsTextValue(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return true;
            }

            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("@value"u8, out JsonElement text) || text.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            foreach (JsonProperty p in value.EnumerateObject())
            {
                if (!(p.NameEquals("@value") || ((p.NameEquals("@language") || p.NameEquals("@direction")) && p.Value.ValueKind == JsonValueKind.String)))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsEmpty(JsonElement obj)
        {
            using JsonElement.ObjectEnumerator members = obj.EnumerateObject();
            return !members.MoveNext();
        }

        /// <summary>A type value: a non-empty string, or a non-empty array of non-empty strings.</summary>
        private static bool TypeValues(JsonElement type, out bool hasVerifiableCredential)
        {
            hasVerifiableCredential = false;
            if (type.ValueKind == JsonValueKind.String)
            {
                hasVerifiableCredential = type.ValueEquals("VerifiableCredential"u8);
                return type.GetString()!.Length > 0;
            }

            if (type.ValueKind != JsonValueKind.Array || type.GetArrayLength() == 0)
            {
                return false;
            }

            foreach (JsonElement t in type.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.String || t.GetString()!.Length == 0)
                {
                    return false;
                }

                hasVerifiableCredential |= t.ValueEquals("VerifiableCredential"u8);
            }

            return true;
        }

        private static bool DigestStrings(JsonElement value, Func<string, bool> valid)
            => value.ValueKind == JsonValueKind.String ? valid(value.GetString()!)
                : value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0
                    && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String && valid(e.GetString()!));
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*(\s*;.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypeRegex();
}
