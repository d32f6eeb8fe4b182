using System.Collections.Concurrent;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Storage.Tests;

/// <summary>The webhook outbox: written with the change, claimed in order per endpoint, leased, never twice at once.</summary>
public abstract partial class BadgeStorageContractTests
{
    private const string AllEvents = "credential.issued credential.revoked credential.suspended credential.reinstated";

    private static WebhookEndpointRecord NewEndpoint(IssuerRecord issuer, string events = AllEvents, bool enabled = true) =>
        new(Guid.NewGuid().ToString("N"), issuer.Id, "https://hooks.example.org/in", events, "", new byte[] { 1, 2, 3 }, enabled, T0, T0);

    private async Task<WebhookEndpointRecord> AddEndpointAsync(IssuerRecord issuer, string events = AllEvents, bool enabled = true)
    {
        WebhookEndpointRecord endpoint = NewEndpoint(issuer, events, enabled);
        Assert.True(await Storage.Webhooks.CreateEndpointAsync(endpoint, 10, Ct));
        return endpoint;
    }

    private async Task<List<WebhookClaim>> ClaimMineAsync(string owner, DateTimeOffset now, WebhookEndpointRecord endpoint) =>
        (await Storage.Webhooks.ClaimDueAsync(owner, now, now.AddMinutes(1), 256, 256, Ct)).Where(c => c.Endpoint.Id == endpoint.Id).ToList();

