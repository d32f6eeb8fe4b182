using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Wallet;

/// <summary>
/// Offer management for issuers (scope <c>issue</c>, tenant-scoped like the other credential endpoints: a caller that
/// may not act for the credential's issuer gets 404): <c>POST /credentials/{id}/offers</c> creates a one-time offer,
/// <c>GET</c> lists a credential's offers, <c>DELETE /credentials/{id}/offers/{offerId}</c> withdraws one.
/// </summary>
internal static class OffersApi
{
    private const int MaxBodyBytes = 4 * 1024;
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapOffers(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/credentials/{id}/offers").WithTags("Offers").RequireAuthorization(ApiScopes.Issue);
        group.MapPost("/", Create)
            .WithName("CreateCredentialOffer")
            .WithSummary("Offer an issued credential to the learner's wallet (one-time, OpenID4VCI pre-authorized code)")
            .WithDescription("Optional JSON body {txCode: true | {length: 4-8, description}}. The answer holds the openid-credential-offer:// URI, the offer URL and its QR codes, and the transaction code, each shown this once. The offer expires after BadgeIssuer:Wallet:OfferLifetimeSeconds.")
            .Accepts<CreateOfferRequest>(true, "application/json")
            .Produces<OfferResponse>(StatusCodes.Status201Created)
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict,
                ProblemStatus.PayloadTooLarge, ProblemStatus.UnsupportedMediaType);
        group.MapGet("/", List)
            .WithName("ListCredentialOffers")
            .WithSummary("A credential's offers, newest first (never their secrets)")
            .Produces<OfferList>()
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        group.MapDelete("/{offerId}", Withdraw)
            .WithName("WithdrawCredentialOffer")
            .WithSummary("Withdraw an offer that has not been delivered (its code and any access token stop working)")
            .Produces<OfferResponse>()
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict);
        return routes;
    }

    internal static async Task<IResult> Create(string id, HttpRequest request, IBadgeStorage storage, PublicUrls urls, OfferService offers, CancellationToken cancellationToken)
    {
        (CredentialRecord? credential, ProblemHttpResult? missing) = await FindAsync(id, request, storage, urls, cancellationToken);
        if (credential is null)
        {
            return missing!;
        }

        OfferOptions options = new(false, null, null);
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 || request.ContentType is not null)
        {
            (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, MaxBodyBytes, RequestShape.Of<CreateOfferRequest>(), cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            using (document)
            {
                var violations = new List<InputViolation>();
                options = OfferService.ReadOptions(document!.RootElement, string.Empty, violations);
                if (violations.Count > 0)
                {
                    return RequestJson.Violations(ApiProblems.InvalidRequest, "The offer request is not valid.", violations);
                }
            }
        }

        (byte[]? offer, ProblemHttpResult? refused) = await offers.CreateAsync(credential, options, Caller.From(request.HttpContext.User).Actor, request.HttpContext, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return new CreatedJsonResult<OfferResponse>(offer!, credential.Id + "/offers");
    }

    internal static async Task<IResult> List(string id, HttpRequest request, IBadgeStorage storage, PublicUrls urls, OfferService offers, IOptions<WalletOptions> options, CancellationToken cancellationToken)
    {
        (CredentialRecord? credential, ProblemHttpResult? missing) = await FindAsync(id, request, storage, urls, cancellationToken);
        if (credential is null)
        {
            return missing!;
        }

        string slug = (await storage.Issuers.GetAsync(credential.IssuerId, cancellationToken))!.Slug;
        IReadOnlyList<CredentialOfferRecord> list = await storage.Offers.ListAsync(credential.Id, options.Value.MaxOffersListed, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            w.WriteStartArray("offers");
            foreach (CredentialOfferRecord offer in list)
            {
                offers.WriteTo(w, offer, slug);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return new RawJsonResult<OfferList>(StatusCodes.Status200OK, buffer.WrittenSpan.ToArray());
    }

    internal static async Task<IResult> Withdraw(string id, string offerId, HttpRequest request, IBadgeStorage storage, PublicUrls urls, OfferService offers, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        (CredentialRecord? credential, ProblemHttpResult? missing) = await FindAsync(id, request, storage, urls, cancellationToken);
        if (credential is null)
        {
            return missing!;
        }

        CredentialOfferRecord? offer = offerId.Length <= 64 ? await storage.Offers.GetAsync(offerId, cancellationToken) : null;
        if (offer is null || offer.CredentialId != credential.Id)
        {
            return WalletProblems.OfferNotFound.Result($"No offer '{offerId}' of this credential.");
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        (CredentialOfferRecord? after, bool changed) = await storage.Offers.WithdrawAsync(offerId, now,
            new AuditRecord(0, credential.IssuerId, Caller.From(request.HttpContext.User).Actor, "offer.withdraw", offerId, now, request.HttpContext.TraceIdentifier, null),
            cancellationToken);
        if (!changed && after!.State != OfferStates.Withdrawn)
        {
            return WalletProblems.OfferFinal.Result(after.State == OfferStates.Delivered
                ? $"The offer was delivered (credential {after.DeliveredCredentialId}); revoke that credential instead."
                : "The offer is being delivered right now.");
        }

        string slug = (await storage.Issuers.GetAsync(credential.IssuerId, cancellationToken))!.Slug;
        return new RawJsonResult<OfferResponse>(StatusCodes.Status200OK, offers.Write(after!, slug));
    }

    private static async Task<(CredentialRecord? Credential, ProblemHttpResult? Problem)> FindAsync(string id, HttpRequest request, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        CredentialRecord? credential = id.Length is > 0 and <= 128 && !id.Any(char.IsControl)
            ? await storage.Credentials.GetAsync(urls.Credential(id), cancellationToken)
            : null;
        return credential is not null && Caller.From(request.HttpContext.User).CanActFor(credential.IssuerId)
            ? (credential, null)
            : (null, ApiProblems.CredentialNotFound.Result("No such credential that this API key may offer."));
    }
}
