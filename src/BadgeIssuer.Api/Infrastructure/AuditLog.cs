using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Appends audit entries with the caller and the request id (<c>HttpContext.TraceIdentifier</c>).</summary>
internal sealed class AuditLog(IBadgeStorage storage, TimeProvider timeProvider)
{
    public Task AppendAsync(HttpContext context, string? issuerId, string action, string target, string? details = null) =>
        AppendAsAsync(Caller.From(context.User).Actor, context, issuerId, action, target, details);

    /// <summary>An entry for a caller that is not (yet) the request's principal, such as a client asking for a token.</summary>
    public Task AppendAsAsync(string actor, HttpContext context, string? issuerId, string action, string target, string? details = null) =>
        storage.Audit.AppendAsync(
            new AuditRecord(0, issuerId, actor, action, target, timeProvider.GetUtcNow(), context.TraceIdentifier, details),
            context.RequestAborted);
}
