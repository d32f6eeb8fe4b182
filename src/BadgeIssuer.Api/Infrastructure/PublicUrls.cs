using System.Globalization;
using BadgeIssuer.Core.Identifiers;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Every public URL the service mints: credentials, achievements, issuer profiles, DID documents and status lists,
/// under <see cref="BadgeIssuerOptions.PublicBaseUrl"/> (or the first configured listening URL).
/// </summary>
internal sealed class PublicUrls
{
    public PublicUrls(IOptions<BadgeIssuerOptions> options, IConfiguration configuration)
    {
        string? configured = options.Value.PublicBaseUrl;
        if (string.IsNullOrWhiteSpace(configured))
        {
            // The first listening URL, with wildcard hosts made concrete.
            string first = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
            // Wildcard and loopback hosts become "localhost": did:web ids need a DNS name, not an IP address.
            configured = first.Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://+", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://[::]", "://localhost", StringComparison.Ordinal)
                .Replace("://127.0.0.1", "://localhost", StringComparison.Ordinal)
                .Replace("://[::1]", "://localhost", StringComparison.Ordinal);
        }

        var uri = new Uri(configured, UriKind.Absolute);
        Base = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        BaseUri = new Uri(Base + "/", UriKind.Absolute);
        IsHttps = string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal);
        HasDnsHost = uri.HostNameType == UriHostNameType.Dns;
        string didHost = uri.IdnHost.ToLowerInvariant();
        if (!uri.IsDefaultPort)
        {
            didHost += "%3A" + uri.Port.ToString(CultureInfo.InvariantCulture);
        }

        string path = uri.AbsolutePath.Trim('/');
        _didPrefix = "did:web:" + didHost + (path.Length == 0 ? string.Empty : ":" + string.Join(':', path.Split('/')));
        _issuerLocations = IssuerLocations(uri, configuration);
    }

    private readonly string _didPrefix;

    // Location keys (IdentifierEquivalence) of "<base>/issuers/" on every host name of this service.
    private readonly string[] _issuerLocations;

    /// <summary>The base URL without a trailing slash.</summary>
    public string Base { get; }

    public Uri BaseUri { get; }

    public bool IsHttps { get; }

    /// <summary>False when the base URL's host is an IP address: did:web (a DNS-name method) is then unavailable.</summary>
    public bool HasDnsHost { get; }

    public string Credential(string id) => Base + "/credentials/" + id;

    public string Achievement(string id) => Base + "/achievements/" + id;

    public string IssuerProfile(string slug) => Base + "/issuers/" + slug;

    public string DidDocument(string slug) => Base + "/issuers/" + slug + "/did.json";

    /// <summary>The did:web DID whose document is <see cref="DidDocument"/> (did:web §3.2: path segments become ':'-separated).</summary>
    public string DidWeb(string slug) => _didPrefix + ":issuers:" + slug;

    public string StatusList(string listId) => Base + "/status-lists/" + listId;

    /// <summary>
    /// The slug of the issuer that <paramref name="identifier"/> names on this service, or null: its did:web DID, profile
    /// URL (<c>http(s)://host/issuers/{slug}</c>) or DID document URL in any equivalent spelling (<see cref="IdentifierEquivalence"/>:
    /// host case, default or explicit port, percent-encoding, trailing slash, http or https), on the public base URL's
    /// host or a listening one. Only the form of the identifier is checked, not whether the issuer exists.
    /// </summary>
    public string? IssuerSlug(string identifier)
    {
        if (!IdentifierEquivalence.TryGetLocation(identifier, out string? location))
        {
            return null;
        }

        foreach (string prefix in _issuerLocations)
        {
            // Paths match case-insensitively, as the router does; slugs are lower case.
            if (location.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                string slug = location[prefix.Length..].ToLowerInvariant();
                return Slugs.IsValid(slug) ? slug : null;
            }
        }

        return null;
    }

    private static string[] IssuerLocations(Uri publicBase, IConfiguration configuration)
    {
        var bases = new List<Uri> { publicBase };
        string listening = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? string.Empty;
        foreach (string url in listening.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string concrete = url.Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://+", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://[::]", "://localhost", StringComparison.Ordinal);
            if (Uri.TryCreate(concrete, UriKind.Absolute, out Uri? listen))
            {
                // A listening URL has no path base of its own: the issuers are under the public path or at the root.
                bases.Add(new Uri(listen, publicBase.AbsolutePath));
                bases.Add(new Uri(listen, "/"));
            }
        }

        var locations = new List<string>();
        foreach (Uri b in bases)
        {
            if (!IdentifierEquivalence.TryGetLocation(b.GetLeftPart(UriPartial.Path), out string? baseLocation))
            {
                continue;
            }

            int slash = baseLocation.IndexOf('/', 2);
            string path = (slash < 0 ? string.Empty : baseLocation[slash..]) + "/issuers/";
            foreach (string host in b.IsLoopback ? ["localhost", "127.0.0.1", "[::1]"] : (string[])[b.IdnHost.ToLowerInvariant()])
            {
                // The default port spelled out (http://h:80, did:web:h%3A443) names the same service.
                foreach (string port in b.IsDefaultPort ? ["", ":80", ":443"] : (string[])[":" + b.Port.ToString(CultureInfo.InvariantCulture)])
                {
                    string location = "//" + host + port + path;
                    if (!locations.Contains(location, StringComparer.Ordinal))
                    {
                        locations.Add(location);
                    }
                }
            }
        }

        return [.. locations];
    }

    /// <summary>The local id at the end of one of our URLs under <paramref name="prefix"/> (e.g. "/credentials/"), or null.</summary>
    public string? LocalId(string url, string prefix)
    {
        string start = Base + prefix;
        if (!url.StartsWith(start, StringComparison.Ordinal))
        {
            return null;
        }

        string id = url[start.Length..];
        return id.Length is > 0 and <= 128 && id.AsSpan().IndexOfAny("/?#") < 0 && !id.Any(char.IsControl) ? id : null;
    }
}
