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
        (await Storage.Webhooks.ClaimDueAsync(owner, now, now.AddMinutes(1), 256, Ct)).Where(c => c.Endpoint.Id == endpoint.Id).ToList();

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
        updated.ProtectedSecret.ToArray().Should().Equal([9]);
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
                List<WebhookClaim> claims = (await Storage.Webhooks.ClaimDueAsync(owner, now, now.AddMinutes(1), 256, Ct)).Where(c => mine.Contains(c.Endpoint.Id)).ToList();
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

        WebhookDeliveryRecord? again = await Storage.Webhooks.RedeliverAsync(endpoint.Id, claim.Delivery.MessageId, now, Ct);

        again.Should().NotBeNull();
        again.MessageId.Should().Be(claim.Delivery.MessageId);
        again.Payload.Should().Be(claim.Delivery.Payload);
        (again.Seq > claim.Delivery.Seq).Should().BeTrue();
        (await Storage.Webhooks.RedeliverAsync(endpoint.Id, "msg_unknown", now, Ct)).Should().BeNull();
        (await ClaimMineAsync("b", now, endpoint)).Should().ContainSingle().Which.Delivery.Seq.Should().Be(again.Seq);

        (await Storage.Webhooks.PurgeAsync(now.AddSeconds(1), Ct) >= 1).Should().BeTrue();
        (await Storage.Webhooks.ListDeliveriesAsync(endpoint.Id, 10, null, Ct)).Should().ContainSingle().Which.Seq.Should().Be(again.Seq);
        (await Storage.Webhooks.ListAttemptsAsync([claim.Delivery.Seq], Ct)).Should().BeEmpty();
    }
}
