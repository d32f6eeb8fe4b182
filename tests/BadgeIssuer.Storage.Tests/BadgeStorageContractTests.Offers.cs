using System.Security.Cryptography;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Storage.Tests;

/// <summary>Credential offers: one-way state changes that count once, audited; nonces used once; re-issues sharing a status entry.</summary>
public abstract partial class BadgeStorageContractTests
{
    private static byte[] Hash() => RandomNumberGenerator.GetBytes(32);

    protected static AuditRecord OfferAudit(IssuerRecord issuer, string action, string target) => new(0, issuer.Id, "api-key:k", action, target, T0, "req", null);

    protected async Task<(IssuerRecord Issuer, CredentialRecord Credential, CredentialOfferRecord Offer)> NewOfferAsync(byte[]? txHash = null, DateTimeOffset? expires = null)
    {
        IssuerRecord issuer = await NewIssuerAsync();
        CredentialRecord credential = NewCredential(issuer);
        await Storage.Credentials.AddAsync(credential, [], Ct);
        var offer = new CredentialOfferRecord("off_" + Guid.NewGuid().ToString("N"), credential.Id, issuer.Id, Hash(), Hash(), OfferStates.Offered, T0, expires ?? T0.AddHours(1), "api-key:k")
        {
            TxCodeHash = txHash is null ? null : (ReadOnlyMemory<byte>?)txHash,
            TxCodeLength = txHash is null ? null : 6,
            TxCodeDescription = txHash is null ? null : "Sent by SMS",
        };
        await Storage.Offers.CreateAsync(offer, OfferAudit(issuer, "offer.create", offer.OfferId), Ct);
        return (issuer, credential, offer);
    }

    private static OfferRedemption Redemption(CredentialOfferRecord offer, byte[]? tx = null, byte[]? token = null, DateTimeOffset? now = null) =>
        new(offer.CodeHash, tx is null ? null : (ReadOnlyMemory<byte>?)tx, now ?? T0.AddMinutes(1), token ?? Hash(), (now ?? T0.AddMinutes(1)).AddMinutes(5), 3, "openid4vci");

