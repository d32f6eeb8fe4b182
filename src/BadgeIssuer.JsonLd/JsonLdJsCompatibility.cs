using System.Text.Json;
using BadgeIssuer.JsonLd.Processing;

namespace BadgeIssuer.JsonLd;

/// <summary>Where a document's RDF under jsonld.js (the deployed JavaScript processor) differs from the specification's.</summary>
public static class JsonLdJsCompatibility
{
    /// <summary>Upper bound on the numbers <see cref="FindNumbersReadAsIntegers"/> reports.</summary>
    public const int MaxReported = 20;

    /// <summary>
    /// True for a number jsonld.js converts to an <c>xsd:integer</c> (<c>"0"</c>) where the specification writes an
    /// <c>xsd:double</c>: see <see cref="JsonLdJsNumbers"/>.
    /// </summary>
    public static bool ReadsAsInteger(double value) => NumberFormatting.IsIntegerToJsonLdJs(value);

    /// <summary>The specification's canonical <c>xsd:double</c> form of <paramref name="value"/>, e.g. <c>1.0E-7</c>.</summary>
    public static string SpecificationForm(double value) => NumberFormatting.ToXsdDouble(value);

    /// <summary>jsonld.js's form of a number of <see cref="ReadsAsInteger"/>: <c>0</c> or <c>-0</c>.</summary>
    public static string JsonLdJsForm(double value) => NumberFormatting.ToJsonLdJsInteger(value);

    /// <summary>What a signer should send instead of a number of <see cref="ReadsAsInteger"/>.</summary>
    public const string WhatToSend = "send at least two significant digits (e.g. 1.5e-7), a larger unit, or a string";

    /// <summary>Both forms of a number of <see cref="ReadsAsInteger"/>, e.g. <c>0 in jsonld.js, 1.0E-7 in the specification</c>.</summary>
    public static string BothForms(double value) => $"{JsonLdJsForm(value)} in jsonld.js, {SpecificationForm(value)} in the specification";

    /// <summary>
    /// The JSON Pointers and values of the numbers in <paramref name="document"/> that <see cref="ReadsAsInteger"/>,
    /// outside <c>@context</c> members, at most <see cref="MaxReported"/> and no deeper than
    /// <see cref="JsonLdOptions.DefaultMaxDepth"/>. A JSON scan: it does not know which numbers are <c>@json</c>
    /// literals (which jsonld.js serializes like the specification), so it may name one of those too.
    /// </summary>
    public static IReadOnlyList<(string Pointer, double Value)> FindNumbersReadAsIntegers(JsonElement document)
    {
        var found = new List<(string, double)>();
        var path = new List<string>();
        Walk(document, path, found);
        return found;
    }

    /// <summary>Longest member name a reported pointer spells out in full; a longer one is cut and ends with <c>…</c>.</summary>
    private const int MaxNameInPointer = 64;

    // The pointer is built only for a number that is reported (a path of long names over many values would otherwise
    // cost a string per node), and the walk stops at the report limit.
    private static void Walk(JsonElement element, List<string> path, List<(string, double)> found)
    {
        if (found.Count >= MaxReported || path.Count > JsonLdOptions.DefaultMaxDepth)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetDouble(out double value) && ReadsAsInteger(value):
                found.Add((Pointer(path), value));
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty member in element.EnumerateObject())
                {
                    if (found.Count >= MaxReported)
                    {
                        return;
                    }

                    if (!member.NameEquals("@context") && member.Value.ValueKind is JsonValueKind.Number or JsonValueKind.Object or JsonValueKind.Array)
                    {
                        path.Add(member.Name);
                        Walk(member.Value, path, found);
                        path.RemoveAt(path.Count - 1);
                    }
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (found.Count >= MaxReported)
                    {
                        return;
                    }

                    if (item.ValueKind is JsonValueKind.Number or JsonValueKind.Object or JsonValueKind.Array)
                    {
                        path.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        Walk(item, path, found);
                        path.RemoveAt(path.Count - 1);
                    }

                    i++;
                }

                break;
        }
    }

    private static string Pointer(List<string> path)
    {
        if (path.Count == 0)
        {
            return "/";
        }

        var text = new System.Text.StringBuilder();
        foreach (string segment in path)
        {
            string name = segment.Length > MaxNameInPointer ? segment[..MaxNameInPointer] + "…" : segment;
            text.Append('/').Append(name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
        }

        return text.ToString();
    }
}
