using System.Collections.Concurrent;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>One entry of a W3C JSON-LD API test manifest, read with System.Text.Json.</summary>
public sealed class SuiteTest
{
    public required string Manifest { get; init; }

    /// <summary>The entry's <c>@id</c> without the leading <c>#</c>, e.g. <c>t0001</c>.</summary>
    public required string Id { get; init; }

    public required IReadOnlyList<string> Types { get; init; }

    public required string Name { get; init; }

    public required string Input { get; init; }

    public string? Expect { get; init; }

    public string? ExpectErrorCode { get; init; }

    /// <summary>The entry's <c>option</c> object, or an empty object.</summary>
    public required JsonElement Option { get; init; }

    public bool IsNegative => Types.Contains("jld:NegativeEvaluationTest");

    public bool IsPositiveSyntax => Types.Contains("jld:PositiveSyntaxTest");

    public string? OptionString(string name)
        => Option.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public bool OptionTrue(string name)
        => Option.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.True;
}

/// <summary>Reads the suite manifests copied under <c>TestData/json-ld-api</c>.</summary>
public static class SuiteManifest
{
    /// <summary>The IRI the suite's documents are published under; the test loader maps it to <see cref="Root"/>.</summary>
    public const string BaseIri = "https://w3c.github.io/json-ld-api/tests/";

    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, SuiteTest>> s_manifests = new(StringComparer.Ordinal);

    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "json-ld-api");

    /// <summary>All tests of <paramref name="manifest"/> (<c>expand</c> or <c>toRdf</c>) keyed by id, in manifest order.</summary>
    public static IReadOnlyDictionary<string, SuiteTest> Load(string manifest)
        => s_manifests.GetOrAdd(manifest, Read);

    public static TheoryData<string> Ids(string manifest)
    {
        var data = new TheoryData<string>();
        foreach (string id in Load(manifest).Keys)
        {
            data.Add(id);
        }

        return data;
    }

    /// <summary>Maps a suite-relative path (as in <c>input</c>/<c>expect</c>) to the local file.</summary>
    public static string LocalPath(string relative)
        => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static Dictionary<string, SuiteTest> Read(string manifest)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, manifest + "-manifest.jsonld")));
        string baseIri = doc.RootElement.GetProperty("baseIri").GetString()!;
        if (!string.Equals(baseIri, BaseIri, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Manifest {manifest} has baseIri {baseIri}, expected {BaseIri}.");
        }

        var tests = new Dictionary<string, SuiteTest>(StringComparer.Ordinal);
        foreach (JsonElement entry in doc.RootElement.GetProperty("sequence").EnumerateArray())
        {
            string id = entry.GetProperty("@id").GetString()!.TrimStart('#');
            JsonElement types = entry.GetProperty("@type");
            tests.Add(id, new SuiteTest
            {
                Manifest = manifest,
                Id = id,
                Types = types.ValueKind == JsonValueKind.Array
                    ? [.. types.EnumerateArray().Select(t => t.GetString()!)]
                    : [types.GetString()!],
                Name = entry.GetProperty("name").GetString()!,
                Input = entry.GetProperty("input").GetString()!,
                Expect = entry.TryGetProperty("expect", out JsonElement e) ? e.GetString() : null,
                ExpectErrorCode = entry.TryGetProperty("expectErrorCode", out JsonElement c) ? c.GetString() : null,
                Option = entry.TryGetProperty("option", out JsonElement o) ? o.Clone() : EmptyObject(),
            });
        }

        return tests;
    }

    private static JsonElement EmptyObject()
    {
        using JsonDocument empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }
}
