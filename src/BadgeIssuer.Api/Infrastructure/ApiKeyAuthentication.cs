using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>What a caller may do: the issuer its key acts for and its scopes (<c>admin</c> implies every scope and every issuer).</summary>
internal sealed record Caller(string KeyId, string? IssuerId, IReadOnlySet<string> Scopes)
{
    public const string ClaimKeyId = "key_id";
    public const string ClaimIssuer = "issuer_id";
    public const string ClaimScope = "scope";

    public bool IsAdmin => Scopes.Contains(ApiScopes.Admin);

    public bool Has(string scope) => IsAdmin || Scopes.Contains(scope);

    /// <summary>Whether the caller may act for <paramref name="issuerId"/>; callers that may not get a 404, never a hint that it exists.</summary>
    public bool CanActFor(string issuerId) => IsAdmin || string.Equals(IssuerId, issuerId, StringComparison.Ordinal);

    public string Actor => "api-key:" + KeyId;

    /// <summary>Whether an authenticated API-key caller holds <paramref name="scope"/> (null: admin).</summary>
    public static bool Holds(ClaimsPrincipal user, string? scope) =>
        user.FindFirstValue(ClaimKeyId) is not null && (scope is null ? From(user).IsAdmin : From(user).Has(scope));

    public static Caller From(ClaimsPrincipal user)
    {
        string keyId = user.FindFirstValue(ClaimKeyId) ?? throw new InvalidOperationException("The endpoint must require authentication.");
        return new Caller(keyId, user.FindFirstValue(ClaimIssuer), user.FindAll(ClaimScope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
    }
}

internal static class ApiScopes
{
    public const string Issue = "issue";
    public const string Revoke = "revoke";
    public const string Manage = "manage";
    public const string Admin = "admin";

    public static readonly string[] All = [Issue, Revoke, Manage, Admin];
}

/// <summary>API keys: random, shown once, stored only as SHA-256; the visible prefix identifies a key in listings.</summary>
internal static class ApiKeys
{
    public const string Prefix = "bik_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string VisiblePrefix(string key) => key.Length <= 12 ? key[..Math.Min(4, key.Length)] : key[..12];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// <c>Authorization: Bearer &lt;api key&gt;</c>. Keys are looked up by hash (a short in-process cache keeps issuance off
/// the database for repeat callers); revoked or expired keys fail. 401/403 leave as problem documents.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IBadgeStorage storage,
    ApiKeyCache cache,
    TimeProvider timeProvider)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private static readonly TimeSpan s_cacheFor = TimeSpan.FromSeconds(30);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 512)
        {
            return AuthenticateResult.Fail("The Authorization header is not 'Bearer <api key>'.");
        }

        string key = header[7..].Trim();
        if (key.Length == 0)
        {
            return AuthenticateResult.Fail("The bearer token is empty.");
        }

        byte[] hash = ApiKeys.Hash(key);
        string cacheKey = Convert.ToHexString(hash);
        DateTimeOffset now = timeProvider.GetUtcNow();
        ApiKeyRecord? record;
        if (cache.Entries.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            record = cached.Key;
        }
        else
        {
            record = await storage.ApiKeys.FindByHashAsync(hash, Context.RequestAborted);
            if (cache.Entries.Count > 10_000)
            {
                cache.Entries.Clear();
            }

            cache.Entries[cacheKey] = (record, now + s_cacheFor);
        }

        if (record is null || record.RevokedAt is not null || (record.ExpiresAt is { } expires && expires <= now))
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }

        var claims = new List<Claim> { new(Caller.ClaimKeyId, record.KeyId) };
        if (record.IssuerId is not null)
        {
            claims.Add(new Claim(Caller.ClaimIssuer, record.IssuerId));
        }

        foreach (string scope in record.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            claims.Add(new Claim(Caller.ClaimScope, scope));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }


    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiProblems.Unauthorized.Result("Send 'Authorization: Bearer <api key>' with a valid key.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
        => await ApiProblems.Forbidden.Result("The API key lacks the scope this endpoint needs.").ExecuteAsync(Context);
}

/// <summary>Recent key lookups of this service instance (30 s), so issuance does not read the key table per request.</summary>
internal sealed class ApiKeyCache
{
    public ConcurrentDictionary<string, (ApiKeyRecord? Key, DateTimeOffset Until)> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>Drops cached lookups (after a key is revoked) so the change applies at once on this instance.</summary>
    public void Clear() => Entries.Clear();
}

internal static class ApiKeyAuthenticationExtensions
{
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyCache>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiScopes.Issue, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.Holds(c.User, ApiScopes.Issue)))
            .AddPolicy(ApiScopes.Revoke, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.Holds(c.User, ApiScopes.Revoke)))
            .AddPolicy(ApiScopes.Manage, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.Holds(c.User, ApiScopes.Manage)))
            .AddPolicy(ApiScopes.Admin, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.Holds(c.User, null)));
        return services;
    }
}
