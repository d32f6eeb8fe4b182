using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issue;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Wallet;

/// <summary>Where an issuer's OpenID4VCI endpoints are (see docs/wallet.md for the identifier ↔ issuer mapping).</summary>
internal static class WalletUrls
{
    public const string LdpVc = "OpenBadgeCredential_ldp_vc";
    public const string JwtVcJson = "OpenBadgeCredential_jwt_vc_json";
    public static readonly string[] Configurations = [LdpVc, JwtVcJson];

    /// <summary>The credential issuer identifier of issuer <paramref name="slug"/>: its profile URL.</summary>
    public static string CredentialIssuer(PublicUrls urls, string slug) => urls.IssuerProfile(slug);

    public static string Endpoint(PublicUrls urls, string slug, string name) => urls.IssuerProfile(slug) + "/oid4vci/" + name;

    public static string OfferDocument(PublicUrls urls, string slug, string handle) => Endpoint(urls, slug, "offers/" + handle);

    public static string OfferUri(PublicUrls urls, string slug, string handle) =>
        "openid-credential-offer://?credential_offer_uri=" + Uri.EscapeDataString(OfferDocument(urls, slug, handle));

    /// <summary>The VC-API exchange URL of the offer with <paramref name="handle"/> (the same secret as its OpenID4VCI offer URL).</summary>
    public static string Exchange(PublicUrls urls, string slug, string handle) => urls.IssuerProfile(slug) + "/exchanges/" + handle;

    /// <summary>The origin (scheme, host, port) of the service: the <c>domain</c> a DIDAuthentication proof must name, and the <c>credentialRequestOrigin</c>.</summary>
    public static string Origin(PublicUrls urls) => urls.BaseUri.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// The Learner Credential Wallet request of an exchange: <c>{"credentialRequestOrigin", "protocols": {"vcapi"}}</c>
    /// (the "exchange invitation" the wallet reads from the <c>request</c> parameter of its deep links).
    /// </summary>
    public static string LcwRequest(PublicUrls urls, string slug, string handle)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("credentialRequestOrigin", Origin(urls));
            w.WriteStartObject("protocols");
            w.WriteString("vcapi", Exchange(urls, slug, handle));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The LCW universal link (<c>https://lcw.app/request?request=…</c>): opens the app, or the LCW web page when it is not installed.</summary>
    public static string LcwDeepLink(PublicUrls urls, string slug, string handle) =>
        "https://lcw.app/request?request=" + Uri.EscapeDataString(LcwRequest(urls, slug, handle));

    /// <summary>The LCW custom-scheme link (<c>dccrequest://request?request=…</c>): only opens an installed app.</summary>
    public static string LcwCustomSchemeLink(PublicUrls urls, string slug, string handle) =>
        "dccrequest://request?request=" + Uri.EscapeDataString(LcwRequest(urls, slug, handle));
}

/// <summary>
/// Creates, lists and withdraws one-time credential offers (the management side; the protocol side is
/// <see cref="Oid4vciApi"/>). Registered as <see cref="IOfferDelivery"/> for awards that ask for an offer.
/// </summary>
internal sealed class OfferService(IBadgeStorage storage, PublicUrls urls, IOptions<WalletOptions> options, TimeProvider timeProvider) : IOfferDelivery
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const int MaxTxCodeDescription = 300;

    public OfferOptions? ReadDelivery(JsonElement delivery, string path, List<InputViolation> violations)
    {
        if (delivery.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new(path, "delivery must be an object, e.g. {\"offer\": true}."));
            return null;
        }

        if (!delivery.TryGetProperty("offer", out JsonElement offer) || offer.ValueKind is JsonValueKind.Null or JsonValueKind.False)
        {
            return null;
        }

        if (offer.ValueKind == JsonValueKind.True)
        {
            return new OfferOptions(false, null, null);
        }

