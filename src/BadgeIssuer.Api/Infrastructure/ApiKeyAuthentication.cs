using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// What a caller may do: the API key (or OAuth client, which is an API key) it acts as, the issuer that key acts for,
/// and its scopes. <c>admin</c> implies every permission and every issuer. <see cref="TokenId"/> is set when the caller
/// presented an access token rather than the key itself.
/// </summary>
internal sealed record Caller(string KeyId, string? IssuerId, IReadOnlySet<string> Scopes, string? TokenId = null)
{
    public const string ClaimKeyId = "key_id";
    public const string ClaimIssuer = "issuer_id";
    public const string ClaimScope = "scope";
    public const string ClaimTokenId = "token_id";

    public bool IsAdmin => Scopes.Contains(ApiScopes.Admin);

    /// <summary>Whether one of the caller's scopes grants <paramref name="permission"/> (an <see cref="ApiScopes"/> permission).</summary>
    public bool Has(string permission) => ApiScopes.Grants(Scopes, permission);

    /// <summary>Whether the caller may act for <paramref name="issuerId"/>; callers that may not get a 404, never a hint that it exists.</summary>
    // No issuer id holds a control character; refusing one here keeps a NUL from ever reaching PostgreSQL text.
    public bool CanActFor(string issuerId) => (IsAdmin && !issuerId.Any(char.IsControl)) || string.Equals(IssuerId, issuerId, StringComparison.Ordinal);

    /// <summary>Who did it, as recorded in the audit log and status changes.</summary>
    public string Actor => (TokenId is null ? "api-key:" : "oauth-client:") + KeyId;

    /// <summary>Whether an authenticated caller holds <paramref name="permission"/> (null: admin).</summary>
    public static bool Holds(ClaimsPrincipal user, string? permission) =>
        user.FindFirstValue(ClaimKeyId) is not null && (permission is null ? From(user).IsAdmin : From(user).Has(permission));

    public static Caller From(ClaimsPrincipal user)
    {
        string keyId = user.FindFirstValue(ClaimKeyId) ?? throw new InvalidOperationException("The endpoint must require authentication.");
        return new Caller(keyId, user.FindFirstValue(ClaimIssuer), user.FindAll(ClaimScope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal), user.FindFirstValue(ClaimTokenId));
    }
}

/// <summary>
/// Scopes a key or token carries, and the permissions endpoints require (authorization policies of the same names).
/// Our own scopes <c>issue</c>, <c>revoke</c>, <c>manage</c> and <c>admin</c> are also permissions; the Open Badges 3.0
/// scope URIs map onto them:
/// <list type="bullet">
/// <item><c>…/credential.upsert</c> grants <c>issue</c> (issue and award credentials);</item>
/// <item><c>…/credential.readonly</c> grants <c>credentials:read</c> (list achievements, read status-list changes), as do <c>manage</c> and <c>revoke</c>;</item>
/// <item><c>…/profile.update</c> grants <c>profile:update</c> (replace the issuer profile) and <c>profile:read</c>, as does <c>manage</c>;</item>
/// <item><c>…/profile.readonly</c> grants <c>profile:read</c> (the issuer's key list; the profile itself is public).</item>
/// </list>
/// <c>admin</c> grants every permission.
/// </summary>
internal static class ApiScopes
{
    public const string Issue = "issue";
    public const string Revoke = "revoke";
    public const string Manage = "manage";
    public const string Admin = "admin";

    public const string OpenBadgesPrefix = "https://purl.imsglobal.org/spec/ob/v3p0/scope/";
    public const string CredentialReadonly = OpenBadgesPrefix + "credential.readonly";
    public const string CredentialUpsert = OpenBadgesPrefix + "credential.upsert";
    public const string ProfileReadonly = OpenBadgesPrefix + "profile.readonly";
    public const string ProfileUpdate = OpenBadgesPrefix + "profile.update";

    /// <summary>Permission: list achievements and read status-list changes.</summary>
    public const string ReadCredentials = "credentials:read";

