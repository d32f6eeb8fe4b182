using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>
/// Resolves did:key (Ed25519 <c>z6Mk…</c>, P-256 <c>zDn…</c>, P-384 <c>z82…</c>) locally. Accepts
/// <c>did:key:z6Mk…#z6Mk…</c> and, as the 1EdTech validator does, the bare DID <c>did:key:z6Mk…</c> as the
/// verification method.
/// </summary>
public sealed class DidKeyResolver : IVerificationMethodResolver, IDidResolver
{
    public static DidKeyResolver Instance { get; } = new();

    public ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        return ValueTask.FromResult(Resolve(verificationMethodUrl));
    }

    public ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(did);
        if (!did.StartsWith(DidKey.Prefix, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(DidResolution.Failure(ResolutionError.MethodNotSupported));
        }

        if (did.Contains('#', StringComparison.Ordinal) || !DidKey.TryParsePublicKey(did, out VerificationKey? key))
        {
            return ValueTask.FromResult(DidResolution.Failure(ResolutionError.InvalidIdentifier, "Not an Ed25519, P-256 or P-384 did:key DID."));
        }

        using (key)
        {
            return ValueTask.FromResult(DidResolution.Success(DidDocumentWriter.Build(w => DidKey.WriteDocument(w, key), indented: false)));
        }
    }

    private static VerificationMethodResolution Resolve(string url)
    {
        if (!url.StartsWith(DidKey.Prefix, StringComparison.Ordinal))
        {
            return VerificationMethodResolution.Failure(ResolutionError.MethodNotSupported);
        }

        DidDocumentWriter.Split(url, out string did, out string? fragment);
        string msid = did[DidKey.Prefix.Length..];
        if (fragment is not null && !string.Equals(fragment, msid, StringComparison.Ordinal))
        {
            return VerificationMethodResolution.Failure(ResolutionError.NotFound, "A did:key document has only the verification method #<method-specific-id>.");
        }

        if (DidKey.MethodSpecificId(url) is null)
        {
            return VerificationMethodResolution.Failure(ResolutionError.InvalidIdentifier, "Not a did:key DID URL.");
        }

        if (Multikey.TryDecodePublicKey(msid, out VerificationKey? key) != KeyFormatError.None)
        {
            bool known = msid.StartsWith(Multikey.Ed25519PublicKeyPrefix, StringComparison.Ordinal)
                || msid.StartsWith(Multikey.P256PublicKeyPrefix, StringComparison.Ordinal)
                || msid.StartsWith(Multikey.P384PublicKeyPrefix, StringComparison.Ordinal);
            return VerificationMethodResolution.Failure(
                msid.StartsWith('z') && !known ? ResolutionError.UnsupportedVerificationMethod : ResolutionError.InvalidKey,
                "Only Ed25519 (z6Mk…), P-256 (zDn…) and P-384 (z82…) did:key identifiers are supported.");
        }

        return VerificationMethodResolution.Success(new ResolvedVerificationMethod(
            did + "#" + msid, "Multikey", did, key!, DidKey.Relationships, KeyProvenance.SelfCertifying));
    }
}

/// <summary>Resolves did:jwk locally (verification method <c>#0</c>).</summary>
public sealed class DidJwkResolver : IVerificationMethodResolver, IDidResolver
{
    public static DidJwkResolver Instance { get; } = new();

    public ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        if (!verificationMethodUrl.StartsWith(DidJwk.Prefix, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(VerificationMethodResolution.Failure(ResolutionError.MethodNotSupported));
        }

        DidDocumentWriter.Split(verificationMethodUrl, out string did, out string? fragment);
        if (fragment is not null && !string.Equals(fragment, "0", StringComparison.Ordinal))
        {
            return ValueTask.FromResult(VerificationMethodResolution.Failure(ResolutionError.NotFound, "A did:jwk document has only the verification method #0."));
        }

        if (!DidJwk.TryParse(did, out VerificationKey? key, out VerificationRelationships relationships, out ResolutionError error))
        {
            return ValueTask.FromResult(VerificationMethodResolution.Failure(error, "Not a usable did:jwk."));
        }

        return ValueTask.FromResult(VerificationMethodResolution.Success(new ResolvedVerificationMethod(
            did + "#0", "JsonWebKey", did, key, relationships, KeyProvenance.SelfCertifying)));
    }

    public ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(did);
        if (!did.StartsWith(DidJwk.Prefix, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(DidResolution.Failure(ResolutionError.MethodNotSupported));
        }

        try
        {
            return ValueTask.FromResult(DidResolution.Success(DidJwk.CreateDocument(did)));
        }
        catch (FormatException)
        {
            return ValueTask.FromResult(DidResolution.Failure(ResolutionError.InvalidIdentifier, "Not a usable did:jwk."));
        }
    }
}

