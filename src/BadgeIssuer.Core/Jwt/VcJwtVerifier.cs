// VC-JWT verification (OB 3.0 §8.2.4 / DIGEST JWT-2, JWT-5, JWT-7, T-10; RFC 7515 §5.2; RFC 7519 §7.2).
// Order: size → 3 ASCII parts → strict base64url → header JSON (no duplicates) → alg (none, HS*, …
// refused) → only alg/typ/kid/jwk (+cty in VC-JOSE-COSE mode) → typ → key (jwk without "d", or kid via
// resolver) → alg matches key type → signature (Microsoft.IdentityModel JsonWebTokenHandler, JwsLibrary) → payload JSON (bounded depth, no duplicates) →
// claims vs credential (iss, jti, sub, nbf, exp) → issuer/controller binding → validity period.
// Failures are results with a VcJwtFailure, never exceptions.

using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.JsonLd;
using BadgeIssuer.Core.Keys;
using Microsoft.IdentityModel.JsonWebTokens;

namespace BadgeIssuer.Core.Jwt;

/// <summary>Verifies VC-JWTs (OB 3.0, VCDM 1.1 <c>vc</c> claim, optionally VC-JOSE-COSE). Thread-safe.</summary>
public sealed class VcJwtVerifier
{
    private const string EnvelopePrefix = "data:application/vc+jwt,";

    private readonly VcJwtVerifierOptions _options;
    private readonly IVerificationMethodResolver? _resolver;
    private readonly JsonDocumentOptions _headerOptions;
    private readonly JsonDocumentOptions _payloadOptions;
    private readonly JsonWebTokenHandler _handler;

