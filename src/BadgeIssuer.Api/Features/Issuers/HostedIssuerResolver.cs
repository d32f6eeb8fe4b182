using System.Collections.Concurrent;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Issuers;

/// <summary>
/// Resolves the DIDs and verification methods of issuers hosted here from the database (no network): the DID
/// document is the one served at <c>/issuers/{slug}/did.json</c>, with every key the issuer ever had. An issuer is
/// found by every name it has here (<see cref="PublicUrls.IssuerSlug"/>: its did:web DID in any equivalent spelling,
/// its profile URL, its DID document URL, on any host name of the service), and a method URL that spells its name
/// differently is looked up in that same document, so no name of a hosted issuer gets a key from anywhere else. Any
/// other did:web or https controller goes to the remote resolvers given (Verify's <c>RemoteResolution</c>, which fetches
/// only from allow-listed hosts, off by default, and otherwise passes it on to the next resolver).
/// </summary>
internal sealed class HostedIssuerResolver(
    IBadgeStorage storage, IssuerService issuers, PublicUrls urls, TimeProvider timeProvider, IVerificationMethodResolver remoteMethods, IDidResolver remoteDids)
    : IVerificationMethodResolver, IDidResolver
{
    private static readonly TimeSpan s_cacheFor = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_refreshAfter = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (Hosted? Issuer, DateTimeOffset LoadedAt)> _cache = new(StringComparer.Ordinal);

    /// <summary>The hosted issuer <paramref name="identifier"/> names, with the keys of its DID document; null when none.</summary>
    public async ValueTask<KnownIssuer?> FindAsync(string identifier, CancellationToken cancellationToken = default)
        => (await HostedAsync(identifier, cancellationToken))?.Keys;

    public async ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        int hash = verificationMethodUrl.IndexOf('#', StringComparison.Ordinal);
        string controller = hash > 0 ? verificationMethodUrl[..hash] : string.Empty;
        string fragment = hash > 0 ? verificationMethodUrl[(hash + 1)..] : string.Empty;
        Hosted? hosted = fragment.Length > 0 ? await HostedAsync(controller, cancellationToken) : null;
        if (hosted is null)
        {
            return await remoteMethods.ResolveVerificationMethodAsync(verificationMethodUrl, cancellationToken);
        }

        // The method as the issuer's own document names it, however the URL spelled the issuer.
        string method = hosted.Record.Id + "#" + fragment;
        VerificationMethodResolution resolution = await hosted.ResolveAsync(method, cancellationToken);
        if (!resolution.Succeeded && Key(controller) is { } key && _cache.TryGetValue(key, out var cached) && timeProvider.GetUtcNow() - cached.LoadedAt >= s_refreshAfter)
        {
            // Another instance may have rotated the issuer's keys since this copy was read: read the document again
            // (at most once a second per issuer, so unknown key ids cannot turn every request into a database read).
            _cache.TryRemove(key, out _);
            if (await HostedAsync(controller, cancellationToken) is { } fresh)
            {
                resolution = await fresh.ResolveAsync(method, cancellationToken);
            }
        }

        return resolution;
    }

    public async ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        Hosted? hosted = await HostedAsync(did, cancellationToken);
        if (hosted is null)
        {
            return await remoteDids.ResolveDidAsync(did, cancellationToken);
        }

        return hosted.Registry is null
            ? await DidKeyResolver.Instance.ResolveDidAsync(hosted.Record.Id, cancellationToken)
            : await hosted.Registry.ResolveDidAsync(hosted.Record.Id, cancellationToken);
    }

    /// <summary>Forgets an issuer's cached document (after a key rotation on this instance).</summary>
    public void Invalidate(string did)
    {
        foreach (KeyValuePair<string, (Hosted? Issuer, DateTimeOffset LoadedAt)> entry in _cache)
        {
            if (entry.Value.Issuer is { } hosted && string.Equals(hosted.Record.Id, did, StringComparison.Ordinal))
            {
                _cache.TryRemove(entry.Key, out _);
            }
        }

        _cache.TryRemove("id:" + did, out _);
    }

    /// <summary>The cache key of the issuer an identifier may name: its slug, or its id as stored; null when it names none here.</summary>
    private string? Key(string identifier)
    {
        if (identifier.Length > 512)
        {
            return null;
        }

        if (urls.IssuerSlug(identifier) is { } slug)
        {
            return "slug:" + slug;
        }

        // An issuer created under another public base URL keeps the did:web it was given (stored in this spelling).
        if (IdentifierEquivalence.CanonicalDidWeb(identifier) is { } did)
        {
            return "id:" + did;
        }

        return identifier.StartsWith(DidKey.Prefix, StringComparison.Ordinal) ? "id:" + identifier : null;
    }

    private async ValueTask<Hosted?> HostedAsync(string identifier, CancellationToken cancellationToken)
    {
        // No hosted issuer's id holds a control character (and PostgreSQL text refuses NUL): not one of ours.
        if (identifier.Any(char.IsControl) || Key(identifier) is not { } key)
        {
            return null;
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && now - cached.LoadedAt < s_cacheFor)
        {
            return cached.Issuer;
        }

        IssuerRecord? record = key.StartsWith("slug:", StringComparison.Ordinal)
            ? await storage.Issuers.GetBySlugAsync(key["slug:".Length..], cancellationToken)
            : await storage.Issuers.GetAsync(key["id:".Length..], cancellationToken);
        Hosted? hosted = record is null ? null : await LoadAsync(record, cancellationToken);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[key] = (hosted, now);
        return hosted;
    }

    private async ValueTask<Hosted?> LoadAsync(IssuerRecord record, CancellationToken cancellationToken)
    {
        if (await issuers.BuildDidDocumentAsync(record, cancellationToken) is { } document)
        {
            var registry = new LocalControllerRegistry();
            registry.Register(document);
            var methods = new List<ResolvedVerificationMethod>();
            foreach (IssuerKeyRecord key in await storage.Issuers.ListKeysAsync(record.Id, cancellationToken))
            {
                string fragment = key.KeyId[(key.KeyId.IndexOf('#', StringComparison.Ordinal) + 1)..];
                if ((await registry.ResolveVerificationMethodAsync(record.Id + "#" + fragment, cancellationToken)).Method is { } method)
                {
                    methods.Add(method);
                }
            }

            return new Hosted(record, registry, new KnownIssuer(record.Id, null, methods));
        }

        // A did:key issuer: its one key is its DID.
        VerificationMethodResolution self = await DidKeyResolver.Instance.ResolveVerificationMethodAsync(record.Id, cancellationToken);
        return self.Method is { } own ? new Hosted(record, null, new KnownIssuer(record.Id, null, [own])) : null;
    }

    /// <summary>A hosted issuer: its record, its DID document (did:web; null for did:key) and the keys in it.</summary>
    private sealed record Hosted(IssuerRecord Record, LocalControllerRegistry? Registry, KnownIssuer Keys)
    {
        public ValueTask<VerificationMethodResolution> ResolveAsync(string method, CancellationToken cancellationToken)
            => Registry is null
                ? DidKeyResolver.Instance.ResolveVerificationMethodAsync(method, cancellationToken)
                : Registry.ResolveVerificationMethodAsync(method, cancellationToken);
    }
}
