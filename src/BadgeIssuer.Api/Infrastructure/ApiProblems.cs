using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// The problems this service reports (RFC 9457): each has a stable <c>type</c> URI and a short <c>code</c>
/// extension that clients can switch on; the <c>detail</c> text may change.
/// </summary>
internal static class ApiProblems
{
    private const string TypeBase = "urn:badgeissuer:problem:";

    public static readonly ApiProblem MalformedBody = new("malformed-body", StatusCodes.Status400BadRequest, "The request body is malformed.");
    public static readonly ApiProblem UnsupportedRequest = new("unsupported-request", StatusCodes.Status400BadRequest, "The request is well-formed but not a supported shape.");
    public static readonly ApiProblem InvalidRequest = new("invalid-request", StatusCodes.Status400BadRequest, "The request has invalid fields.");
    public static readonly ApiProblem UnknownMember = new("unknown-member", StatusCodes.Status400BadRequest, "The request has a member this endpoint does not know.");
    public static readonly ApiProblem FieldTooLong = new("field-too-long", StatusCodes.Status400BadRequest, "A text field is longer than its limit.");
    public static readonly ApiProblem InvalidImage = new("invalid-image", StatusCodes.Status400BadRequest, "The image is not accepted.");
    public static readonly ApiProblem InvalidCredential = new("invalid-credential", StatusCodes.Status422UnprocessableEntity, "The credential is not valid.");
    public static readonly ApiProblem InvalidAchievement = new("invalid-achievement", StatusCodes.Status422UnprocessableEntity, "The achievement is not valid.");
    public static readonly ApiProblem InvalidPathway = new("invalid-pathway", StatusCodes.Status422UnprocessableEntity, "The achievement's pathway is not valid.");
    public static readonly ApiProblem InvalidClr = new("invalid-clr", StatusCodes.Status422UnprocessableEntity, "The credentials cannot make this CLR.");
    public static readonly ApiProblem ClrTooLarge = new("clr-too-large", StatusCodes.Status422UnprocessableEntity, "The CLR would be larger than this service allows.");
    public static readonly ApiProblem JsonLdError = new("jsonld-error", StatusCodes.Status422UnprocessableEntity, "The document cannot be processed as JSON-LD.");
    public static readonly ApiProblem BodyTooLarge = new("body-too-large", StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
    public static readonly ApiProblem UnsupportedMediaType = new("unsupported-media-type", StatusCodes.Status415UnsupportedMediaType, "The request's Content-Type is not accepted here.");
    public static readonly ApiProblem NotAcceptable = new("not-acceptable", StatusCodes.Status406NotAcceptable, "No representation matches the Accept header.");
    public static readonly ApiProblem Unauthorized = new("unauthorized", StatusCodes.Status401Unauthorized, "Authentication is required.");
    public static readonly ApiProblem Forbidden = new("forbidden", StatusCodes.Status403Forbidden, "The caller may not do this.");
    public static readonly ApiProblem KeyOutranksCaller = new("key-outranks-caller", StatusCodes.Status403Forbidden, "The key holds a scope the caller does not.");
    public static readonly ApiProblem NotFound = new("not-found", StatusCodes.Status404NotFound, "Not found.");
    public static readonly ApiProblem IssuerNotFound = new("issuer-not-found", StatusCodes.Status404NotFound, "No such issuer.");
    public static readonly ApiProblem AchievementNotFound = new("achievement-not-found", StatusCodes.Status404NotFound, "No such achievement.");
    public static readonly ApiProblem CredentialNotFound = new("credential-not-found", StatusCodes.Status404NotFound, "No such credential.");
    public static readonly ApiProblem Conflict = new("conflict", StatusCodes.Status409Conflict, "The request conflicts with the current state.");
    public static readonly ApiProblem StatusNotSupported = new("status-not-supported", StatusCodes.Status409Conflict, "The credential has no status entry for this purpose.");
    public static readonly ApiProblem RevocationIsPermanent = new("revocation-permanent", StatusCodes.Status409Conflict, "A revoked credential cannot be reinstated.");
    public static readonly ApiProblem WebhooksDisabled = new("webhooks-disabled", StatusCodes.Status409Conflict, "Webhooks are turned off on this service.");
    public static readonly ApiProblem RedeliveryPending = new("redelivery-pending", StatusCodes.Status409Conflict, "A copy of this webhook message is still pending for the endpoint.");
    public static readonly ApiProblem RedeliveryBacklog = new("redelivery-backlog", StatusCodes.Status409Conflict, "The webhook endpoint has too many pending deliveries to queue a redelivery.");
    public static readonly ApiProblem NotReady = new("not-ready", StatusCodes.Status503ServiceUnavailable, "The service is not ready.");
    public static readonly ApiProblem RequestTimeout = new("request-timeout", StatusCodes.Status408RequestTimeout, "The request body arrived too slowly.");
    public static readonly ApiProblem CredentialInQuery = new("credential-in-query", StatusCodes.Status400BadRequest, "Credentials are not accepted in the query string.");
    public static readonly ApiProblem IdempotencyKeyInvalid = new("idempotency-key-invalid", StatusCodes.Status400BadRequest, "The Idempotency-Key header is not valid.");
    public static readonly ApiProblem MethodNotAllowed = new("method-not-allowed", StatusCodes.Status405MethodNotAllowed, "The resource does not support this method.");
    public static readonly ApiProblem InternalError = new("internal-error", StatusCodes.Status500InternalServerError, "An error occurred while processing the request.");

    // Problems the framework writes (no route, wrong method, a query parameter that does not bind, an unhandled
    // exception) carry the same stable type and code as ours, chosen by status.
    private static readonly Dictionary<int, ApiProblem> s_byStatus = new()
    {
        [StatusCodes.Status400BadRequest] = InvalidRequest,
        [StatusCodes.Status404NotFound] = NotFound,
        [StatusCodes.Status405MethodNotAllowed] = MethodNotAllowed,
        [StatusCodes.Status408RequestTimeout] = RequestTimeout,
        [StatusCodes.Status413PayloadTooLarge] = BodyTooLarge,
        [StatusCodes.Status415UnsupportedMediaType] = UnsupportedMediaType,
        [StatusCodes.Status500InternalServerError] = InternalError,
    };

    /// <summary>
    /// RFC 9457 problem details for every error response. A bad request the framework detects (e.g. <c>?limit=abc</c>)
    /// is a 400, not an unhandled exception; its message, which names the handler's parameter types, stays in the log.
    /// </summary>
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            Microsoft.AspNetCore.Mvc.ProblemDetails details = context.ProblemDetails;
            if (!details.Extensions.ContainsKey("code") && details.Status is int status && s_byStatus.TryGetValue(status, out ApiProblem? problem))
            {
                details.Type = problem.Type;
                details.Title = problem.Title;
                details.Extensions["code"] = problem.Code;
            }
        });
        services.Configure<ExceptionHandlerOptions>(options =>
        {
            options.StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            // A body that arrives too slowly is the client's doing, not a bug: SlowRequestBodyHandler logs it as one
            // warning line, so the middleware's error entry with a stack trace is left out.
            options.SuppressDiagnosticsCallback = context => SlowRequestBodyHandler.Handles(context.Exception);
        });
        services.AddExceptionHandler<SlowRequestBodyHandler>();
        return services;
    }

    internal sealed record ApiProblem(string Code, int Status, string Title)
    {
        public string Type => TypeBase + Code;

        public ProblemHttpResult Result(string detail, IDictionary<string, object?>? extra = null)
        {
            var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = Code };
            if (extra is not null)
            {
                foreach (KeyValuePair<string, object?> pair in extra)
                {
                    extensions[pair.Key] = pair.Value;
                }
            }

            return TypedResults.Problem(detail: detail, statusCode: Status, title: Title, type: Type, extensions: extensions);
        }
    }
}
