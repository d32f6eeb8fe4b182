using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace BadgeIssuer.Api.Features.Status;

/// <summary>
/// The outcome of a status change. When a revoked or suspended credential counted toward composite credentials (pathways),
/// <paramref name="Composites"/> lists them and <paramref name="Notice"/> says in a sentence that they stay valid.
/// </summary>
public sealed record StatusChangeResponse(
    string CredentialId,
    string StatusPurpose,
    bool Set,
    string StatusListCredential,
    long Version,
    bool Changed,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<StatusComposite>? Composites = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Notice = null);

/// <summary>
/// A composite credential that counted the changed credential as a part; it is not changed with it. <paramref name="Pathway"/>
/// is its pathway status (which parts are still valid).
/// </summary>
public sealed record StatusComposite(string CredentialId, string AchievementId, int ValidParts, int RequiredParts, bool StillSatisfied, string Pathway);

/// <summary>The recorded changes of one status list, oldest first.</summary>
public sealed record StatusChangeList(string StatusListCredential, string StatusPurpose, IReadOnlyList<StatusChangeItem> Changes);

/// <summary>One change: the entry, the credential holding it, old and new value, who and when, the list version it produced, and the reason given.</summary>
public sealed record StatusChangeItem(int Index, string? CredentialId, int OldValue, int NewValue, string Actor, DateTimeOffset ChangedAt, long Version, string? Reason = null);

/// <summary>VC-API "Update Status" request, with an optional reason (at most 500 characters, no control characters).</summary>
public sealed record UpdateStatusRequest(string CredentialId, IReadOnlyList<UpdateStatusItem> CredentialStatus, string? Reason = null);

/// <summary>Optional body of revoke, suspend and reinstate: why (at most 500 characters, no control characters).</summary>
public sealed record StatusReasonRequest(string? Reason = null);

/// <summary>One status change: the purpose (revocation or suspension) and the new value.</summary>
public sealed record UpdateStatusItem(string? Type = null, string? StatusPurpose = null, JsonElement? Status = null);

