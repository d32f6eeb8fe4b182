using System.Security.Cryptography;
using System.Text.Json;
using BadgeIssuer.Api.Features.Tenancy;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Webhooks;

/// <summary>Register a webhook endpoint. <see cref="EventTypes"/> defaults to every event.</summary>
public sealed record CreateWebhookRequest(string Url, IReadOnlyList<string>? EventTypes = null, string? Description = null);

/// <summary>Change an endpoint: any of URL, event types, description, enabled.</summary>
public sealed record UpdateWebhookRequest(string? Url = null, IReadOnlyList<string>? EventTypes = null, string? Description = null, bool? Enabled = null);

/// <summary>A webhook endpoint (never its secret).</summary>
public sealed record WebhookEndpointInfo(string Id, string Url, IReadOnlyList<string> EventTypes, string? Description, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A new endpoint with its signing secret (<c>whsec_…</c>), shown this once.</summary>
public sealed record CreatedWebhookEndpoint(
    string Id, string Url, IReadOnlyList<string> EventTypes, string? Description, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Secret);

public sealed record WebhookEndpointList(IReadOnlyList<WebhookEndpointInfo> Endpoints);

/// <summary>A new signing secret, shown this once; the old one stops signing at once.</summary>
public sealed record WebhookSecretResponse(string Id, string Secret);

/// <summary>One attempt: when, the HTTP status (none when there was no answer) or the error, and how long it took.</summary>
public sealed record WebhookAttemptInfo(DateTimeOffset At, int? StatusCode, string? Error, int DurationMs);

/// <summary>One message to the endpoint: its state (pending, succeeded, failed), attempts so far and each attempt.</summary>
public sealed record WebhookDeliveryInfo(
    long Seq, string MessageId, string EventType, string State, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? CompletedAt, int? LastStatusCode, string? LastError, IReadOnlyList<WebhookAttemptInfo> AttemptLog);

/// <summary>A page of deliveries, newest first; <see cref="Next"/> is the <c>before</c> value of the next page.</summary>
public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryInfo> Deliveries, long? Next);

/// <summary>
/// Per-issuer webhook endpoints (scope <c>manage</c>): register, list, read, change (URL, events, description,
/// enable/disable), delete, rotate the secret, read the delivery log, redeliver a message. Secrets are shown once and
/// stored encrypted under the key-encryption key. Registration is refused while webhooks are off
/// (<c>BadgeIssuer:Webhooks:Enabled</c>); URLs pass <see cref="WebhookAddressGuard"/>.
/// </summary>
internal static class WebhooksApi
{
    private const int MaxBodyBytes = 16 * 1024;
    private const int MaxDescriptionLength = 256;
    private static readonly RequestShape s_createShape = RequestShape.Object(("url", null), ("eventTypes", null), ("description", null));
    private static readonly RequestShape s_updateShape = s_createShape.With(("enabled", null));