    [Fact]
    public async Task Offers_CreateThenFind_ByIdHandleCodeAndCredential_WithItsAuditEntry()
    {
        (IssuerRecord issuer, CredentialRecord credential, CredentialOfferRecord offer) = await NewOfferAsync(txHash: Hash());

        CredentialOfferRecord stored = (await Storage.Offers.GetAsync(offer.OfferId, Ct))!;
        (stored.OfferId, stored.CredentialId, stored.State, stored.TxCodeLength, stored.TxCodeDescription, stored.TxCodeFailures, stored.ExpiresAt)
            .Should().Be((offer.OfferId, credential.Id, OfferStates.Offered, 6, "Sent by SMS", 0, offer.ExpiresAt));
        stored.TxCodeHash!.Value.ToArray().Should().Equal(offer.TxCodeHash!.Value.ToArray());
        (await Storage.Offers.FindByHandleAsync(offer.HandleHash, Ct))!.OfferId.Should().Be(offer.OfferId);
        (_, _, CredentialOfferRecord plain) = await NewOfferAsync();
        CredentialOfferRecord plainStored = (await Storage.Offers.GetAsync(plain.OfferId, Ct))!;
        (plainStored.TxCodeHash.HasValue, plainStored.TokenHash.HasValue).Should().Be((false, false), "NULL columns read back as no value, not as empty bytes");
        (await Storage.Offers.FindByCodeAsync(offer.CodeHash, Ct))!.OfferId.Should().Be(offer.OfferId);
        (await Storage.Offers.FindByHandleAsync(Hash(), Ct)).Should().BeNull();
        (await Storage.Offers.ListAsync(credential.Id, 10, Ct)).Select(o => o.OfferId).Should().Equal(offer.OfferId);
        (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Should().Contain(a => a.Action == "offer.create" && a.Target == offer.OfferId);

        await FluentActions.Awaiting(() => Storage.Offers.CreateAsync(offer with { OfferId = "off_other" }, OfferAudit(issuer, "offer.create", "off_other"), Ct))
            .Should().ThrowAsync<StorageConflictException>("the handle and code hashes are unique");
    }

    [Fact]
    public async Task Offers_Redeem_CountsOnce_AndStoresTheToken()
    {
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync();
        byte[] token = Hash();

        CredentialOfferRecord? first = await Storage.Offers.RedeemAsync(Redemption(offer, token: token) with { GrantedIdentifiers = "a b" }, OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct);
        CredentialOfferRecord? second = await Storage.Offers.RedeemAsync(Redemption(offer), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct);

        first!.State.Should().Be(OfferStates.Redeemed);
        (first.RedeemedVia, first.GrantedIdentifiers).Should().Be(("openid4vci", "a b"));
        first.TokenHash!.Value.ToArray().Should().Equal(token);
        second.Should().BeNull("a pre-authorized code is used once");
        (await Storage.Offers.FindByTokenAsync(token, Ct))!.OfferId.Should().Be(offer.OfferId);
        (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Count(a => a.Action == "offer.redeem").Should().Be(1);
    }

    [Fact]
    public async Task Offers_RedeemRace_OneWinnerAcrossConcurrentRequests()
    {
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync();

        CredentialOfferRecord?[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(() => Storage.Offers.RedeemAsync(Redemption(offer), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct), Ct)));

        results.Count(r => r is not null).Should().Be(1);
        (await Storage.Audit.ListAsync(issuer.Id, 50, null, Ct)).Count(a => a.Action == "offer.redeem").Should().Be(1);
    }

    [Fact]
    public async Task Offers_Redeem_ExpiredOrWrongTxCode_ChangesNothing()
    {
        byte[] tx = Hash();
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync(txHash: tx, expires: T0.AddMinutes(10));

        (await Storage.Offers.RedeemAsync(Redemption(offer, tx: null), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct)).Should().BeNull("the offer needs its transaction code");
        (await Storage.Offers.RedeemAsync(Redemption(offer, tx: Hash()), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct)).Should().BeNull("a wrong transaction code redeems nothing");
        (await Storage.Offers.RedeemAsync(Redemption(offer, tx: tx, now: T0.AddMinutes(10)), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct)).Should().BeNull("expired");
        (await Storage.Offers.RedeemAsync(Redemption(offer, tx: tx, now: T0.AddMinutes(9)), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct))!.State.Should().Be(OfferStates.Redeemed);
    }

    [Fact]
    public async Task Offers_TxCodeFailures_LockAtTheLimit_WithOneAuditEntry()
    {
        byte[] tx = Hash();
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync(txHash: tx);
        AuditRecord lockAudit = OfferAudit(issuer, "offer.lock", "(set by the store)");

        (await Storage.Offers.RecordTxCodeFailureAsync(offer.CodeHash, 3, lockAudit, Ct))!.TxCodeFailures.Should().Be(1);
        (await Storage.Offers.RecordTxCodeFailureAsync(offer.CodeHash, 3, lockAudit, Ct))!.State.Should().Be(OfferStates.Offered);
        CredentialOfferRecord locked = (await Storage.Offers.RecordTxCodeFailureAsync(offer.CodeHash, 3, lockAudit, Ct))!;
        (await Storage.Offers.RecordTxCodeFailureAsync(offer.CodeHash, 3, lockAudit, Ct)).Should().BeNull("a locked offer counts no more");

        (locked.State, locked.TxCodeFailures).Should().Be((OfferStates.Locked, 3));
        (await Storage.Offers.RedeemAsync(Redemption(offer, tx: tx), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct)).Should().BeNull("the right code after the limit redeems nothing");
        AuditRecord entry = (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Should().ContainSingle(a => a.Action == "offer.lock").Which;
        entry.Target.Should().Be(offer.OfferId);
    }

    [Fact]
    public async Task Offers_ConcurrentTxCodeFailures_EachCounted()
    {
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync(txHash: Hash());

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => Storage.Offers.RecordTxCodeFailureAsync(offer.CodeHash, 100, OfferAudit(issuer, "offer.lock", "x"), Ct), Ct)));