/// <summary>
/// Revocation and suspension: <c>POST /credentials/status</c> (VC-API shape) and <c>POST /credentials/{id}/revoke|suspend|reinstate</c>
/// change one bit (revocation is permanent; reinstate clears a suspension); every change is recorded with the caller
/// as actor. <c>GET /status-lists/{listId}</c> publishes the issuer-signed list, with ETag and Cache-Control.
/// </summary>
internal static class StatusApi
{
    public static IServiceCollection AddStatus(this IServiceCollection services)
    {
        services.AddSingleton<StatusListPublisher>();
        return services;
    }

    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder manage = routes.MapGroup("/credentials").WithTags("Status").RequireAuthorization(ApiScopes.Revoke);
        manage.MapPost("/status", UpdateStatus)
            .WithName("UpdateCredentialStatus")
            .WithSummary("Change a credential's status (W3C VC-API)")
            .WithDescription("Body: {credentialId, credentialStatus: [{type: BitstringStatusListEntry, statusPurpose: revocation|suspension, status: true|false}]}. Revocation cannot be undone.")
            .AcceptsJson<UpdateStatusRequest>()
            .Produces<StatusChangeResponse>()
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict,
                ProblemStatus.UnsupportedMediaType);
        foreach ((string verb, string purpose, bool set, string summary) in new[]
        {
            ("revoke", "revocation", true, "Revoke a credential (permanent)"),
            ("suspend", "suspension", true, "Suspend a credential"),
            ("reinstate", "suspension", false, "Lift a credential's suspension"),
        })
        {
            manage.MapPost("/{id}/" + verb, (string id, HttpRequest request, IBadgeStorage storage, PublicUrls urls, CancellationToken ct) =>
                    ChangeWithOptionalReasonAsync(urls.Credential(id), purpose, set, request, storage, urls, ct))
                .WithName(char.ToUpperInvariant(verb[0]) + verb[1..] + "Credential")
                .WithSummary(summary)
                .WithDescription("Optional JSON body {reason}: free text kept with the change (at most 500 characters, trimmed, no control characters); it shows in the list's changes, the audit log and this service's verify reports.")
                .Accepts<StatusReasonRequest>(false, "application/json")
                .Produces<StatusChangeResponse>()
                .ProducesProblems(
                    ProblemStatus.BadRequest, ProblemStatus.UnsupportedMediaType, ProblemStatus.Unauthorized, ProblemStatus.Forbidden,
                    ProblemStatus.NotFound, ProblemStatus.Conflict);
        }

        routes.MapGet("/status-lists/{listId}/changes", ListChanges)
            .WithTags("Status")
            .WithName("ListStatusChanges")
            .WithSummary("Every recorded change of a status list: who, when, which entry, from what to what")
            .RequireAuthorization(ApiScopes.ReadCredentials)
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.NotFound);

        routes.MapGet("/status-lists/{listId}", GetStatusList)
            .WithTags("Status")
            .WithName("GetStatusList")
            .WithSummary("A Bitstring Status List credential, signed by its issuer (public)")
            .WithDescription("application/vc+ld+json (Data Integrity, default) or, by Accept, application/vc+jwt. ETag/If-None-Match; Cache-Control max-age matches the list's ttl.")
            .Produces(StatusCodes.Status200OK, contentType: "application/vc+ld+json", additionalContentTypes: ["application/vc+jwt"])
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblems(ProblemStatus.NotFound);
        return routes;
    }

    internal static async Task<Results<Ok<StatusChangeResponse>, ProblemHttpResult>> UpdateStatus(HttpRequest request, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, 64 * 1024, RequestShape.Of<UpdateStatusRequest>(), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            JsonElement root = document!.RootElement;
            var violations = new List<InputViolation>();
            string? credentialId = RequestJson.OptionalString(root, "credentialId", string.Empty, violations);
            if (credentialId is not null && credentialId.Any(char.IsControl))
            {
                violations.Add(new("/credentialId", "credentialId must not contain control characters."));
                credentialId = null;
            }
            else if (credentialId is null && violations.Count == 0)
            {
                violations.Add(new("/credentialId", "required"));
            }

            if (!root.TryGetProperty("credentialStatus", out JsonElement items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() != 1
                || items[0].ValueKind != JsonValueKind.Object)
            {
                violations.Add(new("/credentialStatus", "credentialStatus must be an array with one object {statusPurpose, status}."));
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The status request is not valid.", violations);
            }

            JsonElement item = items[0];
            string? purpose = RequestJson.OptionalString(item, "statusPurpose", "/credentialStatus/0", violations);
            bool? set = null;
            if (item.TryGetProperty("status", out JsonElement status))
            {
                set = status.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number when status.TryGetInt32(out int n) && n is 0 or 1 => n == 1,
                    JsonValueKind.String => status.GetString() switch
                    {
                        "1" or "true" or "revoked" or "suspended" => true,
                        "0" or "false" or "active" or "reinstated" => false,
                        _ => null,
                    },
                    _ => null,
                };
                string? named = status.ValueKind == JsonValueKind.String
                    ? status.GetString() switch { "revoked" => "revocation", "suspended" => "suspension", _ => null }
                    : null;
                if (purpose is null)
                {
                    purpose = named;
                }
                else if (named is not null && named != purpose)
                {
                    // "suspended" with statusPurpose revocation would revoke for good: a contradiction is refused, not guessed.
                    violations.Add(new("/credentialStatus/0/status", $"status '{status.GetString()}' contradicts statusPurpose '{purpose}'."));
                }
            }

            if (set is null)
            {
                violations.Add(new("/credentialStatus/0/status", "status must be true/false (or \"revoked\", \"suspended\", \"active\")."));
            }

            if (purpose is not ("revocation" or "suspension"))
            {
                violations.Add(new("/credentialStatus/0/statusPurpose", "statusPurpose must be revocation or suspension."));
            }

            string? reason = ReadReason(root, violations);
            if (violations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The status request is not valid.", violations);
            }

            return await ChangeAsync(credentialId!, purpose!, set!.Value, reason, request, storage, urls, cancellationToken);
        }
    }

    /// <summary>The longest reason kept with a status change.</summary>
    public const int MaxReasonLength = 500;

    private static readonly RequestShape s_reasonOnly = RequestShape.Object(("reason", null));

    // Revoke, suspend, reinstate: no body, or a JSON object with nothing but an optional reason.
    private static async Task<Results<Ok<StatusChangeResponse>, ProblemHttpResult>> ChangeWithOptionalReasonAsync(
        string credentialId, string purpose, bool set, HttpRequest request, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        string? reason = null;
        if (request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0))
        {
            (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, 8 * 1024, s_reasonOnly, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            using (document)
            {
                var violations = new List<InputViolation>();
                reason = ReadReason(document!.RootElement, violations);
                if (violations.Count > 0)
                {
                    return RequestJson.Violations(ApiProblems.InvalidRequest, "The status request is not valid.", violations);
                }
            }
        }

        return await ChangeAsync(credentialId, purpose, set, reason, request, storage, urls, cancellationToken);
    }

    /// <summary>
    /// The optional <c>reason</c>: a string, trimmed, at most <see cref="MaxReasonLength"/> characters, with no control
    /// characters, line separators or formatting characters such as bidirectional marks (it is shown to people, in reports
    /// and logs). Null when absent.
    /// </summary>
    internal static string? ReadReason(JsonElement body, List<InputViolation> violations)
    {
        if (!body.TryGetProperty("reason", out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            violations.Add(new("/reason", "'reason' must be a string."));
            return null;
        }

        string reason = value.GetString()!.Trim();
        if (reason.Length == 0)
        {
            violations.Add(new("/reason", "'reason' must not be empty; leave it out when there is none."));
            return null;
        }

        if (reason.Length > MaxReasonLength)
        {
            violations.Add(TextLimits.TooLong("/reason", "reason", MaxReasonLength));
            return null;
        }

        foreach (char c in reason)
        {
            // Control characters, line and paragraph separators, and every format character (bidirectional marks,
            // embeddings, overrides and isolates, zero-width characters): a reason is shown to people, in reports and
            // logs, so it must read as the text it looks like.
            if (DisplayText.IsHidden(c))
            {
                violations.Add(new("/reason", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"'reason' must not contain control, separator or formatting characters (found U+{(int)c:X4}).")));
                return null;
            }
        }

        return reason;
    }

    private static async Task<Results<Ok<StatusChangeResponse>, ProblemHttpResult>> ChangeAsync(
        string credentialId, string purpose, bool set, string? reason, HttpRequest request, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        Caller caller = Caller.From(request.HttpContext.User);
        CredentialRecord? credential = credentialId.Any(char.IsControl) ? null : await storage.Credentials.GetAsync(credentialId, cancellationToken);
        if (credential is null || !caller.CanActFor(credential.IssuerId))
        {
            return ApiProblems.CredentialNotFound.Result($"No credential '{credentialId}' that this API key may change.");
        }

        if (purpose == "revocation" && !set)
        {
            return ApiProblems.RevocationIsPermanent.Result("Revocation is permanent (W3C Bitstring Status List §2.1); suspend credentials that may come back.");
        }

        StatusUpdateResult result = await storage.StatusLists.SetCredentialStatusAsync(credentialId, purpose, set ? 1 : 0, caller.Actor, reason, cancellationToken);
        if (result.Outcome is StatusUpdateOutcome.Updated or StatusUpdateOutcome.Unchanged)
        {
            var response = new StatusChangeResponse(credentialId, purpose, set, urls.StatusList(result.ListId!), result.Version ?? 0, result.Outcome == StatusUpdateOutcome.Updated);
            return TypedResults.Ok(set ? await PathwayParts.ReportAsync(response, credential.IssuerId, request.HttpContext, storage, urls, cancellationToken) : response);
        }

        return result.Outcome switch
        {
            StatusUpdateOutcome.NoStatusEntry => ApiProblems.StatusNotSupported.Result($"The credential was issued without a {purpose} status entry."),
            _ => ApiProblems.CredentialNotFound.Result($"No credential '{credentialId}' that this API key may change."),
        };
    }

    internal static async Task<Results<Ok<StatusChangeList>, ProblemHttpResult>> ListChanges(string listId, HttpRequest request, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        StatusListRecord? list = listId.Length <= 64 ? await storage.StatusLists.GetAsync(listId, cancellationToken) : null;
        if (list is null || !Caller.From(request.HttpContext.User).CanActFor(list.IssuerId))
        {
            return ApiProblems.NotFound.Result("No status list that this API key may read.");
        }

        IReadOnlyList<StatusChangeRecord> changes = await storage.StatusLists.ListChangesAsync(listId, cancellationToken);
        return TypedResults.Ok(new StatusChangeList(
            urls.StatusList(listId),
            list.Purpose,
            changes.Select(c => new StatusChangeItem(c.Index, c.CredentialId, c.OldValue, c.NewValue, c.Actor, c.ChangedAt, c.Version, c.Reason)).ToList()));
    }

    internal static async Task<IResult> GetStatusList(string listId, HttpRequest request, StatusListPublisher publisher, Microsoft.Extensions.Options.IOptions<BadgeIssuerOptions> options, CancellationToken cancellationToken)
    {
        if (listId.Length > 64)
        {
            return ApiProblems.NotFound.Result("No such status list.");
        }

        bool jwt = PrefersJwt(request);
        PublishedStatusList? list = await publisher.GetAsync(listId, jwt, cancellationToken);
        if (list is null)
        {
            return TypedResults.Problem(
                detail: "No such status list.",
                statusCode: StatusCodes.Status404NotFound,
                title: "Status list not found.",
                type: Core.StatusList.StatusListErrors.ProblemTypeBase + "STATUS_RETRIEVAL_ERROR",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = "status-list-not-found" });
        }

        HttpResponse response = request.HttpContext.Response;
        response.Headers.Vary = "Accept";
        string cacheControl = "public, max-age=" + options.Value.StatusListTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == list.ETag || t.Trim() == "*")))
        {
            response.Headers.ETag = list.ETag;
            response.Headers.CacheControl = cacheControl;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return new RawJsonResult<object>(StatusCodes.Status200OK, list.Body, jwt ? "application/vc+jwt" : "application/vc+ld+json")
        {
            ETag = list.ETag,
            CacheControl = cacheControl,
        };
    }

    private static bool PrefersJwt(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out IList<MediaTypeHeaderValue>? accepts))
        {
            return false;
        }

        double jwt = 0, json = 0;
        foreach (MediaTypeHeaderValue a in accepts)
        {
            double q = a.Quality ?? 1;
            string type = a.MediaType.Value ?? string.Empty;
            if (type is "application/vc+jwt" or "application/jwt")
            {
                jwt = Math.Max(jwt, q);
            }
            else if (type is "application/vc+ld+json" or "application/ld+json" or "application/json" or "*/*" or "application/*")
            {
                json = Math.Max(json, q);
            }
        }

        return jwt > json;
    }
}
