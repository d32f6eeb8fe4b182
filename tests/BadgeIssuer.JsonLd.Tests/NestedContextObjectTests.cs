using System.Text;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary>
/// <see cref="JsonLdOptions.UnwrapNestedContextObjects"/>: jsonld.js reads an element <c>{"@context": {…}}</c> of a
/// context array as the context it wraps; JSON-LD 1.1 calls it a keyword redefinition (W3C test ter56, which the
/// conformance runner keeps strict). Only the exact shape is unwrapped, one step deep.
/// </summary>
public sealed class NestedContextObjectTests
{
    private static readonly JsonLdOptions s_lenient = new() { UnwrapNestedContextObjects = true };
    private static readonly JsonLdOptions s_strict = new();

    [Fact]
    public void ToRdf_WrapperInContextArrayWithFlag_ReadsTheWrappedContext()
    {
        string nquads = Canonicalize("""[{"@context": {"p": "ex:p"}}]""", s_lenient);

        nquads.Should().Be("<ex:1> <ex:p> \"value\" .\n");
    }

    [Fact]
    public void ToRdf_WrapperInContextArrayWithFlag_EqualsTheUnwrappedDocument()
    {
        string wrapped = Canonicalize("""["https://www.w3.org/ns/credentials/v2", {"@context": {"p": "ex:p", "@vocab": "https://example.org/vocab#"}}]""", s_lenient);
        string plain = Canonicalize("""["https://www.w3.org/ns/credentials/v2", {"p": "ex:p", "@vocab": "https://example.org/vocab#"}]""", s_strict);

        wrapped.Should().Be(plain);
    }

    [Fact]
    public void ToRdf_WrapperInContextArrayWithoutFlag_KeywordRedefinition()
    {
        JsonLdErrorCode code = Fails("""[{"@context": {"p": "ex:p"}}]""", s_strict);

        code.Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    [Fact]
    public void Options_DefaultAndSafe_UnwrapOnlyInSafe()
    {
        new JsonLdOptions().UnwrapNestedContextObjects.Should().BeFalse();
        JsonLdOptions.Safe.UnwrapNestedContextObjects.Should().BeTrue();
    }

    // ter56's own shape: the wrapper as the whole @context value. jsonld.js accepts it too; we keep it an error.
    [Theory]
    [InlineData("""{"@context": {"p": "ex:p"}}""")]
    [InlineData("""{"@context": [{"p": "ex:p"}]}""")]
    public void ToRdf_WrapperAsWholeContextValueWithFlag_KeywordRedefinition(string context)
    {
        Fails(context, s_lenient).Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    // jsonld.js silently ignores a sibling of the wrapped @context (here "p": "ex:other"); we refuse rather than guess.
    [Theory]
    [InlineData("""[{"@context": {"p": "ex:p"}, "p": "ex:other"}]""")]
    [InlineData("""[{"@context": {"p": "ex:p"}, "@version": 1.1}]""")]
    public void ToRdf_WrapperWithSiblingMemberWithFlag_KeywordRedefinition(string context)
    {
        Fails(context, s_lenient).Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    // jsonld.js refuses these too ("invalid local context"): only an object is unwrapped.
    [Theory]
    [InlineData("""[{"@context": "https://www.w3.org/ns/credentials/v2"}]""")]
    [InlineData("""[{"@context": [{"p": "ex:p"}]}]""")]
    [InlineData("""[{"@context": null}]""")]
    public void ToRdf_WrapperOfNonObjectWithFlag_KeywordRedefinition(string context)
    {
        Fails(context, s_lenient).Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    // One step only, as jsonld.js: the unwrapped object is a context definition, where @context is a keyword redefinition.
    [Fact]
    public void ToRdf_WrapperInsideWrapperWithFlag_KeywordRedefinition()
    {
        Fails("""[{"@context": {"@context": {"p": "ex:p"}}}]""", s_lenient).Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    [Fact]
    public void ToRdf_DeeplyNestedWrappersWithFlag_FailAtTheSecondLevel()
    {
        var context = new StringBuilder();
        const int depth = 40;
        context.Append('[');
        for (int i = 0; i < depth; i++)
        {
            context.Append("{\"@context\": ");
        }

        context.Append("{\"p\": \"ex:p\"}");
        context.Append('}', depth);
        context.Append(']');

        Fails(context.ToString(), s_lenient).Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    [Fact]
    public void ToRdf_WrapperInScopedContextArrayWithFlag_ReadsTheWrappedContext()
    {
        const string document = """
            {
              "@context": {"t": {"@id": "ex:t", "@context": [{"@context": {"p": "ex:p"}}]}},
              "@id": "ex:1",
              "t": {"@id": "ex:2", "p": "v"}
            }
            """;
        using JsonDocument doc = JsonDocument.Parse(document);

        JsonLdProcessor.Canonicalize(doc.RootElement, s_lenient).Should().Be("<ex:1> <ex:t> <ex:2> .\n<ex:2> <ex:p> \"v\" .\n");
        FluentActions.Invoking(() => JsonLdProcessor.Canonicalize(doc.RootElement, s_strict)).Should().ThrowExactly<JsonLdException>()
            .Which.Code.Should().Be(JsonLdErrorCode.InvalidScopedContext);
    }

    // Processed contexts are memoised per document loader: a remote context read leniently must not be served to a
    // strict run that uses the same loader.
    [Fact]
    public void ToRdf_RemoteContextReadWithFlagThenWithout_StrictRunStillRefuses()
    {
        var loader = new OneContextLoader("""{"@context": [{"@context": {"p": "ex:p"}}]}""");
        using JsonDocument doc = JsonDocument.Parse("""{"@context": "https://example.org/wrapped", "@id": "ex:1", "p": "value"}""");

        JsonLdProcessor.Canonicalize(doc.RootElement, new JsonLdOptions { DocumentLoader = loader.Load, UnwrapNestedContextObjects = true })
            .Should().Be("<ex:1> <ex:p> \"value\" .\n");
        FluentActions.Invoking(() => JsonLdProcessor.Canonicalize(doc.RootElement, new JsonLdOptions { DocumentLoader = loader.Load }))
            .Should().ThrowExactly<JsonLdException>().Which.Code.Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    private static string Canonicalize(string context, JsonLdOptions options)
    {
        using JsonDocument doc = JsonDocument.Parse(Document(context));
        return JsonLdProcessor.Canonicalize(doc.RootElement, options);
    }

    private static JsonLdErrorCode Fails(string context, JsonLdOptions options)
    {
        using JsonDocument doc = JsonDocument.Parse(Document(context));
        return FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement, options)).Should().ThrowExactly<JsonLdException>().Which.Code;
    }

    private static string Document(string context) => "{\"@context\": " + context + ", \"@id\": \"ex:1\", \"p\": \"value\"}";

    private sealed class OneContextLoader(string json)
    {
        public RemoteDocument Load(string url) => url == "https://example.org/wrapped"
            ? new RemoteDocument(url, JsonDocument.Parse(json))
            : BundledDocumentLoader.Default.Load(url);
    }
}
