using System.Runtime.InteropServices;
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
        var at = new List<PathToken>();
        Check(value, path, violations, member is null ? Text : ForMember(member), member, default, at);
    }

    // One step of the JSON pointer to where the walk is: a member (its name decoded only when a violation needs it) or an index.
    private readonly record struct PathToken(JsonProperty Member, int Index);

    // Nothing is allocated for a string within its limit: the raw UTF-8 length bounds the UTF-16 length from above (each
    // UTF-16 code unit takes at least one byte, an escape at least two), so only a longer string is decoded and counted.
    private static void Check(JsonElement value, string path, List<InputViolation> violations, int limit, string? member, JsonProperty memberProperty, List<PathToken> at)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                if (JsonMarshal.GetRawUtf8Value(value).Length <= limit)
                {
                    break;
                }

                string s = value.GetString()!;
                if (s.Length > limit && !(limit == Url && s.StartsWith("data:", StringComparison.OrdinalIgnoreCase)))
                {
                    string name = member ?? (memberProperty.Value.ValueKind != JsonValueKind.Undefined ? memberProperty.Name : null) ?? path;
                    violations.Add(TooLong(PointerOf(path, at), name, limit));
                }

                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    at.Add(new PathToken(property, -1));
                    Check(property.Value, path, violations, LimitOf(JsonMarshal.GetRawUtf8PropertyName(property), property), null, property, at);
                    at.RemoveAt(at.Count - 1);
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    at.Add(new PathToken(default, i));
                    Check(item, path, violations, limit, member, memberProperty, at);
                    at.RemoveAt(at.Count - 1);
                    i++;
                }

                break;
        }
    }

    // ForMember by the member's raw UTF-8 name, without decoding it (a name with escapes is decoded).
    private static int LimitOf(ReadOnlySpan<byte> raw, JsonProperty property)
    {
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            return ForMember(property.Name);
        }

        return raw switch
        {
            _ when raw.SequenceEqual("name"u8) || raw.SequenceEqual("targetName"u8) => Name,
            _ when raw.SequenceEqual("email"u8) => Email,
            _ when raw.SequenceEqual("id"u8) || raw.SequenceEqual("url"u8) || raw.SequenceEqual("targetUrl"u8) || raw.SequenceEqual("image"u8)
                || raw.SequenceEqual("achievedLevel"u8) || raw.SequenceEqual("resultDescription"u8) || raw.SequenceEqual("sourceUrl"u8) => Url,
            _ => Text,
        };
    }

    private static string PointerOf(string path, List<PathToken> at)
    {
        var builder = new System.Text.StringBuilder(path);
        foreach (PathToken token in at)
        {
            builder.Append('/');
            builder.Append(token.Index >= 0 ? token.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) : Pointer(token.Member.Name));
        }

        return builder.ToString();
    }

    // RFC 6901 escaping of one reference token.
    private static string Pointer(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
