using Microsoft.OpenApi;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>An error status an endpoint documents as an RFC 9457 problem response (<see cref="OpenApiExtensions.ProducesProblems{TBuilder}"/>); the value is the status code.</summary>
internal enum ProblemStatus
{
    BadRequest = StatusCodes.Status400BadRequest,
    Unauthorized = StatusCodes.Status401Unauthorized,
    Forbidden = StatusCodes.Status403Forbidden,
    NotFound = StatusCodes.Status404NotFound,
    NotAcceptable = StatusCodes.Status406NotAcceptable,
    Conflict = StatusCodes.Status409Conflict,
    Gone = StatusCodes.Status410Gone,
    PayloadTooLarge = StatusCodes.Status413PayloadTooLarge,
    UnsupportedMediaType = StatusCodes.Status415UnsupportedMediaType,
    UnprocessableEntity = StatusCodes.Status422UnprocessableEntity,
    InternalServerError = StatusCodes.Status500InternalServerError,
    GatewayTimeout = StatusCodes.Status504GatewayTimeout,
}

internal static class OpenApiExtensions
{
    /// <summary>
    /// Documents the endpoint's problem responses (<c>application/problem+json</c>, the shape <see cref="ApiProblems"/>
    /// writes), in the order given, which is the order the OpenAPI document lists them in.
    /// </summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params ReadOnlySpan<ProblemStatus> problems)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (ProblemStatus problem in problems)
        {
            builder.ProducesProblem((int)problem);
        }

        return builder;
    }

    /// <summary>
    /// Documents a JSON request body of <typeparamref name="T"/> without adding routing metadata: the handler reads the
    /// body itself, so a wrong Content-Type gets our 415 problem instead of a bare routing rejection.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) => AcceptsBody<T>(builder, "application/json");

    /// <summary>As <see cref="AcceptsJson{T}"/>, for a body of another media type (e.g. a form the handler parses itself).</summary>
    public static RouteHandlerBuilder AcceptsBody<T>(this RouteHandlerBuilder builder, string mediaType) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            OpenApiSchema schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [mediaType] = new() { Schema = schema } },
            };
        });

    /// <summary>Declares the optional <c>Idempotency-Key</c> request header (<see cref="RequestJson.TryReadIdempotencyKey"/>) of an endpoint that honours it.</summary>
    public static RouteHandlerBuilder AcceptsIdempotencyKey(this RouteHandlerBuilder builder, string description) =>
        builder.AddOpenApiOperationTransformer((operation, context, cancellationToken) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key",
                In = ParameterLocation.Header,
                Required = false,
                Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255, Pattern = "^[!-~]+$" },
            });
            return Task.CompletedTask;
        });
}
