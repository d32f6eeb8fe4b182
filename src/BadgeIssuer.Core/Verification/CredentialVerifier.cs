using System.Globalization;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Verification;

/// <summary>
/// The Open Badges 3.0 verification algorithm over one input (credential JSON, compact JWS, or a baked PNG/SVG),
/// reporting every step: format and unbaking, parsing within limits, context and type, OB JSON Schema, JSON-LD
/// safe mode, each proof (Data Integrity eddsa-rdfc-2022 / eddsa-2022 / Ed25519Signature2020, or VC-JWT),
/// issuer ↔ key binding, validity window, status (Bitstring Status List), refresh and, when asked, the recipient.
/// Bad input never throws; it becomes a failed step.
/// </summary>
public sealed class CredentialVerifier
{
    private const string CredentialsV2 = "https://www.w3.org/ns/credentials/v2";
    private const string CredentialsV1 = "https://www.w3.org/2018/credentials/v1";

    private readonly CredentialVerifierOptions _options;
    private readonly VcJwtVerifier _jwtVerifier;

    public CredentialVerifier(CredentialVerifierOptions? options = null)
    {
        _options = options ?? new CredentialVerifierOptions();
        _jwtVerifier = new VcJwtVerifier(
            new VcJwtVerifierOptions
            {
                TimeProvider = _options.TimeProvider,
                ClockSkew = _options.ClockSkew,
                ValidateLifetime = false,
                AllowMissingNotBefore = true,
                AllowMissingExpiration = true,
                AllowMissingSubject = true,
                AllowVcJoseCose = true,
            },
            _options.Resolver);
    }

