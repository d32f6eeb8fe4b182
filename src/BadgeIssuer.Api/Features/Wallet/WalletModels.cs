using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.Api.Features.Wallet;

// Wire shapes for OpenAPI. Handlers read requests with JsonDocument (or forms) and write JSON with Utf8JsonWriter.

/// <summary>A credential offer. Its secrets (offer URI, QR links, transaction code) appear only in the answer that created it.</summary>
public sealed record OfferResponse(
    string OfferId,
    string CredentialId,
    [property: Description("offered, expired, redeemed (a wallet holds an access token), issuing, delivered, locked (too many wrong transaction codes) or withdrawn.")]
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    OfferTxCode TxCode,
    OfferOpenId4Vci Openid4vci,
    [property: Description("The holder-bound credential delivered for this offer.")] string? DeliveredCredentialId = null,
    DateTimeOffset? DeliveredAt = null,
    DateTimeOffset? WithdrawnAt = null,
    [property: Description("The VC-API exchange and Learner Credential Wallet links (only when just created, and only for an offer without a transaction code).")] OfferVcApi? VcApi = null,
    [property: Description("The protocol that redeemed the offer: openid4vci or vcapi.")] string? RedeemedVia = null);

public sealed record OfferVcApi(
    [property: Description("The VC-API exchange URL: POST {} for the presentation request, then POST {verifiablePresentation}.")] string ExchangeUrl,
    [property: Description("https://lcw.app/request?request={credentialRequestOrigin, protocols: {vcapi}} — the Learner Credential Wallet's universal link.")] string DeepLink,
    [property: Description("dccrequest://request?request=… — the same request for an installed Learner Credential Wallet.")] string DeepLinkCustomScheme,
    [property: Description("The exchange URL as a QR code.")] OfferQr Qr,
    [property: Description("The deep link as a QR code (what a Learner Credential Wallet user scans).")] OfferQr DeepLinkQr);

public sealed record OfferTxCode(
    bool Required,
    int? Length = null,
    string? InputMode = null,
    string? Description = null,
    [property: Description("The code itself: only when the offer was just created. Give it to the learner by another channel than the offer.")] string? Value = null,
    int? FailedAttempts = null);

public sealed record OfferOpenId4Vci(
    string CredentialIssuer,
    IReadOnlyList<string> CredentialConfigurationIds,
    [property: Description("openid-credential-offer://?credential_offer_uri=… — for a link or a QR code (only when just created).")] string? CredentialOfferUri = null,
    [property: Description("The https URL the offer document is served at (only when just created).")] string? CredentialOfferUrl = null,
    OfferQr? Qr = null);

public sealed record OfferQr(string Png, string Svg);

public sealed record OfferList(IReadOnlyList<OfferResponse> Offers);

/// <summary>A VC-API exchange message from the wallet: <c>{}</c> to start, then <c>{verifiablePresentation}</c>.</summary>
public sealed record ExchangeRequest(
    [property: Description("The DIDAuthentication presentation: signed by the holder (proofPurpose authentication) with the request's challenge and domain.")] JsonElement? VerifiablePresentation = null);

/// <summary>The exchange's answer: a presentation request (step 1) or a presentation holding the credential (step 2).</summary>
public sealed record ExchangeResponse(
    [property: Description("{query: [{type: DIDAuthentication, acceptedMethods, acceptedCryptosuites}], challenge, domain}")] JsonElement? VerifiablePresentationRequest = null,
    [property: Description("An unsigned presentation whose verifiableCredential is the credential bound to the holder's DID.")] JsonElement? VerifiablePresentation = null);

/// <summary>OpenID4VCI token request (form-encoded).</summary>
public sealed record PreAuthorizedTokenRequest(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("pre-authorized_code")] string PreAuthorizedCode,
    [property: JsonPropertyName("tx_code")] string? TxCode = null,
    [property: JsonPropertyName("authorization_details"), Description("Optional JSON array of {type: openid_credential, credential_configuration_id}.")] string? AuthorizationDetails = null);

/// <summary>OpenID4VCI / OAuth token response.</summary>
public sealed record PreAuthorizedTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("authorization_details")] JsonElement? AuthorizationDetails = null);

/// <summary>OpenID4VCI nonce response.</summary>
public sealed record NonceResponse([property: JsonPropertyName("c_nonce")] string CNonce);

/// <summary>OpenID4VCI credential request.</summary>
public sealed record CredentialRequest(
    [property: JsonPropertyName("credential_configuration_id")] string? CredentialConfigurationId,
    [property: JsonPropertyName("credential_identifier")] string? CredentialIdentifier,
    [property: JsonPropertyName("proofs")] CredentialRequestProofs Proofs);

public sealed record CredentialRequestProofs([property: JsonPropertyName("jwt")] IReadOnlyList<string> Jwt);

/// <summary>OpenID4VCI credential response: one credential (a Data Integrity JSON object for ldp_vc, a compact JWT for jwt_vc_json).</summary>
public sealed record CredentialResponse([property: JsonPropertyName("credentials")] IReadOnlyList<IssuedCredential> Credentials);

public sealed record IssuedCredential([property: JsonPropertyName("credential")] JsonElement Credential);

/// <summary>An OAuth / OpenID4VCI error (not RFC 9457): the protocol endpoints answer this way, as wallets expect.</summary>
public sealed record ProtocolError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription = null);