    // Control characters (char.IsControl: U+0000–U+001F, U+007F–U+009F), the bidirectional formatting characters and
    // the line and paragraph separators.
    private static readonly System.Buffers.SearchValues<char> s_refusedInText = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), .. Enumerable.Range(0x7F, 0x21).Select(i => (char)i),
         '\u200E', '\u200F', '\u061C', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u2028', '\u2029']);

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/issuers/{slug}/webhooks").WithTags("Webhooks").RequireAuthorization(ApiScopes.Manage);
        group.MapPost("/", Create).WithName("CreateWebhookEndpoint").WithSummary("Register a webhook endpoint (the signing secret is shown once)")
            .WithDescription("Events: credential.issued, credential.revoked, credential.suspended, credential.reinstated. Deliveries are signed per Standard Webhooks. The URL must be https, name an allowed port (BadgeIssuer:Webhooks:AllowedPorts, 443 by default) and resolve to public addresses only. The description may not hold control, bidirectional-formatting or line/paragraph-separator characters.")
            .CarriesNewSecret()
            .AcceptsJson<CreateWebhookRequest>()
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict,
                ProblemStatus.UnsupportedMediaType);
        group.MapGet("/", List).WithName("ListWebhookEndpoints").WithSummary("The issuer's webhook endpoints (never the secrets)")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        group.MapGet("/{id}", Get).WithName("GetWebhookEndpoint").WithSummary("One webhook endpoint")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        group.MapPatch("/{id}", Update).WithName("UpdateWebhookEndpoint").WithSummary("Change a webhook endpoint's URL, events, description, or enable/disable it")
            .WithDescription("A disabled endpoint gets no new deliveries; its pending ones wait until it is enabled again.")
            .AcceptsJson<UpdateWebhookRequest>()
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict,
                ProblemStatus.UnsupportedMediaType);
        group.MapDelete("/{id}", Delete).WithName("DeleteWebhookEndpoint").WithSummary("Delete a webhook endpoint with its pending deliveries and log")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        group.MapPost("/{id}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret").WithSummary("Replace the endpoint's signing secret (shown once)")
            .CarriesNewSecret()
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict);
        group.MapGet("/{id}/deliveries", ListDeliveries).WithName("ListWebhookDeliveries").WithSummary("The endpoint's delivery log, newest first, with every attempt")
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        group.MapPost("/{id}/messages/{messageId}/redeliver", Redeliver).WithName("RedeliverWebhookMessage")
            .WithSummary("Send a message (by webhook-id) to the endpoint again, after its other pending deliveries")
            .WithDescription("202 with the new pending delivery. 409 problems: urn:badgeissuer:problem:redelivery-pending while a copy of the message is still pending for this endpoint (one pending copy at most); urn:badgeissuer:problem:redelivery-backlog while the endpoint has BadgeIssuer:Webhooks:MaxPendingForRedelivery or more pending deliveries; urn:badgeissuer:problem:webhooks-disabled while webhooks are off. 404 when the endpoint never had the message.")
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict);
        return routes;
    }

    private static ProblemHttpResult IssuerNotFound() => ApiProblems.IssuerNotFound.Result("No such issuer that this API key may manage.");

    private static ProblemHttpResult EndpointNotFound() => ApiProblems.NotFound.Result("No such webhook endpoint for an issuer this API key may manage.");

    private static ProblemHttpResult Disabled() =>
        ApiProblems.WebhooksDisabled.Result("Webhooks are off on this service; an operator turns them on with BadgeIssuer:Webhooks:Enabled=true.");

    private static WebhookEndpointInfo Info(WebhookEndpointRecord e) =>
        new(e.Id, e.Url, ApiScopes.Split(e.EventTypes), e.Description.Length == 0 ? null : e.Description, e.Enabled, e.CreatedAt, e.UpdatedAt);

    private static async Task<(IssuerRecord? Issuer, WebhookEndpointRecord? Endpoint)> EndpointForAsync(
        string slug, string id, HttpRequest request, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await TenancyApi.IssuerForAsync(slug, request, storage, cancellationToken);
        if (issuer is null || id.Length > 64)
        {
            return (issuer, null);
        }

        WebhookEndpointRecord? endpoint = await storage.Webhooks.GetEndpointAsync(id, cancellationToken);
        return (issuer, endpoint is not null && string.Equals(endpoint.IssuerId, issuer.Id, StringComparison.Ordinal) ? endpoint : null);
    }

    internal static async Task<Results<Created<CreatedWebhookEndpoint>, ProblemHttpResult>> Create(
        string slug, HttpRequest request, IBadgeStorage storage, KeyVault vault, WebhookAddressGuard guard, AuditLog audit,
        IOptions<WebhookOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await TenancyApi.IssuerForAsync(slug, request, storage, cancellationToken);
        if (issuer is null)
        {
            return IssuerNotFound();
        }

        if (!options.Value.Enabled)
        {
            return Disabled();
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, MaxBodyBytes, s_createShape, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var violations = new List<InputViolation>();
        string? url;
        List<string>? eventTypes;
        string? description;
        using (document)
        {
            JsonElement body = document!.RootElement;
            url = await ReadUrlAsync(body, guard, violations, required: true, cancellationToken);
            eventTypes = ReadEventTypes(body, violations);
            description = ReadDescription(body, violations);
        }

        if (violations.Count > 0)
        {
            return RequestJson.Violations(ApiProblems.InvalidRequest, "The webhook endpoint is not valid.", violations);
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        string id = Guid.NewGuid().ToString("N");
        (byte[] key, string secret) = WebhookSignature.NewSecret();
        WebhookEndpointRecord endpoint;
        try
        {
            endpoint = new WebhookEndpointRecord(id, issuer.Id, url!, string.Join(' ', eventTypes ?? [.. WebhookEvents.All]), description ?? string.Empty,
                vault.Protect(key, issuer.Id, WebhookSignature.KeyId(id)), Enabled: true, now, now);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        if (!await storage.Webhooks.CreateEndpointAsync(endpoint, options.Value.MaxEndpointsPerIssuer, cancellationToken))
        {
            return ApiProblems.Conflict.Result($"The issuer already has {options.Value.MaxEndpointsPerIssuer} webhook endpoints (BadgeIssuer:Webhooks:MaxEndpointsPerIssuer); delete one first.");
        }

        await audit.AppendAsync(request.HttpContext, issuer.Id, "webhook.create", id, AuditDetails(endpoint));
        WebhookEndpointInfo info = Info(endpoint);
        return TypedResults.Created((string?)null,
            new CreatedWebhookEndpoint(info.Id, info.Url, info.EventTypes, info.Description, info.Enabled, info.CreatedAt, info.UpdatedAt, secret));
    }

    // The host and events only: a URL's path or query may carry the receiver's token.
    private static string AuditDetails(WebhookEndpointRecord endpoint) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = Uri.TryCreate(endpoint.Url, UriKind.Absolute, out Uri? u) ? u.Host : string.Empty,
            ["events"] = endpoint.EventTypes,
            ["enabled"] = endpoint.Enabled ? "true" : "false",
        }, ApiJsonContext.Default.DictionaryStringString);

    private static async Task<string?> ReadUrlAsync(JsonElement body, WebhookAddressGuard guard, List<InputViolation> violations, bool required, CancellationToken cancellationToken)
    {
        string? value = RequestJson.OptionalString(body, "url", string.Empty, violations, WebhookAddressGuard.MaxUrlLength);
        if (value is null)
        {
            if (required && !violations.Any(v => v.Path == "/url"))
            {
                violations.Add(new("/url", "url is required."));
            }

            return null;
        }

        (string? url, string? error) = await guard.CheckUrlAsync(value, cancellationToken);
        if (error is not null)
        {
            violations.Add(new("/url", error + "."));
        }

        return url;
    }

    /// <summary>
    /// The description: text up to <see cref="MaxDescriptionLength"/>, without control characters (NUL, ESC, newlines …),
    /// bidirectional formatting characters (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069) or the line and
    /// paragraph separators (U+2028, U+2029), which could hide or reorder what an admin reads in a listing or a log.
    /// </summary>
    private static string? ReadDescription(JsonElement body, List<InputViolation> violations)
    {
        string? description = RequestJson.OptionalText(body, "description", string.Empty, violations, MaxDescriptionLength);
        int at = description is null ? -1 : description.AsSpan().IndexOfAny(s_refusedInText);
        if (at >= 0)
        {
            violations.Add(new("/description", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"'description' must not contain control, bidirectional-formatting or line/paragraph-separator characters (found U+{(int)description![at]:X4}).")));
            return null;
        }

        return description;
    }

    private static List<string>? ReadEventTypes(JsonElement body, List<InputViolation> violations)
    {
        if (!body.TryGetProperty("eventTypes", out JsonElement types) || types.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (types.ValueKind != JsonValueKind.Array || types.GetArrayLength() is 0 or > 16 || types.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
        {
            violations.Add(new("/eventTypes", "eventTypes must be a non-empty array of event type strings."));
            return null;
        }

        var result = new List<string>();
        foreach (JsonElement t in types.EnumerateArray())
        {
            string type = t.GetString()!;
            if (!WebhookEvents.All.Contains(type, StringComparer.Ordinal))
            {
                violations.Add(new("/eventTypes", $"Unknown event type '{(type.Length > 64 ? type[..64] + "…" : type)}'; events are {string.Join(", ", WebhookEvents.All)}."));
            }
            else if (!result.Contains(type, StringComparer.Ordinal))
            {
                result.Add(type);
            }
        }

        return result;
    }

    internal static async Task<Results<Ok<WebhookEndpointList>, ProblemHttpResult>> List(string slug, HttpRequest request, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        IssuerRecord? issuer = await TenancyApi.IssuerForAsync(slug, request, storage, cancellationToken);
        if (issuer is null)
        {
            return IssuerNotFound();
        }

        IReadOnlyList<WebhookEndpointRecord> endpoints = await storage.Webhooks.ListEndpointsAsync(issuer.Id, cancellationToken);
        return TypedResults.Ok(new WebhookEndpointList(endpoints.Select(Info).ToList()));
    }

    internal static async Task<Results<Ok<WebhookEndpointInfo>, ProblemHttpResult>> Get(string slug, string id, HttpRequest request, IBadgeStorage storage, CancellationToken cancellationToken)
    {
        (_, WebhookEndpointRecord? endpoint) = await EndpointForAsync(slug, id, request, storage, cancellationToken);
        return endpoint is null ? EndpointNotFound() : TypedResults.Ok(Info(endpoint));
    }

    internal static async Task<Results<Ok<WebhookEndpointInfo>, ProblemHttpResult>> Update(
        string slug, string id, HttpRequest request, IBadgeStorage storage, WebhookAddressGuard guard, AuditLog audit,
        IOptions<WebhookOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        (_, WebhookEndpointRecord? endpoint) = await EndpointForAsync(slug, id, request, storage, cancellationToken);
        if (endpoint is null)
        {
            return EndpointNotFound();
        }

        if (!options.Value.Enabled)
        {
            return Disabled();
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, MaxBodyBytes, s_updateShape, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var violations = new List<InputViolation>();
        WebhookEndpointRecord updated = endpoint;
        using (document)
        {
            JsonElement body = document!.RootElement;
            if (await ReadUrlAsync(body, guard, violations, required: false, cancellationToken) is { } url)
            {
                updated = updated with { Url = url };
            }

            if (ReadEventTypes(body, violations) is { } types)
            {
                updated = updated with { EventTypes = string.Join(' ', types) };
            }

            if (body.TryGetProperty("description", out JsonElement d) && d.ValueKind == JsonValueKind.Null)
            {
                updated = updated with { Description = string.Empty };
            }
            else if (ReadDescription(body, violations) is { } description)
            {
                updated = updated with { Description = description };
            }

            if (body.TryGetProperty("enabled", out JsonElement enabled))
            {
                if (enabled.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    updated = updated with { Enabled = enabled.GetBoolean() };
                }
                else
                {
                    violations.Add(new("/enabled", "enabled must be true or false."));
                }
            }
        }

        if (violations.Count > 0)
        {
            return RequestJson.Violations(ApiProblems.InvalidRequest, "The webhook endpoint change is not valid.", violations);
        }

        updated = updated with { UpdatedAt = timeProvider.GetUtcNow() };
        if (!await storage.Webhooks.UpdateEndpointAsync(updated, cancellationToken))
        {
            return EndpointNotFound();
        }

        await audit.AppendAsync(request.HttpContext, updated.IssuerId, "webhook.update", id, AuditDetails(updated));
        return TypedResults.Ok(Info(updated));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Delete(string slug, string id, HttpRequest request, IBadgeStorage storage, AuditLog audit, CancellationToken cancellationToken)
    {
        (_, WebhookEndpointRecord? endpoint) = await EndpointForAsync(slug, id, request, storage, cancellationToken);
        if (endpoint is null || !await storage.Webhooks.DeleteEndpointAsync(id, cancellationToken))
        {
            return EndpointNotFound();
        }

        await audit.AppendAsync(request.HttpContext, endpoint.IssuerId, "webhook.delete", id);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<WebhookSecretResponse>, ProblemHttpResult>> RotateSecret(
        string slug, string id, HttpRequest request, IBadgeStorage storage, KeyVault vault, AuditLog audit,
        IOptions<WebhookOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        (_, WebhookEndpointRecord? endpoint) = await EndpointForAsync(slug, id, request, storage, cancellationToken);
        if (endpoint is null)
        {
            return EndpointNotFound();
        }

        if (!options.Value.Enabled)
        {
            return Disabled();
        }

        (byte[] key, string secret) = WebhookSignature.NewSecret();
        WebhookEndpointRecord rotated;
        try
        {
            rotated = endpoint with { ProtectedSecret = vault.Protect(key, endpoint.IssuerId, WebhookSignature.KeyId(endpoint.Id)), UpdatedAt = timeProvider.GetUtcNow() };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        // Compare-and-swap on the secret read above: a concurrent rotation (or KEK re-wrap) wins, and this one says so
        // rather than hand out a secret that is not the one stored.
        if (!await storage.Webhooks.ReplaceProtectedSecretAsync(endpoint.Id, endpoint.ProtectedSecret, rotated.ProtectedSecret.ToArray(), cancellationToken))
        {
            return await storage.Webhooks.GetEndpointAsync(endpoint.Id, cancellationToken) is null
                ? EndpointNotFound()
                : ApiProblems.Conflict.Result("The endpoint's secret changed while this rotation ran (another rotation or a key re-wrap); retry.");
        }

        await audit.AppendAsync(request.HttpContext, endpoint.IssuerId, "webhook.rotate", id);
        return TypedResults.Ok(new WebhookSecretResponse(id, secret));
    }

    internal static async Task<Results<Ok<WebhookDeliveryPage>, ProblemHttpResult>> ListDeliveries(
        string slug, string id, HttpRequest request, IBadgeStorage storage, int? limit, long? before, CancellationToken cancellationToken)
    {
        (_, WebhookEndpointRecord? endpoint) = await EndpointForAsync(slug, id, request, storage, cancellationToken);
        if (endpoint is null)
        {
            return EndpointNotFound();
        }

        if (limit is < 1 or > 100)
        {
            return ApiProblems.InvalidRequest.Result("limit must be between 1 and 100.");
        }

        int take = limit ?? 50;
        IReadOnlyList<WebhookDeliveryRecord> deliveries = await storage.Webhooks.ListDeliveriesAsync(id, take, before, cancellationToken);
        ILookup<long, WebhookAttemptRecord> attempts = (await storage.Webhooks.ListAttemptsAsync(deliveries.Select(d => d.Seq).ToList(), cancellationToken))
            .ToLookup(a => a.DeliverySeq);
        return TypedResults.Ok(new WebhookDeliveryPage(
            deliveries.Select(d => Delivery(d, attempts[d.Seq])).ToList(),
            deliveries.Count == take ? deliveries[^1].Seq : null));
    }

    private static WebhookDeliveryInfo Delivery(WebhookDeliveryRecord d, IEnumerable<WebhookAttemptRecord> attempts) => new(
        d.Seq, d.MessageId, d.EventType, d.State, d.Attempts, d.CreatedAt,
        d.State == WebhookDeliveryStates.Pending ? d.NextAttemptAt : null, d.CompletedAt, d.LastStatusCode, d.LastError,
        attempts.Select(a => new WebhookAttemptInfo(a.AttemptedAt, a.StatusCode, a.Error, a.DurationMilliseconds)).ToList());

    internal static async Task<Results<Accepted<WebhookDeliveryInfo>, ProblemHttpResult>> Redeliver(
        string slug, string id, string messageId, HttpRequest request, IBadgeStorage storage, AuditLog audit,
        IOptions<WebhookOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        (_, WebhookEndpointRecord? endpoint) = await EndpointForAsync(slug, id, request, storage, cancellationToken);
        if (endpoint is null)
        {
            return EndpointNotFound();
        }

        if (!options.Value.Enabled)
        {
            return Disabled();
        }

        int maxPending = options.Value.MaxPendingForRedelivery;
        WebhookRedelivery result = messageId.Length <= 64
            ? await storage.Webhooks.RedeliverAsync(id, messageId, timeProvider.GetUtcNow(), maxPending, cancellationToken)
            : new(WebhookRedeliveryOutcome.UnknownMessage);
        if (result.Outcome == WebhookRedeliveryOutcome.AlreadyPending)
        {
            return ApiProblems.RedeliveryPending.Result(
                "A copy of this message is still pending for this endpoint; it is sent (or retried) without a redelivery. Redeliver once it has succeeded or failed.");
        }

        if (result.Outcome == WebhookRedeliveryOutcome.Backlog)
        {
            return ApiProblems.RedeliveryBacklog.Result(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The endpoint has {maxPending} or more pending deliveries (BadgeIssuer:Webhooks:MaxPendingForRedelivery); redeliver once they have drained."));
        }

        if (result.Delivery is not { } delivery)
        {
            return ApiProblems.NotFound.Result("This endpoint never had a message with that id.");
        }

        await audit.AppendAsync(request.HttpContext, endpoint.IssuerId, "webhook.redeliver", id, JsonSerializer.Serialize(
            new Dictionary<string, string>(StringComparer.Ordinal) { ["messageId"] = messageId }, ApiJsonContext.Default.DictionaryStringString));
        return TypedResults.Accepted((string?)null, Delivery(delivery, []));
    }
}
