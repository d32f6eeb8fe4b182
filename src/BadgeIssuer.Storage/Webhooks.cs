using System.Buffers;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.Storage;

/// <summary>
/// A webhook endpoint of an issuer: where events go (<see cref="Url"/>), which ones (<see cref="EventTypes"/>,
/// space-separated) and the signing secret, encrypted by the caller (<see cref="ProtectedSecret"/> is opaque here).
/// A disabled endpoint gets no new deliveries and its pending ones wait until it is enabled again.
/// </summary>
public sealed record WebhookEndpointRecord(
    string Id,
    string IssuerId,
    string Url,
    string EventTypes,
    string Description,
    ReadOnlyMemory<byte> ProtectedSecret,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// One message for one endpoint in the outbox. <see cref="Seq"/> orders an endpoint's deliveries; <see cref="MessageId"/>
/// is the <c>webhook-id</c> (the same on every attempt and on a redelivery). <see cref="State"/> is one of
/// <see cref="WebhookDeliveryStates"/>.
/// </summary>
public sealed record WebhookDeliveryRecord(
    long Seq,
    string EndpointId,
    string MessageId,
    string EventType,
    string Payload,
    DateTimeOffset CreatedAt,
    string State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? CompletedAt,
    int? LastStatusCode,
    string? LastError);

/// <summary>Delivery states.</summary>
public static class WebhookDeliveryStates
{
    /// <summary>Not yet acknowledged; retried until it succeeds or gives up.</summary>
    public const string Pending = "pending";

    /// <summary>The endpoint answered 2xx.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Gave up after the last attempt (or the maximum age).</summary>
    public const string Failed = "failed";
}

/// <summary>One attempt to deliver: when, the HTTP status (null when there was no answer) or the error, and how long it took.</summary>
public sealed record WebhookAttemptRecord(long DeliverySeq, DateTimeOffset AttemptedAt, int? StatusCode, string? Error, int DurationMilliseconds);

/// <summary>A delivery leased to one sender, with its endpoint (URL and protected secret).</summary>
public sealed record WebhookClaim(WebhookDeliveryRecord Delivery, WebhookEndpointRecord Endpoint);

/// <summary>What a redelivery request did.</summary>
public enum WebhookRedeliveryOutcome
{
    /// <summary>A new pending copy is queued.</summary>
    Queued,
    /// <summary>The endpoint never had a message with that id.</summary>
    UnknownMessage,
    /// <summary>A copy of the message is still pending for the endpoint: it goes anyway, a second copy is not queued.</summary>
    AlreadyPending,
    /// <summary>The endpoint has too many pending deliveries to queue another.</summary>
    Backlog,
}

/// <summary>The rules both backends apply before queueing a redelivery.</summary>
public static class WebhookRedeliveryRules
{
    /// <summary>
    /// Why a redelivery is refused, from the endpoint's counts: copies of the message (<paramref name="known"/>), pending
    /// copies of it (<paramref name="pendingCopies"/>) and all its pending deliveries; null when it may be queued.
    /// </summary>
    public static WebhookRedeliveryOutcome? Refusal(long known, long pendingCopies, long pending, int maxPending) =>
        known == 0 ? WebhookRedeliveryOutcome.UnknownMessage
        : pendingCopies > 0 ? WebhookRedeliveryOutcome.AlreadyPending
        : pending >= maxPending ? WebhookRedeliveryOutcome.Backlog
        : null;
}

/// <summary>The outcome of a redelivery and, when <see cref="WebhookRedeliveryOutcome.Queued"/>, the new delivery.</summary>
public sealed record WebhookRedelivery(WebhookRedeliveryOutcome Outcome, WebhookDeliveryRecord? Delivery = null);

/// <summary>What an attempt means for its delivery.</summary>
public enum WebhookAttemptOutcome
{
    /// <summary>Acknowledged: the delivery is done.</summary>
    Succeeded,
    /// <summary>Try again at the given time.</summary>
    Retry,
    /// <summary>Give up: the delivery failed for good and the endpoint's next delivery may go.</summary>
    Failed,
}

/// <summary>
/// Webhook endpoints and the transactional outbox. The credential and status stores write deliveries for every
/// enabled endpoint of the issuer subscribed to the event in the same transaction as the change; senders lease the
/// oldest pending delivery of each endpoint (never a later one while an earlier one is pending), so delivery is at
/// least once and in order per endpoint, and a lease that expires (a sender that died) makes the delivery due again.
/// </summary>
public interface IWebhookStore
{
    /// <summary>Adds an endpoint unless the issuer already has <paramref name="maxPerIssuer"/>; false then (nothing written).</summary>
    Task<bool> CreateEndpointAsync(WebhookEndpointRecord endpoint, int maxPerIssuer, CancellationToken cancellationToken = default);
    Task<WebhookEndpointRecord?> GetEndpointAsync(string id, CancellationToken cancellationToken = default);
    /// <summary>The issuer's endpoints, oldest first.</summary>
    Task<IReadOnlyList<WebhookEndpointRecord>> ListEndpointsAsync(string issuerId, CancellationToken cancellationToken = default);

    /// <summary>Every endpoint of every issuer (for re-wrapping their secrets under a new key-encryption key).</summary>
    Task<IReadOnlyList<WebhookEndpointRecord>> ListAllEndpointsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces an endpoint's protected secret only if it is still <paramref name="expected"/> (a concurrent rotation
    /// or re-wrap wins); true when replaced.
    /// </summary>
    Task<bool> ReplaceProtectedSecretAsync(string id, ReadOnlyMemory<byte> expected, byte[] replacement, CancellationToken cancellationToken = default);
    /// <summary>
    /// Replaces URL, event types, description, enabled flag and update time (never the secret: only
    /// <see cref="ReplaceProtectedSecretAsync"/> changes it, so an update cannot restore an older secret); false when there is no
    /// such endpoint.
    /// </summary>
    Task<bool> UpdateEndpointAsync(WebhookEndpointRecord endpoint, CancellationToken cancellationToken = default);
    /// <summary>Removes the endpoint with its deliveries and attempts; false when there is no such endpoint.</summary>
    Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Leases up to <paramref name="max"/> due deliveries to <paramref name="owner"/> until <paramref name="leaseUntil"/>:
    /// for each enabled endpoint only its oldest pending delivery, and only when its next attempt is due and no unexpired
    /// lease holds it. Safe with several senders on one database: each delivery goes to one of them.
    /// <para>
    /// Fair across issuers: <paramref name="owner"/> never holds more than <paramref name="maxPerIssuer"/> unexpired
    /// leases of one issuer's deliveries (those it holds already count), and the free places go round the issuers
    /// (each issuer's first before any issuer's second), oldest first within a round.
    /// </para>
    /// </summary>
    Task<IReadOnlyList<WebhookClaim>> ClaimDueAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int max, int maxPerIssuer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records an attempt and, while <paramref name="owner"/> still holds the lease, moves the delivery on
    /// (<paramref name="outcome"/>; <paramref name="nextAttemptAt"/> for a retry) and releases the lease.
    /// False when the lease was lost (the attempt is still logged).
    /// </summary>
    Task<bool> RecordAttemptAsync(string owner, WebhookAttemptRecord attempt, WebhookAttemptOutcome outcome, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken = default);

    /// <summary>The endpoint's deliveries, newest first: at most <paramref name="limit"/>, older than <paramref name="beforeSeq"/> when given.</summary>
    Task<IReadOnlyList<WebhookDeliveryRecord>> ListDeliveriesAsync(string endpointId, int limit, long? beforeSeq = null, CancellationToken cancellationToken = default);
    /// <summary>The attempts of the given deliveries, oldest first.</summary>
    Task<IReadOnlyList<WebhookAttemptRecord>> ListAttemptsAsync(IReadOnlyList<long> deliverySeqs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues the message (by <c>webhook-id</c>) to the endpoint again, as a new pending delivery after the endpoint's
    /// others. Refused (nothing written) when the endpoint never had that message, when a copy of it is still pending
    /// for the endpoint, or when the endpoint already has <paramref name="maxPending"/> or more pending deliveries.
    /// Concurrent redeliveries to one endpoint are serialized, so two of them never both pass these checks.
    /// </summary>
    Task<WebhookRedelivery> RedeliverAsync(string endpointId, string messageId, DateTimeOffset now, int maxPending, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks pending deliveries created before <paramref name="createdBefore"/> that no unexpired lease holds as failed
    /// (completed at <paramref name="now"/>, with <paramref name="reason"/> as the last error), so that <see cref="PurgeAsync"/> deletes them
    /// in time; the number marked. For when nothing sends (webhooks off): the outbox does not grow without bound.
    /// </summary>
    Task<int> ExpirePendingAsync(DateTimeOffset createdBefore, DateTimeOffset now, string reason, CancellationToken cancellationToken = default);

    /// <summary>Deletes finished (succeeded or failed) deliveries completed before <paramref name="completedBefore"/>, with their attempts.</summary>
    Task<int> PurgeAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken = default);
}

/// <summary>Event types and payloads, shared by the backends that write them into the outbox.</summary>
public static class WebhookEvents
{
    public const string CredentialIssued = "credential.issued";
    public const string CredentialRevoked = "credential.revoked";
    public const string CredentialSuspended = "credential.suspended";
    public const string CredentialReinstated = "credential.reinstated";

    /// <summary>Every event type an endpoint may subscribe to.</summary>
    public static readonly IReadOnlyList<string> All = [CredentialIssued, CredentialRevoked, CredentialSuspended, CredentialReinstated];

    /// <summary>A fresh message id (the <c>webhook-id</c> header).</summary>
    public static string NewMessageId() => "msg_" + Guid.NewGuid().ToString("N");

    /// <summary>The event a status change is, or null when it is none of ours (another purpose, or no change).</summary>
    public static string? ForStatusChange(string purpose, int oldValue, int newValue) => (purpose, oldValue, newValue) switch
    {
        ("revocation", 0, not 0) => CredentialRevoked,
        ("suspension", 0, not 0) => CredentialSuspended,
        ("suspension", not 0, 0) or ("revocation", not 0, 0) => CredentialReinstated,
        _ => null,
    };

    /// <summary>Whether <paramref name="eventTypes"/> (space-separated, as stored) holds <paramref name="eventType"/>.</summary>
    public static bool Subscribes(string eventTypes, string eventType) =>
        eventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(eventType, StringComparer.Ordinal);

    /// <summary>
    /// The message body: <c>{type, timestamp, data: {credentialId, issuerId, achievementId?, statusPurpose?, reason?}}</c>.
    /// Never the credential itself nor anything about its recipient.
    /// </summary>
    public static string Payload(
        string type, DateTimeOffset timestamp, string credentialId, string issuerId, string? achievementId, string? statusPurpose = null, string? reason = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("timestamp", timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteStartObject("data");
            writer.WriteString("credentialId", credentialId);
            writer.WriteString("issuerId", issuerId);
            if (achievementId is not null)
            {
                writer.WriteString("achievementId", achievementId);
            }

            if (statusPurpose is not null)
            {
                writer.WriteString("statusPurpose", statusPurpose);
            }

            if (reason is not null)
            {
                writer.WriteString("reason", reason);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
