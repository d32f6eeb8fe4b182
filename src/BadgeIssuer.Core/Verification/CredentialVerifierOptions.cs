using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;

namespace BadgeIssuer.Core.Verification;

/// <summary>
/// Supplies status documents by URL: signed <c>BitstringStatusListCredential</c> / <c>StatusList2021Credential</c> JSON
/// (or a compact VC-JWT of one), and 1EdTech revocation lists (VCRL 1.0 JSON). Nothing is fetched by the verifier itself.
/// </summary>
public interface IStatusListCredentialSource
{
    /// <summary>Returns the UTF-8 JSON of the list credential at <paramref name="url"/>, or null when unavailable.</summary>
    ValueTask<ReadOnlyMemory<byte>?> GetAsync(string url, CancellationToken cancellationToken = default);
}

/// <summary>An <see cref="IStatusListCredentialSource"/> over a fixed URL → JSON map (local lists, tests, the CLI).</summary>
public sealed class InMemoryStatusListSource : IStatusListCredentialSource
{
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _lists = new(StringComparer.Ordinal);

    public InMemoryStatusListSource Add(string url, ReadOnlyMemory<byte> listCredentialJson)
    {
        ArgumentNullException.ThrowIfNull(url);
        _lists[url] = listCredentialJson;
        return this;
    }

    public ValueTask<ReadOnlyMemory<byte>?> GetAsync(string url, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_lists.TryGetValue(url, out ReadOnlyMemory<byte> json) ? json : (ReadOnlyMemory<byte>?)null);
}

/// <summary>Options for <see cref="CredentialVerifier"/>.</summary>
public sealed class CredentialVerifierOptions
{
    /// <summary>Largest input accepted (a baked image can be large; JSON and JWT are far smaller).</summary>
    public int MaxInputBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Largest credential JSON accepted after unbaking.</summary>
    public int MaxCredentialBytes { get; init; } = 1024 * 1024;

    public int MaxJsonDepth { get; init; } = 64;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Tolerance for validFrom/validUntil (issuanceDate/expirationDate) and JWT nbf/exp.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Finds verification methods. Default: did:key and did:jwk (self-certifying), plus keys taken from a
    /// <c>z6Mk…</c> fragment of an https or did:web method, reported as "issuer key not authenticated" (DIGEST KEY-5).
    /// <see cref="KnownIssuers"/> are asked first.
    /// </summary>
    public IVerificationMethodResolver Resolver { get; init; } = CompositeVerificationMethodResolver.CreateDefault(allowUnverifiedFragmentKeys: true);

    /// <summary>
    /// Trust policy for keys that only <em>name</em> the issuer: a key taken from a <c>#z6Mk…</c> fragment of the
    /// issuer's URL (<see cref="KeyProvenance.FragmentDerived"/>, as the OB spec examples and 1EdTech fixtures use)
    /// or a VC-JWT header <c>jwk</c> that no known document lists. Such a key proves that someone signed, not that the
    /// issuer did (DIGEST KEY-5, T-12): the <c>issuer-key</c> step is always a warning ("issuer key not
    /// authenticated"); with this policy off (the default) the credential is not verified, with it on it is.
    /// A key the issuer's known or hosted document does not list, or a key controlled by someone else, always fails;
    /// the policy never applies to an issuer that is hosted here or on <see cref="KnownIssuers"/>, however its id is spelled.
    /// </summary>
    public bool TrustVerificationMethodFragment { get; init; }

    /// <summary>The former name of <see cref="TrustVerificationMethodFragment"/> (same setting).</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public bool AllowUnauthenticatedIssuerKeys
    {
        get => TrustVerificationMethodFragment;
        init => TrustVerificationMethodFragment = value;
    }

    /// <summary>
    /// Issuers known here (partners, test issuers): their keys resolve as locally registered, and the
    /// <c>known-issuer</c> step passes for them. Null: no list (every issuer not hosted here is unknown).
    /// </summary>
    public KnownIssuers? KnownIssuers { get; init; }

    /// <summary>
    /// Says whether an issuer id is hosted by this service (its issuers count as known). Null: none is.
    /// <see cref="FindHostedIssuer"/>, when given, is asked first.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<bool>>? IsHostedIssuer { get; init; }

