using System.Text;
using System.Text.Json.Serialization;
using BadgeIssuer.Api.Features.Tenancy;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace BadgeIssuer.Api.Features.OAuth;

/// <summary>The token request (RFC 6749 §4.4.2), form-encoded; client credentials by HTTP Basic or these fields.</summary>
public sealed record TokenRequest(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("scope")] string? Scope = null,
    [property: JsonPropertyName("client_id")] string? ClientId = null,
    [property: JsonPropertyName("client_secret")] string? ClientSecret = null);

/// <summary>An access token (RFC 6749 §5.1): a JWT to send as <c>Authorization: Bearer</c>.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

/// <summary>An OAuth error (RFC 6749 §5.2).</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription = null);

/// <summary>A new OAuth client. <see cref="ClientSecret"/> is shown this once; only its hash is kept.</summary>
public sealed record CreatedClient(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_secret")] string ClientSecret,
    [property: JsonPropertyName("issuer_id")] string IssuerId,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint);

/// <summary>An OAuth client as listed: never the secret.</summary>
public sealed record ClientInfo(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt,
    [property: JsonPropertyName("created_by")] string? CreatedBy);

public sealed record ClientList([property: JsonPropertyName("clients")] IReadOnlyList<ClientInfo> Clients);

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 §4.4). A registered client is an API key: <c>client_id</c> is the key's id,
/// <c>client_secret</c> the key itself, so a client has the key's issuer, scopes, expiry and revocation, and every API
/// key can also fetch tokens. <c>POST /oauth/token</c> answers with a short-lived JWT access token whose scopes are a
/// subset of the client's; it speaks OAuth errors (§5.2), not problem documents. <c>/issuers/{slug}/clients</c>
/// registers, lists and revokes clients with OAuth field names (the same records as <c>/api-keys</c>).
/// </summary>
internal static class OAuthApi
{
    public const string ClientCredentials = "client_credentials";
    private const int MaxBodyBytes = 8 * 1024;
    private const int MaxScopes = 16;

