using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BadgeIssuer.Api.Tests.Corpus;

/// <summary>What a corpus case must get back.</summary>
/// <param name="Status">The exact status code.</param>
/// <param name="Problem">The problem code (<c>urn:badgeissuer:problem:&lt;code&gt;</c>), when a problem document is expected.</param>
/// <param name="Report">A verification report (application/json) with <c>verified: false</c> is expected instead of a problem.</param>
/// <param name="Server">The HTTP server refuses the request before the application sees it (no body to check).</param>
/// <param name="Items">A batch answered 200 with every item failed with this problem code (one bad item does not fail the others).</param>
/// <param name="Type">The problem <c>type</c> when a specification defines it (default <c>urn:badgeissuer:problem:&lt;code&gt;</c>).</param>
/// <param name="Failed">With <paramref name="Report"/>: the step the report must show as failed (e.g. <c>issuer-key</c>).</param>
/// <param name="Error">An OAuth / OpenID4VCI error (<c>{"error": code}</c>, application/json) instead of a problem: the protocol endpoints.</param>
internal sealed record CorpusExpectation(int Status, string? Problem, bool Report, bool Server, string? Items, string? Type, string? Failed = null, string? Error = null);

/// <summary>One hostile request of the bad-input corpus (see <c>Corpus/README.md</c>).</summary>
internal sealed record CorpusCase(
    string Id,
    string File,
    string Method,
    string Path,
    string Auth,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    JsonElement? Body,
    CorpusExpectation Expect,
    bool Smoke,
    bool ProcessOnly)
{
    public override string ToString() => Id;
}

/// <summary>Loads <c>Corpus/cases/*.json</c> and expands generated entries (wrong JSON types per field).</summary>
internal static partial class CorpusCases
{
    private static readonly Lazy<IReadOnlyList<CorpusCase>> s_all = new(Load);

    public static string Directory => System.IO.Path.Combine(AppContext.BaseDirectory, "Corpus", "cases");

    public static IReadOnlyList<CorpusCase> All => s_all.Value;

    private static List<CorpusCase> Load()
    {
        var cases = new List<CorpusCase>();
        foreach (string path in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            JsonElement root = document.RootElement;
            JsonElement defaults = root.TryGetProperty("defaults", out JsonElement d) ? d.Clone() : default;
            string file = System.IO.Path.GetFileName(path);
            foreach (JsonElement entry in root.GetProperty("cases").EnumerateArray())
            {
                JsonElement item = entry.Clone();
                if (item.TryGetProperty("generate", out JsonElement generate))
                {
                    if (generate.GetString() != "wrong-types")
                    {
                        throw new InvalidDataException($"{file}: unknown generator '{generate.GetString()}'.");
                    }

                    cases.AddRange(WrongTypes(item, defaults, file));
                }
                else
                {
                    cases.Add(Read(item, defaults, file, null, null));
                }
            }
        }

        return cases;
    }

    private static CorpusCase Read(JsonElement item, JsonElement defaults, string file, string? id, JsonElement? body)
    {
        string Get(string name, string? fallback = null) =>
            item.TryGetProperty(name, out JsonElement v) ? v.GetString()!
            : defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty(name, out JsonElement dv) ? dv.GetString()!
            : fallback ?? throw new InvalidDataException($"{file}: case {item.GetRawText()[..Math.Min(80, item.GetRawText().Length)]} lacks '{name}'.");

        JsonElement? Optional(string name) =>
            item.TryGetProperty(name, out JsonElement v) ? v
            : defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty(name, out JsonElement dv) ? dv
            : null;

        var headers = new List<KeyValuePair<string, string>>();
        if (Optional("headers") is { } h)
        {
            foreach (JsonProperty header in h.EnumerateObject())
            {
                // A header value may be a string or a repeat segment (oversized headers).
                string value = header.Value.ValueKind == JsonValueKind.String
                    ? header.Value.GetString()!
                    : string.Concat(Enumerable.Repeat(header.Value.GetProperty("repeat").GetString()!, header.Value.GetProperty("times").GetInt32()));
                headers.Add(new(header.Name, value));
            }
        }

        JsonElement expect = Optional("expect") ?? throw new InvalidDataException($"{file}: a case lacks 'expect'.");
        var expectation = new CorpusExpectation(
            expect.GetProperty("status").GetInt32(),
            expect.TryGetProperty("problem", out JsonElement p) ? p.GetString() : null,
            expect.TryGetProperty("report", out JsonElement r) && r.GetBoolean(),
            expect.TryGetProperty("server", out JsonElement s) && s.GetBoolean(),
            expect.TryGetProperty("items", out JsonElement i) ? i.GetString() : null,
            expect.TryGetProperty("type", out JsonElement t) ? t.GetString() : null,
            expect.TryGetProperty("failed", out JsonElement f) ? f.GetString() : null,
            expect.TryGetProperty("error", out JsonElement e) ? e.GetString() : null);
        string contentType = Get("contentType", string.Empty);
        return new CorpusCase(
            id ?? Get("id"),
            file,
            Get("method", "POST"),
            Get("path"),
            Get("auth", "none"),
            contentType.Length == 0 ? null : contentType,
            headers,
            body ?? Optional("body"),
            expectation,
            Optional("smoke") is { ValueKind: JsonValueKind.True },
            Optional("processOnly") is { ValueKind: JsonValueKind.True });
    }

