using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Declares the security schemes in the OpenAPI document: Bearer (an API key or an access token) and the OAuth 2.0
/// client-credentials flow that issues those tokens, with every scope a client may request.
/// </summary>
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
            Description = "An API key (bik_…) or an access token from POST /oauth/token: Authorization: Bearer <key or token>. "
                + "The first key is printed on first start and written to bootstrap.json in the data directory.",
        };
        document.Components.SecuritySchemes["OAuth2"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "Client credentials: client_id is an API key's id, client_secret the key. Tokens are short-lived HS256 JWTs sent as Bearer.",
            Flows = new OpenApiOAuthFlows
            {
                ClientCredentials = new OpenApiOAuthFlow
                {
                    TokenUrl = new Uri("/oauth/token", UriKind.Relative),
                    Scopes = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [ApiScopes.Issue] = "Issue and award credentials.",
                        [ApiScopes.Revoke] = "Revoke, suspend and reinstate credentials; read status-list changes.",
                        [ApiScopes.Manage] = "Manage the issuer: achievements, profile, keys, API keys, clients, audit log.",
                        [ApiScopes.Admin] = "Every permission for every issuer; create issuers; re-wrap keys.",
                        [ApiScopes.CredentialUpsert] = "Open Badges 3.0: issue credentials (as issue).",
                        [ApiScopes.CredentialReadonly] = "Open Badges 3.0: list achievements and read status-list changes.",
                        [ApiScopes.ProfileUpdate] = "Open Badges 3.0: replace the issuer profile (and read its keys).",
                        [ApiScopes.ProfileReadonly] = "Open Badges 3.0: read the issuer's key list (the profile itself is public).",
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}
