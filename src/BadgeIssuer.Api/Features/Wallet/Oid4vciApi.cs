using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issue;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using QRCoder;

namespace BadgeIssuer.Api.Features.Wallet;

/// <summary>
/// OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, one credential issuer per hosted issuer:
/// the credential issuer identifier is the issuer's profile URL <c>{base}/issuers/{slug}</c>, so its metadata is at
/// <c>/.well-known/openid-credential-issuer/issuers/{slug}</c> and its authorization server's (the same identifier) at
/// <c>/.well-known/oauth-authorization-server/issuers/{slug}</c> (path insertion, RFC 8414 §3). The offer document,
/// its QR codes, and the token, nonce and credential endpoints are under <c>{base}/issuers/{slug}/oid4vci/</c>. The
/// protocol endpoints answer errors as OAuth/OpenID4VCI JSON (<see cref="ProtocolErrorResult"/>); the offer document
/// and QR endpoints, which the protocol does not define errors for, answer RFC 9457 problems.
/// </summary>
internal static class Oid4vciApi
{
    public const string PreAuthorizedGrant = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
    private const string ActorWallet = "oid4vci-wallet";
    private const int MaxTokenBodyBytes = 8 * 1024;
    private const int MaxCredentialBodyBytes = 32 * 1024;
    private const int MaxAuthorizationHeader = 256;
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] s_proofAlgorithms = [JwsAlgorithms.EdDsa, JwsAlgorithms.ES256];

    public static IServiceCollection AddWallet(this IServiceCollection services)
    {
        services.AddOptions<WalletOptions>().BindConfiguration(WalletOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WalletOptions>, WalletOptionsValidator>();
        services.AddSingleton<WalletSecrets>();
        services.AddSingleton<OfferService>();
        services.AddSingleton<IOfferDelivery>(sp => sp.GetRequiredService<OfferService>());
        return services;
    }

    public static IEndpointRouteBuilder MapWallet(this IEndpointRouteBuilder routes)
    {
        routes.MapOffers();
        routes.MapExchanges();

        routes.MapGet("/.well-known/openid-credential-issuer/{**path}", (string path, IBadgeStorage storage, PublicUrls urls, CancellationToken ct) => IssuerMetadataAsync(SlugOf(path, urls), storage, urls, ct))
            .WithTags("OpenID4VCI").WithName("CredentialIssuerMetadata")
            .WithSummary("OpenID4VCI credential issuer metadata of the issuer {base}/issuers/{slug} (path insertion)")
            .Produces<JsonElement>()
            .ProducesProblems(ProblemStatus.NotFound);
        routes.MapGet("/issuers/{slug}/.well-known/openid-credential-issuer", (string slug, IBadgeStorage storage, PublicUrls urls, CancellationToken ct) => IssuerMetadataAsync(slug, storage, urls, ct))
            .WithTags("OpenID4VCI").WithName("CredentialIssuerMetadataAppended")
            .WithSummary("The same metadata at the appended well-known path older wallets use")
            .Produces<JsonElement>()
            .ProducesProblems(ProblemStatus.NotFound);
        routes.MapGet("/.well-known/oauth-authorization-server/{**path}", (string path, IBadgeStorage storage, PublicUrls urls, CancellationToken ct) => AuthorizationServerMetadataAsync(SlugOf(path, urls), storage, urls, ct))
            .WithTags("OpenID4VCI").WithName("AuthorizationServerMetadata")
            .WithSummary("OAuth authorization server metadata (RFC 8414) of the issuer {base}/issuers/{slug}: pre-authorized code grant only")
            .Produces<JsonElement>()
            .ProducesProblems(ProblemStatus.NotFound);
        routes.MapGet("/issuers/{slug}/.well-known/oauth-authorization-server", (string slug, IBadgeStorage storage, PublicUrls urls, CancellationToken ct) => AuthorizationServerMetadataAsync(slug, storage, urls, ct))
            .WithTags("OpenID4VCI").WithName("AuthorizationServerMetadataAppended")
            .WithSummary("The same metadata at the appended well-known path")
            .Produces<JsonElement>()
            .ProducesProblems(ProblemStatus.NotFound);

        RouteGroupBuilder group = routes.MapGroup("/issuers/{slug}/oid4vci").WithTags("OpenID4VCI");
        group.MapGet("/offers/{handle}", OfferDocumentAsync)
            .WithName("CredentialOfferDocument")
            .WithSummary("A credential offer by reference (the credential_offer_uri target): credential_issuer, credential_configuration_ids, the pre-authorized code grant")
            .Produces<JsonElement>()
            .ProducesProblems(ProblemStatus.NotFound, ProblemStatus.Gone)
            .CarriesNewSecret();
        group.MapGet("/offers/{handle}/qr.png", (string slug, string handle, IBadgeStorage storage, PublicUrls urls, TimeProvider time, CancellationToken ct) => QrAsync(slug, handle, png: true, storage, urls, time, ct))
            .WithName("CredentialOfferQrPng")
            .WithSummary("The offer URI as a QR code (PNG)")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .ProducesProblems(ProblemStatus.NotFound, ProblemStatus.Gone)
            .CarriesNewSecret();
        group.MapGet("/offers/{handle}/qr.svg", (string slug, string handle, IBadgeStorage storage, PublicUrls urls, TimeProvider time, CancellationToken ct) => QrAsync(slug, handle, png: false, storage, urls, time, ct))
            .WithName("CredentialOfferQrSvg")
            .WithSummary("The offer URI as a QR code (SVG)")
            .Produces(StatusCodes.Status200OK, contentType: "image/svg+xml")
            .ProducesProblems(ProblemStatus.NotFound, ProblemStatus.Gone)
            .CarriesNewSecret();
        group.MapPost("/token", TokenAsync)
            .WithName("Oid4vciToken")
            .WithSummary("Token endpoint: pre-authorized code (+ tx_code) → a short-lived, single-use access token")
            .AcceptsBody<PreAuthorizedTokenRequest>("application/x-www-form-urlencoded")
            .Produces<PreAuthorizedTokenResponse>()
            .Produces<ProtocolError>(StatusCodes.Status400BadRequest)
            .WithMetadata(new TokenEndpointMetadata())
            .CarriesNewSecret();
        group.MapPost("/nonce", NonceAsync)
            .WithName("Oid4vciNonce")
            .WithSummary("Nonce endpoint: a fresh c_nonce for one key proof")
            .Produces<NonceResponse>()
            .ProducesProblems(ProblemStatus.NotFound)
            .WithMetadata(new TokenEndpointMetadata())
            .CarriesNewSecret();
        group.MapPost("/credential", CredentialAsync)
            .WithName("Oid4vciCredential")
            .WithSummary("Credential endpoint: Bearer access token + a jwt key proof → the credential bound to the wallet's DID")
            .AcceptsJson<CredentialRequest>()
            .Produces<CredentialResponse>()
            .Produces<ProtocolError>(StatusCodes.Status400BadRequest)
            .Produces<ProtocolError>(StatusCodes.Status401Unauthorized)
            .WithMetadata(new TokenEndpointMetadata())
            .CarriesNewSecret();
        return routes;
    }

    /// <summary>The slug of a well-known suffix <c>{base path}/issuers/{slug}</c>, or null.</summary>
    private static string? SlugOf(string path, PublicUrls urls)
    {
        string basePath = urls.BaseUri.AbsolutePath.Trim('/');
        string prefix = (basePath.Length == 0 ? string.Empty : basePath + "/") + "issuers/";
        return path.Length <= 200 && path.StartsWith(prefix, StringComparison.Ordinal) && Slugs.IsValid(path[prefix.Length..]) ? path[prefix.Length..] : null;
    }

    private static async Task<IssuerRecord?> IssuerAsync(string? slug, IBadgeStorage storage, CancellationToken cancellationToken) =>
        slug is not null && Slugs.IsValid(slug) ? await storage.Issuers.GetBySlugAsync(slug, cancellationToken) : null;

    internal static async Task<IResult> IssuerMetadataAsync(string? slug, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerAsync(slug, storage, cancellationToken);
        if (issuer is null)
        {
            return ApiProblems.IssuerNotFound.Result("No issuer at that credential issuer identifier.");
        }

        using JsonDocument profile = JsonDocument.Parse(issuer.ProfileJson);
        string name = profile.RootElement.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : issuer.Slug;
        string? logo = profile.RootElement.TryGetProperty("image", out JsonElement image)
            ? image.ValueKind == JsonValueKind.String ? image.GetString()
                : image.ValueKind == JsonValueKind.Object && image.TryGetProperty("id", out JsonElement imageId) && imageId.ValueKind == JsonValueKind.String ? imageId.GetString() : null
            : null;
        // What this issuer's key signs: Ed25519 (eddsa-rdfc-2022; RS256 or EdDSA JWTs) or P-256 (ecdsa-rdfc-2019; ES256).
        string keyType = (await IssuerService.CurrentKeyAsync(storage, issuer.Id, cancellationToken))?.KeyType ?? IssuerService.KeyTypeEd25519;
        (string cryptosuite, string jwtAlgorithm) = IssuerService.SigningAlgorithms(issuer, keyType);
        byte[] body = Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("credential_issuer", WalletUrls.CredentialIssuer(urls, issuer.Slug));
            w.WriteString("credential_endpoint", WalletUrls.Endpoint(urls, issuer.Slug, "credential"));
            w.WriteString("nonce_endpoint", WalletUrls.Endpoint(urls, issuer.Slug, "nonce"));
            w.WriteStartArray("display");
            WriteDisplay(w, name, logo, null);
            w.WriteEndArray();
            w.WriteStartObject("credential_configurations_supported");
            WriteConfiguration(w, WalletUrls.LdpVc, "ldp_vc", cryptosuite, withContext: true, name, logo);
            WriteConfiguration(w, WalletUrls.JwtVcJson, "jwt_vc_json", jwtAlgorithm, withContext: false, name, logo);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        return new RawJsonResult<JsonElement>(StatusCodes.Status200OK, body) { CacheControl = "public, max-age=300" };
    }

    private static void WriteDisplay(Utf8JsonWriter w, string name, string? logo, string? description)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        if (description is not null)
        {
            w.WriteString("description", description);
        }

        if (logo is not null)
        {
            w.WriteStartObject("logo");
            w.WriteString("uri", logo);
            w.WriteString("alt_text", name);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteConfiguration(Utf8JsonWriter w, string id, string format, string signingAlgorithm, bool withContext, string issuerName, string? logo)
    {
        w.WriteStartObject(id);
        w.WriteString("format", format);
        w.WriteStartArray("cryptographic_binding_methods_supported");
        w.WriteStringValue("did:key");
        w.WriteStringValue("did:jwk");
        w.WriteEndArray();
        w.WriteStartArray("credential_signing_alg_values_supported");
        w.WriteStringValue(signingAlgorithm);
        w.WriteEndArray();
        w.WriteStartObject("proof_types_supported");
        w.WriteStartObject("jwt");
        w.WriteStartArray("proof_signing_alg_values_supported");
        foreach (string alg in s_proofAlgorithms)
        {
            w.WriteStringValue(alg);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("credential_definition");
        if (withContext)
        {
            w.WriteStartArray("@context");
            w.WriteStringValue(ContextUrls.CredentialsV2);
            w.WriteStringValue(ContextUrls.OpenBadgesV3);
            w.WriteEndArray();
        }

        w.WriteStartArray("type");
        w.WriteStringValue("VerifiableCredential");
        w.WriteStringValue("OpenBadgeCredential");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("credential_metadata");
        w.WriteStartArray("display");
        WriteDisplay(w, "Open Badge", logo, "An Open Badges 3.0 achievement issued by " + issuerName + ".");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    internal static async Task<IResult> AuthorizationServerMetadataAsync(string? slug, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerAsync(slug, storage, cancellationToken);
        if (issuer is null)
        {
            return ApiProblems.IssuerNotFound.Result("No issuer at that authorization server identifier.");
        }

        byte[] body = Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("issuer", WalletUrls.CredentialIssuer(urls, issuer.Slug));
            w.WriteString("token_endpoint", WalletUrls.Endpoint(urls, issuer.Slug, "token"));
            w.WriteStartArray("grant_types_supported");
            w.WriteStringValue(PreAuthorizedGrant);
            w.WriteEndArray();
            w.WriteStartArray("token_endpoint_auth_methods_supported");
            w.WriteStringValue("none");
            w.WriteEndArray();
            w.WriteBoolean("pre-authorized_grant_anonymous_access_supported", true);
            w.WriteStartArray("authorization_details_types_supported");
            w.WriteStringValue("openid_credential");
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new RawJsonResult<JsonElement>(StatusCodes.Status200OK, body) { CacheControl = "public, max-age=300" };
    }

    /// <summary>The offer by its handle; a problem when unknown (404) or no longer redeemable (410).</summary>
    internal static async Task<(CredentialOfferRecord? Offer, IResult? Problem)> FindOfferAsync(string slug, string handle, IBadgeStorage storage, TimeProvider time, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerAsync(slug, storage, cancellationToken);
        CredentialOfferRecord? offer = issuer is not null && handle.Length <= 64 && handle.StartsWith(WalletSecrets.HandlePrefix, StringComparison.Ordinal)
            ? await storage.Offers.FindByHandleAsync(WalletSecrets.Hash(handle), cancellationToken)
            : null;
        if (offer is null || offer.IssuerId != issuer!.Id)
        {
            return (null, WalletProblems.OfferNotFound.Result("No such credential offer."));
        }

        if (offer.State != OfferStates.Offered || offer.ExpiresAt <= time.GetUtcNow())
        {
            string why = offer.State == OfferStates.Offered ? "expired" : offer.State is OfferStates.Withdrawn ? "withdrawn" : offer.State == OfferStates.Locked ? "locked" : "already used";
            return (null, WalletProblems.OfferGone.Result($"This credential offer was {why}; ask the issuer for a new one."));
        }

        return (offer, null);
    }

    internal static async Task<IResult> OfferDocumentAsync(string slug, string handle, IBadgeStorage storage, PublicUrls urls, TimeProvider time, CancellationToken cancellationToken)
    {
        (CredentialOfferRecord? offer, IResult? problem) = await FindOfferAsync(slug, handle, storage, time, cancellationToken);
        if (offer is null)
        {
            return problem!;
        }

        byte[] body = Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("credential_issuer", WalletUrls.CredentialIssuer(urls, slug));
            w.WriteStartArray("credential_configuration_ids");
            foreach (string id in WalletUrls.Configurations)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteStartObject("grants");
            w.WriteStartObject(PreAuthorizedGrant);
            w.WriteString("pre-authorized_code", WalletSecrets.CodeFor(handle));
            if (offer.TxCodeHash is not null)
            {
                w.WriteStartObject("tx_code");
                w.WriteString("input_mode", "numeric");
                w.WriteNumber("length", offer.TxCodeLength ?? 6);
                if (offer.TxCodeDescription is not null)
                {
                    w.WriteString("description", offer.TxCodeDescription);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
        return new RawJsonResult<JsonElement>(StatusCodes.Status200OK, body);
    }

    internal static async Task<IResult> QrAsync(string slug, string handle, bool png, IBadgeStorage storage, PublicUrls urls, TimeProvider time, CancellationToken cancellationToken)
    {
        (CredentialOfferRecord? offer, IResult? problem) = await FindOfferAsync(slug, handle, storage, time, cancellationToken);
        if (offer is null)
        {
            return problem!;
        }

        using QRCodeData data = QRCodeGenerator.GenerateQrCode(WalletUrls.OfferUri(urls, slug, handle), QRCodeGenerator.ECCLevel.M);
        return png
            ? TypedResults.Bytes(new PngByteQRCode(data).GetGraphic(8), "image/png")
            : TypedResults.Bytes(Encoding.UTF8.GetBytes(new SvgQRCode(data).GetGraphic(8)), "image/svg+xml");
    }

    internal static async Task<IResult> NonceAsync(string slug, IBadgeStorage storage, PublicUrls urls, WalletSecrets secrets, IOptions<WalletOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerAsync(slug, storage, cancellationToken);
        if (issuer is null)
        {
            return ApiProblems.IssuerNotFound.Result("No such issuer.");
        }

        string nonce = secrets.NewNonce(WalletUrls.CredentialIssuer(urls, issuer.Slug), time.GetUtcNow().AddSeconds(options.Value.NonceLifetimeSeconds));
        return new RawJsonResult<NonceResponse>(StatusCodes.Status200OK, Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("c_nonce", nonce);
            w.WriteEndObject();
        }));
    }

    internal static async Task<IResult> TokenAsync(string slug, HttpRequest request, IBadgeStorage storage, IOptions<WalletOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerAsync(slug, storage, cancellationToken);
        if (issuer is null)
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "No such issuer.");
        }

        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "The body must be application/x-www-form-urlencoded.");
        }

        byte[]? raw = await RequestBody.ReadBoundedAsync(request, MaxTokenBodyBytes, cancellationToken);
        if (raw is null)
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "The request body is too large.");
        }

        Dictionary<string, StringValues> form;
        try
        {
            using var reader = new FormReader(Encoding.UTF8.GetString(raw)) { ValueCountLimit = 16, KeyLengthLimit = 64, ValueLengthLimit = 2048 };
            form = reader.ReadForm();
        }
        catch (InvalidDataException)
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "The form has too many or too long parameters.");
        }

        if (form.Values.Any(v => v.Count > 1))
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "A parameter is repeated (RFC 6749 section 3.2).");
        }

        string? grantType = Single(form, "grant_type");
        if (string.IsNullOrEmpty(grantType))
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "grant_type is required.");
        }

        if (grantType != PreAuthorizedGrant)
        {
            return ProtocolErrorResult.BadRequest("unsupported_grant_type", "Only the pre-authorized code grant is supported.");
        }

        string? code = Single(form, "pre-authorized_code");
        if (string.IsNullOrEmpty(code))
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "pre-authorized_code is required.");
        }

        CredentialOfferRecord? offer = code.Length <= 128 ? await storage.Offers.FindByCodeAsync(WalletSecrets.Hash(code), cancellationToken) : null;
        if (offer is null || offer.IssuerId != issuer.Id)
        {
            return ProtocolErrorResult.BadRequest("invalid_grant", "The pre-authorized code is not valid.");
        }

        string? txCode = Single(form, "tx_code");
        if (offer.TxCodeHash is null && txCode is not null)
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "This offer needs no tx_code.");
        }

        if (offer.TxCodeHash is not null && string.IsNullOrEmpty(txCode))
        {
            return ProtocolErrorResult.BadRequest("invalid_request", "This offer needs its tx_code (the transaction code the issuer sent separately).");
        }

        DateTimeOffset now = time.GetUtcNow();
        if (offer.State != OfferStates.Offered || offer.ExpiresAt <= now)
        {
            return ProtocolErrorResult.BadRequest("invalid_grant", offer.State == OfferStates.Offered ? "The pre-authorized code has expired."
                : offer.State == OfferStates.Locked ? "Too many wrong transaction codes: the offer is locked."
                : offer.State == OfferStates.Withdrawn ? "The offer was withdrawn." : "The pre-authorized code was already used.");
        }

        WalletOptions o = options.Value;
        byte[]? txHash = null;
        if (offer.TxCodeHash is { } expected)
        {
            txHash = WalletSecrets.TxCodeHash(code, txCode!.Length <= 32 ? txCode : string.Empty);
            if (!CryptographicOperations.FixedTimeEquals(txHash, expected.Span))
            {
                CredentialOfferRecord? counted = await storage.Offers.RecordTxCodeFailureAsync(offer.CodeHash, o.MaxTxCodeAttempts,
                    new AuditRecord(0, offer.IssuerId, ActorWallet, "offer.lock", offer.OfferId, now, request.HttpContext.TraceIdentifier, "{\"reason\":\"tx_code attempts exhausted\"}"),
                    cancellationToken);
                return ProtocolErrorResult.BadRequest("invalid_grant", counted is { State: OfferStates.Offered }
                    ? $"Wrong tx_code ({o.MaxTxCodeAttempts - counted.TxCodeFailures} attempts left)."
                    : "Wrong tx_code; too many wrong transaction codes: the offer is locked.");
            }
        }

        (string[]? granted, ProtocolErrorResult? detailsError) = ReadAuthorizationDetails(Single(form, "authorization_details"));
        if (detailsError is not null)
        {
            return detailsError;
        }

        string token = WalletSecrets.NewAccessToken();
        CredentialOfferRecord? redeemed = await storage.Offers.RedeemAsync(
            new OfferRedemption(offer.CodeHash, txHash is null ? null : (ReadOnlyMemory<byte>?)txHash, now, WalletSecrets.Hash(token), now.AddSeconds(o.AccessTokenLifetimeSeconds), o.MaxTxCodeAttempts, "openid4vci")
            {
                GrantedIdentifiers = granted is null ? null : string.Join(' ', granted),
            },
            new AuditRecord(0, offer.IssuerId, ActorWallet, "offer.redeem", offer.OfferId, now, request.HttpContext.TraceIdentifier, "{\"via\":\"openid4vci\"}"),
            cancellationToken);
        if (redeemed is null)
        {
            return ProtocolErrorResult.BadRequest("invalid_grant", "The pre-authorized code was already used.");
        }

        return new RawJsonResult<PreAuthorizedTokenResponse>(StatusCodes.Status200OK, Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("access_token", token);
            w.WriteString("token_type", "Bearer");
            w.WriteNumber("expires_in", o.AccessTokenLifetimeSeconds);
            if (granted is not null)
            {
                w.WriteStartArray("authorization_details");
                foreach (string id in granted)
                {
                    w.WriteStartObject();
                    w.WriteString("type", "openid_credential");
                    w.WriteString("credential_configuration_id", id);
                    w.WriteStartArray("credential_identifiers");
                    w.WriteStringValue(id);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }));
    }

    // RFC 9396 authorization_details of type openid_credential, each naming an offered configuration.
    private static (string[]? Granted, ProtocolErrorResult? Error) ReadAuthorizationDetails(string? value)
    {
        if (value is null)
        {
            return (null, null);
        }

        ProtocolErrorResult invalid = ProtocolErrorResult.BadRequest("invalid_authorization_details",
            "authorization_details must be a JSON array of {type: openid_credential, credential_configuration_id} naming offered configurations.");
        try
        {
            using JsonDocument document = JsonDocument.Parse(value, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() is 0 or > 4)
            {
                return (null, invalid);
            }

            var granted = new List<string>();
            foreach (JsonElement item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String || !type.ValueEquals("openid_credential")
                    || !item.TryGetProperty("credential_configuration_id", out JsonElement id) || id.ValueKind != JsonValueKind.String
                    || !WalletUrls.Configurations.Contains(id.GetString(), StringComparer.Ordinal))
                {
                    return (null, invalid);
                }

                if (!granted.Contains(id.GetString()!, StringComparer.Ordinal))
                {
                    granted.Add(id.GetString()!);
                }
            }

            return ([.. granted], null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, invalid);
        }
    }

    internal static async Task<IResult> CredentialAsync(
        string slug,
        HttpRequest request,
        IBadgeStorage storage,
        PublicUrls urls,
        WalletSecrets secrets,
        IssuerService issuers,
        IssuanceService issuance,
        IOptions<WalletOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerAsync(slug, storage, cancellationToken);
        if (issuer is null)
        {
            return ProtocolErrorResult.BadRequest("invalid_credential_request", "No such issuer.");
        }

        // 1. The access token (RFC 6750 §2.1): one Bearer header.
        StringValues authorization = request.Headers.Authorization;
        if (authorization.Count == 0 || string.IsNullOrEmpty(authorization[0]))
        {
            return ProtocolErrorResult.InvalidToken("Send Authorization: Bearer <access token from the token endpoint>.", tokenSent: false);
        }

        string header = authorization[0]!;
        if (authorization.Count > 1 || header.Length > MaxAuthorizationHeader || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return ProtocolErrorResult.InvalidToken("The Authorization header must be one 'Bearer <access token>' (DPoP is not supported).", tokenSent: true);
        }

        string token = header[7..].Trim();
        DateTimeOffset now = time.GetUtcNow();
        CredentialOfferRecord? offer = token.StartsWith(WalletSecrets.TokenPrefix, StringComparison.Ordinal) && token.Length <= 128
            ? await storage.Offers.FindByTokenAsync(WalletSecrets.Hash(token), cancellationToken)
            : null;
        if (offer is null || offer.IssuerId != issuer.Id)
        {
            return ProtocolErrorResult.InvalidToken("The access token is not valid for this credential issuer.", tokenSent: true);
        }

        if (offer.State != OfferStates.Redeemed || offer.TokenExpiresAt <= now)
        {
            return ProtocolErrorResult.InvalidToken(offer.State == OfferStates.Redeemed ? "The access token has expired."
                : offer.State == OfferStates.Withdrawn ? "The offer was withdrawn." : "The access token was already used.", tokenSent: true);
        }

        // 2. The request.
        if (!RequestJson.IsJson(request.ContentType))
        {
            return ProtocolErrorResult.BadRequest("invalid_credential_request", "The credential request must be application/json.");
        }

        byte[]? raw = await RequestBody.ReadBoundedAsync(request, MaxCredentialBodyBytes, cancellationToken);
        if (raw is null)
        {
            return ProtocolErrorResult.BadRequest("invalid_credential_request", $"The credential request is larger than {MaxCredentialBodyBytes} bytes.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return ProtocolErrorResult.BadRequest("invalid_credential_request", "The credential request is not a JSON object (or repeats a member).");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ProtocolErrorResult.BadRequest("invalid_credential_request", "The credential request must be a JSON object.");
            }

            // "\uD800" alone parses as JSON but cannot be read as a string: refused here, as RequestJson refuses it elsewhere.
            if (!BadgeIssuer.JsonLd.JsonStrings.AreReadable(root))
            {
                return ProtocolErrorResult.BadRequest("invalid_credential_request", "The credential request has a string with an unpaired surrogate escape (\\uD800-\\uDFFF).");
            }

            (string? configuration, ProtocolErrorResult? which) = ReadConfiguration(root, offer);
            if (which is not null)
            {
                return which;
            }

            if (root.TryGetProperty("credential_response_encryption", out _))
            {
                return ProtocolErrorResult.BadRequest("invalid_encryption_parameters", "Credential response encryption is not supported.");
            }

            (string? proof, ProtocolErrorResult? proofError) = ReadProof(root);
            if (proofError is not null)
            {
                return proofError;
            }

            // 3. The key proof, then its nonce (used once).
            WalletOptions o = options.Value;
            string credentialIssuer = WalletUrls.CredentialIssuer(urls, issuer.Slug);
            KeyProofResult checkedProof = KeyProofVerifier.Verify(proof!, new KeyProofExpectations
            {
                Audience = credentialIssuer,
                Now = now,
                MaxAge = TimeSpan.FromSeconds(o.ProofMaxAgeSeconds),
                MaxFutureSkew = TimeSpan.FromSeconds(o.ProofClockSkewSeconds),
                Algorithms = s_proofAlgorithms,
            });
            if (!checkedProof.Succeeded)
            {
                return ProtocolErrorResult.BadRequest("invalid_proof", checkedProof.Message!);
            }

            if (!secrets.TryCheckNonce(checkedProof.Nonce, credentialIssuer, now, out DateTimeOffset nonceExpires))
            {
                return ProtocolErrorResult.BadRequest("invalid_nonce", "The proof's nonce is not a current c_nonce of this issuer: get a new one from the nonce endpoint.");
            }

            CredentialRecord original = await storage.Credentials.GetAsync(offer.CredentialId, cancellationToken)
                ?? throw new InvalidOperationException("The offered credential is gone.");
            using JsonDocument originalDocument = original.SignedJson is not null
                ? JsonDocument.Parse(original.SignedJson)
                : HolderBoundCredentialTemplate.ParseJwtPayload(original.Jwt!) ?? throw new InvalidOperationException("The offered credential's JWT cannot be read.");
            SecuringFormat format = configuration == WalletUrls.JwtVcJson ? SecuringFormat.Jwt : SecuringFormat.DataIntegrity;
            var template = new HolderBoundCredentialTemplate(originalDocument.RootElement, checkedProof.HolderDid, format, fromJwtPayload: original.SignedJson is null);
            if (template.ExistingSubjectId is { } subjectId && !string.Equals(subjectId, checkedProof.HolderDid, StringComparison.Ordinal))
            {
                return ProtocolErrorResult.BadRequest("invalid_proof", "The credential is about another subject id: prove control of that DID's key.");
            }

            if (!await storage.Offers.ConsumeNonceAsync(WalletSecrets.Hash(checkedProof.Nonce), nonceExpires, now, cancellationToken))
            {
                return ProtocolErrorResult.BadRequest("invalid_nonce", "The proof's nonce was already used: get a new one from the nonce endpoint.");
            }

            if (await OfferService.IsRevokedAsync(original, storage, urls, cancellationToken))
            {
                return ProtocolErrorResult.BadRequest("credential_request_denied", "The credential was revoked.");
            }

            // 4. Spend the token (once, whatever races), then issue through the one pipeline.
            if (await storage.Offers.ClaimTokenAsync(WalletSecrets.Hash(token), now, cancellationToken) is null)
            {
                return ProtocolErrorResult.InvalidToken("The access token was already used.", tokenSent: true);
            }

            IssueOutcome outcome = await OfferService.IssueClaimedAsync(
                storage, issuers, issuance, offer, issuer.Id, original, format, checkedProof.HolderDid, "oid4vci", template, cancellationToken);
            if (!outcome.Succeeded)
            {
                return ProtocolErrorResult.BadRequest("credential_request_denied", "The credential could not be issued: " + outcome.Detail);
            }

            CredentialRecord delivered = outcome.Credential!;
            string details = JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["credential"] = delivered.Id,
                ["holder"] = checkedProof.HolderDid,
                ["format"] = configuration!,
            });
            await storage.Offers.CompleteAsync(offer.OfferId, delivered.Id, now,
                new AuditRecord(0, offer.IssuerId, ActorWallet, "offer.deliver", offer.OfferId, now, request.HttpContext.TraceIdentifier, details), CancellationToken.None);
            return new RawJsonResult<CredentialResponse>(StatusCodes.Status200OK, Write(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("credentials");
                w.WriteStartObject();
                w.WritePropertyName("credential");
                if (format == SecuringFormat.Jwt)
                {
                    w.WriteStringValue(delivered.Jwt);
                }
                else
                {
                    w.WriteRawValue(delivered.SignedJson!, skipInputValidation: true);
                }

                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }
    }

    // credential_configuration_id, or credential_identifier when the token response granted identifiers; never both.
    private static (string? Configuration, ProtocolErrorResult? Error) ReadConfiguration(JsonElement root, CredentialOfferRecord offer)
    {
        bool hasConfiguration = root.TryGetProperty("credential_configuration_id", out JsonElement configuration);
        bool hasIdentifier = root.TryGetProperty("credential_identifier", out JsonElement identifier);
        if (hasConfiguration && hasIdentifier)
        {
            return (null, ProtocolErrorResult.BadRequest("invalid_credential_request", "Send credential_configuration_id or credential_identifier, not both."));
        }

        if (offer.GrantedIdentifiers is { } granted)
        {
            if (!hasIdentifier)
            {
                return (null, ProtocolErrorResult.BadRequest("invalid_credential_request", "The token response granted credential_identifiers: send credential_identifier."));
            }

            return identifier.ValueKind == JsonValueKind.String && granted.Split(' ').Contains(identifier.GetString(), StringComparer.Ordinal)
                ? (identifier.GetString(), null)
                : (null, ProtocolErrorResult.BadRequest("unknown_credential_identifier", "credential_identifier is not one the token response granted."));
        }

        if (hasIdentifier)
        {
            return (null, ProtocolErrorResult.BadRequest("invalid_credential_request", "No credential_identifiers were granted: send credential_configuration_id."));
        }

        if (!hasConfiguration || configuration.ValueKind != JsonValueKind.String)
        {
            return (null, ProtocolErrorResult.BadRequest("invalid_credential_request", "credential_configuration_id (a string) is required."));
        }

        return WalletUrls.Configurations.Contains(configuration.GetString(), StringComparer.Ordinal)
            ? (configuration.GetString(), null)
            : (null, ProtocolErrorResult.BadRequest("unknown_credential_configuration", "Supported: " + string.Join(", ", WalletUrls.Configurations) + "."));
    }

    // proofs: {"jwt": [one compact JWS]}. The pre-1.0 singular "proof" is an unknown parameter, so proofs is missing.
    private static (string? Proof, ProtocolErrorResult? Error) ReadProof(JsonElement root)
    {
        if (!root.TryGetProperty("proofs", out JsonElement proofs))
        {
            return (null, ProtocolErrorResult.BadRequest("invalid_proof", root.TryGetProperty("proof", out _)
                ? "Send the key proof in proofs: {\"jwt\": [...]} (OpenID4VCI 1.0; the singular proof parameter is gone)."
                : "proofs is required: {\"jwt\": [a key proof]}."));
        }

        if (proofs.ValueKind != JsonValueKind.Object || proofs.GetPropertyCount() != 1)
        {
            return (null, ProtocolErrorResult.BadRequest("invalid_proof", "proofs must be an object with exactly one proof type."));
        }

        if (!proofs.TryGetProperty("jwt", out JsonElement jwts))
        {
            return (null, ProtocolErrorResult.BadRequest("invalid_proof", "Only the jwt proof type is supported."));
        }

        if (jwts.ValueKind != JsonValueKind.Array || jwts.GetArrayLength() != 1 || jwts[0].ValueKind != JsonValueKind.String)
        {
            return (null, ProtocolErrorResult.BadRequest("invalid_proof", "proofs.jwt must be an array of one compact JWS (batch issuance is not supported)."));
        }

        return (jwts[0].GetString(), null);
    }

    private static string? Single(Dictionary<string, StringValues> form, string name) => form.TryGetValue(name, out StringValues value) ? value.ToString() : null;

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
