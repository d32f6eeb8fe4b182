using Microsoft.AspNetCore.Diagnostics;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// A request body that arrives below Kestrel's minimum data rate (<c>MinRequestBodyDataRate</c>: 240 bytes/s after a
/// 5 s grace period) makes the body read throw a <see cref="BadHttpRequestException"/> with status 408, wherever the
/// endpoint reads it. That is a slow or hostile client, not a bug: one warning line without the exception, and, while
/// the response can still be written, a 408 <c>request-timeout</c> problem (with the security headers, which are set
/// as the response starts).
/// </summary>
internal sealed class SlowRequestBodyHandler(ILogger<SlowRequestBodyHandler> logger) : IExceptionHandler
{
    public static bool Handles(Exception exception) => exception is BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout };

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!Handles(exception))
        {
            return false;
        }

        // The path only: the query string may hold what a client should not have sent there.
        Log.RequestBodyTooSlow(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "/");
        if (!httpContext.Response.HasStarted)
        {
            await ApiProblems.RequestTimeout.Result("The request body arrived below the server's minimum data rate; send it again on a faster connection.")
                .ExecuteAsync(httpContext);
        }

        return true;
    }
}
