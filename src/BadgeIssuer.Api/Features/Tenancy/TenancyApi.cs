using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Features.Tenancy;

/// <summary>Create an API key for an issuer.</summary>
public sealed record CreateApiKeyRequest(string? Description = null, IReadOnlyList<string>? Scopes = null, DateTimeOffset? ExpiresAt = null);

/// <summary>A new API key. <see cref="ApiKey"/> is shown this once; only its hash is kept.</summary>
public sealed record CreatedApiKey(string KeyId, string ApiKey, string Prefix, string IssuerId, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt);

/// <summary>An API key as listed: never the key itself. <see cref="CreatedBy"/> is the key that created it (null: bootstrap or configured).</summary>
public sealed record ApiKeyInfo(
    string KeyId, string Prefix, string? IssuerId, IReadOnlyList<string> Scopes, string Description, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt,
    string? CreatedBy);

public sealed record ApiKeyList(IReadOnlyList<ApiKeyInfo> Keys);

/// <summary>One audit entry.</summary>
public sealed record AuditEntry(long Seq, string Actor, string Action, string Target, DateTimeOffset At, string? RequestId, string? Details);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? Next);

/// <summary>
/// Per-issuer API keys (shown once, stored as SHA-256, scoped, optionally expiring, revocable) and the issuer's
/// audit log. Callers need the <c>manage</c> scope for the issuer; others get 404, never a hint that it exists.
/// A key never outranks or outlives its creator: its scopes are ones the creator could grant, its expiry is no later
/// than the creator's, and revoking a key revokes every key created by it, transitively. A caller revokes only keys
/// whose every scope it holds (403 <c>key-outranks-caller</c> otherwise: a <c>manage</c> key cannot revoke an admin key).
/// </summary>
internal static class TenancyApi
{
    public static IServiceCollection AddTenancy(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        return services;
    }

