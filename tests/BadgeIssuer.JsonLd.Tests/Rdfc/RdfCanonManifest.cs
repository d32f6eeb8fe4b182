using System.Text;
using System.Text.Json;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdfc;

/// <summary>One entry of the W3C rdf-canon manifest (read as plain JSON).</summary>
public sealed record RdfCanonEntry(string Id, string Type, string Name, string Action, string? Result, RdfcHashAlgorithm HashAlgorithm);

/// <summary>Loads <c>TestData/rdf-canon/manifest.jsonld</c> from the test output directory.</summary>
public static class RdfCanonManifest
{
    public const string EvalTest = "rdfc:RDFC10EvalTest";
    public const string MapTest = "rdfc:RDFC10MapTest";
    public const string NegativeEvalTest = "rdfc:RDFC10NegativeEvalTest";

    private static readonly Lazy<IReadOnlyList<RdfCanonEntry>> s_entries = new(Load);

    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "rdf-canon");

    public static IReadOnlyList<RdfCanonEntry> Entries => s_entries.Value;

    public static RdfCanonEntry Get(string id)
    {
        foreach (RdfCanonEntry entry in Entries)
        {
            if (string.Equals(entry.Id, id, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        throw new ArgumentException($"No manifest entry {id}.", nameof(id));
    }

    public static RdfDataset LoadInput(RdfCanonEntry entry)
        => NQuads.Parse(File.ReadAllText(Path.Combine(Root, entry.Action), Encoding.UTF8));

    public static byte[] LoadResultBytes(RdfCanonEntry entry)
        => File.ReadAllBytes(Path.Combine(Root, entry.Result ?? throw new InvalidOperationException($"{entry.Id} has no result.")));

    private static List<RdfCanonEntry> Load()
    {
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "manifest.jsonld")));
        var entries = new List<RdfCanonEntry>();
        foreach (JsonElement e in manifest.RootElement.GetProperty("entries").EnumerateArray())
        {
            string id = e.GetProperty("id").GetString()!.TrimStart('#');
            string? result = e.TryGetProperty("result", out JsonElement r) ? r.GetString() : null;
            RdfcHashAlgorithm algorithm = RdfcHashAlgorithm.Sha256;
            if (e.TryGetProperty("hashAlgorithm", out JsonElement h))
            {
                algorithm = h.GetString() switch
                {
                    "SHA256" => RdfcHashAlgorithm.Sha256,
                    "SHA384" => RdfcHashAlgorithm.Sha384,
                    string other => throw new NotSupportedException($"{id}: hash algorithm {other}"),
                    null => throw new NotSupportedException($"{id}: null hash algorithm"),
                };
            }

            entries.Add(new RdfCanonEntry(
                id,
                e.GetProperty("type").GetString()!,
                e.GetProperty("name").GetString()!,
                e.GetProperty("action").GetString()!,
                result,
                algorithm));
        }

        return entries;
    }
}
