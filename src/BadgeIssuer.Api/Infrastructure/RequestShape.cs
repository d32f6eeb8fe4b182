using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// The member names a request body may use, level by level: an unknown member (a typo such as <c>"formt"</c> or
/// <c>"recipent"</c>) is refused with its JSON pointer and a "did you mean" suggestion instead of being silently dropped.
/// Shapes of our own DTOs come from their JSON contract under the web defaults (<see cref="Of{T}"/>), as the OpenAPI
/// document's schemas do, so the names accepted are the names the OpenAPI document shows; members typed <see cref="JsonElement"/> (a credential,
/// evidence) are opaque and not looked into.
/// </summary>
internal sealed class RequestShape
{
    /// <summary>At most this many unknown members are reported; the walk itself is bounded by the body size and depth.</summary>
    public const int MaxReported = 20;

    // Longer names are not compared for suggestions (edit distance is quadratic).
    private const int MaxSuggestionLength = 64;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, RequestShape> s_byType = new();

    // Only read for member names (never used to deserialize): any feature's request DTO, without a list to keep.
    private static readonly JsonSerializerOptions s_contracts = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    private readonly Dictionary<string, RequestShape?>? _members;
    private readonly RequestShape? _items;
    private readonly bool _orSingle;

    private RequestShape(Dictionary<string, RequestShape?>? members, RequestShape? items, bool orSingle = false)
    {
        _members = members;
        _items = items;
        _orSingle = orSingle;
    }

    /// <summary>An object whose members are <paramref name="members"/>; a null shape leaves that member's value unchecked.</summary>
    public static RequestShape Object(params (string Name, RequestShape? Shape)[] members) =>
        new(members.ToDictionary(m => m.Name, m => m.Shape, StringComparer.Ordinal), null);

    /// <summary>
    /// An array whose items have <paramref name="items"/>; with <paramref name="orSingle"/> also a single such value
    /// (JSON-LD lets one value stand for a one-item array).
    /// </summary>
    public static RequestShape ArrayOf(RequestShape items, bool orSingle = false) => new(null, items, orSingle);

    /// <summary>This object shape with more members.</summary>
    public RequestShape With(params (string Name, RequestShape? Shape)[] members)
    {
        var all = new Dictionary<string, RequestShape?>(_members ?? [], StringComparer.Ordinal);
        foreach ((string name, RequestShape? shape) in members)
        {
            all[name] = shape;
        }

        return new(all, _items);
    }

    /// <summary>This object shape without some members (e.g. ones an update cannot change).</summary>
    public RequestShape Without(params string[] names)
    {
        var all = new Dictionary<string, RequestShape?>(_members ?? [], StringComparer.Ordinal);
        foreach (string name in names)
        {
            all.Remove(name);
        }

        return new(all, _items);
    }

    /// <summary>The shape of the request DTO <typeparamref name="T"/>, read from its JSON contract (web defaults).</summary>
    public static RequestShape Of<T>() => s_byType.GetOrAdd(typeof(T), static t => FromType(t, 0) ?? throw new InvalidOperationException($"{t} is not an object type."));

    private static RequestShape? FromType(Type type, int depth)
    {
        if (depth > 8 || type == typeof(JsonElement) || type == typeof(JsonElement?))
        {
            return null;
        }

        JsonTypeInfo info = s_contracts.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Object => new(info.Properties.ToDictionary(p => p.Name, p => FromType(p.PropertyType, depth + 1), StringComparer.Ordinal), null),
            JsonTypeInfoKind.Enumerable when info.ElementType is { } element && FromType(element, depth + 1) is { } items => ArrayOf(items),
            _ => null,
        };
    }

    /// <summary>The member names of this object shape, in declaration order.</summary>
    public IEnumerable<string> MemberNames => _members?.Keys ?? Enumerable.Empty<string>();

    /// <summary>
    /// Adds a violation for each member of <paramref name="element"/> (and of its nested objects) that this shape does
    /// not name. Values of another JSON type than the shape expects are left to the handler's own checks.
    /// </summary>
    public void FindUnknown(JsonElement element, string path, List<UnknownMember> found)
    {
        if (found.Count >= MaxReported)
        {
            return;
        }

        if (_items is not null)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    _items.FindUnknown(item, path + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), found);
                    i++;
                }
            }
            else if (_orSingle)
            {
                _items.FindUnknown(element, path, found);
            }

            return;
        }

        if (_members is null || element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (_members.TryGetValue(property.Name, out RequestShape? shape))
            {
                shape?.FindUnknown(property.Value, path + "/" + EscapePointer(property.Name), found);
            }
            else
            {
                found.Add(new(path + "/" + EscapePointer(property.Name), property.Name, Suggest(property.Name, _members.Keys), _members.Keys.ToList()));
            }

            if (found.Count >= MaxReported)
            {
                return;
            }
        }
    }

    /// <summary>The 400 problem listing <paramref name="found"/>: each with its pointer, the member, and a suggestion where one is close.</summary>
    public static ProblemHttpResult Problem(IReadOnlyList<UnknownMember> found)
    {
        string detail = string.Join(" ", found.Take(3).Select(u => u.Message)) + (found.Count > 3 ? $" ({found.Count - 3} more in errors)" : string.Empty);
        return ApiProblems.UnknownMember.Result(detail, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["errors"] = found.Select(u =>
            {
                var error = new Dictionary<string, string>(StringComparer.Ordinal) { ["path"] = u.Path, ["message"] = u.Message, ["member"] = u.Name };
                if (u.Suggestion is not null)
                {
                    error["didYouMean"] = u.Suggestion;
                }

                return error;
            }).ToList(),
        });
    }

    /// <summary>
    /// The known name closest to <paramref name="name"/>: one that differs only in case, else the nearest by optimal
    /// string alignment distance (a transposition counts one) within 1 edit for names up to 4 characters, 2 above.
    /// </summary>
    internal static string? Suggest(string name, IEnumerable<string> known)
    {
        List<string> candidates = known.ToList();
        if (candidates.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) is { } sameIgnoringCase)
        {
            return sameIgnoringCase;
        }

        if (name.Length > MaxSuggestionLength)
        {
            return null;
        }

        int limit = name.Length <= 4 ? 1 : 2;
        string lower = name.ToLowerInvariant();
        string? best = null;
        int bestDistance = limit + 1;
        foreach (string candidate in candidates)
        {
            if (Math.Abs(candidate.Length - name.Length) >= bestDistance || candidate.Length > MaxSuggestionLength)
            {
                continue;
            }

            int distance = Distance(lower, candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    // Optimal string alignment (restricted Damerau-Levenshtein) distance.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    // RFC 6901: "~" and "/" in a member name are escaped in a JSON pointer.
    private static string EscapePointer(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

/// <summary>A member a request shape does not name, where it is, and the known name it is probably a typo of.</summary>
internal sealed record UnknownMember(string Path, string Name, string? Suggestion, IReadOnlyList<string> Known)
{
    public string Message
    {
        get
        {
            string name = Name.Length > 64 ? Name[..64] + "…" : Name;
            string path = Path.Length > 128 ? Path[..128] + "…" : Path;
            return Suggestion is not null
                ? $"Unknown member \"{name}\" at {path}; did you mean \"{Suggestion}\"?"
                : Known.Count == 0
                    ? $"Unknown member \"{name}\" at {path}; this object takes no members."
                    : $"Unknown member \"{name}\" at {path}; known members here: {string.Join(", ", Known)}.";
        }
    }
}
