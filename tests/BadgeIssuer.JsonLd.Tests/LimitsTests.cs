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
        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement)).Should().ThrowExactly<JsonLdException>().Which;
        ex.Code.Should().Be(JsonLdErrorCode.ResourceLimitExceeded);
    }

    // Found by fuzzing: JsonDocument parses these and throws InvalidOperationException only when the string is read.
    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' })]
    public void Unreadable_string_fails_as_loading_document_failed(byte[] text)
    {
        byte[] json = [.. "{\"@context\": {\"@vocab\": \"http://example.org/\"}, \"name\": \""u8, .. text, .. "\"}"u8];
        using JsonDocument doc = JsonDocument.Parse(json);

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement)).Should().ThrowExactly<JsonLdException>().Which;

        ex.Code.Should().Be(JsonLdErrorCode.LoadingDocumentFailed);
    }

    [Fact]
    public void Nesting_within_the_limit_expands()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"@context": {"@vocab": "http://example.org/"}, "p": {"p": {"p": {"p": "leaf"}}}}""");
        JsonLdProcessor.ToRdf(doc.RootElement).Count.Should().Be(4);
    }

    [Fact]
    public void Too_many_contexts_fail_with_a_resource_limit()
    {
        // Distinct inline contexts, each processed (the same URL again is served from the cache and not counted).
        string contexts = string.Join(",", Enumerable.Range(0, JsonLdOptions.DefaultMaxContexts + 1).Select(i => "{\"@vocab\": \"http://example.org/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/\"}"));
        using JsonDocument doc = JsonDocument.Parse("{\"@context\": [" + contexts + "], \"id\": \"urn:x\"}");
        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement)).Should().ThrowExactly<JsonLdException>().Which;
        ex.Code.Should().Be(JsonLdErrorCode.ResourceLimitExceeded);
    }

    [Fact]
    public void The_same_contexts_on_many_nodes_are_served_from_the_cache_and_not_counted_again()
    {
        // Like a CLR's embedded credentials: each node names the contexts its parent already applied.
        string node = """{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x:N", "type": "VerifiableCredential"}""";
        string nodes = string.Join(",", Enumerable.Range(0, JsonLdOptions.DefaultMaxContexts * 4).Select(i => node.Replace("N", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        using JsonDocument doc = JsonDocument.Parse("{\"@context\": [\"https://www.w3.org/ns/credentials/v2\", {\"@vocab\": \"http://example.org/\"}], \"id\": \"urn:root\", \"items\": [" + nodes + "]}");

        JsonLdProcessor.ToRdf(doc.RootElement).Count.Should().Be(JsonLdOptions.DefaultMaxContexts * 4 * 2);
    }

    [Fact]
    public void Context_limit_is_configurable()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"], "id": "urn:x", "type": "VerifiableCredential"}""");
        // The context cache is shared: the limit must count the same however warm the cache is, so the document is
        // processed once within the limit first.
        JsonLdProcessor.ToRdf(doc.RootElement, new JsonLdOptions { MaxContexts = 2 }).Count.Should().Be(1);
        FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement, new JsonLdOptions { MaxContexts = 1 })).Should().ThrowExactly<JsonLdException>();
    }

    [Fact]
    public void Number_out_of_double_range_is_a_clear_error()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"@context": {"@vocab": "http://example.org/"}, "n": 1e400}""");
        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement)).Should().ThrowExactly<JsonLdException>().Which;
        ex.Message.Should().Contain("1e400");
    }

    [Fact]
    public void Scoped_context_definitions_that_reference_themselves_terminate()
    {
        // A term whose scoped context redefines the same term with the same scoped context, used recursively.
        using JsonDocument doc = JsonDocument.Parse("""
            {"@context": {"@vocab": "http://example.org/", "t": {"@context": {"t": {"@id": "http://example.org/t"}}}},
             "t": {"t": {"t": {"t": "x"}}}}
            """);
        JsonLdProcessor.ToRdf(doc.RootElement).Count.Should().Be(4);
    }
}

public class ContextWorkLimitTests
{
    [Fact]
    public void Many_scoped_contexts_that_each_reprocess_large_contexts_hit_the_term_definition_budget()
    {
        // Each term carries its own scoped context naming VC v2 + OB 3.0.3; applying it re-processes them.
        const int terms = 400;
        var context = new System.Text.StringBuilder("{\"@vocab\": \"http://example.org/\"");
        var body = new System.Text.StringBuilder();
        for (int i = 0; i < terms; i++)
        {
            context.Append(System.Globalization.CultureInfo.InvariantCulture, $",\"t{i}\": {{\"@id\": \"http://example.org/t{i}\", \"@context\": [\"https://www.w3.org/ns/credentials/v2\", \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"]}}");
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $",\"t{i}\": {{\"name\": \"x\"}}");
        }

        context.Append('}');
        using JsonDocument doc = JsonDocument.Parse("{\"@context\": " + context + body + "}");
        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement)).Should().ThrowExactly<JsonLdException>().Which;
        ex.Code.Should().Be(JsonLdErrorCode.ResourceLimitExceeded);
        ex.Message.Should().Contain("term definitions");
    }

    [Fact]
    public void A_large_flat_context_within_the_budget_is_processed()
    {
        var context = new System.Text.StringBuilder("{");
        for (int i = 0; i < 5000; i++)
        {
            context.Append(System.Globalization.CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}\"t{i}\": \"http://example.org/t{i}\"");
        }

        context.Append('}');
        using JsonDocument doc = JsonDocument.Parse("{\"@context\": " + context + ", \"t4999\": \"x\"}");
        JsonLdProcessor.ToRdf(doc.RootElement).Count.Should().Be(1);
        FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement, new JsonLdOptions { MaxTermDefinitions = 4000 })).Should().ThrowExactly<JsonLdException>();
    }

    [Fact]
    public void Concurrent_canonicalization_shares_the_context_cache_safely()
    {
        string[] files = ["ob-credential.json", "ob-proof-config.json"];
        string samples = Path.Combine(AppContext.BaseDirectory, "samples");
        var docs = files.Select(f => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(samples, f)))).ToArray();
        try
        {
            // A fresh loader gives fresh (cold) roots, so the threads race to build and publish the same contexts.
            var loader = new BundledDocumentLoader();
            var options = new JsonLdOptions { SafeMode = true, DocumentLoader = loader.Load };
            string[] expected = docs.Select(d => JsonLdProcessor.Canonicalize(d.RootElement, JsonLdOptions.Safe)).ToArray();
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                int k = i % docs.Length;
                string actual = JsonLdProcessor.Canonicalize(docs[k].RootElement, options);
                if (!string.Equals(actual, expected[k], StringComparison.Ordinal))
                {
                    failures.Add(files[k]);
                }
            });
            failures.Should().BeEmpty();
        }
        finally
        {
            foreach (JsonDocument d in docs)
            {
                d.Dispose();
            }
        }
    }
}
