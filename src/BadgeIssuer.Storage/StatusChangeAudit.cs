using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.Storage;

/// <summary>The details of a <c>status.*</c> audit entry, the same for every backend.</summary>
internal static class StatusChangeAudit
{
    /// <summary>
    /// <c>{"list","index","old","new","reason"?,"version":</c> — the caller appends the version and the closing brace (the
    /// PostgreSQL store learns the version inside the statement). The reason is JSON-escaped.
    /// </summary>
    public static string DetailsPrefix(string listId, int index, int oldValue, int newValue, string? reason)
    {
        string prefix = string.Create(CultureInfo.InvariantCulture,
            $$"""{"list":{{Quote(listId)}},"index":{{index}},"old":{{oldValue}},"new":{{newValue}},""");
        return reason is null ? prefix + "\"version\":" : prefix + "\"reason\":" + Quote(reason) + ",\"version\":";
    }

    /// <summary>The whole details object.</summary>
    public static string Details(string listId, int index, int oldValue, int newValue, string? reason, long version)
        => DetailsPrefix(listId, index, oldValue, newValue, reason) + version.ToString(CultureInfo.InvariantCulture) + "}";

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
