using System.Text;

namespace BadgeIssuer.Api.Features.Credentials;

/// <summary>
/// A page of this feature (<see cref="CredentialPage"/>): UTF-8 HTML under the page's own content security policy
/// (which <see cref="Infrastructure.SecurityHeaders"/> keeps), kept out of search indexes (a credential page names a
/// person) and revalidated on every view (its verdict is read at request time).
/// </summary>
internal sealed class HtmlPageResult(int statusCode, string html) : IResult
{
    public int StatusCode { get; } = statusCode;

    public string Html { get; } = html;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        byte[] body = Encoding.UTF8.GetBytes(Html);
        HttpResponse response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = body.Length;
        response.Headers.ContentSecurityPolicy = CredentialPage.Policy;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Robots-Tag"] = "noindex";
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }
}
