using System.Globalization;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// The JSON-LD 1.1 Generate Blank Node Identifier algorithm (section 7.3): issues <c>_:b0</c>, <c>_:b1</c>, …
/// in call order and maps an existing identifier to the same new one each time it is seen.
/// </summary>
internal sealed class BlankNodeIdentifierGenerator
{
    private const int CacheSize = 256;
    private static readonly string[] s_ids = CreateCache("_:b");
    private static readonly string[] s_labels = CreateCache("b");

    private readonly Dictionary<string, string> _map = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Returns the identifier issued for <paramref name="identifier"/>, or a fresh one when it is null.</summary>
    public string Generate(string? identifier)
    {
        if (identifier is not null && _map.TryGetValue(identifier, out string? existing))
        {
            return existing;
        }

        int n = _counter++;
        string id = n < CacheSize ? s_ids[n] : string.Concat("_:b", n.ToString(CultureInfo.InvariantCulture));
        if (identifier is not null)
        {
            _map.Add(identifier, id);
        }

        return id;
    }

    /// <summary>Whether <paramref name="value"/> is a blank node identifier (starts with <c>_:</c>).</summary>
    public static bool IsBlankNode(string value) => value.Length >= 2 && value[0] == '_' && value[1] == ':';

    /// <summary>The label of a blank node identifier without its <c>_:</c> prefix (cached for issued ones).</summary>
    public static string LabelOf(string id)
    {
        if (id.Length > 3 && id.Length <= 6 && id[2] == 'b')
        {
            int n = 0;
            for (int i = 3; i < id.Length; i++)
            {
                char c = id[i];
                if (c < '0' || c > '9')
                {
                    return id.Substring(2);
                }

                n = (n * 10) + (c - '0');
            }

            if (n < CacheSize && string.Equals(s_ids[n], id, StringComparison.Ordinal))
            {
                return s_labels[n];
            }
        }

        return id.Substring(2);
    }

    private static string[] CreateCache(string prefix)
    {
        var cache = new string[CacheSize];
        for (int i = 0; i < cache.Length; i++)
        {
            cache[i] = string.Concat(prefix, i.ToString(CultureInfo.InvariantCulture));
        }

        return cache;
    }
}
