using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Achievements;

/// <summary>The wire shape of an achievement for OpenAPI: an OB 3.0 <c>Achievement</c> (JSON-LD).</summary>
public sealed record AchievementDocument(
    [property: System.Text.Json.Serialization.JsonPropertyName("@context")] IReadOnlyList<string> Context,
    string Id,
    IReadOnlyList<string> Type,
    string Name,
    string Description,
    JsonElement Criteria,
    JsonElement? Image = null,
    string? AchievementType = null,
    JsonElement? Alignment = null,
    IReadOnlyList<string>? Tag = null,
    JsonElement? Creator = null,
    [property: System.ComponentModel.Description("Requests only: the achievements this one is composed of (stackable credentials). Not an Open Badges term: it is kept beside the achievement, never in its document or in credentials; GET /achievements/{id}/pathway returns it. On PUT: absent keeps the stored pathway, null removes it.")]
    PathwayRequest? Pathway = null);

/// <summary>A list of the caller's achievements.</summary>
public sealed record AchievementList(IReadOnlyList<AchievementDocument> Achievements);

/// <summary>
/// Achievements (badge templates): create/update/list for callers with the <c>manage</c> scope; public
/// <c>GET /achievements/{id}</c> as JSON-LD at the achievement's id URL and <c>GET /achievements/{id}/image</c>.
/// </summary>
internal static class AchievementsApi
{
    public static IEndpointRouteBuilder MapAchievements(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/achievements").WithTags("Achievements");

        group.MapPost("/", Create)
            .WithName("CreateAchievement")
            .WithSummary("Create an achievement")
            .WithDescription("The body is an OB 3.0 Achievement without id (name, description, criteria{id|narrative}, image, achievementType, alignment, tag, …), plus an optional issuerId for admin keys and an optional pathway {rule: allOf|nOf, n, parts, autoAward} naming the achievements it is composed of (kept beside it, never in its document). An image may be a PNG/SVG data: URI; it is served at …/image and baked into badge downloads.")
            .AcceptsJson<AchievementDocument>()
            .RequireAuthorization(ApiScopes.Manage)
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.NotFound, ProblemStatus.PayloadTooLarge,
                ProblemStatus.UnsupportedMediaType, ProblemStatus.UnprocessableEntity);