    public static IEndpointRouteBuilder MapTenancy(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/issuers/{slug}").WithTags("Issuers").RequireAuthorization(ApiScopes.Manage);
        group.MapPost("/api-keys", CreateKey).WithName("CreateApiKey").WithSummary("Create an API key for the issuer (shown once)")
            .CarriesNewSecret()
            .AcceptsJson<CreateApiKeyRequest>()
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.UnsupportedMediaType);
        group.MapGet("/api-keys", ListKeys).WithName("ListApiKeys").WithSummary("The issuer's API keys (prefixes, scopes, expiry, revocation; never the keys)")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.NotFound);
        group.MapDelete("/api-keys/{keyId}", RevokeKey).WithName("RevokeApiKey").WithSummary("Revoke an API key and every key or client created by it, transitively")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        group.MapGet("/audit", ReadAudit).WithName("ReadAuditLog").WithSummary("The issuer's audit log, newest first")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.NotFound);
        return routes;
    }

    internal static async Task<IssuerRecord?> IssuerForAsync(string slug, HttpRequest request, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = Slugs.IsValid(slug) ? await storage.Issuers.GetBySlugAsync(slug, cancellationToken) : null;
        return issuer is not null && Caller.From(request.HttpContext.User).CanActFor(issuer.Id) ? issuer : null;
    }

    internal static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateKey(
        string slug, HttpRequest request, IBadgeStorage storage, AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        (ApiKeyRecord? record, string? key, ProblemHttpResult? problem) = await CreateKeyCoreAsync(slug, request, storage, timeProvider, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await audit.AppendAsync(request.HttpContext, record!.IssuerId, "apikey.create", record.KeyId, $"{{\"scopes\":\"{record.Scopes}\",\"prefix\":\"{record.Prefix}\"}}");
        return TypedResults.Created((string?)null, new CreatedApiKey(record.KeyId, key!, record.Prefix, record.IssuerId!, ApiScopes.Split(record.Scopes), record.ExpiresAt));
    }

    /// <summary>
    /// Reads a key request (description, scopes, expiresAt) and stores a new key for the issuer, created by the caller's
    /// key. Callers can grant only scopes whose permissions they hold themselves, and no expiry later than their own key's
    /// (no expiresAt: the creator's expiry, if it has one). The creator is read from the database, not the 30 s cache,
    /// so a key revoked on another instance cannot mint keys meanwhile. Shared by API keys and OAuth clients (a client
    /// is an API key).
    /// </summary>
    internal static async Task<(ApiKeyRecord? Record, string? Key, ProblemHttpResult? Problem)> CreateKeyCoreAsync(
        string slug, HttpRequest request, IBadgeStorage storage, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerForAsync(slug, request, storage, cancellationToken);
        if (issuer is null)
        {
            return (null, null, ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage."));
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, 16 * 1024, RequestShape.Of<CreateApiKeyRequest>(), cancellationToken);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        Caller caller = Caller.From(request.HttpContext.User);
        ApiKeyRecord? creator = await storage.ApiKeys.GetAsync(caller.KeyId, cancellationToken);
        if (!ApiKeys.IsUsable(creator, timeProvider.GetUtcNow()))
        {
            document!.Dispose();
            return (null, null, CreatorRevoked());
        }

        var violations = new List<InputViolation>();
        string description;
        List<string> scopes = [ApiScopes.Issue, ApiScopes.Revoke];
        DateTimeOffset? expiresAt = null;
        using (document)
        {
            JsonElement body = document!.RootElement;
            description = RequestJson.OptionalString(body, "description", string.Empty, violations, 256) ?? string.Empty;
            if (body.TryGetProperty("scopes", out JsonElement s) && s.ValueKind != JsonValueKind.Null)
            {
                if (s.ValueKind != JsonValueKind.Array || s.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                {
                    violations.Add(new("/scopes", "scopes must be an array of strings."));
                }
                else
                {
                    scopes = s.EnumerateArray().Select(e => e.GetString()!).Distinct(StringComparer.Ordinal).ToList();
                    foreach (string scope in scopes)
                    {
                        if (!ApiScopes.IsKnown(scope))
                        {
                            violations.Add(new("/scopes", $"Unknown scope '{scope}'; scopes are issue, revoke, manage, admin and the Open Badges 3.0 scope URIs ({ApiScopes.OpenBadgesPrefix}credential.readonly, credential.upsert, profile.readonly, profile.update)."));
                        }
                        else if (!ApiScopes.Covers(caller.Scopes, scope))
                        {
                            violations.Add(new("/scopes", $"This caller cannot grant '{scope}', which it does not hold."));
                        }
                    }

                    if (scopes.Count == 0)
                    {
                        violations.Add(new("/scopes", "A key needs at least one scope."));
                    }
                }
            }

            if (RequestJson.OptionalString(body, "expiresAt", string.Empty, violations, 64) is { } expires)
            {
                if (!DateTimeOffset.TryParse(expires, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out DateTimeOffset at)
                    || at <= timeProvider.GetUtcNow())
                {
                    violations.Add(new("/expiresAt", "expiresAt must be a future date-time with a time zone."));
                }
                else if (creator.ExpiresAt is { } limit && at > limit)
                {
                    violations.Add(new("/expiresAt", $"expiresAt must not be later than the expiry of the key creating it ({limit:O}): a key never outlives its creator."));
                }
                else
                {
                    expiresAt = at;
                }
            }
        }

        // A key never outlives its creator: without expiresAt it expires with the creating key.
        expiresAt ??= creator.ExpiresAt;

        if (violations.Count > 0)
        {
            return (null, null, RequestJson.Violations(ApiProblems.InvalidRequest, "The API key request is not valid.", violations));
        }

        string key = ApiKeys.Generate();
        var record = new ApiKeyRecord(Guid.NewGuid().ToString("N"), ApiKeys.VisiblePrefix(key), ApiKeys.Hash(key), issuer.Id, string.Join(' ', scopes), description,
            timeProvider.GetUtcNow(), expiresAt, null, creator.KeyId);
        try
        {
            await storage.ApiKeys.CreateAsync(record, cancellationToken);
        }
        catch (StorageConflictException)
        {
            // The creator was revoked (a cascade from one of its ancestors, on any instance) after it was read above.
            return (null, null, CreatorRevoked());
        }

        return (record, key, null);
    }

    private static ProblemHttpResult CreatorRevoked() =>
        ApiProblems.Unauthorized.Result("The API key or OAuth client making this request is revoked or expired; it cannot create keys.");

    internal static async Task<Results<Ok<ApiKeyList>, ProblemHttpResult>> ListKeys(string slug, HttpRequest request, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerForAsync(slug, request, storage, cancellationToken);
        if (issuer is null)
        {
            return ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage.");
        }

        IReadOnlyList<ApiKeyRecord> keys = await storage.ApiKeys.ListAsync(issuer.Id, cancellationToken);
        return TypedResults.Ok(new ApiKeyList(keys.Select(k => new ApiKeyInfo(
            k.KeyId, k.Prefix, k.IssuerId, k.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), k.Description, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.CreatedBy)).ToList()));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        string slug, string keyId, HttpRequest request, IBadgeStorage storage, ApiKeyCache keyCache, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        await RevokeKeyCoreAsync(slug, keyId, "apikey.revoke", request, storage, keyCache, timeProvider, cancellationToken) is { } problem
            ? problem
            : TypedResults.NoContent();

    /// <summary>
    /// Revokes one of the issuer's keys (or clients) and, in the same transaction, every key and client it created,
    /// transitively (audited as <paramref name="auditAction"/> and <c>apikey.revoke.cascade</c>); their access tokens stop
    /// working too. Only a caller that holds every scope of the key may revoke it. Null when done.
    /// </summary>
    internal static async Task<ProblemHttpResult?> RevokeKeyCoreAsync(
        string slug, string keyId, string auditAction, HttpRequest request, IBadgeStorage storage, ApiKeyCache keyCache, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerForAsync(slug, request, storage, cancellationToken);
        ApiKeyRecord? key = issuer is null ? null : await storage.ApiKeys.GetAsync(keyId, cancellationToken);
        if (issuer is null || key is null || !string.Equals(key.IssuerId, issuer.Id, StringComparison.Ordinal))
        {
            return ApiProblems.NotFound.Result("No such API key for an issuer this API key may manage.");
        }

        Caller caller = Caller.From(request.HttpContext.User);
        if (ApiScopes.FirstNotCovered(caller.Scopes, key.Scopes) is { } outranking)
        {
            return ApiProblems.KeyOutranksCaller.Result(
                $"Key {key.KeyId} holds the scope '{outranking}', which this caller does not hold; only a caller holding every scope of a key may revoke it (admin keys only by admin keys).",
                new Dictionary<string, object?>(StringComparer.Ordinal) { ["keyId"] = key.KeyId, ["scope"] = outranking });
        }

        await storage.ApiKeys.RevokeAsync(keyId, timeProvider.GetUtcNow(), new KeyRevocationAudit(caller.Actor, auditAction, request.HttpContext.TraceIdentifier), cancellationToken);
        // This instance forgets every cached lookup at once (the cascade may have revoked many keys); other instances
        // see the revocations when their entries expire (ApiKeyCache.CacheFor, 30 s).
        keyCache.Clear();
        return null;
    }

    internal static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> ReadAudit(
        string slug, HttpRequest request, IBadgeStorage storage, int? limit, long? before, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await IssuerForAsync(slug, request, storage, cancellationToken);
        if (issuer is null)
        {
            return ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage.");
        }

        int take = Math.Clamp(limit ?? 100, 1, 1000);
        IReadOnlyList<AuditRecord> rows = await storage.Audit.ListAsync(issuer.Id, take, before, cancellationToken);
        return TypedResults.Ok(new AuditPage(
            rows.Select(r => new AuditEntry(r.Seq, r.Actor, r.Action, r.Target, r.At, r.RequestId, r.Details)).ToList(),
            rows.Count == take ? rows[^1].Seq : null));
    }
}
