using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Tests.Schemas;

/// <summary>
/// The compiled pass/fail evaluator (the fast path of every schema check) must give JsonSchema.Net's answer: on every
/// JSON vector against every bundled schema, and on seeded mutations of the credentials (deleted members, wrong
/// types, single values for arrays, bad dates and patterns, extra members).
/// </summary>
public sealed class CompiledSchemaDifferentialTests
{
    private const int Seed = 20261129;
    private const int MutantsPerDocument = 120;

    private static readonly JsonNode?[] s_replacements =
    [
        null, JsonValue.Create(1), JsonValue.Create(1.5), JsonValue.Create(1.0m), JsonValue.Create(true), JsonValue.Create("x"),
        JsonValue.Create(""), JsonValue.Create("2020-01-01T00:00:00Z"), JsonValue.Create("2020-13-01T00:00:00Z"),
        JsonValue.Create("2020-01-01"), JsonValue.Create("2020-02-30"), JsonValue.Create("2020-01-01T00:00:00"),
        JsonValue.Create("ext:abc"), JsonValue.Create("en-US"), JsonValue.Create("en_us"), JsonValue.Create("a.b.c"),
        JsonValue.Create("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
        JsonValue.Create("https://purl.imsglobal.org/spec/ob/v3p0/context-3.\u0663.3.json"),
        JsonValue.Create("https://www.w3.org/ns/credentials/v2"), JsonValue.Create("OpenBadgeCredential"),
        JsonValue.Create("Achievement"), JsonValue.Create("Profile"), JsonValue.Create("IdentityObject"), JsonValue.Create("emailAddress"),
        JsonValue.Create("DataIntegrityProof"), JsonValue.Create("1EdTechJsonSchemaValidator2019"),
    ];

    public static TheoryData<string> Documents() => [.. DocumentPaths()];

    private static IEnumerable<string> DocumentPaths() =>
        Directory.EnumerateFiles(TestVectors.Root, "*.json", SearchOption.AllDirectories)
            .Select(static path => Path.GetRelativePath(TestVectors.Root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [Fact]
    public void EveryBundledSchemaCompiles()
    {
        using JsonDocument probe = JsonDocument.Parse("{}");
        foreach (ObSchema schema in ObSchemaValidator.KnownSchemas)
        {
            ObSchemaValidator.Shared.CompareEvaluators(schema, probe.RootElement).Compiled.Should().BeTrue(schema.ResourceName);
        }
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void VectorsGetTheReferenceAnswer(string relative)
    {
        using JsonDocument document = JsonDocument.Parse(TestVectors.Bytes(relative));
        foreach (ObSchema schema in ObSchemaValidator.KnownSchemas)
        {
            (_, bool fast, bool reference) = ObSchemaValidator.Shared.CompareEvaluators(schema, document.RootElement);
            (fast == reference).Should().BeTrue($"{relative} against {schema.ResourceName}: compiled {fast}, JsonSchema.Net {reference}");
        }
    }

    [Fact]
    public void MutantsGetTheReferenceAnswer()
    {
        var random = new Random(Seed);
        int valid = 0;
        int invalid = 0;
        foreach (string relative in DocumentPaths())
        {
            JsonNode? original = JsonNode.Parse(TestVectors.Bytes(relative));
            if (original is not JsonObject obj || !obj.ContainsKey("credentialSubject"))
            {
                continue; // mutate credentials; every other vector is compared as is above
            }

            ObSchema schema = ObSchemaValidator.GetSchema(
                ObSchemaValidator.DetectKind(JsonSerializer.SerializeToElement(obj)),
                ObSchemaValidator.DetectBuild(JsonSerializer.SerializeToElement(obj)));
            for (int i = 0; i < MutantsPerDocument; i++)
            {
                JsonNode mutant = original.DeepClone();
                int edits = 1 + random.Next(3);
                for (int e = 0; e < edits; e++)
                {
                    Mutate(mutant, random);
                }

                string json = mutant.ToJsonString();
                using JsonDocument document = JsonDocument.Parse(json);
                (_, bool fast, bool reference) = ObSchemaValidator.Shared.CompareEvaluators(schema, document.RootElement);
                (fast == reference).Should().BeTrue($"mutant {i} of {relative} (seed {Seed}): compiled {fast}, JsonSchema.Net {reference}: {json}");
                if (reference)
                {
                    valid++;
                }
                else
                {
                    invalid++;
                }
            }
        }

        // Both answers must be exercised, or the comparison proves nothing.
        (valid > 100).Should().BeTrue($"{valid} valid mutants");
        (invalid > 100).Should().BeTrue($"{invalid} invalid mutants");
    }

    private static void Mutate(JsonNode root, Random random)
    {
        List<JsonNode> nodes = [];
        Collect(root, nodes);
        JsonNode target = nodes[random.Next(nodes.Count)];
        JsonNode? parent = target.Parent;
        int operation = random.Next(8);
        if (parent is null)
        {
            if (target is JsonObject top)
            {
                top["extra" + random.Next(3)] = JsonValue.Create("x");
            }

            return;
        }

        JsonNode? replacement = operation switch
        {
            0 => s_replacements[random.Next(s_replacements.Length)]?.DeepClone(),
            1 => new JsonArray(target.DeepClone()),
            2 => target is JsonArray { Count: > 0 } array ? array[0]?.DeepClone() : new JsonArray(),
            3 => new JsonObject(),
            4 => new JsonArray(),
            5 when target is JsonObject o => WithExtra(o, random),
            6 when target is JsonArray a => WithDuplicate(a, random),
            _ => s_replacements[random.Next(s_replacements.Length)]?.DeepClone(),
        };

        if (operation == 7 && parent is JsonObject owner)
        {
            owner.Remove(target.GetPropertyName());
            return;
        }

        Replace(target, parent, replacement);
    }

    private static JsonObject WithExtra(JsonObject o, Random random)
    {
        var copy = (JsonObject)o.DeepClone();
        copy["extra" + random.Next(3)] = JsonValue.Create(random.Next(2) == 0 ? "x" : "2020-01-01T00:00:00Z");
        return copy;
    }

    private static JsonArray WithDuplicate(JsonArray a, Random random)
    {
        var copy = (JsonArray)a.DeepClone();
        if (copy.Count > 0)
        {
            copy.Add(copy[random.Next(copy.Count)]?.DeepClone());
        }

        return copy;
    }

    private static void Replace(JsonNode target, JsonNode parent, JsonNode? replacement)
    {
        if (parent is JsonObject obj)
        {
            obj[target.GetPropertyName()] = replacement;
        }
        else if (parent is JsonArray array)
        {
            array[target.GetElementIndex()] = replacement;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is null)
        {
            return;
        }

        into.Add(node);
        if (node is JsonObject obj)
        {
            foreach (KeyValuePair<string, JsonNode?> property in obj)
            {
                Collect(property.Value, into);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (JsonNode? item in array)
            {
                Collect(item, into);
            }
        }
    }
}
