using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issuers;

/// <summary>An issuer's OB Profile as published (JSON-LD).</summary>
public sealed record ProfileDocument(
    [property: System.Text.Json.Serialization.JsonPropertyName("@context")] IReadOnlyList<string> Context,
    string Id, IReadOnlyList<string> Type, string Name, string? Url = null, string? Email = null, string? Description = null, JsonElement? Image = null);

/// <summary>Create or update an issuer profile.</summary>
public sealed record IssuerRequest(
    string Name, string? Url = null, string? Email = null, string? Description = null, string? Image = null, string? Slug = null, string? DidMethod = null,
    [property: System.ComponentModel.Description("Ed25519 (default: Data Integrity eddsa-rdfc-2022; VC-JWT RS256 for did:web, EdDSA) or P-256 (ecdsa-rdfc-2019; VC-JWT ES256). Creation only; rotation keeps it.")]
    string? KeyType = null);

/// <summary>A public key of an issuer (private keys never leave the service).</summary>
public sealed record IssuerKeyDocument(string Id, string Type, bool Current, DateTimeOffset CreatedAt, JsonElement PublicKeyJwk);

public sealed record IssuerKeyList(IReadOnlyList<IssuerKeyDocument> Keys);

/// <summary>
/// Issuers (tenants): admins create them; each issuer's keys are created here and never returned. Public: the OB
/// Profile at <c>/issuers/{slug}</c> and the did:web DID document at <c>/issuers/{slug}/did.json</c>.
/// </summary>
internal static class IssuersApi
{
    public static IServiceCollection AddIssuers(this IServiceCollection services)
    {
        services.AddSingleton<IssuerService>();
        return services;
    }

