using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary>
/// One node with a very long value list (an attacker's credential with 60,000 values on one property took six minutes
/// of CPU): node-map deduplication, toRdf's duplicate check and the first-degree hash's sort of that node's quads are
/// each quadratic when done by scanning. A hang guard, not a performance target: the bound is far above the expected
/// time (about a second here) and far below the quadratic one (each reverted path alone takes longer).
/// </summary>
public sealed class ManyValuesTests
{
    private const int Count = 200_000;

    [Theory(Timeout = 20_000)]
    [InlineData("values")]
    [InlineData("references")]
    [InlineData("types")]
    public async Task A_blank_node_with_a_long_value_list_is_canonicalized_without_a_scan_per_value(string kind)
    {
        // A blank subject (no @id), so its quads go through the first-degree hash too.
        var sb = new StringBuilder("{\"@context\": {\"v\": {\"@id\": \"http://example.org/v\"").Append(kind == "references" ? ", \"@type\": \"@id\"" : string.Empty).Append("}}, ");
        sb.Append(kind == "types" ? "\"@type\": [" : "\"v\": [");
        for (int i = 0; i < Count; i++)
        {
            sb.Append(i == 0 ? string.Empty : ",").Append(kind == "values" ? "\"x" : "\"urn:x:").Append(i.ToString(CultureInfo.InvariantCulture)).Append('"');
        }

        sb.Append("]}");
        using JsonDocument doc = JsonDocument.Parse(sb.ToString());
        JsonElement root = doc.RootElement;

        string canonical = await Task.Run(() => JsonLdProcessor.Canonicalize(root), TestContext.Current.CancellationToken);

        canonical.Count(c => c == '\n').Should().Be(Count);
    }
}
