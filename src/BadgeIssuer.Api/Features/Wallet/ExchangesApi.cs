using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issue;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using QRCoder;

namespace BadgeIssuer.Api.Features.Wallet;

/// <summary>
/// VC-API exchanges (the W3C CCG VC-API "workflows and exchanges", as the Learner Credential Wallet and other VC-API
/// wallets run them) for credential offers. The exchange URL <c>{base}/issuers/{slug}/exchanges/{handle}</c> carries the
/// offer's handle, the same secret as its OpenID4VCI offer URL, and redeems the same one-time offer:
/// <list type="number">
/// <item><c>POST {}</c> → <c>{"verifiablePresentationRequest": {"query": [{"type": "DIDAuthentication", …}], "challenge", "domain"}}</c>
/// — the challenge is stateless (expiry and random bits under an HMAC bound to this offer), so this step writes nothing;</item>
/// <item><c>POST {"verifiablePresentation": …}</c>: the presentation verifier of <c>POST /presentations/verify</c> checks
/// the proof (purpose authentication), that its challenge is one this exchange issued and its domain is this service's
/// origin, and that the key that signed it belongs to the <c>holder</c>; the challenge is then spent (once), the offer
/// claimed (<c>offered</c> → <c>issuing</c>, one atomic update) and the holder-bound copy issued exactly as OpenID4VCI
/// issues it → <c>{"verifiablePresentation": {"verifiableCredential": [the copy]}}</c>.</item>
/// </list>
/// Errors are RFC 9457 problems, like the offer document and QR endpoints (VC-API defines no error format of its own
/// beyond HTTP status codes and a problem-details-like body).
/// </summary>
internal static class ExchangesApi
{
    private const string ActorWallet = "vcapi-wallet";
    private const int MaxBodyBytes = 32 * 1024;
    private const int MaxChallengeCandidates = 4;
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapExchanges(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/issuers/{slug}/exchanges").WithTags("VC-API exchanges");
        group.MapPost("/{handle}", ExchangeAsync)
            .WithName("CredentialOfferExchange")
            .WithSummary("VC-API exchange of a credential offer: {} → a DIDAuthentication presentation request; {verifiablePresentation} → the credential bound to the holder's DID")
            .WithDescription("The exchange URL comes from the offer (vcApi.exchangeUrl). The presentation must be a JSON-LD presentation with a Data Integrity proof (proofPurpose authentication) whose challenge is the request's and whose domain is the service's origin, signed by a key of its holder (did:key or did:jwk). The offer is redeemed once, by this exchange or by OpenID4VCI; an offer with a transaction code cannot be redeemed here (409 exchange-not-possible).")
            .AcceptsJson<ExchangeRequest>()
            .Produces<ExchangeResponse>()
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.NotFound, ProblemStatus.Conflict, ProblemStatus.Gone, ProblemStatus.PayloadTooLarge, ProblemStatus.UnsupportedMediaType)
            .WithMetadata(new TokenEndpointMetadata())
            .CarriesNewSecret();
        MapQr(group, "qr.png", png: true, deepLink: false, "CredentialOfferExchangeQrPng", "The exchange URL as a QR code (PNG)");
        MapQr(group, "qr.svg", png: false, deepLink: false, "CredentialOfferExchangeQrSvg", "The exchange URL as a QR code (SVG)");
        MapQr(group, "deep-link-qr.png", png: true, deepLink: true, "CredentialOfferDeepLinkQrPng",
            "The Learner Credential Wallet deep link (https://lcw.app/request?request=…) as a QR code (PNG)");
        MapQr(group, "deep-link-qr.svg", png: false, deepLink: true, "CredentialOfferDeepLinkQrSvg", "The Learner Credential Wallet deep link as a QR code (SVG)");
        return routes;
    }

    // One QR image of an exchange: the exchange URL or the LCW deep link, as PNG or SVG.
    private static void MapQr(RouteGroupBuilder group, string file, bool png, bool deepLink, string name, string summary) =>
        group.MapGet("/{handle}/" + file, (string slug, string handle, IBadgeStorage storage, PublicUrls urls, TimeProvider time, CancellationToken ct)
                => QrAsync(slug, handle, png, deepLink, storage, urls, time, ct))
            .WithName(name)
            .WithSummary(summary)
            .Produces(StatusCodes.Status200OK, contentType: png ? "image/png" : "image/svg+xml")
            .ProducesProblems(ProblemStatus.NotFound, ProblemStatus.Conflict, ProblemStatus.Gone)
            .CarriesNewSecret();

    /// <summary>The offer behind an exchange URL: 404/410 as for the offer document, 409 when it needs a transaction code.</summary>
    private static async Task<(CredentialOfferRecord? Offer, IResult? Problem)> FindExchangeAsync(string slug, string handle, IBadgeStorage storage, TimeProvider time, CancellationToken cancellationToken)
    {
        (CredentialOfferRecord? offer, IResult? problem) = await Oid4vciApi.FindOfferAsync(slug, handle, storage, time, cancellationToken);
        if (offer is not null && offer.TxCodeHash is not null)
        {
            return (null, WalletProblems.ExchangeNotPossible.Result("This offer requires a transaction code, which a VC-API exchange cannot carry: redeem it with OpenID4VCI."));
        }

        return (offer, problem);
    }

    internal static async Task<IResult> QrAsync(string slug, string handle, bool png, bool deepLink, IBadgeStorage storage, PublicUrls urls, TimeProvider time, CancellationToken cancellationToken)
    {
        (CredentialOfferRecord? offer, IResult? problem) = await FindExchangeAsync(slug, handle, storage, time, cancellationToken);
        if (offer is null)
        {
            return problem!;
        }

        using QRCodeData data = QRCodeGenerator.GenerateQrCode(
            deepLink ? WalletUrls.LcwDeepLink(urls, slug, handle) : WalletUrls.Exchange(urls, slug, handle), QRCodeGenerator.ECCLevel.M);
        return png
            ? TypedResults.Bytes(new PngByteQRCode(data).GetGraphic(8), "image/png")
            : TypedResults.Bytes(Encoding.UTF8.GetBytes(new SvgQRCode(data).GetGraphic(8)), "image/svg+xml");
    }

    internal static async Task<IResult> ExchangeAsync(
        string slug,
        string handle,
        HttpRequest request,
        IBadgeStorage storage,
        PublicUrls urls,
        WalletSecrets secrets,
        PresentationVerifiers presentations,
        IssuerService issuers,
        IssuanceService issuance,
        IOptions<WalletOptions> options,
        IOptions<VerifyOptions> verifyOptions,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        (CredentialOfferRecord? offer, IResult? problem) = await FindExchangeAsync(slug, handle, storage, time, cancellationToken);
        if (offer is null)
        {
            return problem!;
        }

        // An empty POST starts the exchange like {} does; anything sent must be a JSON object of the exchange's shape.
        JsonDocument? document = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 || request.ContentType is not null)
        {
            ProblemHttpResult? unreadable;
            (document, unreadable) = await RequestJson.ReadObjectAsync(request, MaxBodyBytes, RequestShape.Of<ExchangeRequest>(), cancellationToken);
            if (unreadable is not null)
            {
                return unreadable;
            }
        }

        using (document)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (document is null || !document.RootElement.TryGetProperty("verifiablePresentation", out JsonElement presentation) || presentation.ValueKind == JsonValueKind.Null)
            {
                string challenge = secrets.NewExchangeChallenge(offer.OfferId, now.AddSeconds(options.Value.ExchangeChallengeLifetimeSeconds));
                return new RawJsonResult<ExchangeResponse>(StatusCodes.Status200OK, PresentationRequest(challenge, WalletUrls.Origin(urls), verifyOptions.Value));
            }

            return await DeliverAsync(offer, slug, presentation, request.HttpContext, storage, urls, secrets, presentations, issuers, issuance, now, cancellationToken);
        }
    }

    private static byte[] PresentationRequest(string challenge, string domain, VerifyOptions verify) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("verifiablePresentationRequest");
        w.WriteStartArray("query");
        w.WriteStartObject();
        w.WriteString("type", "DIDAuthentication");
        w.WriteStartArray("acceptedMethods");
        foreach (string method in (string[])["key", "jwk"])
        {
            w.WriteStartObject();
            w.WriteString("method", method);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("acceptedCryptosuites");
        foreach (Core.DataIntegrity.IDataIntegrityCryptosuite suite in verify.CryptosuiteSet().Suites)
        {
            w.WriteStartObject();
            w.WriteString("cryptosuite", suite.Name);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("challenge", challenge);
        w.WriteString("domain", domain);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static async Task<IResult> DeliverAsync(
        CredentialOfferRecord offer,
        string slug,
        JsonElement presentation,
        HttpContext context,
        IBadgeStorage storage,
        PublicUrls urls,
        WalletSecrets secrets,
        PresentationVerifiers presentations,
        IssuerService issuers,
        IssuanceService issuance,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (presentation.ValueKind != JsonValueKind.Object)
        {
            return ApiProblems.UnsupportedRequest.Result("verifiablePresentation must be a JSON-LD presentation object with a Data Integrity proof (DIDAuthentication).");
        }

        // 1. The challenge: one that this exchange issued and that has not expired (the proof's own, so the verifier can require it).
        string? challenge = null;
        DateTimeOffset challengeExpires = default;
        foreach (string candidate in ProofChallenges(presentation))
        {
            if (secrets.TryCheckExchangeChallenge(candidate, offer.OfferId, now, out challengeExpires))
            {
                challenge = candidate;
                break;
            }
        }

        if (challenge is null)
        {
            return WalletProblems.InvalidPresentation.Result("The presentation's proof has no challenge that this exchange issued, or it expired: POST {} to the exchange URL for a new presentation request.");
        }

        // 2. The presentation verifier: proof purpose authentication, this challenge and domain, signed by the holder.
        string domain = WalletUrls.Origin(urls);
        PresentationVerificationReport report = await presentations.Verifier.VerifyAsync(JsonMarshal.GetRawUtf8Value(presentation).ToArray(), challenge, domain, cancellationToken);
        bool holderProven = report.Checks.Any(c => c.Name == PresentationCheckNames.Holder && c.Status == CheckStatus.Passed);
        if (!report.Verified || !holderProven || report.Holder is null)
        {
            string why = !report.Verified ? report.Errors.FirstOrDefault() ?? report.Verdict
                : report.Holder is null ? "the presentation names no holder: DIDAuthentication needs holder = the DID whose key signs it"
                : report.Checks.FirstOrDefault(c => c.Name == PresentationCheckNames.Holder)?.Message ?? "the holder was not authenticated";
            return WalletProblems.InvalidPresentation.Result("The presentation does not authenticate its holder for this exchange: " + why + ".",
                new Dictionary<string, object?>(StringComparer.Ordinal) { ["errors"] = report.Errors.Take(8).ToArray() });
        }

        string holder = report.Holder;
        CredentialRecord original = await storage.Credentials.GetAsync(offer.CredentialId, cancellationToken)
            ?? throw new InvalidOperationException("The offered credential is gone.");
        using JsonDocument originalDocument = original.SignedJson is not null
            ? JsonDocument.Parse(original.SignedJson)
            : HolderBoundCredentialTemplate.ParseJwtPayload(original.Jwt!) ?? throw new InvalidOperationException("The offered credential's JWT cannot be read.");
        var template = new HolderBoundCredentialTemplate(originalDocument.RootElement, holder, SecuringFormat.DataIntegrity, fromJwtPayload: original.SignedJson is null);
        if (template.ExistingSubjectId is { } subjectId && !string.Equals(subjectId, holder, StringComparison.Ordinal))
        {
            return WalletProblems.InvalidPresentation.Result("The credential is about another subject id: authenticate as that DID.");
        }

        // 3. Spend the challenge (once, whatever races), refuse a revoked original, claim the offer (once), issue.
        if (!await storage.Offers.ConsumeNonceAsync(WalletSecrets.Hash(challenge), challengeExpires, now, cancellationToken))
        {
            return WalletProblems.InvalidPresentation.Result("The presentation's challenge was already used: POST {} to the exchange URL for a new presentation request.");
        }

        if (await OfferService.IsRevokedAsync(original, storage, urls, cancellationToken))
        {
            return WalletProblems.OfferNotPossible.Result("The credential was revoked.");
        }

        CredentialOfferRecord? claimed = await storage.Offers.ClaimForExchangeAsync(offer.HandleHash, now,
            new AuditRecord(0, offer.IssuerId, ActorWallet, "offer.redeem", offer.OfferId, now, context.TraceIdentifier, "{\"via\":\"vcapi\"}"),
            cancellationToken);
        if (claimed is null)
        {
            return WalletProblems.OfferGone.Result("This credential offer was already used, withdrawn or expired; ask the issuer for a new one.");
        }

        IssueOutcome outcome = await OfferService.IssueClaimedAsync(
            storage, issuers, issuance, offer, offer.IssuerId, original, SecuringFormat.DataIntegrity, holder, "vcapi", template, cancellationToken);
        if (!outcome.Succeeded)
        {
            return WalletProblems.OfferNotPossible.Result("The credential could not be issued: " + outcome.Detail);
        }

        CredentialRecord delivered = outcome.Credential!;
        string details = JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["credential"] = delivered.Id,
            ["holder"] = holder,
            ["format"] = "ldp_vc",
            ["via"] = OfferRedeemers.VcApi,
        });
        await storage.Offers.CompleteAsync(offer.OfferId, delivered.Id, now,
            new AuditRecord(0, offer.IssuerId, ActorWallet, "offer.deliver", offer.OfferId, now, context.TraceIdentifier, details), CancellationToken.None);
        return new RawJsonResult<ExchangeResponse>(StatusCodes.Status200OK, Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("verifiablePresentation");
            w.WriteStartArray("@context");
            w.WriteStringValue(Core.Model.ContextUrls.CredentialsV2);
            w.WriteEndArray();
            w.WriteStartArray("type");
            w.WriteStringValue("VerifiablePresentation");
            w.WriteEndArray();
            w.WriteStartArray("verifiableCredential");
            w.WriteRawValue(delivered.SignedJson!, skipInputValidation: true);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }

    /// <summary>The string <c>challenge</c>s of the presentation's proofs (a proof object or an array of them), at most a few.</summary>
    private static List<string> ProofChallenges(JsonElement presentation)
    {
        var found = new List<string>();
        if (!presentation.TryGetProperty("proof", out JsonElement proof))
        {
            return found;
        }

        IEnumerable<JsonElement> proofs = proof.ValueKind == JsonValueKind.Array ? proof.EnumerateArray().Take(MaxChallengeCandidates) : [proof];
        foreach (JsonElement p in proofs)
        {
            if (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("challenge", out JsonElement c) && c.ValueKind == JsonValueKind.String
                && c.GetString() is { Length: <= 128 } value && !found.Contains(value, StringComparer.Ordinal))
            {
                found.Add(value);
            }
        }

        return found;
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            write(w);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
