using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Jwt;

/// <summary>Why a VC-JWT was refused. Checks run in this order; the first failure is reported.</summary>
public enum VcJwtFailure
{
    None,

    /// <summary>Longer than <see cref="VcJwtVerifierOptions.MaxTokenLength"/>.</summary>
    InputTooLarge,

    /// <summary>Not three non-empty dot-separated parts of ASCII (RFC 7515 §7.1).</summary>
    MalformedCompactSerialization,

    /// <summary>A part is not strict base64url (padding, whitespace, bad alphabet or trailing bits).</summary>
    InvalidBase64Url,

    /// <summary>The header is not a JSON object, has duplicate members, or <c>alg</c> is missing.</summary>
    InvalidHeader,

    /// <summary><c>alg: none</c> (in any letter case).</summary>
    AlgorithmNone,

    /// <summary>An <c>alg</c> other than RS256, ES256, EdDSA (e.g. HS256: algorithm confusion).</summary>
    UnsupportedAlgorithm,

    /// <summary>A header member other than alg, typ, kid, jwk (JWT-2). See <see cref="VcJwtVerificationResult.UnexpectedHeaderParameters"/>.</summary>
    UnexpectedHeaderParameter,

    /// <summary><c>typ</c> is not <c>JWT</c> (or a VC-JOSE-COSE type while that mode is off).</summary>
    InvalidType,

    /// <summary>Neither <c>kid</c> nor <c>jwk</c> (JWT-2).</summary>
    MissingKey,

    /// <summary>The header <c>jwk</c> contains private members.</summary>
    PrivateKeyInHeader,

    /// <summary>The header <c>jwk</c> is malformed or of an unsupported type.</summary>
    InvalidHeaderKey,

    /// <summary>The <c>kid</c> could not be resolved and there is no <c>jwk</c>.</summary>
    KeyResolutionFailed,

    /// <summary>The <c>kid</c>-resolved (or caller-provided) key differs from the header <c>jwk</c>.</summary>
    KeyMismatch,

    /// <summary><c>alg</c> does not belong to the key's type.</summary>
    AlgorithmKeyMismatch,

    /// <summary>The signature does not verify.</summary>
    InvalidSignature,

    /// <summary>The payload is not a JSON object, is too deep or has duplicate members.</summary>
    InvalidPayload,

    /// <summary>No credential: a <c>vc</c> claim that is not an object, or <c>vc</c> claims not allowed.</summary>
    MissingCredential,

    MissingIssuerClaim,

    /// <summary><c>iss</c> ≠ issuer id.</summary>
    IssuerMismatch,

    MissingIdClaim,

    /// <summary><c>jti</c> ≠ credential id.</summary>
    IdMismatch,

    MissingSubjectClaim,

    /// <summary><c>sub</c> ≠ credentialSubject.id.</summary>
    SubjectMismatch,

    MissingNotBefore,

    /// <summary><c>nbf</c> ≠ validFrom (issuanceDate for VCDM 1.1).</summary>
    NotBeforeMismatch,

    /// <summary><c>exp</c> is missing although validUntil is present.</summary>
    MissingExpiration,

    /// <summary><c>exp</c> ≠ validUntil (expirationDate for VCDM 1.1).</summary>
    ExpirationMismatch,

    /// <summary><c>nbf</c>/<c>exp</c> not a number, or validFrom/validUntil not a date-time with zone.</summary>
    InvalidDate,

    /// <summary>The <c>kid</c> verification method's controller is not the issuer (VER-7).</summary>
    ControllerMismatch,

    /// <summary>The <c>kid</c> verification method is not listed under assertionMethod.</summary>
    KeyNotAuthorized,

    NotYetValid,

    Expired,
}

/// <summary>Shape of a verified token.</summary>
public enum VcJwtFormat
{
    Unknown,

    /// <summary>OB 3.0 / VCDM 2.0 VC-JWT: payload = credential + registered claims.</summary>
    OpenBadges,

    /// <summary>VCDM 1.1 VC-JWT: credential in the <c>vc</c> claim.</summary>
    VcClaim,

    /// <summary>VC-JOSE-COSE <c>application/vc+jwt</c>: payload = credential.</summary>
    VcJoseCose,
}

/// <summary>Where the verification key came from.</summary>
public enum VcJwtKeySource
{
    None,

    /// <summary>The header <c>jwk</c>: proves only that the holder of that key signed.</summary>
    HeaderJwk,

    /// <summary>The <c>kid</c>, resolved by an <see cref="IVerificationMethodResolver"/>.</summary>
    ResolvedKeyId,

    /// <summary>A key the caller supplied.</summary>
    Provided,
}

/// <summary>
/// Outcome of <see cref="VcJwtVerifier"/>. The payload and credential are exposed only once the
/// signature has verified. Dispose to release the parsed payload.
/// </summary>
public sealed class VcJwtVerificationResult : IDisposable
{
    private JsonDocument? _payload;
    private JsonDocument? _header;

    internal VcJwtVerificationResult()
    {
    }

    public bool IsValid => Failure == VcJwtFailure.None;

    public VcJwtFailure Failure { get; internal set; }

    /// <summary>A short explanation for logs; never contains key material or credential content.</summary>
    public string? Detail { get; internal set; }

    public IReadOnlyList<string> UnexpectedHeaderParameters { get; internal set; } = [];

    public VcJwtFormat Format { get; internal set; }

    public string? Algorithm { get; internal set; }

    public string? KeyId { get; internal set; }

    public VcJwtKeySource KeySource { get; internal set; }

    public VerificationKey? Key { get; internal set; }

    /// <summary>The resolved verification method, when the key came from <c>kid</c>.</summary>
    public ResolvedVerificationMethod? VerificationMethod { get; internal set; }

    /// <summary>True once the signature verified (later claim checks may still fail).</summary>
    public bool SignatureVerified { get; internal set; }

    /// <summary>The JOSE header (available once parsed).</summary>
    public JsonElement Header => _header?.RootElement ?? default;

    /// <summary>The whole payload (after signature verification).</summary>
    public JsonElement Payload => _payload?.RootElement ?? default;

    /// <summary>The credential: the payload, or its <c>vc</c> claim (after signature verification).</summary>
    public JsonElement Credential { get; internal set; }

    public DateTimeOffset? NotBefore { get; internal set; }

    public DateTimeOffset? Expires { get; internal set; }

    internal void SetHeader(JsonDocument header) => _header = header;

    internal void SetPayload(JsonDocument payload) => _payload = payload;

    internal VcJwtVerificationResult Fail(VcJwtFailure failure, string? detail = null)
    {
        Failure = failure;
        Detail = detail;
        return this;
    }

    public void Dispose()
    {
        _payload?.Dispose();
        _header?.Dispose();
        _payload = null;
        _header = null;
    }
}