    public static IEndpointRouteBuilder MapIssuers(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/issuers").WithTags("Issuers");
        group.MapPost("/", Create).WithName("CreateIssuer").WithSummary("Create an issuer (admin)")
            .WithDescription("Creates the issuer's keys. keyType Ed25519 (default): an Ed25519 key (Data Integrity eddsa-rdfc-2022, EdDSA JWTs) and, for did:web, an RSA key (RS256 JWTs); keyType P-256: one P-256 key (Data Integrity ecdsa-rdfc-2019, ES256 JWTs). didMethod: web (default; DID document served here) or key.")
            .AcceptsJson<IssuerRequest>()
            .RequireAuthorization(ApiScopes.Admin)
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.Conflict,
                ProblemStatus.UnsupportedMediaType, ProblemStatus.UnprocessableEntity);
        group.MapGet("/{slug}", GetProfile).WithName("GetIssuerProfile").WithSummary("The issuer's OB Profile (public, JSON-LD)")
            .ProducesProblems(ProblemStatus.NotFound);
        group.MapPut("/{slug}", Update).WithName("UpdateIssuerProfile").WithSummary("Replace the issuer's profile")
            .WithDescription("Credentials already issued keep the profile they were signed with.")
            .AcceptsJson<IssuerRequest>()
            .RequireAuthorization(ApiScopes.UpdateProfile)
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.NotFound, ProblemStatus.UnsupportedMediaType,
                ProblemStatus.UnprocessableEntity);
        group.MapGet("/{slug}/did.json", GetDidDocument).WithName("GetIssuerDidDocument").WithSummary("The issuer's did:web DID document (public)")
            .ProducesProblems(ProblemStatus.NotFound);
        group.MapGet("/{slug}/keys", ListKeys).WithName("ListIssuerKeys").WithSummary("The issuer's public keys, current and retired")
            .RequireAuthorization(ApiScopes.ReadProfile)
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.NotFound);
        group.MapPost("/{slug}/keys/rotate", Rotate).WithName("RotateIssuerKeys").WithSummary("Rotate the issuer's signing keys")
            .WithDescription("New keys of the issuer's key type (Ed25519 or P-256) become current; old public keys stay in the DID document so credentials already issued keep verifying. did:key issuers cannot rotate (the identifier is the key).")
            .RequireAuthorization(ApiScopes.Manage)
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.NotFound, ProblemStatus.Conflict);
        return routes;
    }

    internal static async Task<Results<CreatedJsonResult<ProfileDocument>, ProblemHttpResult>> Create(
        HttpRequest request, IssuerService issuers, IBadgeStorage storage, PublicUrls urls, AuditLog audit, IOptions<BadgeIssuerOptions> options, CancellationToken cancellationToken)
    {
        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, 64 * 1024, RequestShape.Of<IssuerRequest>(), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            JsonElement body = document!.RootElement;
            var violations = new List<InputViolation>();
            IssuerProfileInput? profile = ReadProfile(body, violations);
            string? slug = RequestJson.OptionalString(body, "slug", string.Empty, violations, 64);
            string didMethod = RequestJson.OptionalString(body, "didMethod", string.Empty, violations, 8) ?? "web";
            string keyType = RequestJson.OptionalString(body, "keyType", string.Empty, violations, 16) ?? IssuerService.KeyTypeEd25519;
            if (slug is not null && !Slugs.IsValid(slug))
            {
                violations.Add(new("/slug", "slug must be 1-64 of a-z, 0-9 and '-' (not starting with '-')."));
            }

            if (didMethod is not ("web" or "key"))
            {
                violations.Add(new("/didMethod", "didMethod must be web or key."));
            }

            if (!IssuerService.IssuerKeyTypes.Contains(keyType, StringComparer.Ordinal) && !violations.Any(v => v.Path == "/keyType"))
            {
                violations.Add(new("/keyType", "keyType must be one of: " + string.Join(", ", IssuerService.IssuerKeyTypes) + "."));
            }
            else if (!violations.Any(v => v.Path == "/keyType") && !options.Value.IssuerKeyTypeEnabled(keyType))
            {
                violations.Add(new("/keyType", $"keyType {keyType} is not available here: no cryptosuite in BadgeIssuer:Cryptosuites signs with it (this service's issuing suites: {options.Value.IssuingSuites().Names})."));
            }

            if (violations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The issuer request is not valid.", violations);
            }

            if (didMethod == "web" && !urls.HasDnsHost)
            {
                return ApiProblems.Conflict.Result($"did:web needs a DNS host name; this service publishes under {urls.Base}. Set BadgeIssuer__PublicBaseUrl or create a did:key issuer.");
            }

            slug ??= Slugify(profile!.Name!);
            if (await storage.Issuers.GetBySlugAsync(slug, cancellationToken) is not null)
            {
                return ApiProblems.Conflict.Result($"An issuer with slug '{slug}' exists; choose another slug.");
            }

            IssuerRecord record;
            try
            {
                record = await issuers.CreateAsync(slug, didMethod, keyType, profile!, cancellationToken);
            }
            catch (StorageConflictException)
            {
                return ApiProblems.Conflict.Result($"An issuer with slug '{slug}' exists; choose another slug.");
            }

            await audit.AppendAsync(request.HttpContext, record.Id, "issuer.create", record.Id, $"{{\"slug\":\"{slug}\",\"didMethod\":\"{didMethod}\",\"keyType\":\"{keyType}\"}}");
            return new CreatedJsonResult<ProfileDocument>(Encoding.UTF8.GetBytes(record.ProfileJson), urls.IssuerProfile(slug));
        }
    }

    internal static async Task<Results<RawJsonResult<ProfileDocument>, ProblemHttpResult>> Update(
        string slug, HttpRequest request, IssuerService issuers, IBadgeStorage storage, AuditLog audit, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await storage.Issuers.GetBySlugAsync(slug, cancellationToken);
        if (issuer is null || !Caller.From(request.HttpContext.User).CanActFor(issuer.Id))
        {
            return ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage.");
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(
            request, 64 * 1024, RequestShape.Of<IssuerRequest>().Without("slug", "didMethod", "keyType"), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var violations = new List<InputViolation>();
            IssuerProfileInput? profile = ReadProfile(document!.RootElement, violations);
            if (violations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The profile is not valid.", violations);
            }

            await issuers.UpdateProfileAsync(issuer, profile!, cancellationToken);
            await audit.AppendAsync(request.HttpContext, issuer.Id, "issuer.update", issuer.Id);
            return new RawJsonResult<ProfileDocument>(StatusCodes.Status200OK, Encoding.UTF8.GetBytes(IssuerService.BuildProfile(issuer.Id, profile!)), "application/ld+json");
        }
    }

    internal static async Task<Results<RawJsonResult<ProfileDocument>, ProblemHttpResult>> GetProfile(string slug, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await storage.Issuers.GetBySlugAsync(slug, cancellationToken);
        return issuer is null
            ? ApiProblems.IssuerNotFound.Result("No such issuer.")
            : new RawJsonResult<ProfileDocument>(StatusCodes.Status200OK, Encoding.UTF8.GetBytes(issuer.ProfileJson), "application/ld+json") { CacheControl = "public, max-age=60" };
    }

    internal static async Task<Results<RawJsonResult<object>, ProblemHttpResult>> GetDidDocument(string slug, IBadgeStorage storage, IssuerService issuers, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await storage.Issuers.GetBySlugAsync(slug, cancellationToken);
        byte[]? document = issuer is null ? null : await issuers.BuildDidDocumentAsync(issuer, cancellationToken);
        return document is null
            ? ApiProblems.NotFound.Result("No did:web issuer with this slug.")
            : new RawJsonResult<object>(StatusCodes.Status200OK, document, "application/did+json") { CacheControl = "public, max-age=300" };
    }

    internal static async Task<Results<RawJsonResult<IssuerKeyList>, ProblemHttpResult>> ListKeys(string slug, HttpRequest request, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await storage.Issuers.GetBySlugAsync(slug, cancellationToken);
        if (issuer is null || !Caller.From(request.HttpContext.User).CanActFor(issuer.Id))
        {
            return ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage.");
        }

        return new RawJsonResult<IssuerKeyList>(StatusCodes.Status200OK, WriteKeys(await storage.Issuers.ListKeysAsync(issuer.Id, cancellationToken)));
    }

    internal static async Task<Results<RawJsonResult<IssuerKeyList>, ProblemHttpResult>> Rotate(
        string slug, HttpRequest request, IBadgeStorage storage, IssuerService issuers, HostedIssuerResolver resolver, AuditLog audit, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await storage.Issuers.GetBySlugAsync(slug, cancellationToken);
        if (issuer is null || !Caller.From(request.HttpContext.User).CanActFor(issuer.Id))
        {
            return ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage.");
        }

        if (issuer.DidMethod != "web")
        {
            return ApiProblems.Conflict.Result("A did:key issuer's identifier is its key: it cannot rotate. Create a did:web issuer for rotation.");
        }

        IReadOnlyList<IssuerKeyRecord> keys = await issuers.RotateAsync(issuer, cancellationToken);
        resolver.Invalidate(issuer.Id);
        await audit.AppendAsync(request.HttpContext, issuer.Id, "issuer.keys.rotate", issuer.Id, $"{{\"current\":[{string.Join(',', keys.Where(k => k.IsCurrent).Select(k => JsonSerializer.Serialize(k.KeyId, JsonSerializerOptions.Web)))}]}}");
        return new RawJsonResult<IssuerKeyList>(StatusCodes.Status200OK, WriteKeys(keys));
    }

    private static byte[] WriteKeys(IReadOnlyList<IssuerKeyRecord> keys) => IssuerService.WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("keys");
        foreach (IssuerKeyRecord key in keys)
        {
            w.WriteStartObject();
            w.WriteString("id", key.KeyId);
            w.WriteString("type", key.KeyType);
            w.WriteBoolean("current", key.IsCurrent);
            w.WriteString("createdAt", key.CreatedAt);
            w.WritePropertyName("publicKeyJwk");
            w.WriteRawValue(key.PublicJwk);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static IssuerProfileInput? ReadProfile(JsonElement body, List<InputViolation> violations)
    {
        string? name = RequestJson.OptionalText(body, "name", string.Empty, violations, TextLimits.Name);
        string? url = RequestJson.OptionalText(body, "url", string.Empty, violations, TextLimits.Url);
        string? email = RequestJson.OptionalText(body, "email", string.Empty, violations, TextLimits.Email);
        string? description = RequestJson.OptionalText(body, "description", string.Empty, violations, TextLimits.Text);
        string? image = RequestJson.OptionalText(body, "image", string.Empty, violations, TextLimits.Url);
        if (name is null && !violations.Any(v => v.Path == "/name"))
        {
            violations.Add(new("/name", "required"));
        }

        if (url is not null && !(RequestJson.IsAbsoluteUri(url) && url.StartsWith("http", StringComparison.OrdinalIgnoreCase)))
        {
            violations.Add(new("/url", "url must be an absolute http(s) URL."));
        }

        if (image is not null && !RequestJson.IsAbsoluteUri(image))
        {
            violations.Add(new("/image", "image must be an absolute URL."));
        }

        if (email is not null)
        {
            if (EmailAddress.TryNormalize(email, out string normalized, out string? emailError))
            {
                email = normalized;
            }
            else
            {
                violations.Add(new("/email", "email is not a valid address: " + emailError));
            }
        }

        return violations.Count > 0 ? null : new IssuerProfileInput(name, url, email, description, image);
    }

    internal static string Slugify(string name)
    {
        var sb = new StringBuilder();
        foreach (char c in name.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }

            if (sb.Length >= 48)
            {
                break;
            }
        }

        string slug = sb.ToString().Trim('-');
        return slug.Length == 0 ? "issuer-" + Guid.NewGuid().ToString("N")[..8] : slug;
    }
}
