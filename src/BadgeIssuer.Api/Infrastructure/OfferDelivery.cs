using System.ComponentModel;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>What an issuer asks of a new offer: whether the learner must type a transaction code, its length and where they find it.</summary>
internal sealed record OfferOptions(bool TxCode, int? TxCodeLength, string? TxCodeDescription);

/// <summary>
/// One-time offers of issued credentials to learners' wallets, for the features that issue (an award with
/// <c>delivery.offer</c>). The Wallet feature implements and registers it; issuing features depend on this interface
/// only, so they stay below Wallet in the feature order while Wallet re-issues through them.
/// </summary>
internal interface IOfferDelivery
{
    /// <summary>
    /// Reads the <c>offer</c> member of an award's <c>delivery</c> object (<c>true</c>, <c>false</c> or an object with
    /// <c>txCode</c>); null when it asks for no offer. Problems are added to <paramref name="violations"/> at <paramref name="path"/>.
    /// </summary>
    OfferOptions? ReadDelivery(System.Text.Json.JsonElement delivery, string path, List<InputViolation> violations);

    /// <summary>Creates an offer of <paramref name="credential"/> for <paramref name="actor"/>; the offer as JSON (its secrets shown this once), or the problem.</summary>
    Task<(byte[]? Offer, ProblemHttpResult? Problem)> CreateAsync(CredentialRecord credential, OfferOptions options, string actor, HttpContext context, CancellationToken cancellationToken);
}

/// <summary>A new offer (the body of <c>POST /credentials/{id}/offers</c>, or an award's <c>delivery.offer</c>): whether the learner must also type a transaction code sent to them another way.</summary>
public sealed record CreateOfferRequest(
    [property: Description("true (a 6-digit code by default), false, or {length: 4-8, description: where the learner finds it (at most 300 characters)}.")]
    TxCodeRequest? TxCode = null);

/// <summary>Transaction code options.</summary>
public sealed record TxCodeRequest(int? Length = null, string? Description = null);
