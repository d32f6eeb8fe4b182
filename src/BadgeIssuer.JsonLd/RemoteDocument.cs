using System.Text.Json;

namespace BadgeIssuer.JsonLd;

/// <summary>A document returned by a <see cref="DocumentLoader"/>.</summary>
/// <param name="DocumentUrl">The final URL of the loaded document (after redirects, if any).</param>
/// <param name="Document">The parsed document. Loaders may return a shared, cached instance: callers never dispose it.</param>
/// <param name="ContextUrl">The URL of a context named by an HTTP Link header, if any.</param>
public sealed record RemoteDocument(string DocumentUrl, JsonDocument Document, string? ContextUrl = null);

/// <summary>
/// Loads a remote document (JSON-LD 1.1 API <c>LoadDocumentCallback</c>). Throw <see cref="JsonLdException"/> with
/// <see cref="JsonLdErrorCode.LoadingDocumentFailed"/> when the URL cannot be served.
/// </summary>
public delegate RemoteDocument DocumentLoader(string url);