    /// <summary>Permission: read the issuer's key list.</summary>
    public const string ReadProfile = "profile:read";

    /// <summary>Permission: replace the issuer profile.</summary>
    public const string UpdateProfile = "profile:update";

    /// <summary>Our own scopes (the bootstrap key holds them all).</summary>
    public static readonly string[] All = [Issue, Revoke, Manage, Admin];

    /// <summary>The Open Badges 3.0 scope URIs.</summary>
    public static readonly string[] OpenBadges = [CredentialReadonly, CredentialUpsert, ProfileReadonly, ProfileUpdate];

    /// <summary>Every scope a key or token may carry.</summary>
    public static readonly string[] Known = [.. All, .. OpenBadges];

    /// <summary>Every permission an endpoint may require.</summary>
    public static readonly string[] Permissions = [Issue, Revoke, Manage, Admin, ReadCredentials, ReadProfile, UpdateProfile];

    private static readonly Dictionary<string, string[]> s_grants = new(StringComparer.Ordinal)
    {
        [Issue] = [Issue],
        [Revoke] = [Revoke, ReadCredentials],
        [Manage] = [Manage, ReadCredentials, ReadProfile, UpdateProfile],
        [Admin] = Permissions,
        [CredentialUpsert] = [Issue],
        [CredentialReadonly] = [ReadCredentials],
        [ProfileUpdate] = [UpdateProfile, ReadProfile],
        [ProfileReadonly] = [ReadProfile],
    };

    public static bool IsKnown(string scope) => s_grants.ContainsKey(scope);

    /// <summary>
    /// The scope to ask for when <paramref name="permission"/> is missing: our own scope of that name, or for a derived
    /// permission the narrowest Open Badges scope that grants it.
    /// </summary>
    public static string ScopeFor(string permission) => permission switch
    {
        ReadCredentials => CredentialReadonly,
        ReadProfile => ProfileReadonly,
        UpdateProfile => ProfileUpdate,
        _ => permission,
    };

    /// <summary>Every scope that grants <paramref name="permission"/>, in <see cref="Known"/> order.</summary>
    public static IReadOnlyList<string> ScopesGranting(string permission) =>
        Known.Where(s => PermissionsOf(s).Contains(permission, StringComparer.Ordinal)).ToList();

    /// <summary>The permissions <paramref name="scope"/> grants (none for an unknown scope).</summary>
    public static IReadOnlyList<string> PermissionsOf(string scope) => s_grants.TryGetValue(scope, out string[]? permissions) ? permissions : [];

    /// <summary>Whether any of <paramref name="scopes"/> grants <paramref name="permission"/>.</summary>
    public static bool Grants(IEnumerable<string> scopes, string permission) =>
        scopes.Any(s => s_grants.TryGetValue(s, out string[]? permissions) && permissions.Contains(permission, StringComparer.Ordinal));

    /// <summary>
    /// Whether holders of <paramref name="held"/> may hand out <paramref name="scope"/> (to a new key, or to a token they
    /// request): a known scope whose every permission they hold. <c>admin</c> only comes from <c>admin</c>.
    /// </summary>
    public static bool Covers(IReadOnlyCollection<string> held, string scope) =>
        IsKnown(scope) && (held.Contains(scope) || (scope != Admin && PermissionsOf(scope).All(p => Grants(held, p))));

    /// <summary>
    /// The first scope of a key (<paramref name="target"/>, as stored) that holders of <paramref name="held"/> could not
    /// have granted, so may not act on: null when they hold every one (<c>admin</c> holds all). This is the privilege
    /// order admin &gt; manage &gt; the rest: no caller acts on a key with more privilege than its own.
    /// </summary>
    public static string? FirstNotCovered(IReadOnlyCollection<string> held, string target) =>
        held.Contains(Admin) ? null : Split(target).FirstOrDefault(s => !Covers(held, s));