        (await Storage.Offers.GetAsync(offer.OfferId, Ct))!.TxCodeFailures.Should().Be(8);
    }

    [Fact]
    public async Task Offers_ClaimCompleteRelease_TokenSpentOnce()
    {
        (IssuerRecord issuer, CredentialRecord credential, CredentialOfferRecord offer) = await NewOfferAsync();
        byte[] token = Hash();
        await Storage.Offers.RedeemAsync(Redemption(offer, token: token), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct);
        DateTimeOffset now = T0.AddMinutes(2);

        (await Storage.Offers.ClaimTokenAsync(token, T0.AddMinutes(6), Ct)).Should().BeNull("the token expired");
        (await Storage.Offers.ClaimTokenAsync(token, now, Ct))!.State.Should().Be(OfferStates.Issuing);
        (await Storage.Offers.ClaimTokenAsync(token, now, Ct)).Should().BeNull("a token is spent once");
        (await Storage.Offers.ReleaseClaimAsync(offer.OfferId, Ct)).Should().BeTrue();
        (await Storage.Offers.ClaimTokenAsync(token, now, Ct)).Should().NotBeNull("a released claim can be made again");
        (await Storage.Offers.CompleteAsync(offer.OfferId, credential.Id, now, OfferAudit(issuer, "offer.deliver", offer.OfferId), Ct)).Should().BeTrue();
        (await Storage.Offers.CompleteAsync(offer.OfferId, credential.Id, now, OfferAudit(issuer, "offer.deliver", offer.OfferId), Ct)).Should().BeFalse();
        (await Storage.Offers.ReleaseClaimAsync(offer.OfferId, Ct)).Should().BeFalse("a delivered offer stays delivered");

        CredentialOfferRecord done = (await Storage.Offers.GetAsync(offer.OfferId, Ct))!;
        (done.State, done.DeliveredCredentialId, done.DeliveredAt).Should().Be((OfferStates.Delivered, credential.Id, now));
        (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Count(a => a.Action == "offer.deliver").Should().Be(1);
    }

    [Fact]
    public async Task Offers_ClaimRace_OneWinner()
    {
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync();
        byte[] token = Hash();
        await Storage.Offers.RedeemAsync(Redemption(offer, token: token), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct);

        CredentialOfferRecord?[] claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(() => Storage.Offers.ClaimTokenAsync(token, T0.AddMinutes(2), Ct), Ct)));

        claims.Count(c => c is not null).Should().Be(1);
    }

    [Fact]
    public async Task Offers_Withdraw_FromOfferedOrRedeemed_NotOnceDelivered()
    {
        (IssuerRecord issuer, CredentialRecord credential, CredentialOfferRecord offer) = await NewOfferAsync();
        byte[] token = Hash();
        await Storage.Offers.RedeemAsync(Redemption(offer, token: token), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct);

        (CredentialOfferRecord? withdrawn, bool changed) = await Storage.Offers.WithdrawAsync(offer.OfferId, T0.AddMinutes(3), OfferAudit(issuer, "offer.withdraw", offer.OfferId), Ct);
        (CredentialOfferRecord? again, bool changedAgain) = await Storage.Offers.WithdrawAsync(offer.OfferId, T0.AddMinutes(4), OfferAudit(issuer, "offer.withdraw", offer.OfferId), Ct);

        (changed, withdrawn!.State, withdrawn.WithdrawnAt).Should().Be((true, OfferStates.Withdrawn, T0.AddMinutes(3)));
        (changedAgain, again!.WithdrawnAt).Should().Be((false, T0.AddMinutes(3)));
        (await Storage.Offers.ClaimTokenAsync(token, T0.AddMinutes(2), Ct)).Should().BeNull("a withdrawn offer's token is dead");
        (await Storage.Offers.WithdrawAsync("off_none", T0, OfferAudit(issuer, "offer.withdraw", "off_none"), Ct)).Offer.Should().BeNull();
        (await Storage.Audit.ListAsync(issuer.Id, 10, null, Ct)).Count(a => a.Action == "offer.withdraw").Should().Be(1);

        (_, _, CredentialOfferRecord delivered) = await NewOfferAsync();
        byte[] token2 = Hash();
        await Storage.Offers.RedeemAsync(Redemption(delivered, token: token2), OfferAudit(issuer, "offer.redeem", delivered.OfferId), Ct);
        await Storage.Offers.ClaimTokenAsync(token2, T0.AddMinutes(2), Ct);
        await Storage.Offers.CompleteAsync(delivered.OfferId, credential.Id, T0.AddMinutes(2), OfferAudit(issuer, "offer.deliver", delivered.OfferId), Ct);
        (await Storage.Offers.WithdrawAsync(delivered.OfferId, T0.AddMinutes(3), OfferAudit(issuer, "offer.withdraw", delivered.OfferId), Ct)).Changed.Should().BeFalse();
    }

    [Fact]
    public async Task Nonces_ConsumedOnce_ExpiredRecordsDropped()
    {
        byte[] nonce = Hash();
        byte[] old = Hash();

        (await Storage.Offers.ConsumeNonceAsync(old, T0.AddMinutes(1), T0, Ct)).Should().BeTrue();
        (await Storage.Offers.ConsumeNonceAsync(nonce, T0.AddMinutes(5), T0, Ct)).Should().BeTrue();
        (await Storage.Offers.ConsumeNonceAsync(nonce, T0.AddMinutes(5), T0.AddMinutes(1), Ct)).Should().BeFalse("a nonce is used once");
        // Once its record expired, the hash could be stored again (the caller refuses expired nonces before asking).
        (await Storage.Offers.ConsumeNonceAsync(old, T0.AddMinutes(9), T0.AddMinutes(2), Ct)).Should().BeTrue();
    }

    [Fact]
    public async Task Nonces_Race_OneWinner()
    {
        byte[] nonce = Hash();

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(() => Storage.Offers.ConsumeNonceAsync(nonce, T0.AddMinutes(5), T0, Ct), Ct)));

        results.Count(r => r).Should().Be(1);
    }

    [Fact]
    public async Task Reissue_SharesTheOriginalsStatusEntry_ChangeThroughEitherIdFollowsBoth()
    {
        IssuerRecord issuer = await NewIssuerAsync();
        StatusListIndex at = await Storage.StatusLists.AllocateIndexAsync(new(issuer.Id, "suspension", NewListLength: 16), Ct);
        CredentialRecord original = NewCredential(issuer);
        await Storage.Credentials.AddAsync(original, [at], Ct);
        CredentialRecord copy = NewCredential(issuer) with { ReissueOf = original.Id };
        await Storage.Credentials.AddAsync(copy, [], Ct);

        (await Storage.Credentials.GetAsync(copy.Id, Ct))!.ReissueOf.Should().Be(original.Id);
        StatusUpdateResult viaCopy = await Storage.StatusLists.SetCredentialStatusAsync(copy.Id, "suspension", 1, "admin", Ct);

        viaCopy.Outcome.Should().Be(StatusUpdateOutcome.Updated);
        ((viaCopy.ListId, viaCopy.Index!.Value)).Should().Be((at.ListId, at.Index));
        (await Storage.StatusLists.ListChangesAsync(at.ListId, Ct)).Should().ContainSingle().Which.CredentialId.Should().Be(original.Id);
        IReadOnlyList<CredentialListItem> suspended = await Storage.Credentials.QueryAsync(new CredentialQuery(issuer.Id, 10) { Status = CredentialListStatus.Suspended }, Ct);
        string.Join(",", suspended.Select(c => c.Id).Order()).Should().Be(string.Join(",", new[] { original.Id, copy.Id }.Order()));

        (await Storage.StatusLists.SetCredentialStatusAsync(original.Id, "suspension", 0, "admin", Ct)).Outcome.Should().Be(StatusUpdateOutcome.Updated);
        (await Storage.Credentials.QueryAsync(new CredentialQuery(issuer.Id, 10) { Status = CredentialListStatus.Active }, Ct)).Should().HaveCount(2);
    }
    [Fact]
    public async Task Offers_ClaimForExchange_OneWinner_AuditedOnce_ThenNeitherProtocolRedeemsIt()
    {
        (IssuerRecord issuer, _, CredentialOfferRecord offer) = await NewOfferAsync();

        CredentialOfferRecord?[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(() => Storage.Offers.ClaimForExchangeAsync(offer.HandleHash, T0.AddMinutes(1), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct), Ct)));

        CredentialOfferRecord winner = results.Should().ContainSingle(r => r != null).Which!;
        (winner.State, winner.RedeemedVia, winner.RedeemedAt, winner.TokenHash.HasValue).Should().Be((OfferStates.Issuing, "vcapi", T0.AddMinutes(1), false));
        (await Storage.Audit.ListAsync(issuer.Id, 50, null, Ct)).Count(a => a.Action == "offer.redeem").Should().Be(1);
        (await Storage.Offers.RedeemAsync(Redemption(offer), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct)).Should().BeNull("the exchange holds the offer: the pre-authorized code no longer redeems it");
        CredentialRecord copy = NewCredential(issuer);
        await Storage.Credentials.AddAsync(copy, [], Ct);
        (await Storage.Offers.CompleteAsync(offer.OfferId, copy.Id, T0.AddMinutes(1), OfferAudit(issuer, "offer.deliver", offer.OfferId), Ct)).Should().BeTrue();
        (await Storage.Offers.ClaimForExchangeAsync(offer.HandleHash, T0.AddMinutes(2), OfferAudit(issuer, "offer.redeem", offer.OfferId), Ct)).Should().BeNull("a delivered offer is done");
    }

    [Fact]
    public async Task Offers_ClaimForExchange_RefusesTxCodeExpiredRedeemedAndUnknownOffers()
    {
        (IssuerRecord issuer, _, CredentialOfferRecord withTx) = await NewOfferAsync(txHash: Hash());
        (_, _, CredentialOfferRecord expiring) = await NewOfferAsync(expires: T0.AddMinutes(5));
        (_, _, CredentialOfferRecord redeemed) = await NewOfferAsync();
        (await Storage.Offers.RedeemAsync(Redemption(redeemed), OfferAudit(issuer, "offer.redeem", redeemed.OfferId), Ct)).Should().NotBeNull();

        (await Storage.Offers.ClaimForExchangeAsync(withTx.HandleHash, T0.AddMinutes(1), OfferAudit(issuer, "offer.redeem", withTx.OfferId), Ct)).Should().BeNull("a VC-API exchange cannot carry a transaction code");
        (await Storage.Offers.ClaimForExchangeAsync(expiring.HandleHash, T0.AddMinutes(5), OfferAudit(issuer, "offer.redeem", expiring.OfferId), Ct)).Should().BeNull("the offer expired");
        (await Storage.Offers.ClaimForExchangeAsync(redeemed.HandleHash, T0.AddMinutes(1), OfferAudit(issuer, "offer.redeem", redeemed.OfferId), Ct)).Should().BeNull("OpenID4VCI redeemed it");
        (await Storage.Offers.ClaimForExchangeAsync(Hash(), T0.AddMinutes(1), OfferAudit(issuer, "offer.redeem", "none"), Ct)).Should().BeNull();
        (await Storage.Offers.GetAsync(withTx.OfferId, Ct))!.State.Should().Be(OfferStates.Offered);
        (await Storage.Audit.ListAsync(issuer.Id, 50, null, Ct)).Count(a => a.Action == "offer.redeem").Should().Be(1, "only the OpenID4VCI redemption was audited");
    }

    [Fact]
    public async Task Offers_ReleaseClaim_ExchangeClaimGoesBackToOffered_TokenClaimToRedeemed()
    {
        (IssuerRecord issuer, _, CredentialOfferRecord exchanged) = await NewOfferAsync();
        (_, _, CredentialOfferRecord tokened) = await NewOfferAsync();
        byte[] token = Hash();
        (await Storage.Offers.ClaimForExchangeAsync(exchanged.HandleHash, T0.AddMinutes(1), OfferAudit(issuer, "offer.redeem", exchanged.OfferId), Ct)).Should().NotBeNull();
        (await Storage.Offers.RedeemAsync(Redemption(tokened, token: token), OfferAudit(issuer, "offer.redeem", tokened.OfferId), Ct)).Should().NotBeNull();
        (await Storage.Offers.ClaimTokenAsync(token, T0.AddMinutes(2), Ct)).Should().NotBeNull();

        (await Storage.Offers.ReleaseClaimAsync(exchanged.OfferId, Ct)).Should().BeTrue();
        (await Storage.Offers.ReleaseClaimAsync(tokened.OfferId, Ct)).Should().BeTrue();

        CredentialOfferRecord back = (await Storage.Offers.GetAsync(exchanged.OfferId, Ct))!;
        (back.State, back.RedeemedVia, back.RedeemedAt).Should().Be((OfferStates.Offered, (string?)null, (DateTimeOffset?)null), "a failed exchange leaves the offer as it was");
        CredentialOfferRecord again = (await Storage.Offers.GetAsync(tokened.OfferId, Ct))!;
        (again.State, again.RedeemedVia).Should().Be((OfferStates.Redeemed, "openid4vci"), "the token may be used again while it lasts");
        (await Storage.Offers.ClaimForExchangeAsync(exchanged.HandleHash, T0.AddMinutes(3), OfferAudit(issuer, "offer.redeem", exchanged.OfferId), Ct)).Should().NotBeNull("the released offer can be exchanged again");
    }
}
