using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>Verification relationships of a DID / controller document (DID Core §5.3).</summary>
[Flags]
public enum VerificationRelationships
{
    None = 0,
    Authentication = 1,
    AssertionMethod = 2,
    KeyAgreement = 4,
    CapabilityInvocation = 8,
    CapabilityDelegation = 16,
}

/// <summary>
/// Why the resolver believes the key belongs to the controller (T-12, KEY-5). Only
/// <see cref="SelfCertifying"/> and <see cref="LocallyRegistered"/> authenticate an issuer offline.
/// </summary>
public enum KeyProvenance
{
    /// <summary>The identifier is the key (did:key, did:jwk): whoever signed controls the DID.</summary>
    SelfCertifying,

    /// <summary>From a controller document the host registered (its own issuers, a local trust list).</summary>
    LocallyRegistered,

    /// <summary>
    /// Taken from a <c>#z6Mk…</c> fragment of an https URL without fetching the controller document
    /// (what the 1EdTech validator does). Proves only that someone signed, not that the URL's owner did.
    /// </summary>
    FragmentDerived,

    /// <summary>
    /// From a controller document fetched over https from a host the operator allow-listed (did:web, https
    /// issuers): the host's TLS certificate vouches for the document.
    /// </summary>
    Fetched,
}

/// <summary>Resolution failures; a resolver reports these instead of throwing.</summary>
public enum ResolutionError
{
    None,

    /// <summary>Not a syntactically valid DID, DID URL or https URL.</summary>
    InvalidIdentifier,

    /// <summary>No resolver handles this DID method or URL scheme (e.g. remote resolution, offline).</summary>
    MethodNotSupported,

    /// <summary>The controller or the verification method is unknown.</summary>
    NotFound,

    /// <summary>The controller document is malformed.</summary>
    InvalidDocument,

    /// <summary>The verification method exists but its type or key type is not supported.</summary>
    UnsupportedVerificationMethod,

    /// <summary>The key inside the identifier or document is malformed.</summary>
    InvalidKey,
}

/// <summary>A dereferenced verification method with its public key.</summary>
public sealed class ResolvedVerificationMethod
{
    public ResolvedVerificationMethod(
        string id, string type, string controller, VerificationKey publicKey,
        VerificationRelationships relationships, KeyProvenance provenance)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(publicKey);
        Id = id;
        Type = type;
        Controller = controller;
        PublicKey = publicKey;
        Relationships = relationships;
        Provenance = provenance;
    }

    /// <summary>Absolute verification method id (<c>did:key:z6Mk…#z6Mk…</c>, <c>https://…#key-1</c>).</summary>
    public string Id { get; }

    /// <summary><c>Multikey</c>, <c>JsonWebKey</c>, <c>JsonWebKey2020</c> or <c>Ed25519VerificationKey2020</c>.</summary>
    public string Type { get; }

    public string Controller { get; }

    public VerificationKey PublicKey { get; }

    /// <summary>Relationships the controller document lists this method under.</summary>
    public VerificationRelationships Relationships { get; }

    public KeyProvenance Provenance { get; }

    /// <summary>True when the key is bound to its controller (not <see cref="KeyProvenance.FragmentDerived"/>).</summary>
    public bool IsControllerAuthenticated => Provenance != KeyProvenance.FragmentDerived;

    /// <summary>True when listed under every relationship in <paramref name="relationship"/>.</summary>
    public bool IsAuthorizedFor(VerificationRelationships relationship) => (Relationships & relationship) == relationship;
}

/// <summary>Outcome of dereferencing a verification method URL.</summary>
public sealed class VerificationMethodResolution
{
    private VerificationMethodResolution(ResolvedVerificationMethod? method, ResolutionError error, string? detail)
    {
        Method = method;
        Error = error;
        Detail = detail;
    }

    public bool Succeeded => Method is not null;

    public ResolvedVerificationMethod? Method { get; }

    public ResolutionError Error { get; }

    /// <summary>A short explanation for logs (never contains key material).</summary>
    public string? Detail { get; }

    public static VerificationMethodResolution Success(ResolvedVerificationMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new(method, ResolutionError.None, null);
    }

    public static VerificationMethodResolution Failure(ResolutionError error, string? detail = null)
    {
        if (error == ResolutionError.None)
        {
            throw new ArgumentOutOfRangeException(nameof(error));
        }

        return new(null, error, detail);
    }
}

/// <summary>Outcome of resolving a DID (or controller URL) to its document.</summary>
public sealed class DidResolution
{
    private DidResolution(ReadOnlyMemory<byte> document, ResolutionError error, string? detail)
    {
        DocumentUtf8 = document;
        Error = error;
        Detail = detail;
    }

    public bool Succeeded => Error == ResolutionError.None;

    /// <summary>The DID / controller document as UTF-8 JSON.</summary>
    public ReadOnlyMemory<byte> DocumentUtf8 { get; }

    public ResolutionError Error { get; }

    public string? Detail { get; }

    public static DidResolution Success(ReadOnlyMemory<byte> documentUtf8) => new(documentUtf8, ResolutionError.None, null);

    public static DidResolution Failure(ResolutionError error, string? detail = null)
    {
        if (error == ResolutionError.None)
        {
            throw new ArgumentOutOfRangeException(nameof(error));
        }

        return new(default, error, detail);
    }
}

/// <summary>Dereferences verification method URLs. Reports failures as results, never throws for bad input.</summary>
public interface IVerificationMethodResolver
{
    ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default);
}

/// <summary>Resolves DIDs (and https controller ids) to documents.</summary>
public interface IDidResolver
{
    ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default);
}
