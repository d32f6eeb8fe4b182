using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>JSON-LD 1.1 Expansion Algorithm (section 5.1) over a <see cref="JsonElement"/> input.</summary>
internal static class Expander
{
    /// <summary>Expands <paramref name="input"/>; the result is the expanded array (in the <see cref="ExpandedJson"/> model).</summary>
    public static List<object?> Expand(JsonElement input, JsonLdOptions options, string? excludedTopLevelMember = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ExpansionRun(options, excludedTopLevelMember).ExpandDocument(input);
    }
}