    /// <summary>Space-separated scopes as stored and as in tokens.</summary>
    public static string[] Split(string scopes) => scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>API keys: random, shown once, stored only as SHA-256; the visible prefix identifies a key in listings.</summary>
internal static class ApiKeys
{
    public const string Prefix = "bik_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string VisiblePrefix(string key) => key.Length <= 12 ? key[..Math.Min(4, key.Length)] : key[..12];

    /// <summary>Whether the key exists, is not revoked and has not expired at <paramref name="now"/>.</summary>
    public static bool IsUsable([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] ApiKeyRecord? record, DateTimeOffset now) =>
        record is not null && record.RevokedAt is null && (record.ExpiresAt is not { } expires || expires > now);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// <c>Authorization: Bearer &lt;api key or access token&gt;</c>. A JWT is an access token from <c>POST /oauth/token</c>:
/// checked strictly (<see cref="AccessTokens"/>), then its client — an API key — is looked up by id, so a key revoked
/// or expired after the token was issued stops its tokens too. Anything else is an API key, looked up by hash. A short
/// in-process cache keeps issuance off the database for repeat callers. 401/403 leave as problem documents.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IBadgeStorage storage,
    ApiKeyCache cache,
    AccessTokens tokens,
    TimeProvider timeProvider)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>The prefix of OpenID4VCI access tokens (wallets present them to the credential endpoint only).</summary>
    public const string WalletTokenPrefix = "biw_";
    private const int MaxHeaderLength = 7 + AccessTokens.MaxTokenLength;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > MaxHeaderLength)
        {
            return AuthenticateResult.Fail("The Authorization header is not 'Bearer <api key or access token>'.");
        }

        string credential = header[7..].Trim();
        if (credential.Length == 0)
        {
            return AuthenticateResult.Fail("The bearer token is empty.");
        }

        if (credential.StartsWith(WalletTokenPrefix, StringComparison.Ordinal))
        {
            // An OpenID4VCI access token: the credential endpoint checks it itself; it is never an API key.
            return AuthenticateResult.NoResult();
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        if (AccessTokens.LooksLikeJwt(credential))
        {
            return await AuthenticateTokenAsync(credential, now);
        }

        if (credential.Length > 256)
        {
            return AuthenticateResult.Fail("The API key is too long.");
        }

        ApiKeyRecord? record = await cache.FindByHashAsync(storage, ApiKeys.Hash(credential), now, Context.RequestAborted);
        if (!ApiKeys.IsUsable(record, now))
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }

        return Success(record.KeyId, record.IssuerId, ApiScopes.Split(record.Scopes), tokenId: null);
    }

    private async Task<AuthenticateResult> AuthenticateTokenAsync(string token, DateTimeOffset now)
    {
        if (!tokens.TryValidate(token, out AccessTokenClaims? claims, out string? failure))
        {
            return AuthenticateResult.Fail("The access token is not valid: " + failure);
        }

        // The token's client must still be usable, for the same issuer, and the token never carries more than the key now holds.
        ApiKeyRecord? record = await cache.GetByIdAsync(storage, claims.ClientId, now, Context.RequestAborted);
        if (!ApiKeys.IsUsable(record, now) || !string.Equals(record.IssuerId, claims.IssuerId, StringComparison.Ordinal))
        {
            return AuthenticateResult.Fail("The access token's client is unknown, revoked or expired.");
        }

        string[] held = ApiScopes.Split(record.Scopes);
        return Success(record.KeyId, record.IssuerId, claims.Scopes.Where(s => ApiScopes.Covers(held, s)), claims.TokenId);
    }

    private static AuthenticateResult Success(string keyId, string? issuerId, IEnumerable<string> scopes, string? tokenId)
    {
        var claims = new List<Claim> { new(Caller.ClaimKeyId, keyId) };
        if (issuerId is not null)
        {
            claims.Add(new Claim(Caller.ClaimIssuer, issuerId));
        }

        if (tokenId is not null)
        {
            claims.Add(new Claim(Caller.ClaimTokenId, tokenId));
        }

        foreach (string scope in scopes)
        {
            claims.Add(new Claim(Caller.ClaimScope, scope));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // RFC 6750 §3: a presented but unusable credential is an invalid_token.
        Response.Headers.WWWAuthenticate = string.IsNullOrEmpty(Request.Headers.Authorization) ? "Bearer" : "Bearer error=\"invalid_token\"";
        await ApiProblems.Unauthorized.Result("Send 'Authorization: Bearer <api key or access token>' with a valid key or token.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // The endpoint's policies are permission names (ApiScopes.Permissions): name the first the caller lacks as the
        // scope that grants it, in the problem and, per RFC 6750 §3.1, in an insufficient_scope challenge.
        string? missing = null;
        if (Context.User.FindFirstValue(Caller.ClaimKeyId) is not null)
        {
            foreach (IAuthorizeData data in Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>() ?? [])
            {
                if (data.Policy is string policy && ApiScopes.Permissions.Contains(policy, StringComparer.Ordinal)
                    && !Caller.Holds(Context.User, policy == ApiScopes.Admin ? null : policy))
                {
                    missing = policy;
                    break;
                }
            }
        }

        if (missing is null)
        {
            await ApiProblems.Forbidden.Result("The API key or access token lacks the scope this endpoint needs.").ExecuteAsync(Context);
            return;
        }

        string scope = ApiScopes.ScopeFor(missing);
        IReadOnlyList<string> accepted = ApiScopes.ScopesGranting(missing);
        IEnumerable<string> held = Context.User.FindAll(Caller.ClaimScope).Select(c => c.Value);
        Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{scope}\"";
        string others = accepted.Count > 1 ? $" (or one that includes it: {string.Join(", ", accepted.Where(s => s != scope))})" : string.Empty;
        await ApiProblems.Forbidden.Result(
            $"This endpoint needs the scope '{scope}'{others}; the API key or access token holds: {string.Join(", ", held.DefaultIfEmpty("no scope"))}.",
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["requiredScope"] = scope, ["acceptedScopes"] = accepted })
            .ExecuteAsync(Context);
    }
}

