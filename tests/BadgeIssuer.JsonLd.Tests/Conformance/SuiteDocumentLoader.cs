using System.Collections.Concurrent;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>
/// A <see cref="DocumentLoader"/> for the W3C suite: serves <c>https://w3c.github.io/json-ld-api/tests/…</c> from
/// the copy under <c>TestData/json-ld-api</c> (parsed once, cached) and refuses every other URL with
/// <see cref="JsonLdErrorCode.LoadingDocumentFailed"/>, as the bundled loader does.
/// </summary>
public static class SuiteDocumentLoader
{
    private static readonly ConcurrentDictionary<string, RemoteDocument> s_cache = new(StringComparer.Ordinal);

    /// <summary>Loads a suite document; matches the <see cref="DocumentLoader"/> delegate.</summary>
    public static RemoteDocument Load(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (s_cache.TryGetValue(url, out RemoteDocument? cached))
        {
            return cached;
        }

        string path = ToLocalPath(url)
            ?? throw new JsonLdException(JsonLdErrorCode.LoadingDocumentFailed, $"unknown document: {url} (not part of the test suite)");
        if (!File.Exists(path))
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingDocumentFailed, $"document not found in the test suite: {url}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingDocumentFailed, $"document {url} is not valid JSON: {ex.Message}", ex);
        }

        return s_cache.GetOrAdd(url, new RemoteDocument(url, document));
    }

    /// <summary>Maps a suite URL to a file under the test data root, or null for any other URL.</summary>
    public static string? ToLocalPath(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.StartsWith(SuiteManifest.BaseIri, StringComparison.Ordinal))
        {
            return null;
        }

        string relative = url[SuiteManifest.BaseIri.Length..];
        int cut = relative.IndexOfAny(['?', '#']);
        if (cut >= 0)
        {
            relative = relative[..cut];
        }

        string root = Path.GetFullPath(SuiteManifest.Root) + Path.DirectorySeparatorChar;
        string full = Path.GetFullPath(SuiteManifest.LocalPath(relative));

        // Never serve anything outside the suite folder (e.g. "../" in a test document).
        return full.StartsWith(root, StringComparison.Ordinal) ? full : null;
    }
}
