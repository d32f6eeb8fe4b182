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
