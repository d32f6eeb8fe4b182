using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;
using BadgeIssuer.Tests.Fuzzing;

namespace BadgeIssuer.JsonLd.Tests.Fuzzing;

/// <summary>
/// Seeded fuzzing of the N-Quads parser, JSON-LD expansion/toRdf and RDFC-1.0 (see <c>tests/Shared/MutationFuzzer.cs</c>):
/// each input ends as a result or a <see cref="FormatException"/> (N-Quads), <see cref="JsonLdException"/> or
/// <see cref="RdfcWorkLimitExceededException"/>, in bounded time.
/// </summary>
public sealed class JsonLdFuzzTests
{
    private static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    [Fact]
    public void Fuzz_NQuadsParseAndCanonicalize_OnlyDocumentedExceptions()
    {
        List<byte[]> seeds =
        [
            .. Directory.GetFiles(TestData("rdf-canon", "rdfc10"), "*-in.nq").Order(StringComparer.Ordinal).Take(40).Select(File.ReadAllBytes),
            .. MutationFuzzer.KeptInputs("nquads"),
        ];
        MutationFuzzer.Run("nquads", seeds, 5000, input =>
        {
            // Generalized RDF (blank-node predicates) parses, but RDFC-1.0 refuses it by contract (ArgumentException).
            bool generalized = input.Length % 2 == 0;
            RdfDataset dataset = NQuads.Parse(Encoding.UTF8.GetString(input), allowBlankNodePredicates: generalized);
            _ = generalized ? NQuads.Serialize(dataset.Quads) : JsonLdProcessor.Canonicalize(dataset);
        }, ex => ex is FormatException or RdfcWorkLimitExceededException,
            MutationFuzzer.Tokens("_:b0 ", "<http://example.org/p> ", "\"x\"@en ", "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer> ", " .\n", "\\u0000", "\\U0010FFFF", "\\", "#", "<>", "\"\"\"", "_:", "@"));
    }

    [Fact]
    public void Fuzz_JsonLdExpandToRdf_OnlyDocumentedExceptions()
    {
        List<byte[]> seeds =
        [
            .. Directory.GetFiles(TestData("json-ld-api", "expand"), "*-in.jsonld").Order(StringComparer.Ordinal).Where((_, i) => i % 4 == 0).Select(File.ReadAllBytes),
            .. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "samples"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes),
            .. MutationFuzzer.KeptInputs("jsonld"),
        ];

        // Byte mutants of the W3C expansion inputs and samples, and (every third input) a document generated from JSON-LD's
        // keywords, bundled contexts and term definitions.
        MutationFuzzer.Run("jsonld", seeds, 5000, input =>
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = JsonLdOptions.DefaultMaxDepth });
            }
            catch (JsonException)
            {
                return; // Not JSON: nothing for the processor to do.
            }

            using (document)
            {
                JsonLdOptions options = input.Length % 3 == 0 ? JsonLdOptions.Safe : new JsonLdOptions { Base = "https://example.org/base/" };
                _ = JsonLdProcessor.Expand(document.RootElement, options);
                _ = JsonLdProcessor.Canonicalize(document.RootElement, options);
            }
        }, ex => ex is JsonLdException or RdfcWorkLimitExceededException,
            MutationFuzzer.Tokens("\"@context\":", "\"@id\":", "\"@type\":", "\"@value\":", "\"@list\":", "\"@graph\":", "\"@reverse\":", "\"@nest\":", "\"@included\":",
                "\"@container\":\"@language\"", "\"@protected\":true", "\"@vocab\":", "{\"@context\":null}", "\"https://www.w3.org/ns/credentials/v2\"", "\"_:b0\"", "\\ud800"),
            (random, input) => random.Next(3) == 0 ? Encoding.UTF8.GetBytes(RandomDocument(random).ToJsonString()) : input);
    }

    private static readonly string[] s_keys =
    [
        "@context", "@id", "@type", "@value", "@language", "@direction", "@list", "@set", "@graph", "@reverse", "@index", "@included", "@nest",
        "@json", "@none", "@vocab", "@base", "@version", "@protected", "@propagate", "@import", "@container", "@prefix",
        "name", "description", "type", "id", "credentialSubject", "achievement", "issuer", "p", "q", "ex:a", "_:b", "http://example.org/p",
    ];

    private static readonly string[] s_strings =
    [
        "http://example.org/x", "_:b0", "_:b1", "@id", "@vocab", "@json", "@list", "@set", "@graph", "@language", "@index", "@type", "@none", "en", "rtl", "",
        "ex:", "ex:y", "relative/iri", "#frag", "https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2", "https://example.org/remote-context.jsonld", "VerifiableCredential", "OpenBadgeCredential",
    ];

    private static JsonObject RandomDocument(Random random)
    {
        var root = new JsonObject { ["@context"] = RandomContext(random, 0) };
        for (int i = random.Next(1, 5); i > 0; i--)
        {
            root[s_keys[random.Next(s_keys.Length)]] = RandomValue(random, 1);
        }

        return root;
    }

    private static JsonNode? RandomContext(Random random, int depth)
    {
        switch (random.Next(4))
        {
            case 0:
                return JsonValue.Create(s_strings[random.Next(s_strings.Length)]);
            case 1:
                return new JsonArray(JsonValue.Create("https://www.w3.org/ns/credentials/v2"), RandomContext(random, depth + 1));
            default:
                var context = new JsonObject();
                for (int i = random.Next(0, 5); i > 0; i--)
                {
                    string key = s_keys[random.Next(s_keys.Length)];
                    context[key] = random.Next(2) == 0 || depth > 2
                        ? JsonValue.Create(s_strings[random.Next(s_strings.Length)])
                        : new JsonObject
                        {
                            ["@id"] = s_strings[random.Next(s_strings.Length)],
                            ["@type"] = s_strings[random.Next(s_strings.Length)],
                            ["@container"] = s_strings[random.Next(s_strings.Length)],
                            ["@context"] = RandomContext(random, depth + 1),
                            ["@protected"] = random.Next(2) == 0,
                        };
                }

                return context;
        }
    }

    private static JsonNode? RandomValue(Random random, int depth)
    {
        switch (depth > 5 ? random.Next(4) : random.Next(7))
        {
            case 0:
                return JsonValue.Create(s_strings[random.Next(s_strings.Length)]);
            case 1:
                return random.Next(3) switch { 0 => JsonValue.Create(1), 1 => JsonValue.Create(1.5e300), _ => JsonValue.Create(-0.0) };
            case 2:
                return JsonValue.Create(random.Next(2) == 0);
            case 3:
                return null;
            case 4:
                var array = new JsonArray();
                for (int i = random.Next(0, 4); i > 0; i--)
                {
                    array.Add(RandomValue(random, depth + 1));
                }

                return array;
            default:
                var obj = new JsonObject();
                for (int i = random.Next(0, 4); i > 0; i--)
                {
                    string key = s_keys[random.Next(s_keys.Length)];
                    obj[key] = key == "@context" ? RandomContext(random, depth) : RandomValue(random, depth + 1);
                }

                return obj;
        }
    }
}
