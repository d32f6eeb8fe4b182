// Verifiable Presentations (VCDM 2.0 §4.13; VC-API "Verify Presentation"; VC Data Integrity 1.0 §2.1 challenge and
// domain, §7.2 proof verification; VC-JWT 1.1 `vp` claim; VC-JOSE-COSE §3.2 presentations).
//   Data Integrity: the credential verifier's cryptosuites (CredentialVerifierOptions.Cryptosuites) with proofPurpose
//     "authentication". A proof counts only when its challenge and domain match the ones the verifier asked for.
//   VP-JWT: compact JWS whose kid resolves (a header jwk alone would authenticate no one); nonce ↔ challenge,
//     aud ↔ domain; payload {"vp": {...}} (VC-JWT 1.1) or the presentation itself (VC-JOSE-COSE); exp/nbf with skew.
//   Holder: the signing key's controller must be the holder (holder, or iss for a VP-JWT).
//   Credentials: each one (object, compact JWT string, EnvelopedVerifiableCredential) through CredentialVerifier.
// Bad input never throws; it becomes a failed step.

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.Core.Verification;

/// <summary>Options for <see cref="PresentationVerifier"/>.</summary>
public sealed class PresentationVerifierOptions
{
    /// <summary>Largest presentation accepted (JSON or compact JWS).</summary>
    public int MaxInputBytes { get; init; } = 1024 * 1024;

    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>Most credentials one presentation may carry; more fails the <c>credentials</c> step unverified.</summary>
    public int MaxCredentials { get; init; } = 32;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Tolerance for the VP-JWT <c>nbf</c>/<c>exp</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Finds the holder's key. Default: did:key and did:jwk. Keys taken from a URL fragment authenticate no one
    /// and fail the <c>holder</c> step whatever resolver supplies them.
    /// </summary>
    public IVerificationMethodResolver Resolver { get; init; } = CompositeVerificationMethodResolver.CreateDefault();
}

/// <summary>
/// Verifies a Verifiable Presentation — JSON-LD with a Data Integrity proof (purpose <c>authentication</c>) or a
/// VP-JWT — against the challenge and domain the verifier asked for, then every contained credential with a
/// <see cref="CredentialVerifier"/>. Thread-safe.
/// </summary>
public sealed class PresentationVerifier
{
    private const string CredentialsV2 = "https://www.w3.org/ns/credentials/v2";
    private const string CredentialsV1 = "https://www.w3.org/2018/credentials/v1";
    private const string EnvelopePrefix = "data:application/vp+jwt,";
    private const string Authentication = "authentication";
    private const string SignedVerifiableCredential = "https://www.w3.org/2018/credentials#verifiableCredential";
    private const int MaxHeaderBytes = 8 * 1024;
    private const int MaxSignatureBytes = 1024;

    private static readonly DataIntegrityOptions s_authentication = new() { ExpectedProofPurpose = Authentication };
    private const string VerifiablePresentationClass = "https://www.w3.org/2018/credentials#VerifiablePresentation";
    private static readonly string[] s_jwtTypes = ["JWT", "vp+jwt", "vp+ld+json+jwt", "application/vp+jwt", "application/vp+ld+json+jwt"];

    private readonly CredentialVerifier _credentials;
    private readonly Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler _jwtHandler;
    private readonly PresentationVerifierOptions _options;

    public PresentationVerifier(CredentialVerifier credentials, PresentationVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
        _options = options ?? new PresentationVerifierOptions();
        _jwtHandler = JwsLibrary.CreateHandler(Math.Max(1, _options.MaxInputBytes));
        ArgumentNullException.ThrowIfNull(_options.Resolver, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxCredentials, nameof(options));
    }

    /// <summary>
    /// Verifies <paramref name="presentation"/> (UTF-8 JSON or a compact JWS). When <paramref name="expectedChallenge"/>
    /// or <paramref name="expectedDomain"/> is given, the proof must carry the same value.
    /// </summary>
    public async ValueTask<PresentationVerificationReport> VerifyAsync(
        ReadOnlyMemory<byte> presentation,
        string? expectedChallenge,
        string? expectedDomain,
        CancellationToken cancellationToken = default)
    {
        var checks = new List<VerificationCheck>();
        if (presentation.Length > _options.MaxInputBytes)
        {
            checks.Add(new(PresentationCheckNames.Format, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"input is {presentation.Length} bytes; the limit is {_options.MaxInputBytes}")));
            return new PresentationVerificationReport("unknown", checks, [], null, null);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(presentation.Span).Trim();
        }
        catch (DecoderFallbackException)
        {
            checks.Add(new(PresentationCheckNames.Format, CheckStatus.Failed, "input is not UTF-8 text"));
            return new PresentationVerificationReport("unknown", checks, [], null, null);
        }