    // {"generate": "wrong-types", "id", "base": {valid body}, "fields": {"/pointer": "string" | {"kind", "values", "expect"}}}:
    // one case per field and per value of a JSON type the field does not take, each the valid base with that one field replaced.
    private static IEnumerable<CorpusCase> WrongTypes(JsonElement item, JsonElement defaults, string file)
    {
        string prefix = item.GetProperty("id").GetString()!;
        JsonElement baseBody = item.GetProperty("base");
        foreach (JsonProperty field in item.GetProperty("fields").EnumerateObject())
        {
            string kind = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetProperty("kind").GetString()!;
            IEnumerable<JsonNode?> values = field.Value.ValueKind == JsonValueKind.Object && field.Value.TryGetProperty("values", out JsonElement explicitValues)
                ? explicitValues.EnumerateArray().Select(v => JsonNode.Parse(v.GetRawText()))
                : WrongValues(kind);
            JsonElement caseItem = item;
            if (field.Value.ValueKind == JsonValueKind.Object && field.Value.TryGetProperty("expect", out JsonElement fieldExpect))
            {
                JsonObject copy = JsonNode.Parse(item.GetRawText())!.AsObject();
                copy["expect"] = JsonNode.Parse(fieldExpect.GetRawText());
                caseItem = JsonDocument.Parse(copy.ToJsonString()).RootElement;
            }

            foreach (JsonNode? value in values)
            {
                JsonNode body = JsonNode.Parse(baseBody.GetRawText())!;
                Set(body, field.Name, value);
                string label = value?.ToJsonString() ?? "null";
                JsonElement bodySegment = JsonDocument.Parse(new JsonObject { ["json"] = body }.ToJsonString()).RootElement;
                yield return Read(caseItem, defaults, file, $"{prefix}{field.Name}={Shorten(label)}", bodySegment);
            }
        }
    }

    private static IEnumerable<JsonNode?> WrongValues(string kind) => kind switch
    {
        "string" => [JsonValue.Create(7), JsonValue.Create(true), new JsonArray(), new JsonObject()],
        "object" => [JsonValue.Create("x"), JsonValue.Create(7), new JsonArray(), JsonValue.Create(false)],
        "array" => [JsonValue.Create("x"), JsonValue.Create(7), new JsonObject(), JsonValue.Create(true)],
        "bool" => [JsonValue.Create("true"), JsonValue.Create(1), new JsonArray(), new JsonObject()],
        "date" => [JsonValue.Create(1_700_000_000), JsonValue.Create(true), new JsonArray(), JsonValue.Create("2026-13-45")],
        _ => throw new InvalidDataException($"Unknown field kind '{kind}'."),
    };

    private static void Set(JsonNode root, string pointer, JsonNode? value)
    {
        string[] parts = pointer.Split('/')[1..];
        JsonNode node = root;
        foreach (string part in parts[..^1])
        {
            node = node is JsonArray array ? array[int.Parse(part, CultureInfo.InvariantCulture)]! : node[part]!;
        }

        if (node is JsonArray target)
        {
            target[int.Parse(parts[^1], CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            node[parts[^1]] = value;
        }
    }

    private static string Shorten(string label) => label.Length <= 24 ? label : label[..24] + "…";

    [GeneratedRegex(@"\{\{([A-Za-z]+)\}\}")]
    internal static partial Regex Placeholder();
}

/// <summary>Values the set-up produced (ids, keys, the issued credential) and the files it fetched, for placeholders.</summary>
internal sealed class CorpusContext
{
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public string Fill(string text) => CorpusCases.Placeholder().Replace(text, m =>
        Values.TryGetValue(m.Groups[1].Value, out string? value) ? value : throw new InvalidDataException($"No corpus value '{m.Groups[1].Value}'."));

    public JsonNode? Fill(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => JsonValue.Create(Fill(element.GetString()!)),
        JsonValueKind.Object => new JsonObject(element.EnumerateObject().Select(p => KeyValuePair.Create(Fill(p.Name), Fill(p.Value)))),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(Fill)]),
        _ => JsonNode.Parse(element.GetRawText()),
    };
}