/// <summary>
/// Recent key lookups of this service instance (30 s), by hash (API keys) and by id (access tokens), so issuance does
/// not read the key table per request. Revocation clears it on the instance that revoked; other instances see the
/// revocation within <see cref="CacheFor"/>.
/// </summary>
internal sealed class ApiKeyCache
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 10_000;

    public ConcurrentDictionary<string, (ApiKeyRecord? Key, DateTimeOffset Until)> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>Drops cached lookups (after a key is revoked) so the change applies at once on this instance.</summary>
    public void Clear() => Entries.Clear();

    public Task<ApiKeyRecord?> FindByHashAsync(IBadgeStorage storage, byte[] hash, DateTimeOffset now, CancellationToken cancellationToken) =>
        LookupAsync("h:" + Convert.ToHexString(hash), () => storage.ApiKeys.FindByHashAsync(hash, cancellationToken), now);

    public Task<ApiKeyRecord?> GetByIdAsync(IBadgeStorage storage, string keyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        LookupAsync("i:" + keyId, () => storage.ApiKeys.GetAsync(keyId, cancellationToken), now);

    private async Task<ApiKeyRecord?> LookupAsync(string cacheKey, Func<Task<ApiKeyRecord?>> load, DateTimeOffset now)
    {
        if (Entries.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            return cached.Key;
        }

        ApiKeyRecord? record = await load();
        if (Entries.Count > MaxEntries)
        {
            Entries.Clear();
        }

        Entries[cacheKey] = (record, now + CacheFor);
        return record;
    }
}

internal static class ApiKeyAuthenticationExtensions
{
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<AccessTokens>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        AuthorizationBuilder authorization = services.AddAuthorizationBuilder();
        foreach (string permission in ApiScopes.Permissions)
        {
            string? required = permission == ApiScopes.Admin ? null : permission;
            authorization.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.Holds(c.User, required)));
        }

        return services;
    }
}
