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
        (await Storage.Webhooks.CreateEndpointAsync(endpoint, 10, Ct)).Should().BeTrue();
        return endpoint;
    }

    private async Task<List<WebhookClaim>> ClaimMineAsync(string owner, DateTimeOffset now, WebhookEndpointRecord endpoint) =>
        (await Storage.Webhooks.ClaimDueAsync(owner, now, now.AddMinutes(1), 256, 256, Ct)).Where(c => c.Endpoint.Id == endpoint.Id).ToList();

    [Fact]
    public async Task Webhooks_Endpoint_CreateGetListUpdateDelete()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);

        (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!.Id.Should().Be(endpoint.Id);
        (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!.ProtectedSecret.ToArray().Should().Equal([1, 2, 3]);
        (await Storage.Webhooks.ListEndpointsAsync(issuer.Id, Ct)).Should().ContainSingle();
        WebhookEndpointRecord stored = (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!;
        (await Storage.Webhooks.UpdateEndpointAsync(stored with { Enabled = false, ProtectedSecret = new byte[] { 9 } }, Ct)).Should().BeTrue();
        WebhookEndpointRecord updated = (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!;
        updated.Enabled.Should().BeFalse();
        updated.ProtectedSecret.ToArray().Should().Equal([1, 2, 3], "an update never writes the secret (a PATCH racing a rotation must not restore the old one)");

        // The secret changes only by compare-and-swap: against a stale value nothing happens.
        (await Storage.Webhooks.ReplaceProtectedSecretAsync(endpoint.Id, new byte[] { 7 }, [8], Ct)).Should().BeFalse();
        (await Storage.Webhooks.ReplaceProtectedSecretAsync(endpoint.Id, new byte[] { 1, 2, 3 }, [9], Ct)).Should().BeTrue();
        (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct))!.ProtectedSecret.ToArray().Should().Equal([9]);
        (await Storage.Webhooks.DeleteEndpointAsync(endpoint.Id, Ct)).Should().BeTrue();
        (await Storage.Webhooks.GetEndpointAsync(endpoint.Id, Ct)).Should().BeNull();
        (await Storage.Webhooks.DeleteEndpointAsync(endpoint.Id, Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task Webhooks_Endpoint_CountIsBoundedPerIssuer()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        (await Storage.Webhooks.CreateEndpointAsync(NewEndpoint(issuer), 2, Ct)).Should().BeTrue();
        (await Storage.Webhooks.CreateEndpointAsync(NewEndpoint(issuer), 2, Ct)).Should().BeTrue();

        (await Storage.Webhooks.CreateEndpointAsync(NewEndpoint(issuer), 2, Ct)).Should().BeFalse();
        (await Storage.Webhooks.ListEndpointsAsync(issuer.Id, Ct)).Count.Should().Be(2);
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

        replay.Created.Should().BeFalse();
        WebhookDeliveryRecord delivery = (await Storage.Webhooks.ListDeliveriesAsync(all.Id, 10, null, Ct)).Should().ContainSingle().Which;
        delivery.EventType.Should().Be("credential.issued");
        delivery.State.Should().Be(WebhookDeliveryStates.Pending);
        delivery.MessageId.Should().StartWith("msg_");
        delivery.Payload.Should().Contain(credential.Id);
        delivery.Payload.Should().NotContain("learner@example.org");
        (await Storage.Webhooks.ListDeliveriesAsync(revokedOnly.Id, 10, null, Ct)).Should().BeEmpty();
        (await Storage.Webhooks.ListDeliveriesAsync(disabled.Id, 10, null, Ct)).Should().BeEmpty();
        (await Storage.Webhooks.ListDeliveriesAsync(otherIssuers.Id, 10, null, Ct)).Should().BeEmpty();
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
        deliveries.Reverse().Select(d => d.EventType).Should().Equal(["credential.issued", "credential.suspended", "credential.reinstated", "credential.revoked"]);
        deliveries[0].Payload.Should().Contain("\"statusPurpose\":\"revocation\"");
        deliveries.Select(d => d.MessageId).Distinct().Count().Should().Be(4);
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
        WebhookClaim first = (await ClaimMineAsync("a", now, endpoint)).Should().ContainSingle().Which;
        first.Delivery.Seq.Should().Be(all[0].Seq);
        (await ClaimMineAsync("b", now, endpoint)).Should().BeEmpty();

        // A retry keeps the head: nothing of this endpoint is due until then, and then the same message again.
        (await Storage.Webhooks.RecordAttemptAsync("a", new(first.Delivery.Seq, now, 500, null, 3), WebhookAttemptOutcome.Retry, now.AddMinutes(5), Ct)).Should().BeTrue();
        (await ClaimMineAsync("b", now.AddMinutes(1), endpoint)).Should().BeEmpty();
        WebhookClaim again = (await ClaimMineAsync("b", now.AddMinutes(6), endpoint)).Should().ContainSingle().Which;
        again.Delivery.Seq.Should().Be(first.Delivery.Seq);
        again.Delivery.Attempts.Should().Be(1);

        (await Storage.Webhooks.RecordAttemptAsync("b", new(again.Delivery.Seq, now, 200, null, 3), WebhookAttemptOutcome.Succeeded, null, Ct)).Should().BeTrue();
        (await ClaimMineAsync("c", now.AddMinutes(6), endpoint)).Should().ContainSingle().Which.Delivery.Seq.Should().Be(all[1].Seq);
        IReadOnlyList<WebhookAttemptRecord> attempts = await Storage.Webhooks.ListAttemptsAsync([first.Delivery.Seq], Ct);
        attempts.Select(a => a.StatusCode ?? 0).Should().Equal([500, 200]);
    }

    [Fact]
    public async Task Webhooks_Claim_ExpiredLeaseIsClaimedAgain_AndTheOldOwnerCannotComplete()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        DateTimeOffset now = T0.AddHours(1);

        WebhookClaim dead = (await ClaimMineAsync("dead", now, endpoint)).Should().ContainSingle().Which;
        (await ClaimMineAsync("live", now.AddSeconds(30), endpoint)).Should().BeEmpty();
        WebhookClaim live = (await ClaimMineAsync("live", now.AddMinutes(2), endpoint)).Should().ContainSingle().Which;

        live.Delivery.Seq.Should().Be(dead.Delivery.Seq);
        (await Storage.Webhooks.RecordAttemptAsync("dead", new(dead.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct)).Should().BeFalse();
        (await Storage.Webhooks.RecordAttemptAsync("live", new(live.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct)).Should().BeTrue();
        (await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).Should().ContainSingle().Which.State.Should().Be(WebhookDeliveryStates.Succeeded);
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
                    (await Storage.Webhooks.RecordAttemptAsync(owner, new(claim.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct)).Should().BeTrue();
                }

                await Task.Yield();
            }
        }, Ct)));

        sent.Count.Should().Be(40);
        sent.Select(s => s.Seq).Distinct().Count().Should().Be(40);
        foreach (IGrouping<string, (string Endpoint, long Seq)> perEndpoint in sent.GroupBy(s => s.Endpoint))
        {
            long[] order = perEndpoint.Select(s => s.Seq).ToArray();
            order.Should().Equal(order.Order().ToArray());
        }
    }

    [Fact]
    public async Task Webhooks_Redeliver_QueuesTheSameMessageAgain_AndPurgeDropsFinishedOnes()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        DateTimeOffset now = T0.AddHours(1);
        WebhookClaim claim = (await ClaimMineAsync("a", now, endpoint)).Should().ContainSingle().Which;
        await Storage.Webhooks.RecordAttemptAsync("a", new(claim.Delivery.Seq, now, 410, null, 1), WebhookAttemptOutcome.Failed, null, Ct);

        WebhookRedelivery redelivery = await Storage.Webhooks.RedeliverAsync(endpoint.Id, claim.Delivery.MessageId, now, 100, Ct);

        redelivery.Outcome.Should().Be(WebhookRedeliveryOutcome.Queued);
        WebhookDeliveryRecord again = redelivery.Delivery!;
        again.MessageId.Should().Be(claim.Delivery.MessageId);
        again.Payload.Should().Be(claim.Delivery.Payload);
        (again.Seq > claim.Delivery.Seq).Should().BeTrue();
        (await Storage.Webhooks.RedeliverAsync(endpoint.Id, "msg_unknown", now, 100, Ct)).Should().Be(new WebhookRedelivery(WebhookRedeliveryOutcome.UnknownMessage));
        (await ClaimMineAsync("b", now, endpoint)).Should().ContainSingle().Which.Delivery.Seq.Should().Be(again.Seq);

        (await Storage.Webhooks.PurgeAsync(now.AddSeconds(1), Ct) >= 1).Should().BeTrue();
        (await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).Should().ContainSingle().Which.Seq.Should().Be(again.Seq);
        (await Storage.Webhooks.ListAttemptsAsync([claim.Delivery.Seq], Ct)).Should().BeEmpty();
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
        (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[0], now, 100, Ct)).Outcome.Should().Be(WebhookRedeliveryOutcome.AlreadyPending);
        string owner = "redeliver-" + Guid.NewGuid().ToString("N");
        for (int i = 0; i < 3; i++)
        {
            WebhookClaim claim = (await ClaimMineAsync(owner, now, endpoint)).Should().ContainSingle().Which;
            (await Storage.Webhooks.RecordAttemptAsync(owner, new(claim.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct)).Should().BeTrue();
        }

        (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[0], now, 2, Ct)).Outcome.Should().Be(WebhookRedeliveryOutcome.Queued);
        (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[0], now, 2, Ct)).Outcome.Should().Be(WebhookRedeliveryOutcome.AlreadyPending);
        (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[1], now, 2, Ct)).Outcome.Should().Be(WebhookRedeliveryOutcome.Queued);
        // Two pending: a third message is refused at a bound of 2, whichever it is.
        (await Storage.Webhooks.RedeliverAsync(endpoint.Id, messages[2], now, 2, Ct)).Outcome.Should().Be(WebhookRedeliveryOutcome.Backlog);

        IReadOnlyList<WebhookDeliveryRecord> all = await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct);
        all.Count.Should().Be(5);
        all.Count(d => d.State == WebhookDeliveryStates.Pending).Should().Be(2);
    }

    [Fact]
    public async Task Webhooks_Redeliver_ConcurrentCalls_QueueOneCopy()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        WebhookEndpointRecord endpoint = await AddEndpointAsync(issuer);
        await Storage.Credentials.AddAsync(NewCredential(issuer), [], Ct);
        DateTimeOffset now = T0.AddHours(1);
        string owner = "redeliver-" + Guid.NewGuid().ToString("N");
        WebhookClaim claim = (await ClaimMineAsync(owner, now, endpoint)).Should().ContainSingle().Which;
        (await Storage.Webhooks.RecordAttemptAsync(owner, new(claim.Delivery.Seq, now, 410, null, 1), WebhookAttemptOutcome.Failed, null, Ct)).Should().BeTrue();

        WebhookRedelivery[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => Storage.Webhooks.RedeliverAsync(endpoint.Id, claim.Delivery.MessageId, now, 100, Ct), Ct)));

        results.Should().ContainSingle(r => r.Outcome == WebhookRedeliveryOutcome.Queued);
        results.Where(r => r.Outcome != WebhookRedeliveryOutcome.Queued).Should().AllSatisfy(r => r.Outcome.Should().Be(WebhookRedeliveryOutcome.AlreadyPending));
        (await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).Should().ContainSingle(d => d.State == WebhookDeliveryStates.Pending);
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
        first.Count(c => c.Endpoint.IssuerId == busy.Id).Should().Be(2);
        first.Should().ContainSingle(c => c.Endpoint.IssuerId == quiet.Id);

        // The owner's leases count until they end; another sender has places of its own.
        (await ClaimAsync(owner, now)).Should().BeEmpty();
        (await ClaimAsync("cap-other-" + Guid.NewGuid().ToString("N"), now)).Count(c => c.Endpoint.IssuerId == busy.Id).Should().Be(2);
        WebhookClaim done = first.First(c => c.Endpoint.IssuerId == busy.Id);
        (await Storage.Webhooks.RecordAttemptAsync(owner, new(done.Delivery.Seq, now, 200, null, 1), WebhookAttemptOutcome.Succeeded, null, Ct)).Should().BeTrue();
        WebhookClaim refill = (await ClaimAsync(owner, now)).Should().ContainSingle().Which;
        refill.Endpoint.IssuerId.Should().Be(busy.Id);
        first.Select(c => c.Delivery.Seq).Should().NotContain(refill.Delivery.Seq);
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
        (await ClaimMineAsync("expire-" + Guid.NewGuid().ToString("N"), now, leased)).Should().ContainSingle();
        (await Storage.Webhooks.UpdateEndpointAsync(leased with { EventTypes = "credential.revoked" }, Ct)).Should().BeTrue();
        (await Storage.Webhooks.UpdateEndpointAsync(idle with { EventTypes = "credential.issued" }, Ct)).Should().BeTrue();
        await Storage.Credentials.AddAsync(NewCredential(issuer) with { IssuedAt = old }, [], Ct);
        await Storage.Credentials.AddAsync(NewCredential(issuer) with { IssuedAt = old.AddDays(1) }, [], Ct);

        (await Storage.Webhooks.ExpirePendingAsync(old.AddHours(1), now, "off", Ct) >= 1).Should().BeTrue();

        List<WebhookDeliveryRecord> idles = [.. (await Storage.Webhooks.ListDeliveriesAsync(idle.Id, 10, null, Ct)).Reverse()];
        idles[0].State.Should().Be(WebhookDeliveryStates.Failed);
        idles[0].LastError.Should().Be("off");
        idles[0].CompletedAt.Should().Be(now);
        idles[1].State.Should().Be(WebhookDeliveryStates.Pending);
        (await Storage.Webhooks.ListDeliveriesAsync(leased.Id, 10, null, Ct)).Should().ContainSingle().Which.State.Should().Be(WebhookDeliveryStates.Pending);

        (await Storage.Webhooks.PurgeAsync(now.AddSeconds(1), Ct) >= 1).Should().BeTrue();
        (await Storage.Webhooks.ListDeliveriesAsync(idle.Id, 10, null, Ct)).Should().ContainSingle().Which.Seq.Should().Be(idles[1].Seq);
    }
}
