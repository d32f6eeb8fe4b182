using System.Text;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>IRI helpers: absolute-IRI test and RFC 3986 section 5.2 reference resolution without normalisation.</summary>
internal static class Iri
{
    /// <summary>Whether <paramref name="value"/> starts with an RFC 3986 scheme followed by a colon.</summary>
    public static bool IsAbsolute(string value)
    {
        if (value.Length < 2 || !char.IsAsciiLetter(value[0]))
        {
            return false;
        }

        for (int i = 1; i < value.Length; i++)
        {
            char c = value[i];
            if (c == ':')
            {
                return true;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '-' || c == '.'))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="value"/> is an absolute IRI without whitespace (a well-formed IRI for RDF purposes).</summary>
    public static bool IsWellFormedAbsolute(string value)
    {
        if (!IsAbsolute(value))
        {
            return false;
        }

        foreach (char c in value)
        {
            if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '\\' || c == '^' || c == '`')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Resolves <paramref name="reference"/> against <paramref name="baseIri"/> (RFC 3986 5.2, no normalisation).</summary>
    public static string Resolve(string? baseIri, string reference)
    {
        if (baseIri is null || IsAbsolute(reference))
        {
            return IsAbsolute(reference) ? RemoveDotSegmentsOfAbsolute(reference) : reference;
        }

        Parts b = Split(baseIri);
        Parts r = Split(reference);
        string? authority;
        string path;
        string? query;

        if (r.Authority is not null)
        {
            authority = r.Authority;
            path = RemoveDotSegments(r.Path);
            query = r.Query;
        }
        else
        {
            if (r.Path.Length == 0)
            {
                path = b.Path;
                query = r.Query ?? b.Query;
            }
            else
            {
                if (r.Path[0] == '/')
                {
                    path = RemoveDotSegments(r.Path);
                }
                else
                {
                    path = RemoveDotSegments(Merge(b, r.Path));
                }

                query = r.Query;
            }

            authority = b.Authority;
        }

        var sb = new StringBuilder(baseIri.Length + reference.Length);
        sb.Append(b.Scheme).Append(':');
        if (authority is not null)
        {
            sb.Append("//").Append(authority);
        }

        sb.Append(path);
        if (query is not null)
        {
            sb.Append('?').Append(query);
        }

        if (r.Fragment is not null)
        {
            sb.Append('#').Append(r.Fragment);
        }

        return sb.ToString();
    }

    private static string RemoveDotSegmentsOfAbsolute(string iri)
    {
        // An absolute reference is resolved as itself with dot segments removed from its path (RFC 3986 5.2.2).
        Parts p = Split(iri);
        if (p.Path.Length == 0 || (!p.Path.Contains("./", StringComparison.Ordinal) && !p.Path.EndsWith("/.", StringComparison.Ordinal) && !p.Path.EndsWith("/..", StringComparison.Ordinal)))
        {
            return iri;
        }

        var sb = new StringBuilder(iri.Length);
        sb.Append(p.Scheme).Append(':');
        if (p.Authority is not null)
        {
            sb.Append("//").Append(p.Authority);
        }

        sb.Append(RemoveDotSegments(p.Path));
        if (p.Query is not null)
        {
            sb.Append('?').Append(p.Query);
        }

        if (p.Fragment is not null)
        {
            sb.Append('#').Append(p.Fragment);
        }

        return sb.ToString();
    }

    private static string Merge(Parts b, string refPath)
    {
        if (b.Authority is not null && b.Path.Length == 0)
        {
            return "/" + refPath;
        }

        int slash = b.Path.LastIndexOf('/');
        return slash < 0 ? refPath : string.Concat(b.Path.AsSpan(0, slash + 1), refPath);
    }

    internal static string RemoveDotSegments(string path)
    {
        if (path.Length == 0 || !path.Contains('.', StringComparison.Ordinal))
        {
            return path;
        }

        var output = new List<string>();
        string input = path;
        while (input.Length > 0)
        {
            if (input.StartsWith("../", StringComparison.Ordinal))
            {
                input = input[3..];
            }
            else if (input.StartsWith("./", StringComparison.Ordinal))
            {
                input = input[2..];
            }
            else if (input.StartsWith("/./", StringComparison.Ordinal))
            {
                input = input[2..];
            }
            else if (string.Equals(input, "/.", StringComparison.Ordinal))
            {
                input = "/";
            }
            else if (input.StartsWith("/../", StringComparison.Ordinal))
            {
                input = input[3..];
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }
            }
            else if (string.Equals(input, "/..", StringComparison.Ordinal))
            {
                input = "/";
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }
            }
            else if (string.Equals(input, ".", StringComparison.Ordinal) || string.Equals(input, "..", StringComparison.Ordinal))
            {
                input = string.Empty;
            }
            else
            {
                int start = input[0] == '/' ? 1 : 0;
                int next = input.IndexOf('/', start);
                string segment = next < 0 ? input : input[..next];
                output.Add(segment);
                input = next < 0 ? string.Empty : input[next..];
            }
        }

        return string.Concat(output);
    }

    private static Parts Split(string iri)
    {
        string? scheme = null;
        int pos = 0;
        int colon = iri.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && IsAbsolute(iri))
        {
            scheme = iri[..colon];
            pos = colon + 1;
        }

        string? fragment = null;
        int hash = iri.IndexOf('#', pos);
        int end = iri.Length;
        if (hash >= 0)
        {
            fragment = iri[(hash + 1)..];
            end = hash;
        }

        string? query = null;
        int q = iri.IndexOf('?', pos, end - pos);
        if (q >= 0)
        {
            query = iri[(q + 1)..end];
            end = q;
        }

        string? authority = null;
        if (end - pos >= 2 && iri[pos] == '/' && iri[pos + 1] == '/')
        {
            int authStart = pos + 2;
            int slash = iri.IndexOf('/', authStart, end - authStart);
            int authEnd = slash < 0 ? end : slash;
            authority = iri[authStart..authEnd];
            pos = authEnd;
        }

        return new Parts(scheme, authority, iri[pos..end], query, fragment);
    }

    private readonly record struct Parts(string? Scheme, string? Authority, string Path, string? Query, string? Fragment);
}