    /// <summary>Verifies <paramref name="input"/> (JSON, compact JWS, PNG or SVG bytes).</summary>
    public async ValueTask<VerificationReport> VerifyAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default)
    {
        var checks = new List<VerificationCheck>();
        if (input.Length > _options.MaxInputBytes)
        {
            checks.Add(new(CheckNames.Format, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"input is {input.Length} bytes; the limit is {_options.MaxInputBytes}")));
            return new VerificationReport("unknown", checks, null, null);
        }

        string format;
        string payload;
        BadgeImageFormat? image = BakedBadge.DetectFormat(input.Span);
        if (image is BadgeImageFormat imageFormat)
        {
            try
            {
                UnbakedBadge unbaked = BakedBadge.Unbake(input.Span);
                payload = unbaked.Payload;
                format = (imageFormat == BadgeImageFormat.Png ? "png" : "svg") + (unbaked.IsCompactJws ? "+jwt" : "+json");
                checks.Add(new(CheckNames.Format, CheckStatus.Passed, $"baked {format[..3].ToUpperInvariant()} badge; credential extracted ({(unbaked.IsCompactJws ? "VC-JWT" : "JSON")})"));
            }
            catch (BakingException ex)
            {
                checks.Add(new(CheckNames.Format, CheckStatus.Failed, $"could not extract a credential from the image: {ex.Message}"));
                return new VerificationReport(imageFormat == BadgeImageFormat.Png ? "png" : "svg", checks, null, null);
            }
        }
        else
        {
            if (!TryDecodeUtf8(input.Span, out payload))
            {
                checks.Add(new(CheckNames.Format, CheckStatus.Failed, "input is not a PNG, an SVG or UTF-8 text"));
                return new VerificationReport("unknown", checks, null, null);
            }

            payload = payload.Trim();
            if (payload.StartsWith('{'))
            {
                format = "json";
                checks.Add(new(CheckNames.Format, CheckStatus.Passed, "credential JSON"));
            }
            else if (LooksLikeCompactJws(payload))
            {
                format = "jwt";
                checks.Add(new(CheckNames.Format, CheckStatus.Passed, "compact JWS (VC-JWT)"));
            }
            else
            {
                checks.Add(new(CheckNames.Format, CheckStatus.Failed, "input is not credential JSON, a compact JWS, a PNG or an SVG"));
                return new VerificationReport("unknown", checks, null, null);
            }
        }

        if (payload.StartsWith('{'))
        {
            return await VerifyJsonAsync(Encoding.UTF8.GetBytes(payload), format, checks, cancellationToken).ConfigureAwait(false);
        }

        return await VerifyJwtAsync(payload, format, checks, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<VerificationReport> VerifyJsonAsync(byte[] json, string format, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        if (json.Length > _options.MaxCredentialBytes)
        {
            checks.Add(new(CheckNames.Parse, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"credential is {json.Length} bytes; the limit is {_options.MaxCredentialBytes}")));
            return new VerificationReport(format, checks, null, null);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = _options.MaxJsonDepth });
        }
        catch (JsonException ex)
        {
            checks.Add(new(CheckNames.Parse, CheckStatus.Failed, $"not valid JSON: {ex.Message}"));
            return new VerificationReport(format, checks, null, null);
        }

        using (document)
        {
            JsonElement credential = document.RootElement;
            if (credential.ValueKind != JsonValueKind.Object)
            {
                checks.Add(new(CheckNames.Parse, CheckStatus.Failed, "the credential is not a JSON object"));
                return new VerificationReport(format, checks, null, null);
            }

            checks.Add(new(CheckNames.Parse, CheckStatus.Passed, string.Create(CultureInfo.InvariantCulture, $"{json.Length} bytes of JSON within the size and depth limits")));

            // An EnvelopedVerifiableCredential carries a VC-JWT in a data: URL.
            if (VcJwtVerifier.TryGetEnvelopedJws(credential, out string? enveloped))
            {
                return await VerifyJwtAsync(enveloped, format + "+enveloped", checks, cancellationToken).ConfigureAwait(false);
            }

            string? canonical = CheckDocument(credential, checks);
            if (canonical is null)
            {
                // The proof hashes the canonical form; without one there is nothing to check (and no work to repeat).
                checks.Add(new(CheckNames.Proof, CheckStatus.Failed, "not checked: the credential cannot be canonicalized in safe mode (see jsonld-safe-mode)"));
            }
            else
            {
                await CheckDataIntegrityAsync(credential, canonical, checks, cancellationToken).ConfigureAwait(false);
            }

            CheckValidity(credential, checks);
            await CheckStatusAsync(credential, checks, cancellationToken).ConfigureAwait(false);
            CheckRefreshAndRecipient(credential, checks);
            return new VerificationReport(format, checks, CredentialJson.StringMember(credential, "id"), CredentialJson.IssuerId(credential));
        }
    }

    private async ValueTask<VerificationReport> VerifyJwtAsync(string jws, string format, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        using VcJwtVerificationResult result = await _jwtVerifier.VerifyAsync(jws, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            checks.Add(new(CheckNames.Proof, CheckStatus.Failed, $"VC-JWT: {result.Failure}{(result.Detail is null ? string.Empty : ": " + result.Detail)}"));
            return new VerificationReport(format, checks, null, null);
        }

        JsonElement credential = result.Credential;
        checks.Add(new(CheckNames.Parse, CheckStatus.Passed, $"JWT payload decoded ({result.Format})"));
        CheckDocument(credential, checks);
        checks.Add(new(CheckNames.Proof, CheckStatus.Passed, $"VC-JWT {result.Algorithm} signature verified (key from {result.KeySource})"));

        string? issuer = CredentialJson.IssuerId(credential);
        if (result.VerificationMethod is ResolvedVerificationMethod vm)
        {
            AddKeyBindingCheck(checks, vm.Controller, issuer, vm.Provenance);
        }
        else
        {
            checks.Add(new(
                CheckNames.IssuerKey,
                _options.AllowUnauthenticatedIssuerKeys ? CheckStatus.Warning : CheckStatus.Failed,
                "issuer not authenticated: the key is embedded in the token header (jwk); it proves who signed, not that the signer is the issuer, and no published key of the issuer is known here"));
        }

        CheckValidity(credential, checks);
        await CheckStatusAsync(credential, checks, cancellationToken).ConfigureAwait(false);
        CheckRefreshAndRecipient(credential, checks);
        return new VerificationReport(format, checks, CredentialJson.StringMember(credential, "id"), issuer);
    }

    /// <summary>Context, type, JSON Schema and JSON-LD safe mode; returns the canonical N-Quads of the credential without its proofs, or null when safe mode failed.</summary>
    private static string? CheckDocument(JsonElement credential, List<VerificationCheck> checks)
    {
        // @context
        if (!credential.TryGetProperty("@context", out JsonElement context) || context.ValueKind != JsonValueKind.Array || context.GetArrayLength() == 0)
        {
            checks.Add(new(CheckNames.Context, CheckStatus.Failed, "@context must be an array starting with the VC base context"));
        }
        else
        {
            string? first = context[0].ValueKind == JsonValueKind.String ? context[0].GetString() : null;
            bool hasOb = false;
            foreach (JsonElement c in context.EnumerateArray())
            {
                hasOb |= c.ValueKind == JsonValueKind.String && c.GetString()!.StartsWith("https://purl.imsglobal.org/spec/ob/v3p0/context", StringComparison.Ordinal);
            }

            if (first is not (CredentialsV2 or CredentialsV1))
            {
                checks.Add(new(CheckNames.Context, CheckStatus.Failed, "@context[0] is not the VC 2.0 or VC 1.1 base context"));
            }
            else if (!hasOb)
            {
                checks.Add(new(CheckNames.Context, CheckStatus.Failed, "the Open Badges 3.0 context is missing"));
            }
            else
            {
                checks.Add(new(CheckNames.Context, CheckStatus.Passed, first == CredentialsV2 ? "VC 2.0 and Open Badges 3.0 contexts" : "VC 1.1 and Open Badges 3.0 contexts (legacy)"));
            }
        }

        // type
        bool vc = false;
        string? obType = null;
        if (credential.TryGetProperty("type", out JsonElement type))
        {
            foreach (JsonElement t in type.ValueKind == JsonValueKind.Array ? type.EnumerateArray() : Enumerate(type))
            {
                string? s = t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                vc |= s == "VerifiableCredential";
                obType ??= s is "OpenBadgeCredential" or "AchievementCredential" or "EndorsementCredential" ? s : null;
            }
        }

        checks.Add(vc && obType is not null
            ? new(CheckNames.Type, CheckStatus.Passed, $"VerifiableCredential, {obType}")
            : new(CheckNames.Type, CheckStatus.Failed, "type must contain VerifiableCredential and OpenBadgeCredential, AchievementCredential or EndorsementCredential"));

        // JSON Schema (VER-2)
        ObSchemaValidationResult schema = ObSchemaValidator.Shared.Validate(credential);
        if (schema.IsValid)
        {
            string applied = string.Join(", ", schema.AppliedSchemas.Select(s => $"{s.Kind} schema ({s.Build} build, {s.OfficialUrl})"));
            checks.Add(new(CheckNames.Schema, CheckStatus.Passed, $"valid against {applied}"));
        }
        else
        {
            IEnumerable<string> first = schema.Violations.Take(5).Select(v => $"{v.Path}: {v.Message}");
            string more = schema.Violations.Count > 5 ? string.Create(CultureInfo.InvariantCulture, $" (and {schema.Violations.Count - 5} more)") : string.Empty;
            checks.Add(new(CheckNames.Schema, CheckStatus.Failed, string.Join("; ", first) + more));
        }

        // credentialSubject has id or identifier (VER-2, OB-DM-20)
        if (obType is "OpenBadgeCredential" or "AchievementCredential"
            && credential.TryGetProperty("credentialSubject", out JsonElement subject) && subject.ValueKind == JsonValueKind.Object
            && !subject.TryGetProperty("id", out _) && !subject.TryGetProperty("identifier", out _))
        {
            checks.Add(new(CheckNames.Schema, CheckStatus.Failed, "credentialSubject has neither id nor identifier"));
        }

        // JSON-LD safe mode (DI-13, T-6), on the credential without its proofs: each proof is canonicalized on its
        // own when it is checked, so an unknown proof type next to a valid one does not sink the credential.
        try
        {
            string canonical = JsonLdProcessor.CanonicalizeWithout(credential, "proof", DataIntegrityOptions.Default.JsonLd, DataIntegrityOptions.Default.Rdfc);
            checks.Add(new(CheckNames.JsonLd, CheckStatus.Passed, "every term is defined by the credential's contexts (remote ones only from the bundled set); nothing is dropped"));
            return canonical;
        }
        catch (JsonLdException ex)
        {
            checks.Add(new(CheckNames.JsonLd, CheckStatus.Failed, $"{ex.SpecCode}: {ex.Message}"));
        }
        catch (JsonLd.Canonicalization.RdfcWorkLimitExceededException ex)
        {
            checks.Add(new(CheckNames.JsonLd, CheckStatus.Failed, ex.Message));
        }

        return null;
    }

    private async ValueTask CheckDataIntegrityAsync(JsonElement credential, string canonicalWithoutProof, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        string? issuer = CredentialJson.IssuerId(credential);
        PrefetchedKeyResolver resolver = await PrefetchKeysAsync(credential, cancellationToken).ConfigureAwait(false);

        // The safe-mode step already canonicalized the document without its proofs: its hash is reused.
        IReadOnlyList<ProofVerificationResult> results = EddsaRdfc2022.VerifyAll(credential, resolver, DataIntegrityOptions.Default, canonicalWithoutProof);
        for (int i = 0; i < results.Count; i++)
        {
            ProofVerificationResult r = results[i];
            string name = results.Count == 1 ? CheckNames.Proof : string.Create(CultureInfo.InvariantCulture, $"{CheckNames.Proof}[{i}]");
            string suite = r.Cryptosuite ?? r.ProofType ?? "unknown";
            if (r.Verified)
            {
                checks.Add(new(name, CheckStatus.Passed, $"{suite}: signature verified with {r.VerificationMethod}"));
                ResolvedVerificationMethod? vm = resolver.Method(r.VerificationMethod!);
                AddKeyBindingCheck(checks, r.Controller, issuer, vm?.Provenance ?? KeyProvenance.SelfCertifying);
            }
            else
            {
                string detail = r.Failure == ProofFailure.VerificationMethodNotFound && r.VerificationMethod is not null
                    ? $"{r.Message} ({resolver.Error(r.VerificationMethod)})"
                    : r.Message ?? r.Failure.ToString();
                checks.Add(new(name, CheckStatus.Failed, $"{suite}: {r.Failure}: {detail}"));
            }
        }

        // OB: any one valid proof suffices; an unsupported extra proof is a warning when another proof verified.
        bool anyVerified = results.Any(r => r.Verified);
        if (anyVerified)
        {
            for (int i = 0; i < checks.Count; i++)
            {
                VerificationCheck c = checks[i];
                if (c.Status == CheckStatus.Failed && c.Name.StartsWith(CheckNames.Proof + "[", StringComparison.Ordinal))
                {
                    checks[i] = c with { Status = CheckStatus.Warning, Message = c.Message + " (another proof verified)" };
                }
            }
        }
    }

    private void AddKeyBindingCheck(List<VerificationCheck> checks, string? controller, string? issuer, KeyProvenance provenance)
    {
        if (issuer is null)
        {
            checks.Add(new(CheckNames.IssuerKey, CheckStatus.Failed, "the credential has no issuer id"));
        }
        else if (!string.Equals(controller, issuer, StringComparison.Ordinal))
        {
            checks.Add(new(CheckNames.IssuerKey, CheckStatus.Failed, $"the signing key is controlled by '{controller}', not by the issuer '{issuer}'"));
        }
        else if (provenance == KeyProvenance.FragmentDerived)
        {
            checks.Add(new(
                CheckNames.IssuerKey,
                _options.AllowUnauthenticatedIssuerKeys ? CheckStatus.Warning : CheckStatus.Failed,
                $"issuer not authenticated: the key was taken from the verification method's fragment and names the issuer '{issuer}' only by its URL; no key document for that issuer is known here, so anyone could have signed"));
        }
        else
        {
            checks.Add(new(CheckNames.IssuerKey, CheckStatus.Passed, $"the key is controlled by the issuer '{issuer}' ({(provenance == KeyProvenance.SelfCertifying ? "self-certifying DID" : "locally registered key")})"));
        }
    }

    private void CheckValidity(JsonElement credential, List<VerificationCheck> checks)
    {
        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        string fromName = credential.TryGetProperty("validFrom", out _) ? "validFrom" : "issuanceDate";
        string untilName = credential.TryGetProperty("validUntil", out _) ? "validUntil" : "expirationDate";
        DateTimeOffset? from = ReadDate(credential, fromName, out bool fromBad);
        DateTimeOffset? until = ReadDate(credential, untilName, out bool untilBad);
        if (fromBad || untilBad)
        {
            checks.Add(new(CheckNames.Validity, CheckStatus.Failed, $"{(fromBad ? fromName : untilName)} is not a date-time with a time zone"));
        }
        else if (from is null)
        {
            checks.Add(new(CheckNames.Validity, CheckStatus.Failed, "validFrom (or, for VC 1.1, issuanceDate) is missing"));
        }
        else if (from > now + _options.ClockSkew)
        {
            checks.Add(new(CheckNames.Validity, CheckStatus.Failed, $"not yet valid: {fromName} is {Format(from.Value)}"));
        }
        else if (until is not null && until < now - _options.ClockSkew)
        {
            checks.Add(new(CheckNames.Validity, CheckStatus.Failed, $"expired: {untilName} was {Format(until.Value)}"));
        }
        else
        {
            checks.Add(new(CheckNames.Validity, CheckStatus.Passed, until is null ? $"valid from {Format(from.Value)}" : $"valid from {Format(from.Value)} until {Format(until.Value)}"));
        }
    }

    private async ValueTask CheckStatusAsync(JsonElement credential, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        if (!credential.TryGetProperty("credentialStatus", out JsonElement status))
        {
            checks.Add(new(CheckNames.Status, CheckStatus.Skipped, "the credential has no credentialStatus"));
            return;
        }

        IReadOnlyList<BitstringStatusListEntry> entries;
        try
        {
            entries = BitstringStatusListEntry.ParseCredentialStatus(status);
        }
        catch (StatusListException ex)
        {
            checks.Add(new(CheckNames.Status, CheckStatus.Failed, $"credentialStatus is malformed: {ex.Message}"));
            return;
        }

        if (entries.Count == 0)
        {
            string? kind = status.ValueKind == JsonValueKind.Object ? CredentialJson.StringMember(status, "type") : null;
            checks.Add(new(CheckNames.Status, CheckStatus.Skipped, $"status method '{kind ?? "unknown"}' is not checked offline (only Bitstring Status List / StatusList2021 entries are)"));
            return;
        }

        foreach (BitstringStatusListEntry entry in entries)
        {
            await CheckStatusEntryAsync(entry, CredentialJson.IssuerId(credential), checks, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask CheckStatusEntryAsync(BitstringStatusListEntry entry, string? issuer, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        string where = string.Create(CultureInfo.InvariantCulture, $"{entry.StatusPurpose} entry {entry.StatusListIndex} of {entry.StatusListCredential}");
        ReadOnlyMemory<byte>? listJson = _options.StatusLists is null ? null : await _options.StatusLists.GetAsync(entry.StatusListCredential, cancellationToken).ConfigureAwait(false);
        if (listJson is null)
        {
            checks.Add(new(CheckNames.Status, CheckStatus.Warning, $"STATUS_RETRIEVAL_ERROR: the status list is not available here ({where})"));
            return;
        }

        try
        {
            using JsonDocument listDocument = JsonDocument.Parse(listJson.Value, new JsonDocumentOptions { MaxDepth = _options.MaxJsonDepth });
            JsonElement list = listDocument.RootElement;
            PrefetchedKeyResolver resolver = await PrefetchKeysAsync(list, cancellationToken).ConfigureAwait(false);

            var diOptions = new DataIntegrityOptions { ExpectedController = CredentialJson.IssuerId(list) };
            if (!EddsaRdfc2022.VerifyAll(list, resolver, diOptions).Any(r => r.Verified))
            {
                checks.Add(new(CheckNames.Status, CheckStatus.Failed, $"STATUS_VERIFICATION_ERROR: the status list credential's proof does not verify ({where})"));
                return;
            }

            BitstringStatusListCredential parsed = BitstringStatusListCredential.Parse(list);
            if (issuer is not null && !string.Equals(parsed.Issuer, issuer, StringComparison.Ordinal))
            {
                checks.Add(new(CheckNames.Status, CheckStatus.Failed, $"STATUS_VERIFICATION_ERROR: the status list is issued by '{parsed.Issuer}', not by the credential's issuer ({where})"));
                return;
            }

            uint value = parsed.GetStatus(entry);
            bool isSet = value != 0;
            CheckStatus outcome = isSet && entry.StatusPurpose is "revocation" or "suspension" ? CheckStatus.Failed : CheckStatus.Passed;
            string state = entry.StatusPurpose switch
            {
                "revocation" => isSet ? "revoked" : "not revoked",
                "suspension" => isSet ? "suspended" : "not suspended",
                _ => string.Create(CultureInfo.InvariantCulture, $"status value {value}"),
            };
            checks.Add(new(CheckNames.Status, outcome, $"{state} ({where})"));
        }
        catch (JsonException ex)
        {
            checks.Add(new(CheckNames.Status, CheckStatus.Failed, $"STATUS_VERIFICATION_ERROR: the status list is not valid JSON: {ex.Message}"));
        }
        catch (StatusListException ex)
        {
            checks.Add(new(CheckNames.Status, CheckStatus.Failed, $"{ex.Message} ({where})"));
        }
    }

    private void CheckRefreshAndRecipient(JsonElement credential, List<VerificationCheck> checks)
    {
        if (credential.TryGetProperty("refreshService", out JsonElement refresh))
        {
            string? id = refresh.ValueKind == JsonValueKind.Object ? CredentialJson.StringMember(refresh, "id") : null;
            checks.Add(new(CheckNames.Refresh, CheckStatus.Skipped, $"refresh not attempted (offline); the issuer offers {id ?? "a refresh service"}"));
        }

        if (_options.ExpectedRecipient is string expected)
        {
            bool matched = credential.TryGetProperty("credentialSubject", out JsonElement subject)
                && subject.ValueKind == JsonValueKind.Object
                && (RecipientMatcher.MatchesId(subject, expected) || RecipientMatcher.MatchesEmail(subject, expected));
            checks.Add(matched
                ? new(CheckNames.Recipient, CheckStatus.Passed, "the credential was issued to the expected recipient")
                : new(CheckNames.Recipient, CheckStatus.Failed, "the credential subject does not match the expected recipient"));
        }
    }

    /// <summary>Resolves each distinct verification method named by the document's proofs, ahead of the synchronous proof check.</summary>
    private async ValueTask<PrefetchedKeyResolver> PrefetchKeysAsync(JsonElement document, CancellationToken cancellationToken)
    {
        var resolver = new PrefetchedKeyResolver();
        foreach (string vm in ProofMethods(document))
        {
            if (!resolver.Contains(vm))
            {
                resolver.Add(vm, await _options.Resolver.ResolveVerificationMethodAsync(vm, cancellationToken).ConfigureAwait(false));
            }
        }

        return resolver;
    }

    private static IEnumerable<string> ProofMethods(JsonElement document)
    {
        if (document.TryGetProperty("proof", out JsonElement proofs))
        {
            foreach (JsonElement p in proofs.ValueKind == JsonValueKind.Array ? proofs.EnumerateArray() : Enumerate(proofs))
            {
                if (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("verificationMethod", out JsonElement vm) && vm.ValueKind == JsonValueKind.String)
                {
                    yield return vm.GetString()!;
                }
            }
        }
    }

    private static DateTimeOffset? ReadDate(JsonElement credential, string name, out bool bad)
    {
        bad = false;
        if (!credential.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset parsed)
            && HasZone(value.GetString()!))
        {
            return parsed;
        }

        bad = true;
        return null;
    }

    /// <summary>Three base64url segments separated by dots (the signature may be empty only to be refused later).</summary>
    private static bool LooksLikeCompactJws(string s)
    {
        int dots = 0;
        foreach (char c in s)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return dots == 2 && s[0] != '.';
    }

    private static bool HasZone(string s)
        => s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && (s[^6] == '+' || s[^6] == '-') && s[^3] == ':');

    private static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static IEnumerable<JsonElement> Enumerate(JsonElement single)
    {
        yield return single;
    }

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>Verification methods resolved ahead of the (synchronous) proof check.</summary>
    private sealed class PrefetchedKeyResolver : IProofKeyResolver
    {
        private readonly Dictionary<string, VerificationMethodResolution> _resolved = new(StringComparer.Ordinal);

        public bool Contains(string vm) => _resolved.ContainsKey(vm);

        public void Add(string vm, VerificationMethodResolution resolution) => _resolved[vm] = resolution;

        public ResolvedVerificationMethod? Method(string vm) => _resolved.TryGetValue(vm, out VerificationMethodResolution? r) ? r.Method : null;

        public string Error(string vm) => _resolved.TryGetValue(vm, out VerificationMethodResolution? r)
            ? $"{r.Error}{(r.Detail is null ? string.Empty : ": " + r.Detail)}"
            : "not resolved";

        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose)
        {
            if (Method(verificationMethod) is not ResolvedVerificationMethod vm || vm.PublicKey is not Ed25519PublicKey ed)
            {
                return null;
            }

            bool authorized = proofPurpose switch
            {
                "assertionMethod" => vm.IsAuthorizedFor(VerificationRelationships.AssertionMethod),
                "authentication" => vm.IsAuthorizedFor(VerificationRelationships.Authentication),
                _ => false,
            };
            return new ResolvedProofKey(ed.RawKey.ToArray(), vm.Controller, authorized);
        }
    }
}
