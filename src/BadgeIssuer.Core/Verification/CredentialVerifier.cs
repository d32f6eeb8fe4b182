using System.Globalization;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Verification;

/// <summary>
/// The Open Badges 3.0 verification algorithm (DIGEST VER-1..9) over one input (credential JSON, compact JWS, or a
/// baked PNG/SVG), reporting every step: format and unbaking, parsing within limits, context and type, OB JSON
/// Schema, JSON-LD safe mode, each proof (Data Integrity eddsa-rdfc-2022 / eddsa-2022 / Ed25519Signature2020, or
/// VC-JWT), issuer ↔ key binding and trust, known issuer, validity window, status (Bitstring Status List,
/// StatusList2021, 1EdTech Revocation List), refresh, the recipient when asked, and embedded endorsements (verified
/// recursively by the same pipeline). Bad input never throws; it becomes a failed step. Thread-safe; one instance
/// is meant to be shared (it caches verified status lists).
/// </summary>
/// <remarks>
/// Verdict: a failed step fails the credential; warnings do not, except the trust policy for keys that only name the
/// issuer (<see cref="CredentialVerifierOptions.TrustVerificationMethodFragment"/>). Endorsements are third-party
/// statements about the credential, its achievement or its issuer: one that does not verify is a warning on the
/// endorsed credential, never a failure (its own report explains why).
/// </remarks>
public sealed partial class CredentialVerifier
{
    private const string CredentialsV2 = "https://www.w3.org/ns/credentials/v2";
    private const string CredentialsV1 = "https://www.w3.org/2018/credentials/v1";

    private readonly CredentialVerifierOptions _options;
    private readonly VcJwtVerifier _jwtVerifier;
    private readonly IVerificationMethodResolver _resolver;
    private readonly StatusListCache _statusListCache;
    private readonly string? _expectedRecipient;
    private readonly bool _trustFragment;

    private static readonly DataIntegrityOptions s_jsonLdJsNumbers = new() { JsonLd = JsonLdOptions.SafeWithJsonLdJsNumbers };

