using System.Collections.Concurrent;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Features.Status;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// Resolves the DIDs and verification methods of issuers hosted here from the database (no network): the DID
/// document is the one served at <c>/issuers/{slug}/did.json</c>, with every key the issuer ever had. Any other
/// did:web or https controller goes to <see cref="RemoteResolution"/>, which fetches only from allow-listed hosts
/// (off by default) and otherwise passes it on to the next resolver.
/// </summary>
internal sealed class HostedIssuerResolver(IBadgeStorage storage, IssuerService issuers, TimeProvider timeProvider, RemoteResolution remote) : IVerificationMethodResolver, IDidResolver
{
    private static readonly TimeSpan s_cacheFor = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_refreshAfter = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (LocalControllerRegistry? Registry, DateTimeOffset LoadedAt)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        int hash = verificationMethodUrl.IndexOf('#', StringComparison.Ordinal);
        string did = hash > 0 ? verificationMethodUrl[..hash] : string.Empty;
        LocalControllerRegistry? registry = hash > 0 ? await RegistryAsync(did, cancellationToken) : null;
        if (registry is null)
        {
            return await remote.ResolveVerificationMethodAsync(verificationMethodUrl, cancellationToken);
        }

        VerificationMethodResolution resolution = await registry.ResolveVerificationMethodAsync(verificationMethodUrl, cancellationToken);
        if (!resolution.Succeeded && _cache.TryGetValue(did, out var cached) && timeProvider.GetUtcNow() - cached.LoadedAt >= s_refreshAfter)
        {
            // Another instance may have rotated the issuer's keys since this copy was read: read the document again
            // (at most once a second per issuer, so unknown key ids cannot turn every request into a database read).
            _cache.TryRemove(did, out _);
            if (await RegistryAsync(did, cancellationToken) is { } fresh)
            {
                resolution = await fresh.ResolveVerificationMethodAsync(verificationMethodUrl, cancellationToken);
            }
        }

        return resolution;
    }

    public async ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        LocalControllerRegistry? registry = await RegistryAsync(did, cancellationToken);
        return registry is null
            ? await remote.ResolveDidAsync(did, cancellationToken)
            : await registry.ResolveDidAsync(did, cancellationToken);
    }

    private async ValueTask<LocalControllerRegistry?> RegistryAsync(string did, CancellationToken cancellationToken)
    {
        if (!did.StartsWith(DidWeb.Prefix, StringComparison.Ordinal) || did.Length > 512)
        {
            return null;
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(did, out var cached) && now - cached.LoadedAt < s_cacheFor)
        {
            return cached.Registry;
        }

        LocalControllerRegistry? registry = null;
        if (await storage.Issuers.GetAsync(did, cancellationToken) is { } issuer
            && await issuers.BuildDidDocumentAsync(issuer, cancellationToken) is { } document)
        {
            registry = new LocalControllerRegistry();
            registry.Register(document);
        }

        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[did] = (registry, now);
        return registry;
    }

    /// <summary>Forgets an issuer's cached document (after a key rotation on this instance).</summary>
    public void Invalidate(string did) => _cache.TryRemove(did, out _);
}

/// <summary>
/// Status lists published by this service, read locally (the same signed bytes GET /status-lists serves); other lists
/// only through <see cref="RemoteResolution"/> (allow-listed hosts, off by default).
/// </summary>
internal sealed class LocalStatusListSource(StatusListPublisher publisher, PublicUrls urls, RemoteResolution remote) : IStatusListCredentialSource
{
    public async ValueTask<ReadOnlyMemory<byte>?> GetAsync(string url, CancellationToken cancellationToken = default)
    {
        string? listId = urls.LocalId(url, "/status-lists/");
        if (listId is null)
        {
            return await remote.GetAsync(url, cancellationToken);
        }

        PublishedStatusList? list = await publisher.GetAsync(listId, jwt: false, cancellationToken);
        return list?.Body;
    }
}
