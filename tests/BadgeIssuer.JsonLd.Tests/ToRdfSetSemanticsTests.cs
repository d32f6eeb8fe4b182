using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary>toRdf yields a set: values that differ in JSON but map to the same RDF term give one quad.</summary>
public class ToRdfSetSemanticsTests
{
    [Fact]
    public void Equal_literals_from_different_value_objects_give_one_quad()
    {
        using JsonDocument doc = JsonDocument.Parse("""
            {"@id": "http://example.org/s",
             "http://example.org/p": [
               {"@value": "a"},
               {"@value": "a", "@type": "http://www.w3.org/2001/XMLSchema#string"},
               {"@value": 1}, {"@value": 1.0}, {"@value": "1", "@type": "http://www.w3.org/2001/XMLSchema#integer"}
             ]}
            """);
        var dataset = JsonLdProcessor.ToRdf(doc.RootElement);
        dataset.Count.Should().Be(2);
    }

    [Fact]
    public void Adding_an_existing_quad_to_a_converted_dataset_is_refused()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"@id": "http://example.org/s", "http://example.org/p": "x"}""");
        var dataset = JsonLdProcessor.ToRdf(doc.RootElement);
        dataset.Add(dataset.Quads[0]).Should().BeFalse();
        dataset.Count.Should().Be(1);
    }
}
