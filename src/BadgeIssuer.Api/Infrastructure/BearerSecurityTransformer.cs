using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Declares the Bearer API-key scheme in the OpenAPI document.</summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key: Authorization: Bearer <key>. The first key is printed on first start and written to bootstrap.json in the data directory.",
        };
        return Task.CompletedTask;
    }
}