    public VcJwtVerifier(VcJwtVerifierOptions? options = null, IVerificationMethodResolver? resolver = null)
    {
        _options = options ?? new VcJwtVerifierOptions();
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ClockSkew, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxTokenLength, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDepth, 2, nameof(options));
        _resolver = resolver;
        _headerOptions = new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false };
        _payloadOptions = new JsonDocumentOptions { MaxDepth = _options.MaxDepth, AllowDuplicateProperties = false };
        _handler = JwsLibrary.CreateHandler(_options.MaxTokenLength);
    }

    /// <summary>
    /// Verifies with the header <c>jwk</c>, or with <paramref name="key"/> when given (a header
    /// <c>jwk</c> must then be the same key). Does not consult the resolver.
    /// </summary>
    public VcJwtVerificationResult Verify(string compactJws, VerificationKey? key = null)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        Token? token = Parse(compactJws, allowJoseCose: _options.AllowVcJoseCose, out VcJwtVerificationResult result);
        if (token is null)
        {
            return result;
        }

        using (token)
        {
            return SelectLocalKey(token, result, key) is { } selected ? Finish(token, result, selected) : result;
        }
    }

    /// <summary>Verifies, resolving <c>kid</c> through the resolver given to the constructor.</summary>
    public ValueTask<VcJwtVerificationResult> VerifyAsync(string compactJws, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        return VerifyCoreAsync(compactJws, _options.AllowVcJoseCose, cancellationToken);
    }

    /// <summary>
    /// Verifies an <c>EnvelopedVerifiableCredential</c> whose id is <c>data:application/vc+jwt,&lt;jws&gt;</c>
    /// (VCDM 2.0 §4.13, VC-JOSE-COSE); the enclosed token may use <c>typ: vc+jwt</c>.
    /// </summary>
    public ValueTask<VcJwtVerificationResult> VerifyEnvelopedAsync(JsonElement envelopedCredential, CancellationToken cancellationToken = default)
    {
        if (!TryGetEnvelopedJws(envelopedCredential, out string? jws))
        {
            var result = new VcJwtVerificationResult();
            return ValueTask.FromResult(result.Fail(VcJwtFailure.MalformedCompactSerialization, "Not an EnvelopedVerifiableCredential with a data:application/vc+jwt id."));
        }

        return VerifyCoreAsync(jws, allowJoseCose: true, cancellationToken);
    }

    /// <summary>Extracts the compact JWS from an <c>EnvelopedVerifiableCredential</c>.</summary>
    public static bool TryGetEnvelopedJws(JsonElement credential, [NotNullWhen(true)] out string? compactJws)
    {
        compactJws = null;
        if (credential.ValueKind != JsonValueKind.Object
            || !credential.TryGetProperty("type"u8, out JsonElement type)
            || !ContainsString(type, "EnvelopedVerifiableCredential"u8)
            || !credential.TryGetProperty("id"u8, out JsonElement id)
            || id.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        string value = id.GetString()!;
        if (!value.StartsWith(EnvelopePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        compactJws = value[EnvelopePrefix.Length..];
        return true;
    }

    private async ValueTask<VcJwtVerificationResult> VerifyCoreAsync(string compactJws, bool allowJoseCose, CancellationToken cancellationToken)
    {
        Token? token = Parse(compactJws, allowJoseCose, out VcJwtVerificationResult result);
        if (token is null)
        {
            return result;
        }

        using (token)
        {
            VerificationKey? key;
            if (token.KeyId is not null && _resolver is not null)
            {
                VerificationMethodResolution resolution = await _resolver.ResolveVerificationMethodAsync(token.KeyId, cancellationToken).ConfigureAwait(false);
                key = SelectResolvedKey(token, result, resolution);
            }
            else
            {
                key = SelectLocalKey(token, result, null);
            }

            return key is null ? result : Finish(token, result, key);
        }
    }

    private Token? Parse(string compactJws, bool allowJoseCose, out VcJwtVerificationResult result)
    {
        result = new VcJwtVerificationResult();
        if (compactJws.Length > _options.MaxTokenLength)
        {
            result.Fail(VcJwtFailure.InputTooLarge, "The token exceeds the configured maximum length.");
            return null;
        }

        var token = new Token(compactJws.Length);
        try
        {
            if (!token.Load(compactJws))
            {
                result.Fail(VcJwtFailure.MalformedCompactSerialization, "A compact JWS is three base64url parts separated by '.' (header and payload non-empty).");
                token.Dispose();
                return null;
            }

            if (!Base64UrlStrict.IsValid(token.HeaderPart, out _) || !Base64UrlStrict.IsValid(token.PayloadPart, out _)
                || !Base64UrlStrict.IsValid(token.SignaturePart, out _))
            {
                result.Fail(VcJwtFailure.InvalidBase64Url, "A part is not unpadded, canonical base64url.");
                token.Dispose();
                return null;
            }

            if (!ReadHeader(token, result, allowJoseCose))
            {
                token.Dispose();
                return null;
            }

            return token;
        }
        catch
        {
            token.Dispose();
            throw;
        }
    }

    // The duplicate-member check unescapes member names, so an unpaired "\\ud800" in a name surfaces from Parse itself
    // as InvalidOperationException rather than JsonException (found by fuzzing).
    private static bool IsUnparsable(Exception ex) => ex is JsonException or InvalidOperationException;

    private bool ReadHeader(Token token, VcJwtVerificationResult result, bool allowJoseCose)
    {
        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(Base64Url.DecodeFromUtf8(token.HeaderPart), _headerOptions);
        }
        catch (Exception ex) when (IsUnparsable(ex))
        {
            result.Fail(VcJwtFailure.InvalidHeader, "The header is not valid JSON (or has duplicate members).");
            return false;
        }

        if (!JsonStrings.AreReadable(header.RootElement))
        {
            header.Dispose();
            result.Fail(VcJwtFailure.InvalidHeader, "The header has a string that is not valid UTF-8 or holds an unpaired surrogate.");
            return false;
        }

        result.SetHeader(header);
        JsonElement root = header.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            result.Fail(VcJwtFailure.InvalidHeader, "The header is not a JSON object.");
            return false;
        }

        // 1. alg
        if (!root.TryGetProperty("alg"u8, out JsonElement alg) || alg.ValueKind != JsonValueKind.String)
        {
            result.Fail(VcJwtFailure.InvalidHeader, "The header has no string 'alg'.");
            return false;
        }

        string algorithm = alg.GetString()!;
        result.Algorithm = algorithm;
        if (string.Equals(algorithm, "none", StringComparison.OrdinalIgnoreCase))
        {
            result.Fail(VcJwtFailure.AlgorithmNone, "Unsecured JWS (alg none) is refused.");
            return false;
        }

        if (algorithm is not (JwsAlgorithms.RS256 or JwsAlgorithms.ES256 or JwsAlgorithms.EdDsa))
        {
            result.Fail(VcJwtFailure.UnsupportedAlgorithm, "Only RS256, ES256 and EdDSA are accepted.");
            return false;
        }

        // 2. only alg, typ, kid, jwk (JWT-2); VC-JOSE-COSE also defines cty.
        List<string>? unexpected = null;
        foreach (JsonProperty member in root.EnumerateObject())
        {
            bool allowed = member.NameEquals("alg"u8) || member.NameEquals("typ"u8) || member.NameEquals("kid"u8) || member.NameEquals("jwk"u8)
                || (allowJoseCose && member.NameEquals("cty"u8));
            if (!allowed)
            {
                (unexpected ??= []).Add(member.Name);
            }
        }

        if (unexpected is not null)
        {
            result.UnexpectedHeaderParameters = unexpected;
            result.Fail(VcJwtFailure.UnexpectedHeaderParameter, "Header parameters other than alg, typ, kid and jwk are not allowed: " + string.Join(", ", unexpected));
            return false;
        }

        // 3. typ
        if (root.TryGetProperty("typ"u8, out JsonElement typ))
        {
            string? value = typ.ValueKind == JsonValueKind.String ? typ.GetString() : null;
            if (value is not null && value.StartsWith("application/", StringComparison.OrdinalIgnoreCase))
            {
                value = value["application/".Length..];
            }

            if (string.Equals(value, "JWT", StringComparison.OrdinalIgnoreCase))
            {
                token.JoseCose = false;
            }
            else if (allowJoseCose && (string.Equals(value, "vc+jwt", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "vc+ld+json+jwt", StringComparison.OrdinalIgnoreCase)))
            {
                token.JoseCose = true;
            }
            else
            {
                result.Fail(VcJwtFailure.InvalidType, allowJoseCose ? "typ must be JWT, vc+jwt or vc+ld+json+jwt." : "typ must be JWT.");
                return false;
            }
        }

        // 4. kid / jwk
        if (root.TryGetProperty("kid"u8, out JsonElement kid))
        {
            if (kid.ValueKind != JsonValueKind.String || kid.GetString() is not { Length: > 0 } kidValue)
            {
                result.Fail(VcJwtFailure.InvalidHeader, "kid must be a non-empty string.");
                return false;
            }

            token.KeyId = kidValue;
            result.KeyId = kidValue;
        }

        if (root.TryGetProperty("jwk"u8, out JsonElement jwk))
        {
            if (!Jwk.TryImportPublicKey(jwk, out VerificationKey? headerKey, out KeyFormatError error))
            {
                result.Fail(
                    error == KeyFormatError.PrivateKeyMaterialPresent ? VcJwtFailure.PrivateKeyInHeader : VcJwtFailure.InvalidHeaderKey,
                    error == KeyFormatError.PrivateKeyMaterialPresent ? "The header jwk contains private key members." : $"The header jwk is not usable ({error}).");
                return false;
            }

            token.HeaderKey = headerKey;
        }

        if (token.KeyId is null && token.HeaderKey is null)
        {
            result.Fail(VcJwtFailure.MissingKey, "The header has neither kid nor jwk (JWT-2).");
            return false;
        }

        return true;
    }

    private static VerificationKey? SelectLocalKey(Token token, VcJwtVerificationResult result, VerificationKey? provided)
    {
        if (provided is not null)
        {
            if (token.HeaderKey is not null && !token.HeaderKey.HasSameKey(provided))
            {
                result.Fail(VcJwtFailure.KeyMismatch, "The header jwk is not the expected key.");
                return null;
            }

            result.KeySource = VcJwtKeySource.Provided;
            result.Key = provided;
            return provided;
        }

        if (token.HeaderKey is not null)
        {
            result.KeySource = VcJwtKeySource.HeaderJwk;
            result.Key = token.HeaderKey;
            return token.HeaderKey;
        }

        result.Fail(VcJwtFailure.KeyResolutionFailed, "The token names its key only by kid and no resolver or key was given.");
        return null;
    }

    private static VerificationKey? SelectResolvedKey(Token token, VcJwtVerificationResult result, VerificationMethodResolution resolution)
    {
        if (resolution.Method is not { } method)
        {
            if (token.HeaderKey is not null && resolution.Error is ResolutionError.NotFound or ResolutionError.MethodNotSupported)
            {
                // kid unknown here: fall back to the embedded key (reported as HeaderJwk).
                return SelectLocalKey(token, result, null);
            }

            // Name the key (bounded: the kid is the token's) and why it was not found, so the reader can supply it.
            string kid = token.KeyId is { Length: > 200 } longKid ? longKid[..200] + "…" : token.KeyId ?? string.Empty;
            result.Fail(VcJwtFailure.KeyResolutionFailed, $"the key '{kid}' named by kid could not be resolved ({resolution.Error}{(resolution.Detail is null ? string.Empty : ": " + resolution.Detail)}).");
            return null;
        }

        if (token.HeaderKey is not null && !token.HeaderKey.HasSameKey(method.PublicKey))
        {
            result.Fail(VcJwtFailure.KeyMismatch, "The header jwk differs from the key kid resolves to.");
            return null;
        }

        result.KeySource = VcJwtKeySource.ResolvedKeyId;
        result.VerificationMethod = method;
        result.Key = method.PublicKey;
        return method.PublicKey;
    }

    private VcJwtVerificationResult Finish(Token token, VcJwtVerificationResult result, VerificationKey key)
    {
        // Algorithm confusion: the key type fixes the algorithm.
        if (!string.Equals(result.Algorithm, key.JwsAlgorithm, StringComparison.Ordinal))
        {
            return result.Fail(VcJwtFailure.AlgorithmKeyMismatch, $"alg {result.Algorithm} does not match a {key.KeyType} key.");
        }

        // An exact-length signature part first (cheap, and the library would decode any length).
        if (Base64Url.GetMaxDecodedLength(token.SignaturePart.Length) != key.SignatureSize)
        {
            return result.Fail(VcJwtFailure.InvalidSignature, "The signature does not verify with the key.");
        }

        JwsCheck check = JwsLibrary.Validate(_handler, token.Compact, key);
        if (check == JwsCheck.InvalidSignature)
        {
            return result.Fail(VcJwtFailure.InvalidSignature, "The signature does not verify with the key.");
        }

        result.SignatureVerified = true;

        JsonDocument payload;
        try
        {
            payload = JsonDocument.Parse(Base64Url.DecodeFromUtf8(token.PayloadPart), _payloadOptions);
        }
        catch (Exception ex) when (IsUnparsable(ex))
        {
            return result.Fail(VcJwtFailure.InvalidPayload, "The payload is not valid JSON, too deep, or has duplicate members.");
        }

        if (!JsonStrings.AreReadable(payload.RootElement))
        {
            payload.Dispose();
            return result.Fail(VcJwtFailure.InvalidPayload, "The payload has a string that is not valid UTF-8 or holds an unpaired surrogate.");
        }

        result.SetPayload(payload);
        JsonElement root = payload.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return result.Fail(VcJwtFailure.InvalidPayload, "The payload is not a JSON object.");
        }

        JsonElement credential = root;
        result.Format = token.JoseCose ? VcJwtFormat.VcJoseCose : VcJwtFormat.OpenBadges;
        if (!token.JoseCose && root.TryGetProperty("vc"u8, out JsonElement vc))
        {
            if (!_options.AllowVcClaim || vc.ValueKind != JsonValueKind.Object)
            {
                return result.Fail(VcJwtFailure.MissingCredential, _options.AllowVcClaim ? "The vc claim is not an object." : "VCDM 1.1 vc-claim tokens are not accepted.");
            }

            credential = vc;
            result.Format = VcJwtFormat.VcClaim;
        }

        result.Credential = credential;
        CheckClaims(root, credential, result);
        if (check == JwsCheck.PayloadUnreadable && result.IsValid)
        {
            // Our rules found nothing, the library could not read a registered claim (e.g. a non-numeric iat): refuse.
            result.Fail(VcJwtFailure.InvalidPayload, "A registered claim (iss, sub, aud, iat, nbf, exp, jti) has a type or value the JWT library does not accept.");
        }

        return result;
    }

    private VcJwtVerificationResult CheckClaims(JsonElement payload, JsonElement credential, VcJwtVerificationResult result)
    {
        bool strictClaims = result.Format != VcJwtFormat.VcJoseCose;
        bool vcdm11 = result.Format == VcJwtFormat.VcClaim;

        // iss = issuer id
        string? issuer = CredentialJson.IssuerId(credential);
        string? iss = StringClaim(payload, "iss"u8, out bool issInvalid);
        if (issInvalid)
        {
            return result.Fail(VcJwtFailure.InvalidPayload, "iss must be a string.");
        }

        if (iss is null)
        {
            if (strictClaims)
            {
                return result.Fail(VcJwtFailure.MissingIssuerClaim, "The payload has no iss claim (JWT-3).");
            }
        }
        else if (issuer is not null && !string.Equals(iss, issuer, StringComparison.Ordinal))
        {
            return result.Fail(VcJwtFailure.IssuerMismatch, "iss does not equal the credential issuer id.");
        }

        issuer ??= iss;

        // jti = id
        string? id = CredentialJson.StringMember(credential, "id"u8);
        string? jti = StringClaim(payload, "jti"u8, out bool jtiInvalid);
        if (jtiInvalid)
        {
            return result.Fail(VcJwtFailure.InvalidPayload, "jti must be a string.");
        }

        if (jti is null)
        {
            if (strictClaims)
            {
                return result.Fail(VcJwtFailure.MissingIdClaim, "The payload has no jti claim (JWT-3).");
            }
        }
        else if (id is not null && !string.Equals(jti, id, StringComparison.Ordinal))
        {
            return result.Fail(VcJwtFailure.IdMismatch, "jti does not equal the credential id.");
        }

        // sub = credentialSubject.id
        string? subjectId = credential.TryGetProperty("credentialSubject"u8, out JsonElement subject) ? SubjectId(subject) : null;
        string? sub = StringClaim(payload, "sub"u8, out bool subInvalid);
        if (subInvalid)
        {
            return result.Fail(VcJwtFailure.InvalidPayload, "sub must be a string.");
        }

        if (sub is null)
        {
            if (strictClaims && subjectId is not null && !_options.AllowMissingSubject)
            {
                return result.Fail(VcJwtFailure.MissingSubjectClaim, "The payload has no sub claim although credentialSubject has an id (JWT-3).");
            }
        }
        else if (subjectId is not null && !string.Equals(sub, subjectId, StringComparison.Ordinal))
        {
            return result.Fail(VcJwtFailure.SubjectMismatch, "sub does not equal credentialSubject.id.");
        }

        // nbf = validFrom, exp = validUntil (issuanceDate / expirationDate for VCDM 1.1, VCDM-4)
        if (!DateMember(credential, vcdm11 ? "issuanceDate"u8 : "validFrom"u8, out DateTimeOffset? validFrom)
            || !DateMember(credential, vcdm11 ? "expirationDate"u8 : "validUntil"u8, out DateTimeOffset? validUntil))
        {
            return result.Fail(VcJwtFailure.InvalidDate, "validFrom/validUntil must be date-times with a time zone.");
        }

        if (!NumericDate(payload, "nbf"u8, out long? nbf) || !NumericDate(payload, "exp"u8, out long? exp))
        {
            return result.Fail(VcJwtFailure.InvalidDate, "nbf and exp must be NumericDate numbers.");
        }

        if (nbf is null)
        {
            if (strictClaims && !_options.AllowMissingNotBefore)
            {
                return result.Fail(VcJwtFailure.MissingNotBefore, "The payload has no nbf claim (JWT-3).");
            }
        }
        else if (validFrom is { } from && XsdDateTime.ToNumericDate(from) != nbf)
        {
            return result.Fail(VcJwtFailure.NotBeforeMismatch, "nbf does not equal validFrom.");
        }

        if (exp is null)
        {
            if (strictClaims && validUntil is not null && !_options.AllowMissingExpiration)
            {
                return result.Fail(VcJwtFailure.MissingExpiration, "validUntil is present but the payload has no exp claim (JWT-3).");
            }
        }
        else if (validUntil is { } until && XsdDateTime.ToNumericDate(until) != exp)
        {
            return result.Fail(VcJwtFailure.ExpirationMismatch, "exp does not equal validUntil.");
        }

        DateTimeOffset? notBefore = nbf is { } n ? DateTimeOffset.FromUnixTimeSeconds(n) : validFrom;
        DateTimeOffset? expires = exp is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : validUntil;
        result.NotBefore = notBefore;
        result.Expires = expires;

        // Issuer ↔ key binding, when the key came from a verification method (VER-7).
        if (result.VerificationMethod is { } method)
        {
            if (_options.RequireControllerMatchesIssuer && !string.Equals(method.Controller, issuer, StringComparison.Ordinal))
            {
                return result.Fail(VcJwtFailure.ControllerMismatch, "The key's controller is not the credential issuer.");
            }

            if (_options.RequireAssertionMethod && !method.IsAuthorizedFor(VerificationRelationships.AssertionMethod))
            {
                return result.Fail(VcJwtFailure.KeyNotAuthorized, "The key is not listed under assertionMethod.");
            }
        }

        if (_options.ValidateLifetime)
        {
            DateTimeOffset now = _options.TimeProvider.GetUtcNow();
            if (notBefore is { } nb && now + _options.ClockSkew < nb)
            {
                return result.Fail(VcJwtFailure.NotYetValid, "The credential is not valid yet.");
            }

            if (expires is { } ex && now - _options.ClockSkew >= ex)
            {
                return result.Fail(VcJwtFailure.Expired, "The credential has expired.");
            }
        }

        return result;
    }

    private static string? SubjectId(JsonElement subject)
    {
        if (subject.ValueKind == JsonValueKind.Array)
        {
            return subject.GetArrayLength() == 1 ? CredentialJson.StringMember(subject[0], "id"u8) : null;
        }

        return CredentialJson.StringMember(subject, "id"u8);
    }

    private static string? StringClaim(JsonElement payload, ReadOnlySpan<byte> name, out bool invalid)
    {
        invalid = false;
        if (!payload.TryGetProperty(name, out JsonElement e))
        {
            return null;
        }

        invalid = e.ValueKind != JsonValueKind.String;
        return invalid ? null : e.GetString();
    }

    private static bool DateMember(JsonElement credential, ReadOnlySpan<byte> name, out DateTimeOffset? value)
    {
        value = null;
        if (!credential.TryGetProperty(name, out JsonElement e))
        {
            return true;
        }

        if (e.ValueKind == JsonValueKind.String && XsdDateTime.TryParseWithZone(e.GetString(), out DateTimeOffset parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private const long MinNumericDate = -62_135_596_800;
    private const long MaxNumericDate = 253_402_300_799;

    private static bool NumericDate(JsonElement payload, ReadOnlySpan<byte> name, out long? value)
    {
        value = null;
        if (!payload.TryGetProperty(name, out JsonElement e))
        {
            return true;
        }

        if (e.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        // Only dates a DateTimeOffset can hold (years 1–9999): anything else is refused, never thrown on later.
        if (e.TryGetInt64(out long whole))
        {
            value = whole;
            return whole is >= MinNumericDate and <= MaxNumericDate;
        }

        // RFC 7519 allows fractional seconds; compare whole seconds.
        if (e.TryGetDouble(out double d) && d is >= MinNumericDate and <= MaxNumericDate)
        {
            value = (long)Math.Floor(d);
            return true;
        }

        return false;
    }

    private static bool ContainsString(JsonElement value, ReadOnlySpan<byte> text)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.ValueEquals(text);
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.ValueEquals(text))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The token as ASCII bytes in a pooled buffer, with the part boundaries.</summary>
    private sealed class Token : IDisposable
    {
        private byte[]? _bytes;
        private int _length;
        private int _dot1;
        private int _dot2;

        public Token(int length)
        {
            _bytes = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        }

        public string? KeyId { get; set; }

        public VerificationKey? HeaderKey { get; set; }

        public bool JoseCose { get; set; }

        /// <summary>The token as given.</summary>
        public string Compact { get; private set; } = string.Empty;

        public ReadOnlySpan<byte> HeaderPart => _bytes.AsSpan(0, _dot1);

        public ReadOnlySpan<byte> PayloadPart => _bytes.AsSpan(_dot1 + 1, _dot2 - _dot1 - 1);

        public ReadOnlySpan<byte> SignaturePart => _bytes.AsSpan(_dot2 + 1, _length - _dot2 - 1);

        public bool Load(string jws)
        {
            byte[] bytes = _bytes!;
            int dots = 0;
            for (int i = 0; i < jws.Length; i++)
            {
                char c = jws[i];
                if (c > 0x7F)
                {
                    return false;
                }

                if (c == '.')
                {
                    if (++dots == 1)
                    {
                        _dot1 = i;
                    }
                    else if (dots == 2)
                    {
                        _dot2 = i;
                    }
                    else
                    {
                        return false;
                    }
                }

                bytes[i] = (byte)c;
            }

            _length = jws.Length;
            Compact = jws;

            // An empty signature part is let through so that "alg":"none" tokens are reported as such.
            return dots == 2 && _dot1 > 0 && _dot2 > _dot1 + 1;
        }

        public void Dispose()
        {
            if (_bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = null;
            }
        }
    }
}
