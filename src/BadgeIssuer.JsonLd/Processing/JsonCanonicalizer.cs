using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// JSON Canonicalization Scheme (RFC 8785): object members sorted by UTF-16 code units, no whitespace,
/// ECMAScript number formatting and minimal string escaping. Used for the lexical form of <c>rdf:JSON</c> literals.
/// </summary>
internal static class JsonCanonicalizer
{
    private static readonly Comparison<KeyValuePair<string, JsonElement>> s_elementMemberOrder =
        static (a, b) => string.CompareOrdinal(a.Key, b.Key);

    /// <summary>Canonicalizes a <see cref="JsonElement"/> or a value of the <see cref="ExpandedJson"/> model.</summary>
    public static string Serialize(object? value)
    {
        var sb = new StringBuilder(64);
        Write(sb, value);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(sb, s);
                break;
            case double d:
                WriteNumber(sb, d);
                break;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                WriteNumber(sb, l);
                break;
            case JsonElement element:
                WriteElement(sb, element);
                break;
            case Dictionary<string, object?> map:
                var keys = new string[map.Count];
                map.Keys.CopyTo(keys, 0);
                Array.Sort(keys, StringComparer.Ordinal);
                sb.Append('{');
                for (int k = 0; k < keys.Length; k++)
                {
                    if (k > 0)
                    {
                        sb.Append(',');
                    }

                    WriteString(sb, keys[k]);
                    sb.Append(':');
                    Write(sb, map[keys[k]]);
                }

                sb.Append('}');
                break;
            case List<object?> list:
                sb.Append('[');
                for (int k = 0; k < list.Count; k++)
                {
                    if (k > 0)
                    {
                        sb.Append(',');
                    }

                    Write(sb, list[k]);
                }

                sb.Append(']');
                break;
            default:
                throw new JsonLdException(
                    JsonLdErrorCode.InvalidJsonLiteral,
                    string.Create(CultureInfo.InvariantCulture, $"Unexpected value of type {value.GetType()} in a JSON literal."));
        }
    }

    private static void WriteElement(StringBuilder sb, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<KeyValuePair<string, JsonElement>>();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    members.Add(new KeyValuePair<string, JsonElement>(property.Name, property.Value));
                }

                members.Sort(s_elementMemberOrder);
                sb.Append('{');
                for (int i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    WriteString(sb, members[i].Key);
                    sb.Append(':');
                    WriteElement(sb, members[i].Value);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                bool first = true;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    WriteElement(sb, item);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(sb, element.GetString()!);
                break;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out double d))
                {
                    throw new JsonLdException(
                        JsonLdErrorCode.InvalidJsonLiteral,
                        string.Create(CultureInfo.InvariantCulture, $"The number {element.GetRawText()} in a JSON literal is out of the IEEE 754 double range."));
                }

                WriteNumber(sb, d);
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            default:
                sb.Append("null");
                break;
        }
    }

    private static void WriteNumber(StringBuilder sb, double d)
    {
        if (!double.IsFinite(d))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidJsonLiteral, "NaN and infinities cannot appear in a JSON literal.");
        }

        sb.Append(NumberFormatting.ToEcmaScriptString(d));
    }

    /// <summary>ECMAScript <c>QuoteJSONString</c>: escapes <c>"</c>, <c>\</c>, control characters and lone surrogates only.</summary>
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c >= 0x20 && c != '"' && c != '\\' && !char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }

            sb.Append(s, start, i - start);
            start = i + 1;
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    // Other control characters and (ECMAScript 2019) lone surrogates.
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
            }
        }

        sb.Append(s, start, s.Length - start);
        sb.Append('"');
    }
}
