using System.Collections.Concurrent;
using System.Globalization;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Status;

/// <summary>A signed status list as published: the body and its validator.</summary>
internal sealed record PublishedStatusList(byte[] Body, string ETag, long Version);

/// <summary>
/// Publishes an issuer's Bitstring Status Lists as issuer-signed <c>BitstringStatusListCredential</c>s (SL-3): Data
/// Integrity JSON or VC-JWT. A list is re-signed only when its version changed: every request asks the database for
/// the version (one indexed read) and serves the signed copy cached for it, so no reader ever gets a list older than
/// a change that was acknowledged, on this instance or another.
/// </summary>
internal sealed class StatusListPublisher(IBadgeStorage storage, IssuerService issuers, PublicUrls urls, IOptions<BadgeIssuerOptions> options)
{
    private readonly ConcurrentDictionary<(string ListId, bool Jwt), PublishedStatusList> _cache = new();
    private readonly ConcurrentDictionary<(string ListId, bool Jwt), Task<PublishedStatusList?>> _signing = new();

    public async Task<PublishedStatusList?> GetAsync(string listId, bool jwt, CancellationToken cancellationToken)
    {
        long? version = await storage.StatusLists.GetVersionAsync(listId, cancellationToken);
        if (version is null)
        {
            return null;
        }

        while (true)
        {
            if (_cache.TryGetValue((listId, jwt), out PublishedStatusList? cached) && cached.Version >= version)
            {
                return cached;
            }

            // One signing per list and form at a time: readers that arrive while a new version is being signed wait
            // for that copy instead of each signing it again. A copy older than the version this reader saw (the
            // signing started before the change) sends it round again.
            Task<PublishedStatusList?> signing = _signing.GetOrAdd((listId, jwt), key => SignLatestAsync(key.ListId, key.Jwt));
            PublishedStatusList? published;
            try
            {
                published = await signing.WaitAsync(cancellationToken);
            }
            finally
            {
                if (signing.IsCompleted)
                {
                    _signing.TryRemove(new KeyValuePair<(string, bool), Task<PublishedStatusList?>>((listId, jwt), signing));
                }
            }

            if (published is null || published.Version >= version)
            {
                return published;
            }
        }
    }

    private async Task<PublishedStatusList?> SignLatestAsync(string listId, bool jwt)
    {
        // Not the caller's token: other readers wait for this result too.
        await Task.Yield();
        StatusListRecord? record = await storage.StatusLists.GetAsync(listId, CancellationToken.None);
        if (record is null)
        {
            return null;
        }

        IssuerSigning issuer = await issuers.GetSigningAsync(record.IssuerId, CancellationToken.None)
            ?? throw new InvalidOperationException("The status list's issuer is gone.");
        PublishedStatusList published = Sign(record, issuer, jwt);
        _cache.AddOrUpdate((listId, jwt), published, (_, existing) => existing.Version >= published.Version ? existing : published);
        return published;
    }

    private PublishedStatusList Sign(StatusListRecord record, IssuerSigning issuer, bool jwt)
    {
        string url = urls.StatusList(record.ListId);
        if (!StatusPurposes.TryParse(record.Purpose, out StatusPurpose purpose))
        {
            throw new InvalidOperationException($"Status list '{record.ListId}' has an unknown purpose.");
        }

        BitstringStatusList list = BitstringStatusList.FromBits(record.Bitstring.Span, record.StatusSize);
        BitstringStatusListCredential credential = StatusListCredentialIssuer.Build(
            url, issuer.Record.Id, purpose, list, record.UpdatedAt, options.Value.StatusListTtlSeconds * 1000L);
        byte[] body = StatusListCredentialIssuer.Sign(credential, jwt, issuer.DataIntegrityKey, issuer.DataIntegrityMethodId, issuer.KeyJwt, issuer.Rs256Jwt);
        string etag = "\"" + record.ListId + "-" + record.Version.ToString(CultureInfo.InvariantCulture) + (jwt ? "-jwt" : "-di") + "\"";
        return new PublishedStatusList(body, etag, record.Version);
    }
}
