// When two issuer identifiers name the same issuer (the security review's "fragment trust" finding): a did:web DID
// and an http(s) URL both name a place on the web, and many spellings name the same place:
//   did:web:localhost%3A5181:issuers:x  =  did:web:LOCALHOST%3a5181:issuers:x  =  did:web:localhost%3A5181:issuers:%78
//   https://example.com/issuers/1  =  HTTPS://Example.COM:443/issuers/1/  =  https://example.com/issuers/1/did.json
//   did:web:example.com:issuers:1  =  https://example.com/issuers/1  =  http://example.com/issuers/1
// The location key drops the scheme (http, https and did:web name the same host and path here), lower-cases the host,
// drops the scheme's default port, normalizes percent-encoding and dot segments, and drops a trailing slash and a
// trailing did.json (the DID document of that location), a trailing dot on the host and an empty query, and folds
// full-width characters in the host to the ASCII they look like. It is a guard, not a resolver: it only decides which
// identifiers are names of an issuer this service knows, so that none of them gets a key by any other route.

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>Equivalent spellings of did:web DIDs and http(s) URLs (see the file header).</summary>
public static class IdentifierEquivalence
{
    private const int MaxLength = 2048;

    /// <summary>
    /// The comparison key of <paramref name="identifier"/>: its location key (<c>//host[:port]/path</c>) for a did:web DID
    /// or an http(s) URL without a query or fragment (user info is ignored); otherwise the identifier itself (compared ordinally).
    /// </summary>
    public static string Key(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return TryGetLocation(identifier, out string? location) ? location : identifier;
    }

    /// <summary>True when both identifiers are the same, or name the same web location in different spellings.</summary>
    public static bool AreEquivalent(string? a, string? b)
        => a is not null && b is not null
            && (string.Equals(a, b, StringComparison.Ordinal) || string.Equals(Key(a), Key(b), StringComparison.Ordinal));

    /// <summary>
    /// The location a did:web DID or an http(s) URL names: <c>//host[:port]/path</c>, host in lower case, port only when
    /// it is not the scheme's default (did:web: https), path with percent-encoding normalized, no trailing slash and no
    /// trailing <c>/did.json</c> or <c>/.well-known/did.json</c>, an empty query, a trailing dot on the host and
    /// full-width characters in the host folded, user info ignored; a did:web naming an IP address is read too. False for
    /// anything else (other DIDs, URNs, a query, a fragment, malformed input).
    /// </summary>
    public static bool TryGetLocation(string? identifier, [NotNullWhen(true)] out string? location)
    {
        location = null;
        if (string.IsNullOrEmpty(identifier) || identifier.Length > MaxLength)
        {
            return false;
        }

        Uri? url;
        if (identifier.StartsWith(DidWeb.Prefix, StringComparison.Ordinal))
        {
            // A did:web naming an IP address is not a valid DID, but it still names that place: as a guard, read it too.
            if (!DidWeb.TryToDocumentUrl(identifier, out url) && !TryIpDidWeb(identifier, out url))
            {
                return false;
            }
        }
        else if (!Uri.TryCreate(identifier, UriKind.Absolute, out url)
            || !(string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) || string.Equals(url.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal))
            || identifier.Contains('#', StringComparison.Ordinal))
        {
            return false;
        }

        // A query names another resource (issuers may be hosted as …?id=N), so such an identifier is compared as written;
        // an empty one ("…/7?") is no query. User info ("http://user@host/…") does not change the place a URL names.
        if (url.Query.Length > 1 || url.Fragment.Length > 0 || url.IdnHost.Length == 0)
        {
            return false;
        }

        string path = NormalizePath(url.AbsolutePath);
        if (path.EndsWith("/.well-known/did.json", StringComparison.Ordinal))
        {
            path = path[..^"/.well-known/did.json".Length];
        }
        else if (path.EndsWith("/did.json", StringComparison.Ordinal))
        {
            path = path[..^"/did.json".Length];
        }

        // A trailing dot names the same (fully qualified) host; full-width forms in the host (U+FF01–U+FF5E, the
        // ideographic full stop) are the ASCII they look like (UTS #46 maps them so); the path is left as it is.
        string host = url.HostNameType == UriHostNameType.IPv6 ? url.Host : FoldFullWidth(url.Host);
        if (!Ascii.IsValid(host))
        {
            host = url.IdnHost;
        }

        var key = new StringBuilder("//").Append(host.TrimEnd('.').ToLowerInvariant());
        if (!url.IsDefaultPort)
        {
            key.Append(':').Append(url.Port.ToString(CultureInfo.InvariantCulture));
        }

        location = key.Append(path.TrimEnd('/')).ToString();
        return true;
    }

    /// <summary>
    /// The did:web DID in the spelling this service mints (<see cref="DidWeb.FromUrl"/>: lower-case host, <c>%3A</c>
    /// before a non-default port, normalized path segments), or null when <paramref name="did"/> is not a valid did:web DID.
    /// </summary>
    public static string? CanonicalDidWeb(string? did)
    {
        if (did is null || !did.StartsWith(DidWeb.Prefix, StringComparison.Ordinal) || !TryGetLocation(did, out string? location))
        {
            return null;
        }

        int slash = location.IndexOf('/', 2);
        string authority = slash < 0 ? location[2..] : location[2..slash];
        string path = slash < 0 ? string.Empty : location[slash..];
        var result = new StringBuilder(DidWeb.Prefix).Append(authority.Replace(":", "%3A", StringComparison.Ordinal));
        foreach (string segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            result.Append(':').Append(segment);
        }

        return result.ToString();
    }

    private static bool TryIpDidWeb(string did, [NotNullWhen(true)] out Uri? url)
    {
        url = null;
        string[] parts = did[DidWeb.Prefix.Length..].Split(':');
        string host = parts[0].Replace("%3A", ":", StringComparison.OrdinalIgnoreCase).Replace("%3a", ":", StringComparison.Ordinal);
        int colon = host.LastIndexOf(':');
        string name = colon > 0 && !host.EndsWith(']') ? host[..colon] : host;
        if (Uri.CheckHostName(name.Trim('[', ']')) is not (UriHostNameType.IPv4 or UriHostNameType.IPv6))
        {
            return false;
        }

        string path = parts.Length == 1 ? "/.well-known/did.json" : "/" + string.Join('/', parts[1..]) + "/did.json";
        return Uri.TryCreate("https://" + host + path, UriKind.Absolute, out url);
    }

    private static string FoldFullWidth(string s)
    {
        if (!s.Any(c => c is (>= '\uFF01' and <= '\uFF5E') or '\u3002'))
        {
            return s;
        }

        return string.Create(s.Length, s, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                char c = source[i];
                span[i] = c switch
                {
                    >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                    '\u3002' => '.',
                    _ => c,
                };
            }
        });
    }

    // RFC 3986 §6.2.2: percent-encoded unreserved characters decoded, other percent-encodings in upper-case hex.
    private static string NormalizePath(string path)
    {
        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return path;
        }

        var result = new StringBuilder(path.Length);
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                char decoded = (char)int.Parse(path.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~')
                {
                    result.Append(decoded);
                }
                else
                {
                    result.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }

                i += 2;
                continue;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