    public static IEndpointRouteBuilder MapOAuth(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/oauth/token", Token)
            .WithTags("OAuth")
            .WithName("OAuthToken")
            .WithSummary("Get an access token (OAuth 2.0 client credentials)")
            .WithDescription("Form-encoded grant_type=client_credentials and an optional scope (space-separated; a subset of the client's scopes, default all of them). "
                + "Client authentication: HTTP Basic (client_id:client_secret) or client_id and client_secret form fields, not both. "
                + "The access token is a JWT (HS256, typ at+jwt) for Authorization: Bearer on every protected endpoint; errors follow RFC 6749 §5.2.")
            .AcceptsBody<TokenRequest>("application/x-www-form-urlencoded")
            .Produces<TokenResponse>(StatusCodes.Status200OK)
            .Produces<OAuthError>(StatusCodes.Status400BadRequest)
            .Produces<OAuthError>(StatusCodes.Status401Unauthorized)
            .WithMetadata(new TokenEndpointMetadata())
            .CarriesNewSecret()
            .AllowAnonymous();

        RouteGroupBuilder clients = routes.MapGroup("/issuers/{slug}/clients").WithTags("OAuth").RequireAuthorization(ApiScopes.Manage);
        clients.MapPost("/", CreateClient).WithName("CreateOAuthClient").WithSummary("Register an OAuth client for the issuer (secret shown once)")
            .WithDescription("Body as for API keys: {description?, scopes?, expiresAt?}. The client is an API key: client_id is its keyId, client_secret the key. "
                + "Scopes must be ones the caller holds; expiresAt no later than the caller's key's expiry (default: that expiry).")
            .CarriesNewSecret()
            .AcceptsJson<CreateApiKeyRequest>()
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.UnsupportedMediaType);
        clients.MapGet("/", ListClients).WithName("ListOAuthClients").WithSummary("The issuer's OAuth clients (the same records as its API keys; never the secrets)")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.NotFound);
        clients.MapDelete("/{clientId}", RevokeClient).WithName("RevokeOAuthClient")
            .WithSummary("Revoke an OAuth client and every key or client created by it, transitively; their access tokens stop working too")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        return routes;
    }

    internal static async Task<IResult> Token(
        HttpRequest request, IBadgeStorage storage, AccessTokens tokens, AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // RFC 6749 §2.3.1: client credentials never in the request URI.
        if (QueryCredentials.Find(request.Query) is { } inQuery)
        {
            return Error("invalid_request", QueryCredentials.Refusal(inQuery));
        }

        if (!request.HasFormContentType || !string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Error("invalid_request", "The body must be application/x-www-form-urlencoded.");
        }

        byte[]? body = await RequestBody.ReadBoundedAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Error("invalid_request", "The request body is too large.");
        }

        Dictionary<string, StringValues> form;
        try
        {
            using var reader = new FormReader(Encoding.UTF8.GetString(body)) { ValueCountLimit = 16, KeyLengthLimit = 64, ValueLengthLimit = 2048 };
            form = reader.ReadForm();
        }
        catch (InvalidDataException)
        {
            return Error("invalid_request", "The form has too many or too long parameters.");
        }

        if (form.Values.Any(v => v.Count > 1))
        {
            return Error("invalid_request", "A parameter is repeated (RFC 6749 §3.2).");
        }

        string? grantType = Single(form, "grant_type");
        if (string.IsNullOrEmpty(grantType))
        {
            return Error("invalid_request", "grant_type is required.");
        }

        if (!string.Equals(grantType, ClientCredentials, StringComparison.Ordinal))
        {
            return Error("unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }

        (string? clientId, string? secret, OAuthFailure? failure) = ReadClientCredentials(request, form);
        if (failure is not null)
        {
            return failure.Result;
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        ApiKeyRecord? client = secret!.Length is 0 or > 256 ? null : await storage.ApiKeys.FindByHashAsync(ApiKeys.Hash(secret), cancellationToken);
        if (!ApiKeys.IsUsable(client, now) || !string.Equals(client.KeyId, clientId, StringComparison.Ordinal))
        {
            return InvalidClient("Client authentication failed (unknown client, wrong secret, revoked or expired).");
        }

        string[] held = ApiScopes.Split(client.Scopes);
        List<string> granted;
        if (Single(form, "scope") is { } scope)
        {
            string[] requested = ApiScopes.Split(scope);
            if (requested.Length is 0 or > MaxScopes)
            {
                return Error("invalid_scope", $"scope must name 1 to {MaxScopes} scopes.");
            }

            if (requested.FirstOrDefault(s => !ApiScopes.Covers(held, s)) is { } refused)
            {
                return Error("invalid_scope", ApiScopes.IsKnown(refused)
                    ? $"The client does not hold the scope '{refused}'."
                    : $"Unknown scope '{refused}'.");
            }

            granted = requested.Distinct(StringComparer.Ordinal).ToList();
        }
        else
        {
            granted = held.Where(ApiScopes.IsKnown).ToList();
        }

        // A token never outlives its client: exp is at most the client's expiry.
        IssuedAccessToken token = tokens.Issue(client.KeyId, client.IssuerId, granted, client.ExpiresAt);
        string grantedScope = string.Join(' ', granted);
        await audit.AppendAsAsync("oauth-client:" + client.KeyId, request.HttpContext, client.IssuerId, "oauth.token", client.KeyId,
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal) { ["scope"] = grantedScope, ["jti"] = token.TokenId }, ApiJsonContext.Default.DictionaryStringString));
        return TypedResults.Json(new TokenResponse(token.Token, "Bearer", token.ExpiresIn, grantedScope), OAuthJsonContext.Default.TokenResponse);
    }

    /// <summary>RFC 6749 §2.3.1: HTTP Basic with form-urlencoded id and secret, or both as body parameters — one method only.</summary>
    private static (string? ClientId, string? Secret, OAuthFailure? Failure) ReadClientCredentials(HttpRequest request, Dictionary<string, StringValues> form)
    {
        string? formId = Single(form, "client_id");
        string? formSecret = Single(form, "client_secret");
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return string.IsNullOrEmpty(formId) || formSecret is null
                ? (null, null, new OAuthFailure(InvalidClient("Authenticate with HTTP Basic or client_id and client_secret.")))
                : (formId, formSecret, null);
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 2048)
        {
            return (null, null, new OAuthFailure(InvalidClient("Client authentication uses HTTP Basic or form fields.")));
        }

        if (formSecret is not null)
        {
            return (null, null, new OAuthFailure(Error("invalid_request", "Use one client authentication method: HTTP Basic or client_secret, not both.")));
        }

        byte[] decoded = new byte[header.Length];
        if (!Convert.TryFromBase64String(header[6..].Trim(), decoded, out int written))
        {
            return (null, null, new OAuthFailure(InvalidClient("The Basic credentials are not base64.")));
        }

        string pair = Encoding.UTF8.GetString(decoded, 0, written);
        int colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return (null, null, new OAuthFailure(InvalidClient("The Basic credentials are not client_id:client_secret.")));
        }

        string id = FormDecode(pair[..colon]);
        if (formId is not null && !string.Equals(formId, id, StringComparison.Ordinal))
        {
            return (null, null, new OAuthFailure(Error("invalid_request", "client_id differs from the Basic credentials.")));
        }

        return (id, FormDecode(pair[(colon + 1)..]), null);
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static string? Single(Dictionary<string, StringValues> form, string name) => form.TryGetValue(name, out StringValues value) ? value.ToString() : null;

    private static JsonHttpResult<OAuthError> Error(string error, string description) =>
        TypedResults.Json(new OAuthError(error, description), OAuthJsonContext.Default.OAuthError, statusCode: StatusCodes.Status400BadRequest);

    private static InvalidClientResult InvalidClient(string description) => new(description);

    private sealed record OAuthFailure(IResult Result);

    /// <summary>401 invalid_client with the Basic challenge RFC 6749 §5.2 asks for.</summary>
    private sealed class InvalidClientResult(string description) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"BadgeIssuer\", charset=\"UTF-8\"";
            return TypedResults.Json(new OAuthError("invalid_client", description), OAuthJsonContext.Default.OAuthError, statusCode: StatusCodes.Status401Unauthorized)
                .ExecuteAsync(httpContext);
        }
    }

    internal static async Task<Results<Created<CreatedClient>, ProblemHttpResult>> CreateClient(
        string slug, HttpRequest request, IBadgeStorage storage, AuditLog audit, PublicUrls urls, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        (ApiKeyRecord? record, string? key, ProblemHttpResult? problem) = await TenancyApi.CreateKeyCoreAsync(slug, request, storage, timeProvider, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await audit.AppendAsync(request.HttpContext, record!.IssuerId, "client.create", record.KeyId, $"{{\"scopes\":\"{record.Scopes}\",\"prefix\":\"{record.Prefix}\"}}");
        return TypedResults.Created((string?)null, new CreatedClient(record.KeyId, key!, record.IssuerId!, ApiScopes.Split(record.Scopes), record.ExpiresAt, urls.Base + "/oauth/token"));
    }

    internal static async Task<Results<Ok<ClientList>, ProblemHttpResult>> ListClients(string slug, HttpRequest request, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await TenancyApi.IssuerForAsync(slug, request, storage, cancellationToken);
        if (issuer is null)
        {
            return ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage.");
        }

        IReadOnlyList<ApiKeyRecord> keys = await storage.ApiKeys.ListAsync(issuer.Id, cancellationToken);
        return TypedResults.Ok(new ClientList(keys.Select(k => new ClientInfo(
            k.KeyId, k.Prefix, ApiScopes.Split(k.Scopes), k.Description, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.CreatedBy)).ToList()));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeClient(
        string slug, string clientId, HttpRequest request, IBadgeStorage storage, ApiKeyCache keyCache, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        await TenancyApi.RevokeKeyCoreAsync(slug, clientId, "client.revoke", request, storage, keyCache, timeProvider, cancellationToken) is { } problem
            ? problem
            : TypedResults.NoContent();
}
