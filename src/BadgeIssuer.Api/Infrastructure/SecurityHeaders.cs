namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Security headers on every response: no MIME sniffing, no framing, no referrer, and a content security policy
/// that allows nothing (the API serves JSON, JWTs and images; SVG downloads must not run script if opened
/// directly). The API reference UI under <c>/docs</c> (Swagger UI) gets a policy that lets its own bundled assets, and only those, run.
/// An answer that set its own policy before it started (the credential page: its style by hash, its own images) keeps
/// it; an error answer written after a reset (which clears the headers) gets the policy that allows nothing. Endpoints
/// marked <see cref="SecurityHeaderExtensions.CarriesNewSecret{TBuilder}"/> also send <c>Cache-Control: no-store</c>.
/// <para>
/// The headers are set as the response starts, not as the request arrives: the exception handler and the request
/// timeout middleware clear the response before writing their problem (500, 408, 504), and those answers carry the
/// headers too.
/// </para>
/// </summary>
internal static class SecurityHeaders
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";
    // Swagger UI's page, scripts and styles come from /docs (embedded in Swashbuckle.AspNetCore.SwaggerUI); no inline or
    // eval'd script, nothing from another origin. Inline styles stay allowed (the UI sets style attributes), and data:
    // images (its icons). connect-src: the OpenAPI document and "Try it out" requests, this origin only.
    private const string DocsPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Read now: the exception handler clears the endpoint before it writes its problem.
        bool noStore = context.GetEndpoint()?.Metadata.GetMetadata<NewSecretMetadata>() is not null;
        context.Response.OnStarting(Apply, (context, noStore));
        return next(context);
    });

    private static Task Apply(object state)
    {
        (HttpContext context, bool noStore) = ((HttpContext, bool))state;
        IHeaderDictionary headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs", StringComparison.OrdinalIgnoreCase) ? DocsPolicy : ApiPolicy;
        }
        if (noStore)
        {
            // RFC 9111 §5.2.2.5; Pragma for HTTP/1.0 caches (RFC 6749 §5.1 asks for both on token responses).
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
        }

        return Task.CompletedTask;
    }
}

/// <summary>Marks an endpoint whose answer carries a new secret (API key, client secret, access token): never cached.</summary>
internal sealed class NewSecretMetadata;

internal static class SecurityHeaderExtensions
{
    /// <summary>Every answer of this endpoint is sent with <c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c>.</summary>
    public static TBuilder CarriesNewSecret<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new NewSecretMetadata());
}