    [Fact]
    public async Task Webhooks_Endpoint_CreateGetListUpdateDelete()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);

        Assert.Equal(endpoint.Id, (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!.Id);
        Assert.Equal([1, 2, 3], (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!.ProtectedSecret.ToArray());
        Assert.Single(await Storage.Webhooks.ListEndpointsAsync(issuer.Id, Ct));
        WebhookEndpointRecord stored = (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!;
        Assert.True(await Storage.Webhooks.UpdateEndpointAsync(stored with { Enabled = false, ProtectedSecret = new byte[] { 9 } }, Ct));
        WebhookEndpointRecord updated = (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!;
        Assert.False(updated.Enabled);
        Assert.Equal([9], updated.ProtectedSecret.ToArray());
        Assert.True(await Storage.Webhooks.DeleteEndpointAsync(endpoint.Id, Ct));
        Assert.Null(await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct));
        Assert.False(await Storage.Webhooks.DeleteEndpointAsync(endpoint.Id, Ct));
    }

    [Fact]
    public async Task Webhooks_Endpoint_CountIsBoundedPerIssuer()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        Assert.True(await Storage.Webhooks.CreateEndpointAsync(NewEndpoint(issuer), 2, Ct));
        Assert.True(await Storage.Webhooks.CreateEndpointAsync(NewEndpoint(issuer), 2, Ct));

        Assert.False(await Storage.Webhooks.CreateEndpointAsync(NewEndpoint(issuer), 2, Ct));
        Assert.Equal(2, (await Storage.Webhooks.ListEndpointsAsync(issuer.Id, Ct)).Count);
    }

    [Fact]
    public async Task Webhooks_Issuance_WritesOneDeliveryPerSubscribedEnabledEndpoint_InTheSameWrite()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord all = await AddEndpointAsync(issuer);
        WebhookEndpointRecord revokedOnly = await AddEndpointAsync(issuer, "credential.revoked");
        WebhookEndpointRecord disabled = await AddEndpointAsync(issuer, enabled: false);
        IssuerRecord other = await NewIssuerAsync();
        WebhookEndpointRecord otherIssuers = await AddEndpointAsync(other);

        CredentialRecord credential = NewCredential(issuer, "idem-1");
        await Storage.Credentials.AddAsync(credential, [], Ct);
        CredentialAddResult replay = await Storage.Credentials.AddAsync(NewCredential(issuer, "idem-1"), [], Ct);

        Assert.False(replay.Created);
        WebhookDeliveryRecord delivery = Assert.Single(await Storage.Webhooks.ListDeliveriesAsync(all.Id, 10, null, Ct));
        Assert.Equal("credential.issued", delivery.EventType);
        Assert.Equal(WebhookDeliveryStates.Pending, delivery.State);
        Assert.StartsWith("msg_", delivery.MessageId, StringComparison.Ordinal);
        Assert.Contains(credential.Id, delivery.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain("learner@example.org", delivery.Payload, StringComparison.Ordinal);
        Assert.Empty(await Storage.Webhooks.ListDeliveriesAsync(revokedOnly.Id, 10, null, Ct));
        Assert.Empty(await Storage.Webhooks.ListDeliveriesAsync(disabled.Id, 10, null, Ct));
        Assert.Empty(await Storage.Webhooks.ListDeliveriesAsync(otherIssuers.Id, 10, null, Ct));
    }

    [Fact]
    public async Task Webhooks_StatusChanges_WriteRevokedSuspendedReinstatedEvents()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        StatusListIndex revocation = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "revocation", NewListLength: 16), Ct);
        StatusListIndex suspension = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);
        CredentialRecord credential = NewCredential(issuer);
        await Storage.Credentials.AddAsync(credential, [revocation, suspension], Ct);

        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "suspension", 1, "admin", Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "suspension", 0, "admin", Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "revocation", 1, "admin", Ct);
        await Storage.StatusLists.SetCredentialStatusAsync(credential.Id, "revocation", 1, "admin", Ct);

        IReadOnlyList<WebhookDeliveryRecord> deliveries = await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct);
        Assert.Equal(["credential.issued", "credential.suspended", "credential.reinstated", "credential.revoked"], deliveries.Reverse().Select(d => d.EventType));
        Assert.Contains("\"statusPurpose\":\"revocation\"", deliveries[0].Payload, StringComparison.Ordinal);
        Assert.Equal(4, deliveries.Select(d => d.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task Webhooks_Claim_OnlyEachEndpointsOldestPending_UntilItIsDone()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        for (int i = 0; i < 3; i++)
        {
            await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        }

        DateTimeOffset now = T0.AddHours(1);
        List<WebhookDeliveryRecord> all = (await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).Reverse().ToList();
        WebhookClaim first = Assert.Single(await ClaimMineAsync("a", now, endpoint));
        Assert.Equal(all[0].Seq, first.Delivery.Seq);
        Assert.Empty(await ClaimMineAsync("b", now, endpoint));

        // A retry keeps the head: nothing of this endpoint is due until then, and then the same message again.
        Assert.True(await Storage.Webhooks.RecordAttemptAsync("a", new(first.Delivery.Seq, now, 500, null, 3), WebhookAttemptOutcome.Retry, now.AddMinutes(5), Ct));
        Assert.Empty(await ClaimMineAsync("b", now.AddMinutes(1), endpoint));
        WebhookClaim again = Assert.Single(await ClaimMineAsync("b", now.AddMinutes(6), endpoint));
        Assert.Equal(first.Delivery.Seq, again.Delivery.Seq);
        Assert.Equal(1, again.Delivery.Attempts);

        Assert.True(await Storage.Webhooks.RecordAttemptAsync("b", new(again.Delivery.Seq, now, 200, null, 3), WebhookAttemptOutcome.Succeeded, null, Ct));
        Assert.Equal(all[1].Seq, Assert.Single(await ClaimMineAsync("c", now.AddMinutes(6), endpoint)).Delivery.Seq);
        IReadOnlyList<WebhookAttemptRecord> attempts = await Storage.Webhooks.ListAttemptsAsync([first.Delivery.Seq], Ct);
        Assert.Equal([500, 200], attempts.Select(a => a.StatusCode ?? 0));
    }

    [Fact]
    public async Task Webhooks_Claim_ExpiredLeaseIsClaimedAgain_AndTheOldOwnerCannotComplete()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        DateTimeOffset now = T0.AddHours(1);

        WebhookClaim dead = Assert.Single(await ClaimMineAsync("dead", now, endpoint));
        Assert.Empty(await ClaimMineAsync("live", now.AddSeconds(30), endpoint));
        WebhookClaim live = Assert.Single(await ClaimMineAsync("live", now.AddMinutes(2), endpoint));

        Assert.Equal(dead.Delivery.Seq, live.Delivery.Seq);
        Assert.False(await Storage.Webhooks.RecordAttemptAsync("dead", new(dead.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct));
        Assert.True(await Storage.Webhooks.RecordAttemptAsync("live", new(live.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct));
        Assert.Equal(WebhookDeliveryStates.Succeeded, Assert.Single(await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).State);
    }

    [Fact]
    public async Task Webhooks_Claim_ConcurrentSenders_NeverHoldOneDeliveryAtOnce_AndKeepOrder()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        var endpoints = new List<WebhookEndpointRecord>();
        for (int i = 0; i < 4; i++)
        {
            endpoints.Add(await AddEndpointAsync(issuer));
        }

        for (int i = 0; i < 10; i++)
        {
            await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        }

        var mine = endpoints.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        DateTimeOffset now = T0.AddHours(1);
        var sent = new ConcurrentQueue<(string Endpoint, long Seq)>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            string owner = "sender-" + worker;
            for (int idle = 0; idle < 20;)
            {
                List<WebhookClaim> claims = (await Storage.Webhooks.ClaimDueAsync(owner, now, now.AddMinutes(1), 256, 256, Ct)).Where(c => mine.Contains(c.Endpoint.Id)).ToList();
                idle = claims.Count == 0 ? idle + 1 : 0;
                foreach (WebhookClaim claim in claims)
                {
                    sent.Enqueue((claim.Endpoint.Id, claim.Delivery.Seq));
                    Assert.True(await Storage.Webhooks.RecordAttemptAsync(owner, new(claim.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct));
                }

                await Task.Yield();
            }
        }, Ct)));

        Assert.Equal(40, sent.Count);
        Assert.Equal(40, sent.Select(s => s.Seq).Distinct().Count());
        foreach (IGrouping<string, (string Endpoint, long Seq)> perEndpoint in sent.GroupBy(s => s.Endpoint))
        {
            long[] order = perEndpoint.Select(s => s.Seq).ToArray();
            Assert.Equal(order.Order().ToArray(), order);
        }
    }

    [Fact]
    public async Task Webhooks_Redeliver_QueuesTheSameMessageAgain_AndPurgeDropsFinishedOnes()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        DateTimeOffset now = T0.AddHours(1);
        WebhookClaim claim = Assert.Single(await ClaimMineAsync("a", now, endpoint));
        await Storage.Webhooks.RecordAttemptAsync("a", new(claim.Delivery.Seq, now, 410, null, 1), WebhookAttemptOutcome.Failed, null, Ct);

        WebhookRedelivery redelivery = await Storage.Webhooks.RedeliverAsync(endpoint.Id, claim.Delivery.MessageId, now, 100, Ct);

        Assert.Equal(WebhookRedeliveryOutcome.Queued, redelivery.Outcome);
        WebhookDeliveryRecord again = redelivery.Delivery!;
        Assert.Equal(claim.Delivery.MessageId, again.MessageId);
        Assert.Equal(claim.Delivery.Payload, again.Payload);
        Assert.True(again.Seq > claim.Delivery.Seq);
        Assert.Equal(new WebhookRedelivery(WebhookRedeliveryOutcome.UnknownMessage), await Storage.Webhooks.RedeliverAsync(endpoint.Id, "msg_unknown", now, 100, Ct));
        Assert.Equal(again.Seq, Assert.Single(await ClaimMineAsync("b", now, endpoint)).Delivery.Seq);

        Assert.True(await Storage.Webhooks.PurgeAsync(now.AddSeconds(1), Ct) >= 1);
        Assert.Equal(again.Seq, Assert.Single(await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).Seq);
        Assert.Empty(await Storage.Webhooks.ListAttemptsAsync([claim.Delivery.Seq], Ct));
    }

    [Fact]
    public async Task Webhooks_Redeliver_AtMostOnePendingCopy_AndNotWhileTheEndpointHasTooManyPending()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        for (int i = 0; i < 3; i++)
        {
            await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        }

        DateTimeOffset now = T0.AddHours(1);
        List<string> messages = [.. (await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).Reverse().Select(d => d.MessageId)];

        // Still pending (never sent yet): a redelivery would only be a second copy.
        Assert.Equal(WebhookRedeliveryOutcome.AlreadyPending, (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[0], now, 100, Ct)).Outcome);
        string owner = "redeliver-" + Guid.NewGuid().ToString("N");
        for (int i = 0; i < 3; i++)
        {
            WebhookClaim claim = Assert.Single(await ClaimMineAsync(owner, now, endpoint));
            Assert.True(await Storage.Webhooks.RecordAttemptAsync(owner, new(claim.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct));
        }

        Assert.Equal(WebhookRedeliveryOutcome.Queued, (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[0], now, 2, Ct)).Outcome);
        Assert.Equal(WebhookRedeliveryOutcome.AlreadyPending, (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[0], now, 2, Ct)).Outcome);
        Assert.Equal(WebhookRedeliveryOutcome.Queued, (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[1], now, 2, Ct)).Outcome);
        // Two pending: a third message is refused at a bound of 2, whichever it is.
        Assert.Equal(WebhookRedeliveryOutcome.Backlog, (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[2], now, 2, Ct)).Outcome);

        IReadOnlyList<WebhookDeliveryRecord> all = await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct);
        Assert.Equal(5, all.Count);
        Assert.Equal(2, all.Count(d => d.State == WebhookDeliveryStates.Pending));
    }

    [Fact]
    public async Task Webhooks_Redeliver_ConcurrentCalls_QueueOneCopy()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        DateTimeOffset now = T0.AddHours(1);
        string owner = "redeliver-" + Guid.NewGuid().ToString("N");
        WebhookClaim claim = Assert.Single(await ClaimMineAsync(owner, now, endpoint));
        Assert.True(await Storage.Webhooks.RecordAttemptAsync(owner, new(claim.Delivery.Seq, now, 410, null, 1), WebhookAttemptOutcome.Failed, null, Ct));

        WebhookRedelivery[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => Storage.Webhooks.RedeliverAsync(endpoint.Id, claim.Delivery.MessageId, now, 100, Ct), Ct)));

        Assert.Single(results, r => r.Outcome == WebhookRedeliveryOutcome.Queued);
        Assert.All(results.Where(r => r.Outcome != WebhookRedeliveryOutcome.Queued), r => Assert.Equal(WebhookRedeliveryOutcome.AlreadyPending, r.Outcome));
        Assert.Single(await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct), d => d.State == WebhookDeliveryStates.Pending);
    }

    [Fact]
    public async Task Webhooks_Claim_CapsEachIssuersLeasesPerOwner_SoOneIssuerCannotTakeEveryPlace()
    {
        IssuerRecord busy = await NewIssuerAsync();
        IssuerRecord quiet = await NewIssuerAsync();
        var endpoints = new List<WebhookEndpointRecord>();
        for (int i = 0; i < 5; i++)
        {
            endpoints.Add(await AddEndpointAsync(busy));
        }

        endpoints.Add(await AddEndpointAsync(quiet));
        await Storage.Credentials.AddAsync(NewCredential(busy), [], Ct);
        await Storage.Credentials.AddAsync(NewCredential(quiet), [], Ct);
        var mine = endpoints.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        DateTimeOffset now = T0.AddHours(1);
        string owner = "cap-" + Guid.NewGuid().ToString("N");
        async Task<List<WebhookClaim>> ClaimAsync(string who, DateTimeOffset at) =>
            [.. (await Storage.Webhooks.ClaimDueAsync(who, at, at.AddMinutes(1), 256, 2, Ct)).Where(c => mine.Contains(c.Endpoint.Id))];

        // Five of the busy issuer's endpoints are due, and one of the quiet one's: two places for the busy one.
        List<WebhookClaim> first = await ClaimAsync(owner, now);
        Assert.Equal(2, first.Count(c => c.Endpoint.IssuerId == busy.Id));
        Assert.Single(first, c => c.Endpoint.IssuerId == quiet.Id);

        // The owner's leases count until they end; another sender has places of its own.
        Assert.Empty(await ClaimAsync(owner, now));
        Assert.Equal(2, (await ClaimAsync("cap-other-" + Guid.NewGuid().ToString("N"), now)).Count(c => c.Endpoint.IssuerId == busy.Id));
        WebhookClaim done = first.First(c => c.Endpoint.IssuerId == busy.Id);
        Assert.True(await Storage.Webhooks.RecordAttemptAsync(owner, new(done.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct));
        WebhookClaim refill = Assert.Single(await ClaimAsync(owner, now));
        Assert.Equal(busy.Id, refill.Endpoint.IssuerId);
        Assert.DoesNotContain(refill.Delivery.Seq, first.Select(c => c.Delivery.Seq));
    }

    [Fact]
    public async Task Webhooks_ExpirePending_MarksOldUnleasedPendingFailed_AndPurgeThenDeletesThem()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord leased = await AddEndpointAsync(issuer, "credential.issued");
        WebhookEndpointRecord idle = await AddEndpointAsync(issuer, "credential.revoked");
        DateTimeOffset old = T0.AddDays(40);
        DateTimeOffset now = old.AddDays(2);
        await Storage.Credentials.AddAsync(NewCredential(issuer) with { IssuedAt = old }, [], Ct);
        // The leased endpoint's delivery is held by a live sender: it is left alone.
        Assert.Single(await ClaimMineAsync("expire-" + Guid.NewGuid().ToString("N"), now, leased));
        Assert.True(await Storage.Webhooks.UpdateEndpointAsync(leased with { EventTypes = "credential.revoked" }, Ct));
        Assert.True(await Storage.Webhooks.UpdateEndpointAsync(idle with { EventTypes = "credential.issued" }, Ct));
        await Storage.Credentials.AddAsync(NewCredential(issuer) with { IssuedAt = old }, [], Ct);
        await Storage.Credentials.AddAsync(NewCredential(issuer) with { IssuedAt = old.AddDays(1) }, [], Ct);

        Assert.True(await Storage.Webhooks.ExpirePendingAsync(old.AddHours(1), now, "off", Ct) >= 1);

        List<WebhookDeliveryRecord> idles = [.. (await Storage.Webhooks.ListDeliveriesAsync(idle.Id, 10, null, Ct)).Reverse()];
        Assert.Equal(WebhookDeliveryStates.Failed, idles[0].State);
        Assert.Equal("off", idles[0].LastError);
        Assert.Equal(now, idles[0].CompletedAt);
        Assert.Equal(WebhookDeliveryStates.Pending, idles[1].State);
        Assert.Equal(WebhookDeliveryStates.Pending, Assert.Single(await Storage.Webhooks.ListDeliveriesAsync(leased.Id, 10, null, Ct)).State);

        Assert.True(await Storage.Webhooks.PurgeAsync(now.AddSeconds(1), Ct) >= 1);
        Assert.Equal(idles[1].Seq, Assert.Single(await Storage.Webhooks.ListDeliveriesAsync(idle.Id, 10, null, Ct)).Seq);
    }
}
