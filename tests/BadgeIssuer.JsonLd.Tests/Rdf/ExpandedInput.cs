using System.Globalization;
using System.Text;
using System.Text.Json;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdf;

/// <summary>Test helpers: expanded JSON text → the ExpandedJson model, and a tiny quad formatter.</summary>
internal static class ExpandedInput
{
    /// <summary>
    /// Parses expanded JSON-LD into the in-memory model: objects → Dictionary (ordinal), arrays → List,
    /// numbers → double; the @value of a value object with "@type": "@json" stays a JsonElement.
    /// </summary>
    public static List<object?> Parse(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        object? value = Convert(doc.RootElement);
        return value as List<object?> ?? [value];
    }

    private static object? Convert(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                bool isJsonLiteral = element.TryGetProperty("@type", out JsonElement type)
                    && type.ValueKind == JsonValueKind.String
                    && type.GetString() == "@json";
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    map[property.Name] = isJsonLiteral && property.Name == "@value"
                        ? property.Value.Clone()
                        : Convert(property.Value);
                }

                return map;
            case JsonValueKind.Array:
                var list = new List<object?>();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    list.Add(Convert(item));
                }

                return list;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    /// <summary>Formats quads N-Quads style (without the final " ."), in dataset order.</summary>
    public static List<string> Format(RdfDataset dataset)
    {
        var lines = new List<string>(dataset.Count);
        foreach (RdfQuad quad in dataset.Quads)
        {
            string line = string.Concat(FormatTerm(quad.Subject), " ", FormatTerm(quad.Predicate), " ", FormatTerm(quad.Object));
            if (!quad.Graph.IsDefaultGraph)
            {
                line = string.Concat(line, " ", FormatTerm(quad.Graph));
            }

            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Formats one term N-Quads style.</summary>
    public static string FormatTerm(RdfTerm term)
    {
        switch (term.Kind)
        {
            case RdfTermKind.Iri:
                return "<" + term.Value + ">";
            case RdfTermKind.BlankNode:
                return "_:" + term.Value;
            case RdfTermKind.Literal:
                var sb = new StringBuilder("\"");
                foreach (char c in term.Value)
                {
                    switch (c)
                    {
                        case '"':
                            sb.Append("\\\"");
                            break;
                        case '\\':
                            sb.Append("\\\\");
                            break;
                        case '\n':
                            sb.Append("\\n");
                            break;
                        case '\r':
                            sb.Append("\\r");
                            break;
                        default:
                            sb.Append(c);
                            break;
                    }
                }

                sb.Append('"');
                if (term.Language is not null)
                {
                    sb.Append('@').Append(term.Language);
                }
                else if (term.Datatype != RdfTerm.XsdString)
                {
                    sb.Append("^^<").Append(term.Datatype).Append('>');
                }

                return sb.ToString();
            default:
                return string.Create(CultureInfo.InvariantCulture, $"?{term.Kind}");
        }
    }
}
