using BadgeIssuer.Api.Features.Status;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// This service's records of its own lists (the latest change of an entry: when, to what, why), from storage; null for
/// any other list, whose documents carry no such record.
/// </summary>
internal sealed class LocalStatusRecordSource(IBadgeStorage storage, PublicUrls urls) : IStatusRecordSource
{
    public async ValueTask<StatusEntryRecord?> GetLatestAsync(string statusListCredential, int index, CancellationToken cancellationToken = default)
    {
        if (urls.LocalId(statusListCredential, "/status-lists/") is not { Length: <= 64 } listId)
        {
            return null;
        }

        StatusChangeRecord? change = await storage.StatusLists.GetLatestChangeAsync(listId, index, cancellationToken);
        return change is null ? null : new StatusEntryRecord(change.ChangedAt, change.NewValue, change.Reason, change.CredentialId);
    }
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

/// <summary>
/// The resources <c>relatedResource</c> entries name, for their digests (VC 2.0 §5.3): the JSON-LD contexts bundled with
/// the service, the status lists this service publishes (read locally, as <c>application/vc+ld+json</c>), and anything
/// else only through <see cref="RemoteResolution"/> (when <c>Verify:Remote:Mode</c> allows the URL). A resource none of
/// them has is reported as not checked, with each reason.
/// </summary>
internal sealed class RelatedResourceSource(StatusListPublisher publisher, PublicUrls urls, RemoteResolution remote) : IRelatedResourceSource
{
    public async ValueTask<RelatedResourceContent> GetAsync(string url, string? mediaType, int maxBytes, CancellationToken cancellationToken = default)
    {
        RelatedResourceContent bundled = await BundledContextResources.Instance.GetAsync(url, mediaType, maxBytes, cancellationToken);
        if (bundled.Content is not null)
        {
            return bundled;
        }

        if (urls.LocalId(url, "/status-lists/") is { Length: <= 64 } listId)
        {
            PublishedStatusList? list = await publisher.GetAsync(listId, jwt: false, cancellationToken);
            return list is null
                ? RelatedResourceContent.NotAvailable("no status list of this service has this URL")
                : list.Body.Length > maxBytes
                    ? RelatedResourceContent.NotAvailable($"the status list is larger than {maxBytes} bytes")
                    : new RelatedResourceContent(list.Body, "application/vc+ld+json", "status list published by this service", null);
        }

        RelatedResourceContent fetched = await remote.GetResourceAsync(url, mediaType, maxBytes, cancellationToken);
        return fetched.Content is not null
            ? fetched
            : RelatedResourceContent.NotAvailable($"{bundled.Unavailable}; {fetched.Unavailable}");
    }
}
