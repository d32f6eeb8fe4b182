using System.Globalization;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;

namespace BadgeIssuer.Cli;

/// <summary>
/// <c>--did-documents DIR</c>: did:web DID documents and https controller (key, profile) documents read from files,
/// for offline verification. A document's file is its https URL without the scheme, under DIR:
/// <list type="bullet">
/// <item><c>did:web:example.org:issuers:1</c> (document URL <c>https://example.org/issuers/1/did.json</c>) →
/// <c>DIR/example.org/issuers/1/did.json</c>; <c>did:web:example.org</c> → <c>DIR/example.org/.well-known/did.json</c>.</item>
/// <item><c>https://example.org/keys/1</c> → <c>DIR/example.org/keys/1</c>, else <c>DIR/example.org/keys/1.json</c>, else
/// <c>DIR/example.org/keys/1/index.json</c> (a URL ending in <c>/</c>: <c>…/index.json</c>).</item>
/// <item>A port other than 443 is written after an underscore: <c>did:web:localhost%3A5000:issuers:1</c> →
/// <c>DIR/localhost_5000/issuers/1/did.json</c>. Host names are lower-case.</item>
/// </list>
/// A document read here is trusted as a locally registered one (the user vouches for it, as for a known issuer): its
/// id must be the identifier asked for, and a method it does not list is refused (no fallback to a key named only by
/// the method's fragment). Nothing outside DIR is read: a path segment that is empty, <c>.</c>, <c>..</c> or holds a
/// separator is refused, and files larger than <see cref="LocalControllerRegistry.MaxDocumentSize"/> are not read.
/// </summary>
internal sealed class DidDocumentDirectory : IVerificationMethodResolver, IDidResolver
{
    private readonly string _root;
    private readonly Dictionary<string, (LocalControllerRegistry? Registry, string? Error)> _loaded = new(StringComparer.Ordinal);

    public DidDocumentDirectory(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new UsageException($"--did-documents {root}: not a directory");
        }

        _root = Path.GetFullPath(root);
    }

    public async ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        int hash = verificationMethodUrl.IndexOf('#', StringComparison.Ordinal);
        string controller = hash < 0 ? verificationMethodUrl : verificationMethodUrl[..hash];
        (LocalControllerRegistry? registry, string? error, ResolutionError kind) = Load(controller, verificationMethodUrl);
        if (registry is null)
        {
            return VerificationMethodResolution.Failure(kind, error);
        }

        VerificationMethodResolution resolution = await registry.ResolveVerificationMethodAsync(verificationMethodUrl, cancellationToken).ConfigureAwait(false);
        return resolution.Succeeded || resolution.Error != ResolutionError.NotFound
            ? resolution
            : VerificationMethodResolution.Failure(ResolutionError.InvalidDocument, $"the document given for {controller} in --did-documents ({Describe(controller)}) does not list {verificationMethodUrl}");
    }

    public async ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(did);
        (LocalControllerRegistry? registry, string? error, ResolutionError kind) = Load(did, null);
        return registry is null ? DidResolution.Failure(kind, error) : await registry.ResolveDidAsync(did, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The file (relative to DIR) where the document of <paramref name="controller"/> is looked for, for messages and docs.</summary>
    public static string Describe(string controller)
        => Candidates(controller) is { Count: > 0 } paths ? string.Join(" or ", paths.Select(p => p.Replace(Path.DirectorySeparatorChar, '/'))) : "no file: not a did:web DID or https URL";

    /// <summary>The relative paths tried for <paramref name="controller"/>, in order; empty when it has no file here.</summary>
    internal static List<string> Candidates(string controller)
    {
        Uri? url = null;
        if (controller.StartsWith(DidWeb.Prefix, StringComparison.Ordinal))
        {
            if (!DidWeb.TryToDocumentUrl(controller, out url))
            {
                return [];
            }
        }
        else if (controller.StartsWith("https://", StringComparison.Ordinal) && Uri.TryCreate(controller, UriKind.Absolute, out Uri? https) && https.Query.Length == 0)
        {
            url = https;
        }

        if (url is null || url.IdnHost.Length == 0)
        {
            return [];
        }

        string host = url.IdnHost.ToLowerInvariant() + (url.IsDefaultPort ? string.Empty : "_" + url.Port.ToString(CultureInfo.InvariantCulture));
        var segments = new List<string> { host };
        string[] parts = url.AbsolutePath.Split('/');
        for (int i = 1; i < parts.Length; i++)
        {
            string segment = Uri.UnescapeDataString(parts[i]);
            bool last = i == parts.Length - 1;
            if (segment.Length == 0 && last)
            {
                segments.Add("index.json");
                continue;
            }

            if (segment.Length == 0 || segment is "." or ".." || segment.IndexOfAny(['/', '\\', ':']) >= 0 || segment.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                return [];
            }

            segments.Add(segment);
        }

        if (segments.Count == 1)
        {
            segments.Add("index.json");
        }

        string path = Path.Combine([.. segments]);
        if (controller.StartsWith(DidWeb.Prefix, StringComparison.Ordinal) || path.EndsWith("index.json", StringComparison.Ordinal))
        {
            return [path];
        }

        return [path, path + ".json", Path.Combine(path, "index.json")];
    }

    private (LocalControllerRegistry? Registry, string? Error, ResolutionError Kind) Load(string controller, string? verificationMethodUrl)
    {
        List<string> candidates = Candidates(controller);
        if (candidates.Count == 0)
        {
            return (null, "not a did:web DID or https URL (--did-documents)", ResolutionError.MethodNotSupported);
        }

        string? file = candidates.Select(c => Path.GetFullPath(Path.Combine(_root, c)))
            .FirstOrDefault(p => p.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(p));
        if (file is null)
        {
            return (null, $"no file for {controller} in --did-documents (looked for {Describe(controller)})", ResolutionError.NotFound);
        }

        if (!_loaded.TryGetValue(file, out (LocalControllerRegistry? Registry, string? Error) loaded))
        {
            loaded = Parse(file);
            _loaded[file] = loaded;
        }

        if (loaded.Registry is null)
        {
            return (null, loaded.Error, ResolutionError.InvalidDocument);
        }

        return (loaded.Registry, null, ResolutionError.None);
    }

    private static (LocalControllerRegistry? Registry, string? Error) Parse(string file)
    {
        if (new FileInfo(file).Length > LocalControllerRegistry.MaxDocumentSize)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"{file} is larger than {LocalControllerRegistry.MaxDocumentSize} bytes"));
        }

        byte[] body = File.ReadAllBytes(file);
        var registry = new LocalControllerRegistry();
        try
        {
            using JsonDocument json = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            JsonElement root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("verificationMethod", out _) && root.TryGetProperty("controller", out JsonElement c) && c.ValueKind == JsonValueKind.String)
            {
                // A bare key document states no relationships: it may sign assertions, nothing more.
                registry.RegisterVerificationMethod(body, VerificationRelationships.AssertionMethod);
            }
            else
            {
                registry.Register(body);
            }

            return (registry, null);
        }
        catch (JsonException ex)
        {
            return (null, $"{file} is not valid JSON: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            return (null, $"{file}: {ex.Message}");
        }
    }
}