    public CredentialVerifier(CredentialVerifierOptions? options = null)
    {
        _options = options ?? new CredentialVerifierOptions();
        ArgumentNullException.ThrowIfNull(_options.Resolver, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.Cryptosuites, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxEndorsementDepth, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxEndorsements, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxStatusEntries, nameof(options));
        ValidateProfileOptions(_options);

        // Known issuers first: their documents authenticate keys the fragment fallback would only name.
        _resolver = _options.KnownIssuers is { Count: > 0 } known
            ? new CompositeVerificationMethodResolver([known, _options.Resolver])
            : _options.Resolver;
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

                // The binding is a step of its own here (issuer-key), reported next to a passed signature.
                RequireControllerMatchesIssuer = false,
                RequireAssertionMethod = false,
            },
            _resolver);
        _statusListCache = new StatusListCache();
        _expectedRecipient = _options.ExpectedRecipient;
        _trustFragment = _options.TrustVerificationMethodFragment;
    }

    private CredentialVerifier(CredentialVerifier shared, string? expectedRecipient, bool trustFragment)
    {
        _options = shared._options;
        _jwtVerifier = shared._jwtVerifier;
        _resolver = shared._resolver;
        _statusListCache = shared._statusListCache;
        _expectedRecipient = expectedRecipient;
        _trustFragment = trustFragment;
    }

    /// <summary>
    /// A verifier for one request: the same options and caches, with its own recipient check and, when given, its own
    /// trust policy for fragment keys. Cheap (no parsing, no new caches).
    /// </summary>
    /// <summary>The Data Integrity cryptosuites this verifier checks proofs with (shared with a <see cref="PresentationVerifier"/> over it).</summary>
    internal CryptosuiteSet Cryptosuites => _options.Cryptosuites;

    public CredentialVerifier ForRequest(string? expectedRecipient, bool? trustVerificationMethodFragment = null)
        => new(this, expectedRecipient ?? _expectedRecipient, trustVerificationMethodFragment ?? _trustFragment);

    /// <summary>Verifies <paramref name="input"/> (JSON, compact JWS, PNG or SVG bytes).</summary>
    public async ValueTask<VerificationReport> VerifyAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default)
    {
        var run = new Run(0, new EndorsementBudget(_options.MaxEndorsements));
        if (input.Length > _options.MaxInputBytes)
        {
            run.Add(CheckNames.Format, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"input is {input.Length} bytes; the limit is {_options.MaxInputBytes}"));
            return Unread("unknown", run);
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
                run.Add(CheckNames.Format, CheckStatus.Passed, $"baked {format[..3].ToUpperInvariant()} badge; credential extracted ({(unbaked.IsCompactJws ? "VC-JWT" : "JSON")})");
            }
            catch (BakingException ex)
            {
                run.Add(CheckNames.Format, CheckStatus.Failed, $"could not extract a credential from the image: {ex.Message}");
                return Unread(imageFormat == BadgeImageFormat.Png ? "png" : "svg", run);
            }
        }
        else
        {
            if (!TryDecodeUtf8(input.Span, out payload))
            {
                run.Add(CheckNames.Format, CheckStatus.Failed, "input is not a PNG, an SVG or UTF-8 text");
                return Unread("unknown", run);
            }

            payload = payload.Trim();
            if (payload.StartsWith('{'))
            {
                format = "json";
                run.Add(CheckNames.Format, CheckStatus.Passed, "credential JSON");
            }
            else if (LooksLikeCompactJws(payload))
            {
                format = "jwt";
                run.Add(CheckNames.Format, CheckStatus.Passed, "compact JWS (VC-JWT)");
            }
            else
            {
                run.Add(CheckNames.Format, CheckStatus.Failed, "input is not credential JSON, a compact JWS, a PNG or an SVG");
                return Unread("unknown", run);
            }
        }

        if (payload.StartsWith('{'))
        {
            return await VerifyJsonAsync(Encoding.UTF8.GetBytes(payload), format, run, cancellationToken).ConfigureAwait(false);
        }

        return await VerifyJwtAsync(payload, format, run, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<VerificationReport> VerifyJsonAsync(byte[] json, string format, Run run, CancellationToken cancellationToken)
    {
        if (json.Length > _options.MaxCredentialBytes)
        {
            run.Add(CheckNames.Parse, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"credential is {json.Length} bytes; the limit is {_options.MaxCredentialBytes}"));
            return Unread(format, run);
        }

        // Duplicate member names are refused, as on the issue paths: parsers disagree on which one wins.
        if (!StrictJson.TryParse(json, _options.MaxJsonDepth, out JsonDocument? document, out string? unreadable))
        {
            run.Add(CheckNames.Parse, CheckStatus.Failed, unreadable);
            return Unread(format, run);
        }

        using (document)
        {
            JsonElement credential = document.RootElement;
            if (!JsonStrings.AreReadable(credential))
            {
                run.Add(CheckNames.Parse, CheckStatus.Failed, "not valid JSON text: a string holds an unpaired surrogate escape");
                return Unread(format, run);
            }

            if (credential.ValueKind != JsonValueKind.Object)
            {
                run.Add(CheckNames.Parse, CheckStatus.Failed, "the credential is not a JSON object");
                return Unread(format, run);
            }

            run.Add(CheckNames.Parse, CheckStatus.Passed, string.Create(CultureInfo.InvariantCulture, $"{json.Length} bytes of JSON within the size and depth limits"));
            return await VerifyCredentialAsync(credential, format, run, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The pipeline after parsing, for a top-level credential or an embedded endorsement.</summary>
    private async ValueTask<VerificationReport> VerifyCredentialAsync(JsonElement credential, string format, Run run, CancellationToken cancellationToken)
    {
        // An EnvelopedVerifiableCredential carries a VC-JWT in a data: URL.
        if (VcJwtVerifier.TryGetEnvelopedJws(credential, out string? enveloped))
        {
            return await VerifyJwtAsync(enveloped, format + "+enveloped", run, cancellationToken).ConfigureAwait(false);
        }

        (string? canonical, JsonDocument? signedView) = CheckDocument(credential, run, signed: true);
        using (signedView)
        {
            if (canonical is null || signedView is null)
            {
                // The proof hashes the canonical form; without one there is nothing to check (and no work to repeat).
                // The remaining steps still report what the JSON claims; with no proof checked nothing verifies or is summarised.
                run.Add(CheckNames.Proof, CheckStatus.Failed, canonical is null
                    ? "not checked: the credential cannot be canonicalized in safe mode (see jsonld-safe-mode)"
                    : "not checked: the signed data cannot be presented as one credential (see jsonld-safe-mode)");
                return await FinishAsync(credential, credential, format, run, cancellationToken).ConfigureAwait(false);
            }

            // Every step from here reads the signed view (SignedGraph.cs): what the proof covers, whatever the JSON says.
            JsonElement view = signedView.RootElement;
            await CheckDataIntegrityAsync(credential, view, canonical, run, cancellationToken).ConfigureAwait(false);
            return await FinishAsync(view, credential, format, run, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<VerificationReport> VerifyJwtAsync(string jws, string format, Run run, CancellationToken cancellationToken)
    {
        using VcJwtVerificationResult result = await _jwtVerifier.VerifyAsync(jws, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            string hint = result.Failure == VcJwtFailure.KeyResolutionFailed ? "; " + _options.KeyResolutionHint : string.Empty;
            run.Add(CheckNames.Proof, CheckStatus.Failed, $"VC-JWT: {result.Failure}{(result.Detail is null ? string.Empty : ": " + result.Detail)}{hint}");
            return Unread(format, run);
        }

        // A JWT signs its payload bytes, so its JSON (duplicate members refused) is what was signed.
        JsonElement credential = result.Credential;
        run.Add(CheckNames.Parse, CheckStatus.Passed, $"JWT payload decoded ({result.Format})");
        run.VcClaimPayload = result.Format == VcJwtFormat.VcClaim ? result.Payload : null;
        CheckDocument(credential, run, signed: false);
        run.Add(CheckNames.Proof, CheckStatus.Passed, $"VC-JWT {result.Algorithm} signature verified (key from {result.KeySource})");

        // The token's own exp/nbf bound the credential too (VC-JWT): checked with the validity step.
        run.TokenLifetime = (result.NotBefore, result.Expires);
        string? issuer = CredentialJson.IssuerId(credential);
        IssuerStanding standing = await StandingAsync(issuer, run, cancellationToken).ConfigureAwait(false);
        if (result.VerificationMethod is ResolvedVerificationMethod vm)
        {
            AddKeyBindingCheck(run, vm.Controller, issuer, vm.Provenance, vm.IsAuthorizedFor(VerificationRelationships.AssertionMethod), standing, vm.PublicKey);
        }
        else if (result.Key is VerificationKey headerKey && standing.Principal?.FindAssertionKey(headerKey) is ResolvedVerificationMethod listed)
        {
            run.AuthenticatedKeys++;
            run.Add(CheckNames.IssuerKey, CheckStatus.Passed, standing.Known is null
                ? $"the token's jwk is the key {listed.Id} of the issuer '{issuer}', hosted by this service"
                : $"the token's jwk is the key {listed.Id} of the known issuer '{issuer}'");
        }
        else if (standing.IsKnown)
        {
            // Hosted here or listed: only the issuer's own document says which keys are its own, whatever the trust policy.
            run.Add(CheckNames.IssuerKey, CheckStatus.Failed, standing.KeysKnown
                ? $"the token's jwk is not a key of the issuer '{issuer}', whose keys are known here"
                : $"the token's jwk is not authenticated, and the issuer '{issuer}' is known here: a key the credential only names is never trusted for it");
        }
        else
        {
            AddUnauthenticatedKeyCheck(run, issuer, "the key is embedded in the token header (jwk)");
        }

        return await FinishAsync(credential, credential, format, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The steps after the proof: known issuer, validity, status, refresh, recipient, endorsements, all reading
    /// <paramref name="credential"/> (what was signed); <paramref name="submitted"/> only supplies embedded
    /// endorsements' own JSON, each verified by its own proof.
    /// </summary>
    private async ValueTask<VerificationReport> FinishAsync(JsonElement credential, JsonElement submitted, string format, Run run, CancellationToken cancellationToken)
    {
        string? issuer = CredentialJson.IssuerId(credential);
        IssuerStanding standing = await StandingAsync(issuer, run, cancellationToken).ConfigureAwait(false);
        CheckKnownIssuer(issuer, standing, run);
        CheckValidity(credential, run);
        await CheckStatusAsync(credential, run, cancellationToken).ConfigureAwait(false);
        CheckRefresh(credential, run);
        await CheckRelatedResourcesAsync(credential, run, cancellationToken).ConfigureAwait(false);
        if (run.Depth == 0)
        {
            CheckRecipient(credential, run);
        }

        await CheckEndorsementsAsync(credential, submitted, run, cancellationToken).ConfigureAwait(false);
        await CheckEmbeddedCredentialsAsync(credential, submitted, run, cancellationToken).ConfigureAwait(false);

        // No key authenticated the issuer and the policy does not accept a key that only names it: that is why the
        // credential is not verified, so those issuer-key steps fail (with the policy on they stay warnings).
        bool untrusted = run.AuthenticatedKeys == 0 && run.UnauthenticatedKeys > 0 && !_trustFragment;
        if (untrusted)
        {
            foreach (int i in run.UnauthenticatedKeyChecks)
            {
                run.Checks[i] = run.Checks[i] with { Status = CheckStatus.Failed };
            }
        }

        // The summary shows signed content only: none when no proof verified (then nothing in it is covered).
        bool signed = run.Checks.Any(c => c.Status == CheckStatus.Passed && (c.Name == CheckNames.Proof || c.Name.StartsWith(CheckNames.Proof + "[", StringComparison.Ordinal)));
        return new VerificationReport(
            format,
            run.Checks,
            CredentialJson.StringMember(credential, "id"),
            issuer,
            issuerKeyUntrusted: untrusted,
            signed ? CredentialSummary.Read(credential, run.StatusState) : null)
        {
            Endorsements = run.Endorsements ?? [],
            StatusFindings = run.StatusFindings,
            Profile = run.Profile is CredentialProfile profile ? CredentialProfiles.Name(profile) : null,
            EmbeddedCredentials = run.Embedded ?? [],
        };
    }

    private static VerificationReport Unread(string format, Run run) => new(format, run.Checks, null, null);

    /// <summary>
    /// Context, type, JSON Schema and JSON-LD safe mode. For a Data Integrity credential (<paramref name="signed"/>)
    /// also returns the canonical N-Quads of the credential without its proofs and the signed view rendered from them
    /// (the caller disposes it); both null when safe mode failed or the signed data is not one credential. The type and
    /// subject checks then read the signed view.
    /// </summary>
    private static (string? Canonical, JsonDocument? View) CheckDocument(JsonElement credential, Run run, bool signed)
    {
        // JSON-LD safe mode (DI-13, T-6), on the credential without its proofs: each proof is canonicalized on its
        // own when it is checked, so an unknown proof type next to a valid one does not sink the credential.
        SignedContent read = SignedContent.Read(credential, signed ? SignedGraph.VerifiableCredentialClass : null);
        string? canonical = read.Canonical;
        JsonDocument? view = read.View;
        VerificationCheck safeMode = read.Error is null
            ? new(CheckNames.JsonLd, CheckStatus.Passed, "every term is defined by the credential's contexts (remote ones only from the bundled set); nothing is dropped")
            : new(CheckNames.JsonLd, CheckStatus.Failed, read.SafeModePassed ? $"canonicalized, but {read.Error}" : read.Error);

        // What the type and subject checks read: the signed view, or the JSON when there is none (then nothing verifies).
        JsonElement content = view?.RootElement ?? credential;

        // Context, type, the VC Data Model rules, the JSON Schema and the profile's own rules (CredentialVerifier.Profiles.cs).
        CheckProfile(credential, content, view, run);

        run.Add(safeMode);
        return (canonical, view);
    }

    /// <summary>The proofs (read from the submitted JSON; each is checked against its own signed form) and the issuer key binding (the issuer read from the signed view).</summary>
    private async ValueTask CheckDataIntegrityAsync(JsonElement credential, JsonElement view, string canonicalWithoutProof, Run run, CancellationToken cancellationToken)
    {
        string? issuer = CredentialJson.IssuerId(view);
        PrefetchedKeyResolver resolver = await PrefetchKeysAsync(credential, cancellationToken).ConfigureAwait(false);
        IssuerStanding standing = await StandingAsync(issuer, run, cancellationToken).ConfigureAwait(false);

        // The safe-mode step already canonicalized the document without its proofs: its hash is reused.
        IReadOnlyList<ProofVerificationResult> results = _options.Cryptosuites.VerifyAll(credential, resolver, DataIntegrityOptions.Default, canonicalWithoutProof);
        int firstProofCheck = run.Checks.Count;
        PortableNumbersCache? portable = null;
        for (int i = 0; i < results.Count; i++)
        {
            ProofVerificationResult r = results[i];
            string name = results.Count == 1 ? CheckNames.Proof : string.Create(CultureInfo.InvariantCulture, $"{CheckNames.Proof}[{i}]");
            string suite = r.Cryptosuite ?? r.ProofType ?? "unknown";
            if (r.Verified)
            {
                run.Add(name, CheckStatus.Passed, $"{suite}: signature verified with {r.VerificationMethod}");
                ResolvedVerificationMethod? vm = resolver.Method(r.VerificationMethod!);

                // Proof purpose authorization was part of the proof check (DI-7).
                AddKeyBindingCheck(run, r.Controller, issuer, vm?.Provenance ?? KeyProvenance.SelfCertifying, authorized: true, standing, vm?.PublicKey);
            }
            else
            {
                string detail = r.Failure == ProofFailure.VerificationMethodNotFound && r.VerificationMethod is not null
                    ? $"{r.Message} ({resolver.Error(r.VerificationMethod)}); {_options.KeyResolutionHint}"
                    : r.Message ?? r.Failure.ToString();
                if (r.Failure == ProofFailure.SignatureInvalid)
                {
                    detail += NotPortableNumbers(credential, resolver, i, ref portable);
                }

                run.Add(name, CheckStatus.Failed, $"{suite}: {r.Failure}: {detail}");
            }
        }

        // OB: any one valid proof suffices; an unsupported extra proof is a warning when another proof verified.
        if (results.Any(r => r.Verified))
        {
            List<VerificationCheck> checks = run.Checks;
            for (int i = firstProofCheck; i < checks.Count; i++)
            {
                VerificationCheck c = checks[i];
                if (c.Status == CheckStatus.Failed && c.Name.StartsWith(CheckNames.Proof + "[", StringComparison.Ordinal))
                {
                    checks[i] = c with { Status = CheckStatus.Warning, Message = c.Message + " (another proof verified)" };
                }
            }
        }
    }

    /// <summary>
    /// For a signature that did not verify: when the credential has numbers jsonld.js canonicalizes differently
    /// (<see cref="JsonLdJsNumbers"/>), which forms differ and whether the signature matches jsonld.js's. The
    /// credential stays not valid either way: its signature is over RDF the specification does not give it.
    /// </summary>
    /// <remarks>
    /// <paramref name="cache"/> holds the scan and the jsonld.js-form verification of every proof, done at most once per
    /// credential however many proofs fail (a credential with many failing proofs must not cost a verification each).
    /// </remarks>
    private string NotPortableNumbers(JsonElement credential, PrefetchedKeyResolver resolver, int proofIndex, ref PortableNumbersCache? cache)
    {
        cache ??= new PortableNumbersCache(JsonLdJsCompatibility.FindNumbersReadAsIntegers(credential));
        IReadOnlyList<(string Pointer, double Value)> numbers = cache.Numbers;
        if (numbers.Count == 0)
        {
            return string.Empty;
        }

        IReadOnlyList<ProofVerificationResult> asJsonLdJs = cache.AsJsonLdJs ??= _options.Cryptosuites.VerifyAll(credential, resolver, s_jsonLdJsNumbers);
        bool matchesJsonLdJs = proofIndex < asJsonLdJs.Count && asJsonLdJs[proofIndex].Verified;
        string forms = string.Join("; ", numbers.Select(n => string.Create(CultureInfo.InvariantCulture,
            $"{n.Pointer}: \"{JsonLdJsCompatibility.SpecificationForm(n.Value)}\"^^xsd:double in the specification, \"{JsonLdJsCompatibility.JsonLdJsForm(n.Value)}\" as an integer in jsonld.js")));
        return matchesJsonLdJs
            ? $" — the signature matches jsonld.js's canonical form, not the specification's, of the number(s) {forms}: it was made by a jsonld.js-based signer over different RDF than the document has"
            : $" — the document has number(s) whose canonical form differs between the specification and jsonld.js ({forms}), and the signature matches neither form";
    }

    private sealed class PortableNumbersCache(IReadOnlyList<(string Pointer, double Value)> numbers)
    {
        public IReadOnlyList<(string Pointer, double Value)> Numbers { get; } = numbers;

        public IReadOnlyList<ProofVerificationResult>? AsJsonLdJs { get; set; }
    }

    /// <summary>
    /// Issuer ↔ key binding (VER-7, DI-10) and key trust (KEY-5, T-12). An issuer hosted here or on the known-issuers
    /// list, named in any spelling, is authenticated only by a key of its own document (<see cref="IsOwnKey"/>); any other
    /// key fails, and the fragment-trust policy never applies to it.
    /// </summary>
    private void AddKeyBindingCheck(Run run, string? controller, string? issuer, KeyProvenance provenance, bool authorized, IssuerStanding standing, VerificationKey? key)
    {
        if (issuer is null)
        {
            run.Add(CheckNames.IssuerKey, CheckStatus.Failed, "the credential has no issuer id");
        }
        else if (!string.Equals(controller, issuer, StringComparison.Ordinal)
            && !(standing.Principal is KnownIssuer principal && IdentifierEquivalence.AreEquivalent(controller, principal.Id)))
        {
            run.Add(CheckNames.IssuerKey, CheckStatus.Failed, $"the signing key is controlled by '{controller}', not by the issuer '{issuer}'");
        }
        else if (!authorized)
        {
            run.Add(CheckNames.IssuerKey, CheckStatus.Failed, $"the issuer '{issuer}' does not list the signing key under assertionMethod");
        }
        else if (standing.IsKnown && !IsOwnKey(controller, provenance, key, standing))
        {
            // The issuer's own document is known here and does not list this key: someone else signed in its name.
            run.Add(CheckNames.IssuerKey, CheckStatus.Failed, standing.KeysKnown
                ? $"the signing key is not one of the keys of the issuer '{issuer}', whose key document is known here"
                : $"the signing key is not authenticated, and the issuer '{issuer}' is known here: a key the credential only names is never trusted for it");
        }
        else if (provenance == KeyProvenance.FragmentDerived && !standing.IsKnown)
        {
            AddUnauthenticatedKeyCheck(run, issuer, "the key was taken from the verification method's fragment and names the issuer only by its identifier");
        }
        else
        {
            run.AuthenticatedKeys++;
            run.Add(CheckNames.IssuerKey, CheckStatus.Passed, $"the key is controlled by the issuer '{issuer}' ({(provenance == KeyProvenance.SelfCertifying ? "self-certifying DID" : "locally registered key")})");
        }
    }

    /// <summary>
    /// Whether the key that signed for an issuer hosted here or on the list is one of its own: a key its document lists
    /// under assertionMethod (by key, whatever the method URL spelled), or a method resolved from that very document.
    /// Without a document (a listed id only, or a hosted issuer known only by <see cref="CredentialVerifierOptions.IsHostedIssuer"/>)
    /// any authenticated key is, and a key taken from a URL fragment never is.
    /// </summary>
    private static bool IsOwnKey(string? controller, KeyProvenance provenance, VerificationKey? key, IssuerStanding standing)
    {
        if (standing.Principal is KnownIssuer principal && principal.VerificationMethods.Count > 0)
        {
            return (key is not null && principal.FindAssertionKey(key) is not null)
                || (provenance == KeyProvenance.LocallyRegistered && string.Equals(controller, principal.Id, StringComparison.Ordinal));
        }

        return provenance != KeyProvenance.FragmentDerived;
    }

    private void AddUnauthenticatedKeyCheck(Run run, string? issuer, string why)
    {
        run.UnauthenticatedKeys++;
        run.UnauthenticatedKeyChecks.Add(run.Checks.Count);
        string verdict = _trustFragment
            ? "accepted under the trustVerificationMethodFragment policy"
            : "so the credential is not verified (the trustVerificationMethodFragment policy is off)";
        run.Add(CheckNames.IssuerKey, CheckStatus.Warning, $"issuer key not authenticated: {why}; no key document of '{issuer}' is known here, so the signature proves that someone signed, not that the issuer did; {verdict}");
    }

    /// <summary>Whether the issuer is on the known-issuers list or hosted here (asked once per credential).</summary>
    private async ValueTask<IssuerStanding> StandingAsync(string? issuer, Run run, CancellationToken cancellationToken)
    {
        if (run.Standing is IssuerStanding cached && string.Equals(cached.Issuer, issuer, StringComparison.Ordinal))
        {
            return cached;
        }

        // Both lookups accept any spelling that names the issuer (KnownIssuers.Find, FindHostedIssuer).
        KnownIssuer? known = _options.KnownIssuers?.Find(issuer);
        KnownIssuer? hostedIssuer = known is null && issuer is not null && _options.FindHostedIssuer is { } find
            ? await find(issuer, cancellationToken).ConfigureAwait(false)
            : null;
        bool hosted = hostedIssuer is not null || (known is null && issuer is not null && _options.IsHostedIssuer is { } isHosted
            && await isHosted(issuer, cancellationToken).ConfigureAwait(false));
        run.Standing = new IssuerStanding(issuer, known, hosted, hostedIssuer);
        return run.Standing;
    }

    private static void CheckKnownIssuer(string? issuer, IssuerStanding standing, Run run)
    {
        if (issuer is null)
        {
            run.Add(CheckNames.KnownIssuer, CheckStatus.Skipped, "the credential names no issuer");
            return;
        }

        string who = standing.Known?.Name is string name ? $"'{name}' ({issuer})" : $"'{issuer}'";
        if (!standing.IsKnown)
        {
            run.Add(CheckNames.KnownIssuer, CheckStatus.Warning, $"the issuer '{issuer}' is not on this verifier's list of known issuers");
        }
        else if (run.AuthenticatedKeys == 0)
        {
            run.Add(CheckNames.KnownIssuer, CheckStatus.Warning, $"the issuer {who} is known here, but no proof verified with a key authenticated as its own");
        }
        else
        {
            run.Add(CheckNames.KnownIssuer, CheckStatus.Passed, standing.Hosted ? $"the issuer {who} is hosted by this service" : $"the issuer {who} is on the list of known issuers");
        }
    }

    private void CheckValidity(JsonElement credential, Run run)
    {
        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        string fromName = credential.TryGetProperty("validFrom", out _) ? "validFrom" : "issuanceDate";
        string untilName = credential.TryGetProperty("validUntil", out _) ? "validUntil" : "expirationDate";
        DateTimeOffset? from = ReadDate(credential, fromName, out bool fromBad);
        DateTimeOffset? until = ReadDate(credential, untilName, out bool untilBad);
        if (fromBad || untilBad)
        {
            run.Add(CheckNames.Validity, CheckStatus.Failed, $"{(fromBad ? fromName : untilName)} is not a date-time with a time zone");
        }
        else if (from is null)
        {
            run.Add(CheckNames.Validity, CheckStatus.Failed, "validFrom (or, for VC 1.1, issuanceDate) is missing");
        }
        else if (from > now + _options.ClockSkew)
        {
            run.Add(CheckNames.Validity, CheckStatus.Failed, $"not yet valid: {fromName} is {Format(from.Value)}");
        }
        else if (until is not null && until < now - _options.ClockSkew)
        {
            run.Add(CheckNames.Validity, CheckStatus.Failed, $"expired: {untilName} was {Format(until.Value)}");
        }
        else if (run.TokenLifetime.Expires is DateTimeOffset exp && exp < now - _options.ClockSkew)
        {
            run.Add(CheckNames.Validity, CheckStatus.Failed, $"expired: the token's exp was {Format(exp)}");
        }
        else if (run.TokenLifetime.NotBefore is DateTimeOffset nbf && nbf > now + _options.ClockSkew)
        {
            run.Add(CheckNames.Validity, CheckStatus.Failed, $"not yet valid: the token's nbf is {Format(nbf)}");
        }
        else
        {
            run.Add(CheckNames.Validity, CheckStatus.Passed, until is null ? $"valid from {Format(from.Value)} ({fromName})" : $"valid from {Format(from.Value)} until {Format(until.Value)} ({fromName}, {untilName})");
        }
    }

    private static void CheckRefresh(JsonElement credential, Run run)
    {
        if (credential.TryGetProperty("refreshService", out JsonElement refresh))
        {
            string? id = refresh.ValueKind == JsonValueKind.Object ? CredentialJson.StringMember(refresh, "id") : null;
            run.Add(CheckNames.Refresh, CheckStatus.Skipped, $"refresh not attempted (offline); the issuer offers {id ?? "a refresh service"}");
        }
    }

    private void CheckRecipient(JsonElement credential, Run run)
    {
        if (_expectedRecipient is not string given)
        {
            return;
        }

        // The issuing service trims and lower-cases an email before hashing it; MatchesEmail tries the value as given,
        // then normalised the same way.
        string expected = given.Trim();
        bool matched = credential.TryGetProperty("credentialSubject", out JsonElement subject)
            && subject.ValueKind is JsonValueKind.Object or JsonValueKind.Array
            && (RecipientMatcher.MatchesId(subject, expected) || RecipientMatcher.MatchesEmail(subject, given));
        run.Add(matched
            ? new(CheckNames.Recipient, CheckStatus.Passed, "the credential was issued to the expected recipient")
            : new(CheckNames.Recipient, CheckStatus.Failed, "the credential subject does not match the expected recipient (neither its id nor a hashed or plain identifier)"));
    }

    /// <summary>Resolves each distinct verification method named by the document's proofs, ahead of the synchronous proof check.</summary>
    private async ValueTask<PrefetchedKeyResolver> PrefetchKeysAsync(JsonElement document, CancellationToken cancellationToken)
    {
        var resolver = new PrefetchedKeyResolver(VerificationRelationships.AssertionMethod | VerificationRelationships.Authentication);
        foreach (string vm in ProofMethods(document))
        {
            if (!resolver.Contains(vm))
            {
                resolver.Add(vm, await _resolver.ResolveVerificationMethodAsync(vm, cancellationToken).ConfigureAwait(false));
            }
        }

        return resolver;
    }

    /// <summary>The state of one credential's verification (the top-level one or an endorsement).</summary>
    private sealed partial class Run(int depth, EndorsementBudget budget)
    {
        public List<VerificationCheck> Checks { get; } = [];

        /// <summary>0 for the input, 1 for its endorsements, and so on.</summary>
        public int Depth => depth;

        public EndorsementBudget Budget => budget;

        public int AuthenticatedKeys { get; set; }

        public int UnauthenticatedKeys { get; set; }

        public IssuerStanding? Standing { get; set; }

        /// <summary>A VC-JWT's nbf and exp claims, when the credential came as one.</summary>
        public (DateTimeOffset? NotBefore, DateTimeOffset? Expires) TokenLifetime { get; set; }

        public CredentialStatusState StatusState { get; set; } = CredentialStatusState.None;

        public List<EndorsementReport>? Endorsements { get; set; }

        /// <summary>What the status step found for each entry it could check.</summary>
        public List<StatusFinding> StatusFindings { get; } = [];

        /// <summary>The positions in <see cref="Checks"/> of issuer-key steps with a key that only names the issuer.</summary>
        public List<int> UnauthenticatedKeyChecks { get; } = [];

        public void Add(string name, CheckStatus status, string message) => Checks.Add(new VerificationCheck(name, status, message));

        public void Add(VerificationCheck check) => Checks.Add(check);
    }

    /// <summary>Endorsements left to verify for one input (shared by every level).</summary>
    private sealed partial class EndorsementBudget(int remaining)
    {
        public int Remaining { get; set; } = remaining;
    }

    private sealed record IssuerStanding(string? Issuer, KnownIssuer? Known, bool Hosted, KnownIssuer? HostedIssuer = null)
    {
        public bool IsKnown => Known is not null || Hosted;

        /// <summary>The issuer's entry here with its key document: the list's, or the hosted issuer's.</summary>
        public KnownIssuer? Principal => Known ?? HostedIssuer;

        /// <summary>The issuer's key document is known here: a key it does not list is not the issuer's.</summary>
        public bool KeysKnown => Hosted || Known?.VerificationMethods.Count > 0;
    }

    /// <summary>Whether the JSON and the signed view hold the same entries (id and type, or a string) under <paramref name="member"/>.</summary>
    private static bool SameIds(JsonElement json, JsonElement view, string member)
    {
        static List<string> Ids(JsonElement owner, string member)
        {
            var ids = new List<string>();
            if (owner.TryGetProperty(member, out JsonElement value))
            {
                foreach (JsonElement item in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : Enumerate(value))
                {
                    // The id and the type: the schema step acts on both (a type spelled as its IRI is skipped there).
                    ids.Add(item.ValueKind == JsonValueKind.String
                        ? item.GetString() + " "
                        : (CredentialJson.StringMember(item, "id") ?? string.Empty) + " " + (CredentialJson.StringMember(item, "type") ?? string.Empty));
                }
            }

            ids.Sort(StringComparer.Ordinal);
            return ids;
        }

        return Ids(json, member).Distinct(StringComparer.Ordinal).SequenceEqual(Ids(view, member).Distinct(StringComparer.Ordinal), StringComparer.Ordinal);
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
}