        if (offer.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new(path + "/offer", "offer must be true, false or an object {txCode}."));
            return null;
        }

        return ReadOptions(offer, path + "/offer", violations);
    }

    /// <summary>The body of <c>POST /credentials/{id}/offers</c> (or an award's <c>delivery.offer</c> object): <c>{txCode: bool | {length, description}}</c>.</summary>
    public static OfferOptions ReadOptions(JsonElement body, string path, List<InputViolation> violations)
    {
        if (!body.TryGetProperty("txCode", out JsonElement tx) || tx.ValueKind is JsonValueKind.Null or JsonValueKind.False)
        {
            return new OfferOptions(false, null, null);
        }

        if (tx.ValueKind == JsonValueKind.True)
        {
            return new OfferOptions(true, null, null);
        }

        if (tx.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new(path + "/txCode", "txCode must be true, false or an object {length, description}."));
            return new OfferOptions(false, null, null);
        }

        int? length = null;
        if (tx.TryGetProperty("length", out JsonElement l) && l.ValueKind != JsonValueKind.Null)
        {
            if (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out int value) || value is < 4 or > 8)
            {
                violations.Add(new(path + "/txCode/length", "length must be a whole number from 4 to 8."));
            }
            else
            {
                length = value;
            }
        }

        string? description = RequestJson.OptionalText(tx, "description", path + "/txCode", violations, MaxTxCodeDescription);
        if (description is not null && description.Any(char.IsControl))
        {
            violations.Add(new(path + "/txCode/description", "description must not contain control characters."));
        }

        return new OfferOptions(true, length, description);
    }

    public async Task<(byte[]? Offer, ProblemHttpResult? Problem)> CreateAsync(
        CredentialRecord credential, OfferOptions offerOptions, string actor, HttpContext context, CancellationToken cancellationToken)
    {
        if (credential.ReissueOf is not null)
        {
            return (null, WalletProblems.OfferNotPossible.Result("This credential is already a holder-bound copy delivered to a wallet; offer its original instead."));
        }

        if (!IsOpenBadge(credential))
        {
            return (null, WalletProblems.OfferNotPossible.Result("Offers deliver Open Badges 3.0 credentials (OpenBadgeCredential); this credential is not one."));
        }

        if (await IsRevokedAsync(credential, storage, urls, cancellationToken))
        {
            return (null, WalletProblems.OfferNotPossible.Result("The credential is revoked."));
        }

        IssuerRecord issuer = await storage.Issuers.GetAsync(credential.IssuerId, cancellationToken)
            ?? throw new InvalidOperationException("The credential's issuer is gone.");
        WalletOptions o = options.Value;
        DateTimeOffset now = timeProvider.GetUtcNow();
        string handle = WalletSecrets.NewHandle();
        string code = WalletSecrets.CodeFor(handle);
        string? txCode = offerOptions.TxCode ? WalletSecrets.NewTxCode(offerOptions.TxCodeLength ?? o.TxCodeLength) : null;
        var record = new CredentialOfferRecord(
            WalletSecrets.NewOfferId(), credential.Id, credential.IssuerId, WalletSecrets.Hash(handle), WalletSecrets.Hash(code), OfferStates.Offered,
            now, CredentialSigning.WholeSeconds(now).AddSeconds(o.OfferLifetimeSeconds), actor)
        {
            TxCodeHash = txCode is null ? (ReadOnlyMemory<byte>?)null : WalletSecrets.TxCodeHash(code, txCode),
            TxCodeLength = txCode?.Length,
            TxCodeDescription = txCode is null ? null : offerOptions.TxCodeDescription,
        };
        string details = JsonSerializer.Serialize(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["credential"] = credential.Id,
            ["expiresAt"] = record.ExpiresAt,
            ["txCode"] = txCode is not null,
        });
        await storage.Offers.CreateAsync(record, new AuditRecord(0, credential.IssuerId, actor, "offer.create", record.OfferId, now, context.TraceIdentifier, details), cancellationToken);
        return (Write(record, issuer.Slug, handle, txCode), null);
    }

    /// <summary>The offer as the management API shows it; <paramref name="handle"/> and <paramref name="txCode"/> only when just created.</summary>
    public byte[] Write(CredentialOfferRecord offer, string slug, string? handle = null, string? txCode = null)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            WriteTo(w, offer, slug, handle, txCode);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public void WriteTo(Utf8JsonWriter w, CredentialOfferRecord offer, string slug, string? handle = null, string? txCode = null)
    {
        DateTimeOffset now = timeProvider.GetUtcNow();
        w.WriteStartObject();
        w.WriteString("offerId", offer.OfferId);
        w.WriteString("credentialId", offer.CredentialId);
        // An offer past its time reads as expired whatever its stored state (expiry is not a state change).
        bool expired = offer.State == OfferStates.Offered && offer.ExpiresAt <= now;
        w.WriteString("state", expired ? "expired" : offer.State);
        w.WriteString("createdAt", offer.CreatedAt);
        w.WriteString("expiresAt", offer.ExpiresAt);
        w.WriteStartObject("txCode");
        w.WriteBoolean("required", offer.TxCodeHash is not null);
        if (offer.TxCodeHash is not null)
        {
            w.WriteNumber("length", offer.TxCodeLength ?? 0);
            w.WriteString("inputMode", "numeric");
            if (offer.TxCodeDescription is not null)
            {
                w.WriteString("description", offer.TxCodeDescription);
            }

            if (txCode is not null)
            {
                w.WriteString("value", txCode);
            }

            w.WriteNumber("failedAttempts", offer.TxCodeFailures);
        }

        w.WriteEndObject();
        if (offer.DeliveredCredentialId is not null)
        {
            w.WriteString("deliveredCredentialId", offer.DeliveredCredentialId);
            w.WriteString("deliveredAt", offer.DeliveredAt!.Value);
        }

        if (offer.WithdrawnAt is { } withdrawn)
        {
            w.WriteString("withdrawnAt", withdrawn);
        }

        if (offer.RedeemedVia is { } via)
        {
            w.WriteString("redeemedVia", via);
        }

        w.WriteStartObject("openid4vci");
        w.WriteString("credentialIssuer", WalletUrls.CredentialIssuer(urls, slug));
        w.WriteStartArray("credentialConfigurationIds");
        foreach (string id in WalletUrls.Configurations)
        {
            w.WriteStringValue(id);
        }

        w.WriteEndArray();
        if (handle is not null)
        {
            w.WriteString("credentialOfferUri", WalletUrls.OfferUri(urls, slug, handle));
            w.WriteString("credentialOfferUrl", WalletUrls.OfferDocument(urls, slug, handle));
            w.WriteStartObject("qr");
            w.WriteString("png", WalletUrls.OfferDocument(urls, slug, handle) + "/qr.png");
            w.WriteString("svg", WalletUrls.OfferDocument(urls, slug, handle) + "/qr.svg");
            w.WriteEndObject();
        }

        w.WriteEndObject();

        // A VC-API exchange has no transaction code: an offer that requires one is redeemed through OpenID4VCI only.
        if (handle is not null && offer.TxCodeHash is null)
        {
            string exchange = WalletUrls.Exchange(urls, slug, handle);
            w.WriteStartObject("vcApi");
            w.WriteString("exchangeUrl", exchange);
            w.WriteString("deepLink", WalletUrls.LcwDeepLink(urls, slug, handle));
            w.WriteString("deepLinkCustomScheme", WalletUrls.LcwCustomSchemeLink(urls, slug, handle));
            w.WriteStartObject("qr");
            w.WriteString("png", exchange + "/qr.png");
            w.WriteString("svg", exchange + "/qr.svg");
            w.WriteEndObject();
            w.WriteStartObject("deepLinkQr");
            w.WriteString("png", exchange + "/deep-link-qr.png");
            w.WriteString("svg", exchange + "/deep-link-qr.svg");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Whether the credential is an OpenBadgeCredential (from its Data Integrity JSON, or its VC-JWT payload).</summary>
    public static bool IsOpenBadge(CredentialRecord credential)
    {
        using JsonDocument? document = credential.SignedJson is not null
            ? JsonDocument.Parse(credential.SignedJson)
            : HolderBoundCredentialTemplate.ParseJwtPayload(credential.Jwt!);
        return document is not null && CredentialJson.IsOpenBadge(document.RootElement);
    }

    /// <summary>
    /// Issues the holder-bound copy of <paramref name="original"/> for an offer a wallet has just claimed (OpenID4VCI or a
    /// VC-API exchange), through the issuing pipeline: it shares the original's status entries, and
    /// <paramref name="redeemer"/><c>-offer:</c><em>offerId</em> is both its idempotency key and its actor. When nothing is
    /// issued (a refusal, or an exception, which is rethrown) the claim is released, so the learner can try again.
    /// </summary>
    public static async Task<IssueOutcome> IssueClaimedAsync(
        IBadgeStorage storage,
        IssuerService issuers,
        IssuanceService issuance,
        CredentialOfferRecord offer,
        string issuerId,
        CredentialRecord original,
        SecuringFormat format,
        string holder,
        string redeemer,
        HolderBoundCredentialTemplate template,
        CancellationToken cancellationToken)
    {
        string key = redeemer + "-offer:" + offer.OfferId;
        IssueOutcome outcome;
        try
        {
            IssuerSigning signing = await issuers.GetSigningAsync(issuerId, cancellationToken)
                ?? throw new InvalidOperationException("The issuer is gone.");
            outcome = await issuance.IssueAsync(
                signing,
                issuance.NewCredentialId(),
                new IssueParameters(format, null, [], key, original.AchievementId, holder, key) { ReissueOf = original },
                template,
                cancellationToken);
        }
        catch
        {
            await storage.Offers.ReleaseClaimAsync(offer.OfferId, CancellationToken.None);
            throw;
        }

        if (!outcome.Succeeded)
        {
            await storage.Offers.ReleaseClaimAsync(offer.OfferId, CancellationToken.None);
        }

        return outcome;
    }

    /// <summary>Whether the credential's revocation entry (if it has one, in one of our lists) is set.</summary>
    public static async Task<bool> IsRevokedAsync(CredentialRecord credential, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        if (credential.StatusEntriesJson is null)
        {
            return false;
        }

        using JsonDocument status = JsonDocument.Parse(credential.StatusEntriesJson);
        foreach (BitstringStatusListEntry entry in BitstringStatusListEntry.ParseCredentialStatus(status.RootElement))
        {
            if (entry.StatusPurpose == "revocation" && urls.LocalId(entry.StatusListCredential, "/status-lists/") is { } listId
                && await storage.StatusLists.GetAsync(listId, cancellationToken) is { } list
                && entry.StatusListIndex < list.Length && list.GetStatus((int)entry.StatusListIndex) != 0)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Problems of the offer management endpoints (RFC 9457, the <c>urn:badgeissuer:problem:</c> namespace).</summary>
internal static class WalletProblems
{
    public static readonly ApiProblems.ApiProblem OfferNotPossible = new("offer-not-possible", StatusCodes.Status409Conflict, "This credential cannot be offered.");
    public static readonly ApiProblems.ApiProblem OfferNotFound = new("offer-not-found", StatusCodes.Status404NotFound, "No such offer.");
    public static readonly ApiProblems.ApiProblem OfferFinal = new("offer-final", StatusCodes.Status409Conflict, "The offer was already delivered or withdrawn.");
    public static readonly ApiProblems.ApiProblem OfferGone = new("offer-gone", StatusCodes.Status410Gone, "The offer is no longer available.");
    public static readonly ApiProblems.ApiProblem ExchangeNotPossible = new("exchange-not-possible", StatusCodes.Status409Conflict, "This offer cannot be redeemed through a VC-API exchange.");
    public static readonly ApiProblems.ApiProblem InvalidPresentation = new("invalid-presentation", StatusCodes.Status400BadRequest, "The presentation does not authenticate the holder for this exchange.");
}
