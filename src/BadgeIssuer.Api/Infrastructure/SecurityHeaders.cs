namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Security headers on every response: no MIME sniffing, no framing, no referrer, and a content security policy
/// that allows nothing (the API serves JSON, JWTs and images; SVG downloads must not run script if opened
/// directly). The API reference UI under <c>/docs</c> gets a policy that lets its own bundled assets run.
/// </summary>
internal static class SecurityHeaders
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";
    private const string DocsPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        IHeaderDictionary headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs", StringComparison.OrdinalIgnoreCase) ? DocsPolicy : ApiPolicy;
        return next(context);
    });
}