/// <summary>
/// KEY-5, opt-in: for <c>https://host/path#z6Mk…</c> (or <c>did:web:…#z6Mk…</c>, whose document cannot be
/// fetched offline) takes the Ed25519 key from the fragment without any document, as the 1EdTech validator
/// does. Results carry <see cref="KeyProvenance.FragmentDerived"/>: the signature is checkable but the issuer
/// is NOT authenticated. Add it last to a composite.
/// </summary>
public sealed class UnverifiedFragmentKeyResolver : IVerificationMethodResolver
{
    public static UnverifiedFragmentKeyResolver Instance { get; } = new();

    public ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        DidDocumentWriter.Split(verificationMethodUrl, out string controller, out string? fragment);
        if (!Uri.TryCreate(controller, UriKind.Absolute, out Uri? uri)
            || !(string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) || string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal)
                || controller.StartsWith(DidWeb.Prefix, StringComparison.Ordinal))
            || fragment is null || !fragment.StartsWith(Multikey.Ed25519PublicKeyPrefix, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(VerificationMethodResolution.Failure(ResolutionError.MethodNotSupported));
        }

        if (!Ed25519PublicKey.TryImportMultibase(fragment, out Ed25519PublicKey? key))
        {
            return ValueTask.FromResult(VerificationMethodResolution.Failure(ResolutionError.InvalidKey, "The fragment is not a valid Ed25519 multikey."));
        }

        return ValueTask.FromResult(VerificationMethodResolution.Success(new ResolvedVerificationMethod(
            verificationMethodUrl, "Multikey", controller, key, VerificationRelationships.AssertionMethod, KeyProvenance.FragmentDerived)));
    }
}

/// <summary>
/// Tries resolvers in order. The first success wins; a definite failure (invalid identifier,
/// document or key) from a resolver that handles the method stops the search; otherwise the result
/// is <see cref="ResolutionError.NotFound"/> or, if nobody handled it, <see cref="ResolutionError.MethodNotSupported"/>.
/// </summary>
public sealed class CompositeVerificationMethodResolver : IVerificationMethodResolver, IDidResolver
{
    private readonly IVerificationMethodResolver[] _resolvers;

    public CompositeVerificationMethodResolver(IEnumerable<IVerificationMethodResolver> resolvers)
    {
        ArgumentNullException.ThrowIfNull(resolvers);
        _resolvers = [.. resolvers];
        foreach (IVerificationMethodResolver r in _resolvers)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(resolvers));
        }
    }

    /// <summary>
    /// did:key, did:jwk and (if given) a local registry; with <paramref name="allowUnverifiedFragmentKeys"/>
    /// also <see cref="UnverifiedFragmentKeyResolver"/> as a last resort (issuer not authenticated).
    /// </summary>
    public static CompositeVerificationMethodResolver CreateDefault(LocalControllerRegistry? registry = null, bool allowUnverifiedFragmentKeys = false)
    {
        var list = new List<IVerificationMethodResolver> { DidKeyResolver.Instance, DidJwkResolver.Instance };
        if (registry is not null)
        {
            list.Add(registry);
        }

        if (allowUnverifiedFragmentKeys)
        {
            list.Add(UnverifiedFragmentKeyResolver.Instance);
        }

        return new CompositeVerificationMethodResolver(list);
    }

    public async ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        VerificationMethodResolution? notFound = null;
        foreach (IVerificationMethodResolver resolver in _resolvers)
        {
            VerificationMethodResolution result = await resolver.ResolveVerificationMethodAsync(verificationMethodUrl, cancellationToken).ConfigureAwait(false);
            switch (Classify(result.Error))
            {
                case Outcome.Final:
                    return result;
                case Outcome.NotFound:
                    notFound ??= result;
                    break;
            }
        }

        return notFound ?? VerificationMethodResolution.Failure(ResolutionError.MethodNotSupported, NobodyHandles);
    }

    public async ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(did);
        DidResolution? notFound = null;
        foreach (IVerificationMethodResolver resolver in _resolvers)
        {
            if (resolver is not IDidResolver didResolver)
            {
                continue;
            }

            DidResolution result = await didResolver.ResolveDidAsync(did, cancellationToken).ConfigureAwait(false);
            switch (Classify(result.Error))
            {
                case Outcome.Final:
                    return result;
                case Outcome.NotFound:
                    notFound ??= result;
                    break;
            }
        }

        return notFound ?? DidResolution.Failure(ResolutionError.MethodNotSupported, NobodyHandles);
    }

    private const string NobodyHandles = "No resolver handles this identifier (remote resolution is not available offline).";

    /// <summary>What one resolver's answer means for the chain (shared by verification-method and DID resolution).</summary>
    private enum Outcome
    {
        /// <summary>A success or a definite error: the chain answers with it.</summary>
        Final,

        /// <summary>Not this resolver's method: ask the next one.</summary>
        Next,

        /// <summary>This resolver's method but unknown here: remembered, the next resolvers are still asked.</summary>
        NotFound,
    }

    private static Outcome Classify(ResolutionError error) => error switch
    {
        ResolutionError.MethodNotSupported => Outcome.Next,
        ResolutionError.NotFound => Outcome.NotFound,
        _ => Outcome.Final,
    };
}