        group.MapGet("/", List)
            .WithName("ListAchievements")
            .WithSummary("List the issuer's achievements")
            .RequireAuthorization(ApiScopes.ReadCredentials)
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.NotFound);

        group.MapGet("/{id}", Get)
            .WithName("GetAchievement")
            .WithSummary("An achievement as JSON-LD (public)")
            .ProducesProblems(ProblemStatus.NotFound);

        group.MapPut("/{id}", Update)
            .WithName("UpdateAchievement")
            .WithSummary("Replace an achievement")
            .WithDescription("Credentials already issued keep the achievement as it was when they were signed. The pathway member is optional: without it the stored pathway stays as it is (GET of the achievement does not show it), \"pathway\": null removes it, and an object replaces it.")
            .AcceptsJson<AchievementDocument>()
            .RequireAuthorization(ApiScopes.Manage)
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.NotFound, ProblemStatus.PayloadTooLarge,
                ProblemStatus.UnsupportedMediaType, ProblemStatus.UnprocessableEntity);

        group.MapGet("/{id}/pathway", Pathways.Get)
            .WithName("GetAchievementPathway")
            .WithSummary("The achievements this one is composed of (public)")
            .WithDescription("The pathway declared with the achievement: rule (allOf or nOf), n (how many parts a learner must hold), parts (achievement ids, in order) and autoAward. 404 when the achievement declares none.")
            .ProducesProblems(ProblemStatus.NotFound);

        group.MapGet("/{id}/image", GetImage)
            .WithName("GetAchievementImage")
            .WithSummary("The achievement's own image (public)")
            .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/svg+xml"])
            .ProducesProblems(ProblemStatus.NotFound);

        return routes;
    }

    internal static async Task<Results<CreatedJsonResult<AchievementDocument>, ProblemHttpResult>> Create(
        HttpRequest request, IssuerService issuers, IBadgeStorage storage, PublicUrls urls, IOptions<BadgeIssuerOptions> options, TimeProvider timeProvider, AuditLog audit, CancellationToken cancellationToken)
    {
        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(
            request, options.Value.MaxRequestBytes + options.Value.MaxImageBytes * 4 / 3, AchievementDocuments.CreateShape, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            JsonElement body = document!.RootElement;
            var violations = new List<InputViolation>();
            string? requestedIssuer = RequestJson.OptionalString(body, "issuerId", string.Empty, violations);
            Caller caller = Caller.From(request.HttpContext.User);
            string? issuerId = requestedIssuer ?? caller.IssuerId;
            if (issuerId is null)
            {
                violations.Add(new("/issuerId", "This API key is bound to no issuer: name one with issuerId."));
            }

            TextLimits.Check(body, string.Empty, violations);
            if (violations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The achievement request is not valid.", violations);
            }

            IssuerSigning? issuer = caller.CanActFor(issuerId!) ? await issuers.GetSigningAsync(issuerId!, cancellationToken) : null;
            if (issuer is null)
            {
                return ApiProblems.IssuerNotFound.Result($"No issuer '{issuerId}' that this API key may manage.");
            }

            string id = NewId();
            string url = urls.Achievement(id);
            var imageViolations = new List<InputViolation>();
            PreparedAchievement? prepared = AchievementDocuments.Prepare(body, url, issuer, options.Value.MaxImageBytes, violations, imageViolations);
            if (imageViolations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidImage, "The achievement's data: image is not accepted.", imageViolations);
            }

            if (prepared is null)
            {
                return RequestJson.Violations(ApiProblems.InvalidAchievement, "The achievement is not a valid Open Badges 3.0 Achievement.", violations);
            }

            (PathwayDeclaration? pathway, ProblemHttpResult? pathwayProblem) = ReadPathway(body, options.Value);
            if (pathwayProblem is not null)
            {
                return pathwayProblem;
            }

            DateTimeOffset now = timeProvider.GetUtcNow();
            var record = new AchievementRecord(url, issuer.Record.Id, prepared.Json, now, now);
            if (pathway is null)
            {
                await storage.Achievements.CreateAsync(record, cancellationToken);
            }
            else if (await SaveWithPathwayAsync(storage, record, create: true, pathway, now, options.Value, cancellationToken) is { } refused)
            {
                return refused;
            }

            if (prepared.ImageBytes is not null)
            {
                await storage.Achievements.SetImageAsync(url, prepared.ImageMediaType!, prepared.ImageBytes, cancellationToken);
            }

            await audit.AppendAsync(request.HttpContext, issuer.Record.Id, "achievement.create", url);
            return new CreatedJsonResult<AchievementDocument>(Encoding.UTF8.GetBytes(prepared.Json), url);
        }
    }

    internal static async Task<Results<RawJsonResult<AchievementDocument>, ProblemHttpResult>> Update(
        string id, HttpRequest request, IssuerService issuers, IBadgeStorage storage, PublicUrls urls, IOptions<BadgeIssuerOptions> options, TimeProvider timeProvider, AuditLog audit, CancellationToken cancellationToken)
    {
        string url = urls.Achievement(id);
        AchievementRecord? existing = await storage.Achievements.GetAsync(url, cancellationToken);
        Caller caller = Caller.From(request.HttpContext.User);
        if (existing is null || !caller.CanActFor(existing.IssuerId))
        {
            return ApiProblems.AchievementNotFound.Result($"No achievement '{url}' that this API key may manage.");
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(
            request, options.Value.MaxRequestBytes + options.Value.MaxImageBytes * 4 / 3, AchievementDocuments.UpdateShape, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            JsonElement body = document!.RootElement;
            IssuerSigning issuer = await issuers.GetSigningAsync(existing.IssuerId, cancellationToken) ?? throw new InvalidOperationException("The achievement's issuer is gone.");
            var violations = new List<InputViolation>();
            TextLimits.Check(body, string.Empty, violations);
            if (violations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The achievement request is not valid.", violations);
            }

            var imageViolations = new List<InputViolation>();
            PreparedAchievement? prepared = AchievementDocuments.Prepare(body, url, issuer, options.Value.MaxImageBytes, violations, imageViolations);
            if (imageViolations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidImage, "The achievement's data: image is not accepted.", imageViolations);
            }

            if (prepared is null)
            {
                return RequestJson.Violations(ApiProblems.InvalidAchievement, "The achievement is not a valid Open Badges 3.0 Achievement.", violations);
            }

            (PathwayDeclaration? pathway, ProblemHttpResult? pathwayProblem) = ReadPathway(body, options.Value);
            if (pathwayProblem is not null)
            {
                return pathwayProblem;
            }

            DateTimeOffset now = timeProvider.GetUtcNow();
            // Without a pathway member the stored pathway stays (GET of the achievement does not show it, so a client that
            // PUTs back what it read must not lose it); "pathway": null removes it; an object replaces it.
            if (!body.TryGetProperty("pathway", out _))
            {
                await storage.Achievements.UpdateAsync(url, prepared.Json, now, cancellationToken);
            }
            else if (await SaveWithPathwayAsync(storage, existing with { Json = prepared.Json, UpdatedAt = now }, create: false, pathway, now, options.Value, cancellationToken) is { } refused)
            {
                return refused;
            }

            if (prepared.ImageBytes is not null)
            {
                await storage.Achievements.SetImageAsync(url, prepared.ImageMediaType!, prepared.ImageBytes, cancellationToken);
            }

            await audit.AppendAsync(request.HttpContext, existing.IssuerId, "achievement.update", url);
            return new RawJsonResult<AchievementDocument>(StatusCodes.Status200OK, Encoding.UTF8.GetBytes(prepared.Json));
        }
    }

    internal static async Task<Results<RawJsonResult<AchievementList>, ProblemHttpResult>> List(
        HttpRequest request, IBadgeStorage storage, string? issuerId, CancellationToken cancellationToken)
    {
        Caller caller = Caller.From(request.HttpContext.User);
        string? target = issuerId ?? caller.IssuerId;
        if (target is null || !caller.CanActFor(target))
        {
            return ApiProblems.IssuerNotFound.Result("Name an issuer this API key may manage (issuerId).");
        }

        IReadOnlyList<AchievementRecord> records = await storage.Achievements.ListAsync(target, cancellationToken);
        byte[] body = IssuerService.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("achievements");
            foreach (AchievementRecord record in records)
            {
                w.WriteRawValue(record.Json, skipInputValidation: true);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new RawJsonResult<AchievementList>(StatusCodes.Status200OK, body);
    }

    internal static async Task<Results<RawJsonResult<AchievementDocument>, ProblemHttpResult>> Get(string id, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        AchievementRecord? record = await storage.Achievements.GetAsync(urls.Achievement(id), cancellationToken);
        return record is null
            ? ApiProblems.AchievementNotFound.Result("No such achievement.")
            : new RawJsonResult<AchievementDocument>(StatusCodes.Status200OK, Encoding.UTF8.GetBytes(record.Json), "application/ld+json") { CacheControl = "public, max-age=60" };
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetImage(string id, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        (string MediaType, byte[] Bytes)? image = await storage.Achievements.GetImageAsync(urls.Achievement(id), cancellationToken);
        return image is { } found
            ? TypedResults.File(found.Bytes, found.MediaType)
            : ApiProblems.NotFound.Result("This achievement has no stored image.");
    }

    // The pathway member's shape; a problem is 422 invalid-pathway (or field-too-long for an over-long part id).
    private static (PathwayDeclaration? Pathway, ProblemHttpResult? Problem) ReadPathway(JsonElement body, BadgeIssuerOptions options)
    {
        var violations = new List<InputViolation>();
        PathwayDeclaration? pathway = Pathways.Read(body, options.Pathways, violations);
        return violations.Count > 0
            ? (null, RequestJson.Violations(ApiProblems.InvalidPathway, "The achievement's pathway is not valid.", violations))
            : (pathway, null);
    }

    // Stores the achievement with its pathway (null: none) in one transaction that checks the pathway against storage
    // (parts, issuer, cycles, bounds) after taking the issuer's pathway lock, so concurrent declarations (A → B and
    // B → A) cannot both pass. Null when stored; else the problem (nothing was written).
    private static async Task<ProblemHttpResult?> SaveWithPathwayAsync(
        IBadgeStorage storage, AchievementRecord achievement, bool create, PathwayDeclaration? pathway, DateTimeOffset now, BadgeIssuerOptions options, CancellationToken cancellationToken)
    {
        var violations = new List<InputViolation>();
        PathwaySaveOutcome outcome;
        try
        {
            outcome = await storage.Achievements.SaveWithPathwayAsync(
                achievement,
                create,
                pathway is null ? null : Pathways.Record(achievement.Id, pathway, now),
                async (graph, ct) =>
                {
                    violations.Clear();
                    if (pathway is not null)
                    {
                        await Pathways.CheckAsync(achievement.Id, achievement.IssuerId, pathway, create, graph, options.Pathways, violations, ct);
                    }

                    return violations.Count == 0;
                },
                cancellationToken);
        }
        catch (StorageConflictException)
        {
            return ApiProblems.Conflict.Result("The achievement or its pathway's parts changed while it was stored; send the request again.");
        }

        return outcome switch
        {
            PathwaySaveOutcome.Saved => null,
            PathwaySaveOutcome.Refused => RequestJson.Violations(ApiProblems.InvalidPathway, "The achievement's pathway is not valid.", violations),
            _ => ApiProblems.AchievementNotFound.Result($"No achievement '{achievement.Id}' that this API key may manage."),
        };
    }

    private static string NewId() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_');
}
