using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.Core.Schemas;

/// <summary>JSON Pointer (RFC 6901) helpers and their JSONPath-style rendering (<c>$.a.b[0]</c>, <c>$['@context'][1]</c>).</summary>
internal static class JsonLocations
{
    public static string AppendProperty(string pointer, string name)
        => pointer + "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string AppendIndex(string pointer, int index)
        => pointer + "/" + index.ToString(CultureInfo.InvariantCulture);

    public static List<string> Segments(string pointer)
    {
        List<string> segments = [];
        if (string.IsNullOrEmpty(pointer))
        {
            return segments;
        }

        // A leading '#' appears in URI fragments; the rest is a plain pointer.
        ReadOnlySpan<char> rest = pointer.AsSpan().TrimStart('#');
        if (rest.Length == 0)
        {
            return segments;
        }

        foreach (string raw in rest[1..].ToString().Split('/'))
        {
            segments.Add(raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return segments;
    }

    public static bool TryResolve(JsonElement root, string pointer, out JsonElement value)
    {
        value = root;
        foreach (string segment in Segments(pointer))
        {
            if (value.ValueKind == JsonValueKind.Object)
            {
                if (!value.TryGetProperty(segment, out value))
                {
                    return false;
                }
            }
            else if (value.ValueKind == JsonValueKind.Array
                && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Renders a pointer into <paramref name="root"/> as <c>$.a['b c'][0]</c>; array indexes are recognised from the instance.</summary>
    public static string ToPath(JsonElement root, string pointer)
    {
        StringBuilder sb = new("$");
        JsonElement current = root;
        bool known = true;
        foreach (string segment in Segments(pointer))
        {
            if (known && current.ValueKind == JsonValueKind.Array
                && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                sb.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                known = index < current.GetArrayLength();
                current = known ? current[index] : default;
                continue;
            }

            AppendName(sb, segment);
            known = known && current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out current);
        }

        return sb.ToString();
    }

    public static void AppendName(StringBuilder sb, string name)
    {
        if (IsIdentifier(name))
        {
            sb.Append('.').Append(name);
        }
        else
        {
            sb.Append("['").Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
        }
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