    /// <summary>
    /// Finds the issuer hosted by this service that an identifier names, in any spelling that names it (its did:web DID
    /// in any equivalent spelling, its profile URL, its DID document URL, on any host name of the service), with the
    /// keys of its real key document. Null: none is hosted (or only <see cref="IsHostedIssuer"/> knows).
    /// </summary>
    /// <remarks>
    /// An issuer found here or on <see cref="KnownIssuers"/> is authenticated only by a key of that document: any other
    /// key fails the <c>issuer-key</c> step, whatever <see cref="TrustVerificationMethodFragment"/> says.
    /// </remarks>
    public Func<string, CancellationToken, ValueTask<KnownIssuer?>>? FindHostedIssuer { get; init; }

    /// <summary>Source of status list credentials and revocation lists; null reports status as not checkable.</summary>
    public IStatusListCredentialSource? StatusLists { get; init; }

    /// <summary>The host's records of its own lists (change time and reason per entry); null when it keeps none.</summary>
    public IStatusRecordSource? StatusRecords { get; init; }

    /// <summary>How long a verified status list credential is reused while its bytes are unchanged.</summary>
    public TimeSpan StatusListCacheDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most <c>credentialStatus</c> entries checked per credential (the rest are reported, not checked).</summary>
    public int MaxStatusEntries { get; init; } = 8;

    /// <summary>
    /// Appended to the failed status step when a status list is not available: how to make it available (the host
    /// names its remote-resolution setting; the CLI its option).
    /// </summary>
    public string StatusRetrievalHint { get; init; } = "give the verifier access to the status list to check it";

    /// <summary>
    /// Appended to a failed proof step when the signing key could not be resolved (a did:web or https key this verifier
    /// cannot fetch): how to supply it (the host names its remote-resolution setting; the CLI its options).
    /// </summary>
    public string KeyResolutionHint { get; init; } = "give the verifier the issuer's DID or key document (or list the issuer as a known issuer) to check it";

    /// <summary>Appended when a status list verified only with a key that names its issuer: how to authenticate that key.</summary>
    public string UnauthenticatedListHint { get; init; } = "list the issuer's keys as a known issuer, or accept such keys by the trustVerificationMethodFragment policy";

    /// <summary>How deep endorsements of endorsements are verified (1 = only the credential's own endorsements).</summary>
    public int MaxEndorsementDepth { get; init; } = 3;

    /// <summary>Most endorsements verified for one input, across every level (the rest are reported as skipped).</summary>
    public int MaxEndorsements { get; init; } = 16;

    /// <summary>
    /// How deep credentials embedded in a CLR (<c>credentialSubject.verifiableCredential</c>) are verified: 1 verifies a
    /// CLR's own credentials, 2 also those of a CLR inside it. An embedded credential beyond the bound is not verified, and
    /// the CLR is then not verified either (fail closed).
    /// </summary>
    public int MaxEmbeddedCredentialDepth { get; init; } = 2;

    /// <summary>Most embedded credentials verified for one input, across every level; one more fails the CLR unverified.</summary>
    public int MaxEmbeddedCredentials { get; init; } = 32;

    /// <summary>
    /// Where the resources named by <c>relatedResource</c> come from, for their digests to be checked (VC 2.0 §5.3).
    /// Default: the bundled JSON-LD contexts only. A resource no source has is reported as not checked (a warning).
    /// </summary>
    public IRelatedResourceSource RelatedResources { get; init; } = BundledContextResources.Instance;

    /// <summary>Largest related resource whose digest is computed; a larger one is not checked.</summary>
    public int MaxRelatedResourceBytes { get; init; } = 1024 * 1024;

    /// <summary>Most relatedResource entries checked per credential (the rest are reported, not checked).</summary>
    public int MaxRelatedResources { get; init; } = 16;

    /// <summary>Optional recipient check: an email address or id expected to be the credential subject.</summary>
    public string? ExpectedRecipient { get; init; }

    /// <summary>
    /// The Data Integrity cryptosuites proofs are verified with (credentials, status lists, revocation lists,
    /// endorsements and, through <see cref="PresentationVerifier"/>, presentations). Default: every built-in suite
    /// (<see cref="CryptosuiteSet.Default"/>); a proof of any other suite fails "unsupported cryptosuite &lt;name&gt;".
    /// </summary>
    public CryptosuiteSet Cryptosuites { get; init; } = CryptosuiteSet.Default;
}
