using Microsoft.OpenApi;

namespace BadgeIssuer.Api.Infrastructure;

internal static class OpenApiExtensions
{
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
