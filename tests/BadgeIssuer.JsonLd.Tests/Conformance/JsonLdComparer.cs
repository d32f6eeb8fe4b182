using System.Text;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>
/// "JSON-LD object comparison" from the suite's README (tests run with <c>ordered</c> = false):
/// objects compare member by member regardless of member order; arrays compare regardless of order except the
/// value of <c>@list</c>; other values by strict equality, numbers numerically; <c>@language</c> values
/// case-insensitively (the suite writes language tags in lower case). The value of a JSON literal
/// (<c>"@type": "@json"</c>) is plain JSON, so its arrays keep their order.
/// </summary>
public static class JsonLdComparer
{
    /// <summary>Whether <paramref name="expected"/> and <paramref name="actual"/> are equal; <paramref name="difference"/> says where they differ.</summary>
    public static bool AreEqual(JsonElement expected, JsonElement actual, out string difference)
    {
        var path = new StringBuilder("$");
        bool equal = Compare(expected, actual, parentKey: null, plainJson: false, path, out difference);
        return equal;
    }

    private static bool Compare(JsonElement expected, JsonElement actual, string? parentKey, bool plainJson, StringBuilder path, out string difference)
    {
        difference = string.Empty;
        if (expected.ValueKind != actual.ValueKind)
        {
            difference = $"{path}: expected {expected.ValueKind} {Short(expected)}, got {actual.ValueKind} {Short(actual)}";
            return false;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                return CompareObjects(expected, actual, plainJson, path, out difference);
            case JsonValueKind.Array:
                bool ordered = plainJson || string.Equals(parentKey, "@list", StringComparison.Ordinal);
                return ordered
                    ? CompareOrdered(expected, actual, parentKey, plainJson, path, out difference)
                    : CompareUnordered(expected, actual, parentKey, path, out difference);
            case JsonValueKind.String:
                StringComparison comparison = !plainJson && string.Equals(parentKey, "@language", StringComparison.Ordinal)
                    ? StringComparison.OrdinalIgnoreCase
                    : StringComparison.Ordinal;
                if (!string.Equals(expected.GetString(), actual.GetString(), comparison))
                {
                    difference = $"{path}: expected {Short(expected)}, got {Short(actual)}";
                    return false;
                }

                return true;
            case JsonValueKind.Number:
                if (expected.GetDouble() != actual.GetDouble())
                {
                    difference = $"{path}: expected number {expected.GetRawText()}, got {actual.GetRawText()}";
                    return false;
                }

                return true;
            default:
                // true, false, null: equal kinds are equal values.
                return true;
        }
    }

    private static bool CompareObjects(JsonElement expected, JsonElement actual, bool plainJson, StringBuilder path, out string difference)
    {
        difference = string.Empty;
        var actualMembers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty p in actual.EnumerateObject())
        {
            actualMembers[p.Name] = p.Value;
        }

        var expectedNames = new HashSet<string>(StringComparer.Ordinal);
        bool isJsonLiteral = !plainJson
            && expected.TryGetProperty("@type", out JsonElement type)
            && type.ValueKind == JsonValueKind.String
            && string.Equals(type.GetString(), "@json", StringComparison.Ordinal);

        foreach (JsonProperty p in expected.EnumerateObject())
        {
            expectedNames.Add(p.Name);
            if (!actualMembers.TryGetValue(p.Name, out JsonElement value))
            {
                difference = $"{path}: missing member \"{p.Name}\"";
                return false;
            }

            int length = path.Length;
            path.Append('[').Append(JsonSerializer.Serialize(p.Name)).Append(']');
            bool childPlain = plainJson || (isJsonLiteral && string.Equals(p.Name, "@value", StringComparison.Ordinal));
            bool equal = Compare(p.Value, value, p.Name, childPlain, path, out difference);
            path.Length = length;
            if (!equal)
            {
                return false;
            }
        }

        foreach (string name in actualMembers.Keys)
        {
            if (!expectedNames.Contains(name))
            {
                difference = $"{path}: unexpected member \"{name}\"";
                return false;
            }
        }

        return true;
    }

    private static bool CompareOrdered(JsonElement expected, JsonElement actual, string? parentKey, bool plainJson, StringBuilder path, out string difference)
    {
        difference = string.Empty;
        int count = expected.GetArrayLength();
        if (count != actual.GetArrayLength())
        {
            difference = $"{path}: expected {count} items, got {actual.GetArrayLength()}";
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            int length = path.Length;
            path.Append('[').Append(i).Append(']');
            bool equal = Compare(expected[i], actual[i], parentKey, plainJson, path, out difference);
            path.Length = length;
            if (!equal)
            {
                return false;
            }
        }

        return true;
    }

    // The comparison is an equivalence relation, so matching each expected item with any equal unused actual
    // item is exact (no backtracking needed).
    private static bool CompareUnordered(JsonElement expected, JsonElement actual, string? parentKey, StringBuilder path, out string difference)
    {
        difference = string.Empty;
        int count = expected.GetArrayLength();
        if (count != actual.GetArrayLength())
        {
            difference = $"{path}: expected {count} items, got {actual.GetArrayLength()}";
            return false;
        }

        bool[] used = new bool[count];
        for (int i = 0; i < count; i++)
        {
            bool found = false;
            for (int j = 0; j < count && !found; j++)
            {
                if (!used[j] && Compare(expected[i], actual[j], parentKey, plainJson: false, new StringBuilder(), out _))
                {
                    used[j] = true;
                    found = true;
                }
            }

            if (!found)
            {
                difference = $"{path}: no item equal to expected item [{i}] {Short(expected[i])} (arrays compared without order)";
                return false;
            }
        }

        return true;
    }

    private static string Short(JsonElement value)
    {
        string raw = value.GetRawText();
        return raw.Length <= 200 ? raw : raw[..200] + "…";
    }
}
