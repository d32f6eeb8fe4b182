using System.Globalization;
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
    }

    private readonly string _didPrefix;

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

    /// <summary>The local id at the end of one of our URLs under <paramref name="prefix"/> (e.g. "/credentials/"), or null.</summary>
    public string? LocalId(string url, string prefix)
    {
        string start = Base + prefix;
        if (!url.StartsWith(start, StringComparison.Ordinal))
        {
            return null;
        }

        string id = url[start.Length..];
        return id.Length is > 0 and <= 128 && id.AsSpan().IndexOfAny("/?#") < 0 ? id : null;
    }
}
