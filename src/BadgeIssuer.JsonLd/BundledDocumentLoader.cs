using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;

namespace BadgeIssuer.JsonLd;

/// <summary>
/// A document loader that serves the JSON-LD contexts bundled with this library (VC 1.1/2.0, Data Integrity,
/// Open Badges 3.0, CLR 2.0 and friends; see <c>Contexts/index.json</c>) plus any contexts a caller adds, and
/// refuses every other URL without touching the network. Parsed documents are cached and shared.
/// </summary>
public sealed class BundledDocumentLoader
{
    private const string ResourcePrefix = "BadgeIssuer.JsonLd.Contexts.";

    private static readonly FrozenDictionary<string, string> s_index = ReadIndex();
    private static readonly Lazy<BundledDocumentLoader> s_default = new(() => new BundledDocumentLoader());

    private readonly FrozenDictionary<string, byte[]> _extra;
    private readonly ConcurrentDictionary<string, RemoteDocument> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates a loader serving the bundled contexts and, in addition, <paramref name="additionalContexts"/> (URL → UTF-8 JSON).</summary>
    public BundledDocumentLoader(IReadOnlyDictionary<string, byte[]>? additionalContexts = null)
    {
        _extra = (additionalContexts ?? new Dictionary<string, byte[]>()).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The shared loader for the bundled contexts only.</summary>
    public static BundledDocumentLoader Default => s_default.Value;

    /// <summary>The URLs of the bundled contexts.</summary>
    public static IReadOnlyCollection<string> BundledUrls => s_index.Keys;

    /// <summary>Whether this loader can serve <paramref name="url"/>.</summary>
    public bool CanLoad(string url) => s_index.ContainsKey(url) || _extra.ContainsKey(url);

    /// <summary>Returns the bytes of a bundled context exactly as published, or null.</summary>
    public static byte[]? GetBundledBytes(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!s_index.TryGetValue(url, out string? file))
        {
            return null;
        }

        using Stream stream = OpenResource(file);
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Loads <paramref name="url"/>; throws <see cref="JsonLdException"/> (<c>loading document failed</c>) for any URL not bundled.</summary>
    public RemoteDocument Load(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (_cache.TryGetValue(url, out RemoteDocument? cached))
        {
            return cached;
        }

        JsonDocument document;
        if (_extra.TryGetValue(url, out byte[]? bytes))
        {
            document = Parse(url, bytes);
        }
        else if (s_index.TryGetValue(url, out string? file))
        {
            using Stream stream = OpenResource(file);
            document = JsonDocument.Parse(stream);
        }
        else
        {
            throw new JsonLdException(
                JsonLdErrorCode.LoadingDocumentFailed,
                $"unknown context: {url} (not bundled; remote contexts are never fetched)");
        }

        return _cache.GetOrAdd(url, new RemoteDocument(url, document));
    }

    private static JsonDocument Parse(string url, byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingDocumentFailed, $"context {url} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static Stream OpenResource(string file)
        => typeof(BundledDocumentLoader).Assembly.GetManifestResourceStream(ResourcePrefix + file)
            ?? throw new InvalidOperationException($"Bundled context resource '{file}' is missing from the assembly.");

    private static FrozenDictionary<string, string> ReadIndex()
    {
        using Stream stream = OpenResource("index.json");
        using JsonDocument doc = JsonDocument.Parse(stream);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            map[p.Name] = p.Value.GetString()!;
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
