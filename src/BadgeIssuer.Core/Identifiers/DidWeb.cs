// did:web (W3C CCG did:web method; KEY-3): method-specific id ↔ https URL of the DID document.
//   did:web:example.com                  → https://example.com/.well-known/did.json
//   did:web:example.com:issuers:1        → https://example.com/issuers/1/did.json
//   did:web:example.com%3A8443           → https://example.com:8443/.well-known/did.json
// The host is a DNS name (percent-encoding only for the port colon); path segments are DID idchars
// (ALPHA / DIGIT / "." / "-" / "_" / pct-encoded, never an encoded '/').

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>did:web ↔ https URL mapping.</summary>
public static class DidWeb
{
    public const string Prefix = "did:web:";

    /// <summary>The https URL of the DID document for <paramref name="did"/>.</summary>
    /// <exception cref="FormatException">Not a valid did:web DID.</exception>
    public static Uri ToDocumentUrl(string did)
    {
        ArgumentNullException.ThrowIfNull(did);
        return TryToDocumentUrl(did, out Uri? url) ? url : throw new FormatException("Not a valid did:web DID.");
    }

    public static bool TryToDocumentUrl(string? did, [NotNullWhen(true)] out Uri? url)
    {
        url = null;
        if (did is null || !did.StartsWith(Prefix, StringComparison.Ordinal) || did.Length > 2048)
        {
            return false;
        }

        string[] parts = did[Prefix.Length..].Split(':');
        if (!TryHost(parts[0], out string? authority))
        {
            return false;
        }

        var builder = new StringBuilder("https://").Append(authority);
        if (parts.Length == 1)
        {
            builder.Append("/.well-known/did.json");
        }
        else
        {
            for (int i = 1; i < parts.Length; i++)
            {
                if (!IsSegment(parts[i]))
                {
                    return false;
                }

                builder.Append('/').Append(parts[i]);
            }

            builder.Append("/did.json");
        }

        return Uri.TryCreate(builder.ToString(), UriKind.Absolute, out url);
    }

    /// <summary>
    /// The did:web DID for an https URL: either a DID document URL (<c>…/.well-known/did.json</c>,
    /// <c>…/did.json</c>) or the base URL the DID should name (<c>https://example.com/issuers/1</c>).
    /// </summary>
    public static string FromUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || !string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal)
            || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0
            || url.HostNameType != UriHostNameType.Dns)
        {
            throw new FormatException("did:web needs an https URL with a DNS host and no user info, query or fragment.");
        }

        var did = new StringBuilder(Prefix).Append(url.IdnHost.ToLowerInvariant());
        if (!url.IsDefaultPort)
        {
            did.Append("%3A").Append(url.Port.ToString(CultureInfo.InvariantCulture));
        }

        string path = url.AbsolutePath;
        if (string.Equals(path, "/.well-known/did.json", StringComparison.Ordinal))
        {
            path = "/";
        }
        else if (path.EndsWith("/did.json", StringComparison.Ordinal))
        {
            path = path[..^"/did.json".Length];
        }

        foreach (string segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IsSegment(segment))
            {
                throw new FormatException("A URL path segment is not valid in a did:web identifier.");
            }

            did.Append(':').Append(segment);
        }

        return did.ToString();
    }

    private static bool TryHost(string encoded, [NotNullWhen(true)] out string? authority)
    {
        authority = null;
        string host = encoded;
        string? port = null;
        int colon = encoded.IndexOf("%3A", StringComparison.OrdinalIgnoreCase);
        if (colon >= 0)
        {
            host = encoded[..colon];
            port = encoded[(colon + 3)..];
            if (port.Length is 0 or > 5 || !port.AsSpan().ContainsOnlyDigits()
                || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is 0 or > 65535)
            {
                return false;
            }
        }

        if (host.Length == 0 || host.Contains('%', StringComparison.Ordinal) || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            return false;
        }

        authority = port is null ? host : host + ":" + port;
        return true;
    }

    private static bool IsSegment(string segment)
    {
        if (segment.Length == 0)
        {
            return false;
        }

        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            {
                continue;
            }

            if (c == '%' && i + 2 < segment.Length && char.IsAsciiHexDigit(segment[i + 1]) && char.IsAsciiHexDigit(segment[i + 2]))
            {
                // An encoded '/' would change the URL's path structure.
                if (segment[i + 1] == '2' && (segment[i + 2] is 'F' or 'f'))
                {
                    return false;
                }

                i += 2;
                continue;
            }

            return false;
        }

        return segment is not "." and not "..";
    }
}

internal static class SpanDigits
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> value) => !value.ContainsAnyExceptInRange('0', '9');
}
