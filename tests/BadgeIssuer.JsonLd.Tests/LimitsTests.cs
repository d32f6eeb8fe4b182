using System.Text;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary>Input-driven costs are bounded: depth, number of contexts, numbers out of range.</summary>
public class LimitsTests
{
    [Fact]
    public void Deep_nesting_fails_with_a_resource_limit_not_a_stack_overflow()
    {
        var sb = new StringBuilder();
        const int depth = 500;
        sb.Append("{\"@context\": {\"@vocab\": \"http://example.org/\"}, \"p\": ");
        for (int i = 0; i < depth; i++)
        {
            sb.Append("{\"p\": ");
        }

        sb.Append("\"leaf\"");
        sb.Append('}', depth + 1);
        using JsonDocument doc = JsonDocument.Parse(sb.ToString(), new JsonDocumentOptions { MaxDepth = 2048 });
        JsonLdException ex = Assert.Throws<JsonLdException>(() => JsonLdProcessor.ToRdf(doc.RootElement));
        Assert.Equal(JsonLdErrorCode.ResourceLimitExceeded, ex.Code);
    }

    [Fact]
    public void Nesting_within_the_limit_expands()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"@context": {"@vocab": "http://example.org/"}, "p": {"p": {"p": {"p": "leaf"}}}}""");
        Assert.Equal(4, JsonLdProcessor.ToRdf(doc.RootElement).Count);
    }

    [Fact]
    public void Too_many_contexts_fail_with_a_resource_limit()
    {
        string contexts = string.Join(",", Enumerable.Repeat("\"https://www.w3.org/ns/credentials/v2\"", JsonLdOptions.DefaultMaxContexts + 1));
        using JsonDocument doc = JsonDocument.Parse("{\"@context\": [" + contexts + "], \"id\": \"urn:x\"}");
        JsonLdException ex = Assert.Throws<JsonLdException>(() => JsonLdProcessor.ToRdf(doc.RootElement));
        Assert.Equal(JsonLdErrorCode.ResourceLimitExceeded, ex.Code);
    }

    [Fact]
    public void Context_limit_is_configurable()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"], "id": "urn:x", "type": "VerifiableCredential"}""");
        Assert.Throws<JsonLdException>(() => JsonLdProcessor.ToRdf(doc.RootElement, new JsonLdOptions { MaxContexts = 1 }));
        Assert.Equal(1, JsonLdProcessor.ToRdf(doc.RootElement, new JsonLdOptions { MaxContexts = 2 }).Count);
    }

    [Fact]
    public void Number_out_of_double_range_is_a_clear_error()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"@context": {"@vocab": "http://example.org/"}, "n": 1e400}""");
        JsonLdException ex = Assert.Throws<JsonLdException>(() => JsonLdProcessor.ToRdf(doc.RootElement));
        Assert.Contains("1e400", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scoped_context_definitions_that_reference_themselves_terminate()
    {
        // A term whose scoped context redefines the same term with the same scoped context, used recursively.
        using JsonDocument doc = JsonDocument.Parse("""
            {"@context": {"@vocab": "http://example.org/", "t": {"@context": {"t": {"@id": "http://example.org/t"}}}},
             "t": {"t": {"t": {"t": "x"}}}}
            """);
        Assert.Equal(4, JsonLdProcessor.ToRdf(doc.RootElement).Count);
    }
}