        var expected = new Expected(expectedChallenge, expectedDomain);
        if (text.StartsWith('{'))
        {
            checks.Add(new(PresentationCheckNames.Format, CheckStatus.Passed, "presentation JSON"));
            return await VerifyJsonAsync(Encoding.UTF8.GetBytes(text), expected, checks, cancellationToken).ConfigureAwait(false);
        }

        if (text.Split('.').Length == 3)
        {
            checks.Add(new(PresentationCheckNames.Format, CheckStatus.Passed, "compact JWS (VP-JWT)"));
            return await VerifyJwtAsync(text, "jwt", expected, checks, cancellationToken).ConfigureAwait(false);
        }

        checks.Add(new(PresentationCheckNames.Format, CheckStatus.Failed, "input is neither presentation JSON nor a compact JWS"));
        return new PresentationVerificationReport("unknown", checks, [], null, null);
    }

    private async ValueTask<PresentationVerificationReport> VerifyJsonAsync(byte[] json, Expected expected, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        // Duplicate member names are refused, as for credentials: the proof's JSON-LD reading and this one could pick different ones.
        if (!StrictJson.TryParse(json, _options.MaxJsonDepth, out JsonDocument? document, out string? unreadable))
        {
            checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, unreadable));
            return new PresentationVerificationReport("json", checks, [], null, null);
        }

        if (!JsonStrings.AreReadable(document.RootElement))
        {
            document.Dispose();
            checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, "not valid JSON text: a string holds an unpaired surrogate escape"));
            return new PresentationVerificationReport("json", checks, [], null, null);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, "the presentation is not a JSON object"));
                return new PresentationVerificationReport("json", checks, [], null, null);
            }

            // An EnvelopedVerifiablePresentation carries a VP-JWT in a data: URL.
            if (IsOfType(root, "EnvelopedVerifiablePresentation"))
            {
                string? id = CredentialJson.StringMember(root, "id");
                if (id is null || !id.StartsWith(EnvelopePrefix, StringComparison.Ordinal))
                {
                    checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, "an EnvelopedVerifiablePresentation must have a data:application/vp+jwt, id"));
                    return new PresentationVerificationReport("json+enveloped", checks, [], null, null);
                }

                return await VerifyJwtAsync(id[EnvelopePrefix.Length..], "json+enveloped", expected, checks, cancellationToken).ConfigureAwait(false);
            }

            if (ReadPresentation(root, requireContext: true) is string problem)
            {
                checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, problem));
                return new PresentationVerificationReport("json", checks, [], CredentialJson.StringMember(root, "id"), null);
            }

            checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Passed, string.Create(CultureInfo.InvariantCulture, $"{json.Length} bytes of JSON: a VerifiablePresentation")));
            // One reading of what the holder's proof signs serves the holder, the proof's hash and the credential count.
            SignedContent signedContent = SignedContent.Read(root, VerifiablePresentationClass);
            using (signedContent.View)
            {
                (string? holder, string? unsigned) = SignedHolder(signedContent);
                ProofCandidate candidate = await CheckDataIntegrityAsync(root, expected, signedContent.Canonical, cancellationToken).ConfigureAwait(false);
                AddBindingChecks(checks, candidate, expected, holder, unsigned, "challenge", "domain");
                IReadOnlyList<VerificationReport> credentials = await VerifyCredentialsAsync(root, checks, cancellationToken).ConfigureAwait(false);
                if (signedContent.Quads is { } quads
                    && checks.Exists(c => c.Status == CheckStatus.Passed && c.Name == PresentationCheckNames.Proof)
                    && !checks.Exists(c => c.Status == CheckStatus.Failed && c.Name == PresentationCheckNames.Credentials))
                {
                    CheckSignedCredentialCount(quads, credentials.Count, checks);
                }

                return new PresentationVerificationReport("json", checks, credentials, CredentialJson.StringMember(root, "id"), holder);
            }
        }
    }

    private async ValueTask<PresentationVerificationReport> VerifyJwtAsync(string jws, string format, Expected expected, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        string[] parts = jws.Split('.');
        byte[]? header = parts.Length == 3 ? Base64UrlStrict.TryDecodeToArray(parts[0], MaxHeaderBytes) : null;
        byte[]? payload = parts.Length == 3 ? Base64UrlStrict.TryDecodeToArray(parts[1], _options.MaxInputBytes) : null;
        byte[]? signature = parts.Length == 3 ? Base64UrlStrict.TryDecodeToArray(parts[2], MaxSignatureBytes) : null;
        if (header is null || payload is null || signature is null || header.Length == 0 || signature.Length == 0)
        {
            checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, "not a compact JWS: three non-empty base64url parts (no padding) are expected"));
            return new PresentationVerificationReport(format, checks, [], null, null);
        }

        if (!StrictJson.TryParse(header, 8, out JsonDocument? headerDocument, out string? unreadable))
        {
            checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, $"the JWS header: {unreadable}"));
            return new PresentationVerificationReport(format, checks, [], null, null);
        }

        using (headerDocument)
        {
            if (!StrictJson.TryParse(payload, _options.MaxJsonDepth, out JsonDocument? payloadDocument, out unreadable))
            {
                checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, $"the JWT payload: {unreadable}"));
                return new PresentationVerificationReport(format, checks, [], null, null);
            }

            if (!JsonStrings.AreReadable(payloadDocument.RootElement))
            {
                payloadDocument.Dispose();
                checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, "the JWT payload has a string with an unpaired surrogate escape"));
                return new PresentationVerificationReport(format, checks, [], null, null);
            }

            using (payloadDocument)
            {
                JsonElement claims = payloadDocument.RootElement;
                if (headerDocument.RootElement.ValueKind != JsonValueKind.Object || claims.ValueKind != JsonValueKind.Object)
                {
                    checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, "the JWS header and payload must be JSON objects"));
                    return new PresentationVerificationReport(format, checks, [], null, null);
                }

                bool vpClaim = claims.TryGetProperty("vp", out JsonElement vp);
                if (!vpClaim)
                {
                    vp = claims;
                }

                if (vp.ValueKind != JsonValueKind.Object || ReadPresentation(vp, requireContext: false) is not null)
                {
                    checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Failed, vpClaim
                        ? "the 'vp' claim is not a VerifiablePresentation object"
                        : "the payload has no 'vp' claim and is not itself a VerifiablePresentation"));
                    return new PresentationVerificationReport(format, checks, [], null, null);
                }

                checks.Add(new(PresentationCheckNames.Parse, CheckStatus.Passed, vpClaim ? "JWT payload decoded (presentation in the vp claim)" : "JWT payload decoded (the payload is the presentation)"));

                string? iss = CredentialJson.StringMember(claims, "iss");
                string? vpHolder = HolderOf(vp);
                string? holder = iss ?? vpHolder;
                string? conflict = iss is not null && vpHolder is not null && !string.Equals(iss, vpHolder, StringComparison.Ordinal)
                    ? $"the token's iss '{iss}' is not the presentation's holder '{vpHolder}'"
                    : null;

                ProofCandidate candidate = await CheckJwsAsync(headerDocument.RootElement, claims, jws, cancellationToken).ConfigureAwait(false);
                candidate = candidate with
                {
                    Challenge = CredentialJson.StringMember(claims, "nonce"),
                    Domains = claims.TryGetProperty("aud", out JsonElement aud) ? Strings(aud) : null,
                };
                AddBindingChecks(checks, candidate, expected, holder, conflict, "nonce", "aud");
                IReadOnlyList<VerificationReport> credentials = await VerifyCredentialsAsync(vp, checks, cancellationToken).ConfigureAwait(false);
                return new PresentationVerificationReport(format, checks, credentials, CredentialJson.StringMember(vp, "id") ?? CredentialJson.StringMember(claims, "jti"), holder);
            }
        }
    }

    private async ValueTask<ProofCandidate> CheckDataIntegrityAsync(JsonElement presentation, Expected expected, string? canonicalWithoutProof, CancellationToken cancellationToken)
    {
        List<JsonElement> proofs = Proofs(presentation);
        if (proofs.Count == 0)
        {
            return ProofCandidate.Failed("the presentation has no proof");
        }

        var resolver = new PrefetchedKeyResolver(VerificationRelationships.Authentication);
        foreach (JsonElement p in proofs)
        {
            if (CredentialJson.StringMember(p, "verificationMethod") is string vm && !resolver.Contains(vm))
            {
                resolver.Add(vm, await _options.Resolver.ResolveVerificationMethodAsync(vm, cancellationToken).ConfigureAwait(false));
            }
        }

        // The presentation's canonical form without its proofs, when already computed (its hash is reused).
        IReadOnlyList<ProofVerificationResult> results = _credentials.Cryptosuites.VerifyAll(presentation, resolver, s_authentication, canonicalWithoutProof);
        ProofCandidate? best = null;
        for (int i = 0; i < results.Count && i < proofs.Count; i++)
        {
            ProofVerificationResult r = results[i];
            string suite = r.Cryptosuite ?? r.ProofType ?? "unknown";
            ProofCandidate candidate;
            if (r.Verified)
            {
                candidate = new ProofCandidate(
                    true,
                    $"{suite}: signature verified with {r.VerificationMethod} (proof purpose authentication)",
                    r.Controller,
                    resolver.Method(r.VerificationMethod!)?.Provenance,
                    CredentialJson.StringMember(proofs[i], "challenge"),
                    proofs[i].TryGetProperty("domain", out JsonElement domain) ? Strings(domain) : null);
                if (candidate.Matches(expected))
                {
                    return candidate;
                }
            }
            else
            {
                string detail = r.Failure == ProofFailure.VerificationMethodNotFound && r.VerificationMethod is not null
                    ? $"{r.Message} ({resolver.Error(r.VerificationMethod)})"
                    : r.Message ?? r.Failure.ToString();
                candidate = ProofCandidate.Failed($"{suite}: {r.Failure}: {detail}");
            }

            // Prefer a proof whose signature verified (its challenge/domain is then what failed), else the first one.
            if (best is null || (candidate.SignatureVerified && !best.SignatureVerified))
            {
                best = candidate;
            }
        }

        return best ?? ProofCandidate.Failed("the presentation has no proof");
    }

    private async ValueTask<ProofCandidate> CheckJwsAsync(JsonElement header, JsonElement claims, string jws, CancellationToken cancellationToken)
    {
        string? alg = CredentialJson.StringMember(header, "alg");
        if (alg is null)
        {
            return ProofCandidate.Failed("VP-JWT: the header has no alg");
        }

        if (string.Equals(alg, "none", StringComparison.OrdinalIgnoreCase))
        {
            return ProofCandidate.Failed("VP-JWT: alg 'none' is refused");
        }

        if (alg is not (JwsAlgorithms.EdDsa or JwsAlgorithms.ES256 or JwsAlgorithms.RS256))
        {
            return ProofCandidate.Failed($"VP-JWT: alg '{alg}' is not supported (EdDSA, ES256, RS256)");
        }

        if (header.TryGetProperty("typ", out JsonElement typ) && (typ.ValueKind != JsonValueKind.String || !s_jwtTypes.Contains(typ.GetString(), StringComparer.Ordinal)))
        {
            return ProofCandidate.Failed("VP-JWT: typ is not JWT, vp+jwt or vp+ld+json+jwt");
        }

        if (CredentialJson.StringMember(header, "kid") is not string kid)
        {
            return ProofCandidate.Failed("VP-JWT: the header has no kid; the holder's key must be resolvable (a header jwk alone authenticates no one)");
        }

        VerificationMethodResolution resolution = await _options.Resolver.ResolveVerificationMethodAsync(kid, cancellationToken).ConfigureAwait(false);
        if (resolution.Method is not ResolvedVerificationMethod vm)
        {
            return ProofCandidate.Failed($"VP-JWT: kid {kid} could not be resolved ({resolution.Error}{(resolution.Detail is null ? string.Empty : ": " + resolution.Detail)})");
        }

        if (!string.Equals(vm.PublicKey.JwsAlgorithm, alg, StringComparison.Ordinal))
        {
            return ProofCandidate.Failed($"VP-JWT: alg '{alg}' does not belong to the {vm.PublicKey.KeyType} key of {kid}") with { Controller = vm.Controller };
        }

        // The signature through Microsoft.IdentityModel (JwsLibrary: this key and its algorithm only, no kid lookup).
        JwsCheck signatureCheck = JwsLibrary.Validate(_jwtHandler, jws, vm.PublicKey);
        if (signatureCheck == JwsCheck.InvalidSignature)
        {
            return ProofCandidate.Failed($"VP-JWT: the {alg} signature does not verify with {kid}") with { Controller = vm.Controller };
        }

        if (!vm.IsAuthorizedFor(VerificationRelationships.Authentication))
        {
            return ProofCandidate.Failed($"VP-JWT: {kid} is not listed under authentication by its controller") with { Controller = vm.Controller };
        }

        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        if (ReadNumericDate(claims, "exp", out DateTimeOffset? exp) is string badExp)
        {
            return ProofCandidate.Failed("VP-JWT: " + badExp);
        }

        if (ReadNumericDate(claims, "nbf", out DateTimeOffset? nbf) is string badNbf)
        {
            return ProofCandidate.Failed("VP-JWT: " + badNbf);
        }

        if (exp is not null && exp < now - _options.ClockSkew)
        {
            return ProofCandidate.Failed($"VP-JWT: expired at {Format(exp.Value)}");
        }

        if (nbf is not null && nbf > now + _options.ClockSkew)
        {
            return ProofCandidate.Failed($"VP-JWT: not valid before {Format(nbf.Value)}");
        }

        if (signatureCheck == JwsCheck.PayloadUnreadable)
        {
            return ProofCandidate.Failed("VP-JWT: a registered claim (iss, sub, aud, iat, nbf, exp, jti) has a type or value the JWT library does not accept") with { Controller = vm.Controller };
        }

        return new ProofCandidate(true, $"VP-JWT {alg} signature verified with {kid}", vm.Controller, vm.Provenance, null, null);
    }

    /// <summary>The presentation-proof, challenge, domain and holder steps, from the proof that was selected.</summary>
    private static void AddBindingChecks(List<VerificationCheck> checks, ProofCandidate proof, Expected expected, string? holder, string? holderConflict, string challengeMember, string domainMember)
    {
        bool challengeOk = expected.Challenge is null || string.Equals(proof.Challenge, expected.Challenge, StringComparison.Ordinal);
        bool domainOk = expected.Domain is null || (proof.Domains?.Contains(expected.Domain, StringComparer.Ordinal) ?? false);
        if (!proof.SignatureVerified)
        {
            checks.Add(new(PresentationCheckNames.Proof, CheckStatus.Failed, proof.Message));
        }
        else if (!challengeOk || !domainOk)
        {
            string what = !challengeOk && !domainOk ? "challenge and domain" : !challengeOk ? "challenge" : "domain";
            checks.Add(new(PresentationCheckNames.Proof, CheckStatus.Failed, $"{proof.Message}, but the proof's {what} does not match the request (it was made for another verifier or session)"));
        }
        else
        {
            checks.Add(new(PresentationCheckNames.Proof, CheckStatus.Passed, proof.Message));
        }

        checks.Add(expected.Challenge is null
            ? new(PresentationCheckNames.Challenge, CheckStatus.Skipped, proof.Challenge is null ? "no challenge was requested" : $"no challenge was requested (the proof's {challengeMember} is '{proof.Challenge}')")
            : proof.Challenge is null
                ? new(PresentationCheckNames.Challenge, CheckStatus.Failed, $"the challenge '{expected.Challenge}' was requested but the proof has no {challengeMember}")
                : challengeOk
                    ? new(PresentationCheckNames.Challenge, CheckStatus.Passed, $"the proof's {challengeMember} matches the requested challenge")
                    : new(PresentationCheckNames.Challenge, CheckStatus.Failed, $"the proof's {challengeMember} '{proof.Challenge}' is not the requested challenge '{expected.Challenge}'"));

        string? domains = proof.Domains is null ? null : string.Join(", ", proof.Domains.Select(d => "'" + d + "'"));
        checks.Add(expected.Domain is null
            ? new(PresentationCheckNames.Domain, CheckStatus.Skipped, domains is null ? "no domain was requested" : $"no domain was requested (the proof's {domainMember} is {domains})")
            : domains is null
                ? new(PresentationCheckNames.Domain, CheckStatus.Failed, $"the domain '{expected.Domain}' was requested but the proof has no {domainMember}")
                : domainOk
                    ? new(PresentationCheckNames.Domain, CheckStatus.Passed, $"the proof's {domainMember} matches the requested domain")
                    : new(PresentationCheckNames.Domain, CheckStatus.Failed, $"the proof's {domainMember} {domains} is not the requested domain '{expected.Domain}'"));

        if (holderConflict is not null)
        {
            checks.Add(new(PresentationCheckNames.Holder, CheckStatus.Failed, holderConflict));
        }
        else if (!proof.SignatureVerified)
        {
            checks.Add(new(PresentationCheckNames.Holder, CheckStatus.Skipped, "not checked: the presentation proof did not verify"));
        }
        else if (proof.Provenance == KeyProvenance.FragmentDerived)
        {
            checks.Add(new(PresentationCheckNames.Holder, CheckStatus.Failed, "the key was taken from a URL fragment without any document; it does not authenticate the holder"));
        }
        else if (holder is null)
        {
            checks.Add(new(PresentationCheckNames.Holder, CheckStatus.Warning, $"the presentation names no holder; it was signed with a key of '{proof.Controller}'"));
        }
        else if (!string.Equals(proof.Controller, holder, StringComparison.Ordinal))
        {
            checks.Add(new(PresentationCheckNames.Holder, CheckStatus.Failed, $"the presentation was signed with a key of '{proof.Controller}', not of the holder '{holder}'"));
        }
        else
        {
            string how = proof.Provenance switch
            {
                KeyProvenance.SelfCertifying => "self-certifying DID",
                KeyProvenance.LocallyRegistered => "locally registered key",
                KeyProvenance.Fetched => "key from a document fetched from an allow-listed host",
                _ => "key from the holder's published document",
            };
            checks.Add(new(PresentationCheckNames.Holder, CheckStatus.Passed, $"the presentation was signed by its holder '{holder}' ({how})"));
        }
    }

    private async ValueTask<IReadOnlyList<VerificationReport>> VerifyCredentialsAsync(JsonElement presentation, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        if (presentation.TryGetProperty("verifiableCredential", out JsonElement vc))
        {
            if (vc.ValueKind == JsonValueKind.Array)
            {
                items.AddRange(vc.EnumerateArray());
            }
            else if (vc.ValueKind != JsonValueKind.Null)
            {
                items.Add(vc);
            }
        }

        if (items.Count == 0)
        {
            checks.Add(new(PresentationCheckNames.Credentials, CheckStatus.Warning, "the presentation contains no credentials"));
            return [];
        }

        if (items.Count > _options.MaxCredentials)
        {
            checks.Add(new(PresentationCheckNames.Credentials, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"the presentation contains {items.Count} credentials; the limit is {_options.MaxCredentials} (none was verified)")));
            return [];
        }

        var reports = new List<VerificationReport>(items.Count);
        foreach (JsonElement item in items)
        {
            // The credential's own bytes, exactly as presented: its Data Integrity proof covers them.
            byte[] credential = item.ValueKind == JsonValueKind.String
                ? Encoding.UTF8.GetBytes(item.GetString()!)
                : JsonMarshal.GetRawUtf8Value(item).ToArray();
            reports.Add(await _credentials.VerifyAsync(credential, cancellationToken).ConfigureAwait(false));
        }

        List<int> failed = [.. Enumerable.Range(0, reports.Count).Where(i => !reports[i].Verified)];
        checks.Add(failed.Count == 0
            ? new(PresentationCheckNames.Credentials, CheckStatus.Passed, string.Create(CultureInfo.InvariantCulture, $"{reports.Count} {(reports.Count == 1 ? "credential" : "credentials")}, each verified"))
            : new(PresentationCheckNames.Credentials, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"{failed.Count} of {reports.Count} credentials did not verify: {string.Join(", ", failed.Select(i => $"credentials[{i}]"))}")));
        return reports;
    }

    /// <summary>
    /// The holder's Data Integrity proof signs the presentation's RDF dataset, not its JSON: a JSON rewrite that keeps the
    /// dataset (verifiableCredential renamed to its full IRI or a compact IRI, an alias with a @graph container, @nest)
    /// keeps the proof valid while the <c>verifiableCredential</c> member no longer shows the credentials. So the
    /// credentials the signed data holds (cred:verifiableCredential values of its canonical quads, the proof aside) must be
    /// the ones the JSON shows, one each; otherwise a presentation of a revoked credential could verify with no
    /// credential reported.
    /// </summary>
    private static void CheckSignedCredentialCount(IReadOnlyList<RdfQuad> signedQuads, int shown, List<VerificationCheck> checks)
    {
        int signed = signedQuads.Count(q => q.Graph.IsDefaultGraph && string.Equals(q.Predicate.Value, SignedVerifiableCredential, StringComparison.Ordinal));
        if (signed != shown)
        {
            checks.Add(new(PresentationCheckNames.Credentials, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture,
                $"the presentation's signed data holds {signed} credential(s) but its verifiableCredential member shows {shown}; a credential the JSON does not show cannot be verified, so the presentation is not")));
        }
    }

    /// <summary>Null when <paramref name="presentation"/> has the shape of a presentation, else the reason it has not.</summary>
    private static string? ReadPresentation(JsonElement presentation, bool requireContext)
    {
        if (!IsOfType(presentation, "VerifiablePresentation"))
        {
            return "type must contain VerifiablePresentation";
        }

        if (!requireContext)
        {
            return null;
        }

        if (!presentation.TryGetProperty("@context", out JsonElement context) || context.ValueKind != JsonValueKind.Array || context.GetArrayLength() == 0)
        {
            return "@context must be an array starting with the VC base context";
        }

        return context[0].ValueKind == JsonValueKind.String && context[0].GetString() is CredentialsV2 or CredentialsV1
            ? null
            : "@context[0] is not the VC 2.0 or VC 1.1 base context";
    }

    private static bool IsOfType(JsonElement value, string type)
        => value.TryGetProperty("type", out JsonElement t) && (Strings(t)?.Contains(type, StringComparer.Ordinal) ?? false);

    /// <summary>
    /// The holder as the presentation's proof signs it: read from the signed view of the presentation (its canonical
    /// quads without the proof, see SignedGraph), so no JSON rewrite can hide or change it. Second: why there is none
    /// to trust (then the holder step fails); null when the presentation cannot be canonicalized (its proof fails).
    /// </summary>
    private static (string? Holder, string? Problem) SignedHolder(SignedContent signed)
        => signed.View is JsonDocument view ? (HolderOf(view.RootElement), null)
            : signed.SafeModePassed ? (null, $"the signed presentation cannot be read: {signed.Error}")
            : (null, null);

    private static string? HolderOf(JsonElement presentation)
        => presentation.TryGetProperty("holder", out JsonElement holder)
            ? holder.ValueKind == JsonValueKind.String ? holder.GetString() : CredentialJson.StringMember(holder, "id")
            : null;

    private static List<JsonElement> Proofs(JsonElement document)
    {
        var proofs = new List<JsonElement>();
        if (document.TryGetProperty("proof", out JsonElement proof))
        {
            if (proof.ValueKind == JsonValueKind.Array)
            {
                proofs.AddRange(proof.EnumerateArray());
            }
            else if (proof.ValueKind != JsonValueKind.Null)
            {
                proofs.Add(proof);
            }
        }

        return proofs;
    }

    /// <summary>A string, or the strings of an array (other members ignored); null for any other value.</summary>
    private static List<string>? Strings(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        return value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : null;
    }

    private static string? ReadNumericDate(JsonElement claims, string name, out DateTimeOffset? value)
    {
        value = null;
        if (!claims.TryGetProperty(name, out JsonElement e))
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long seconds) || seconds is < 0 or > 253402300799)
        {
            return $"'{name}' is not a NumericDate";
        }

        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return null;
    }

    private static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record Expected(string? Challenge, string? Domain);

    /// <summary>One proof's outcome: whether its signature verified under the holder's key, and what it is bound to.</summary>
    private sealed record ProofCandidate(
        bool SignatureVerified,
        string Message,
        string? Controller,
        KeyProvenance? Provenance,
        string? Challenge,
        IReadOnlyList<string>? Domains)
    {
        public static ProofCandidate Failed(string message) => new(false, message, null, null, null, null);

        public bool Matches(Expected expected)
            => SignatureVerified
                && (expected.Challenge is null || string.Equals(Challenge, expected.Challenge, StringComparison.Ordinal))
                && (expected.Domain is null || (Domains?.Contains(expected.Domain, StringComparer.Ordinal) ?? false));
    }
}
