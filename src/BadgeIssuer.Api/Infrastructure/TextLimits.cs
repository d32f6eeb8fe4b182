using System.Text.Json;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Length limits of the text fields callers write into profiles, achievements and credentials (README "Input limits"),
/// in characters (UTF-16 code units, as <see cref="string.Length"/> counts them). A field over its limit is a
/// <c>field-too-long</c> problem (400) naming the field, before any other validation runs on the document.
/// </summary>
internal static class TextLimits
{
    /// <summary>Names: issuer, achievement, recipient, evidence, alignment target.</summary>
    public const int Name = 256;

    /// <summary>Descriptions, criteria narratives, evidence and result text, and any other string not named here.</summary>
    public const int Text = 8192;

    /// <summary>URLs and other identifiers (ids, url, targetUrl, image by reference).</summary>
    public const int Url = 2048;

    /// <summary>Email addresses (RFC 5321 §4.5.3.1.3: a forward path holds at most 256 octets, 254 of them the address).</summary>
    public const int Email = 254;

    /// <summary>The violation for a string over its limit.</summary>
    public static InputViolation TooLong(string path, string name, int limit) =>
        new(path, $"'{name}' is longer than {limit} characters.", TooLong: true);

    /// <summary>The limit for a member of a JSON document by its name.</summary>
    public static int ForMember(string? name) => name switch
    {
        "name" or "targetName" => Name,
        "email" => Email,
        "id" or "url" or "targetUrl" or "image" or "achievedLevel" or "resultDescription" or "sourceUrl" => Url,
        _ => Text,
    };

    /// <summary>
    /// Adds a violation for every string in <paramref name="value"/> (recursively) that is longer than its member's limit
    /// (<see cref="ForMember"/>; array items take their array's member). A <c>data:</c> URI in a URL member is bounded by
    /// the request size instead (images have their own limit). Depth is bounded by the JSON reader's maximum depth.
    /// </summary>
    public static void Check(JsonElement value, string path, List<InputViolation> violations, string? member = null)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                int limit = ForMember(member);
                string s = value.GetString()!;
                if (s.Length > limit && !(limit == Url && s.StartsWith("data:", StringComparison.OrdinalIgnoreCase)))
                {
                    violations.Add(TooLong(path, member ?? path, limit));
                }

                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    Check(property.Value, path + "/" + Pointer(property.Name), violations, property.Name);
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    Check(item, path + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), violations, member);
                    i++;
                }

                break;
        }
    }

    // RFC 6901 escaping of one reference token.
    private static string Pointer(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
