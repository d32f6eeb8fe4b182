using System.Text;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary>
/// <see cref="JsonLdJsNumbers"/>: jsonld.js writes a non-integral number whose JavaScript text has no <c>.</c>
/// (<c>1e-7</c>) as <c>value.toFixed(0)</c>, an <c>xsd:integer</c>, where the specification writes a canonical
/// <c>xsd:double</c>. Expected jsonld.js forms follow its toRdf (<c>types.isDouble</c> = <c>String(v).includes('.')</c>
/// or |v| ≥ 1e21, else <c>toFixed(0)</c>); the interop tests check them against jsonld.js itself.
/// </summary>
public sealed class JsonLdJsNumbersTests
{
    private static readonly JsonLdOptions s_spec = new() { SafeMode = true };
    private static readonly JsonLdOptions s_refuse = new() { SafeMode = true, JsonLdJsNumbers = JsonLdJsNumbers.Refuse };
    private static readonly JsonLdOptions s_js = new() { SafeMode = true, JsonLdJsNumbers = JsonLdJsNumbers.JsonLdJs };

    [Theory]
    [InlineData("1e-7", true)]
    [InlineData("-1e-7", true)]
    [InlineData("0.0000003", true)]
    [InlineData("5e-324", true)]
    [InlineData("1.5e-7", false)]
    [InlineData("1.2e-10", false)]
    [InlineData("1e-6", false)]
    [InlineData("0.5", false)]
    [InlineData("0", false)]
    [InlineData("7", false)]
    [InlineData("1e21", false)]
    [InlineData("1.5e300", false)]
    public void ReadsAsInteger_OnlyNumbersWhoseJavaScriptTextHasNoDot(string json, bool expected)
    {
        double value = JsonDocument.Parse(json).RootElement.GetDouble();

        JsonLdJsCompatibility.ReadsAsInteger(value).Should().Be(expected);
    }

    [Fact]
    public void ToRdf_SpecificationByDefault_WritesTheCanonicalDouble()
    {
        Canonicalize("1e-7", s_spec).Should().Be("<ex:s> <ex:n> \"1.0E-7\"^^<http://www.w3.org/2001/XMLSchema#double> .\n");
        Canonicalize("1e-7", new JsonLdOptions()).Should().Be(Canonicalize("1e-7", s_spec));
    }

    [Fact]
    public void ToRdf_JsonLdJs_WritesToFixedZeroAsAnInteger()
    {
        Canonicalize("1e-7", s_js).Should().Be("<ex:s> <ex:n> \"0\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n");
        Canonicalize("-3e-9", s_js).Should().Be("<ex:s> <ex:n> \"-0\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n");
    }

    [Fact]
    public void ToRdf_JsonLdJs_KeepsATermsDatatype()
    {
        // creditsEarned in the OB context is typed xsd:float: jsonld.js keeps the datatype and still writes "0".
        string nquads = Canonicalize("""{"@value": 1e-7, "@type": "http://www.w3.org/2001/XMLSchema#float"}""", s_js);

        nquads.Should().Be("<ex:s> <ex:n> \"0\"^^<http://www.w3.org/2001/XMLSchema#float> .\n");
    }

    [Theory]
    [InlineData("1.5e-7")]
    [InlineData("0.25")]
    [InlineData("42")]
    [InlineData("1e21")]
    [InlineData("""{"@value": 1e-7, "@type": "http://www.w3.org/2001/XMLSchema#double"}""")]
    [InlineData("""{"@value": {"n": 1e-7}, "@type": "@json"}""")]
    public void ToRdf_NumbersBothProcessorsAgreeOn_AreTheSameInEveryMode(string value)
    {
        string spec = Canonicalize(value, s_spec);

        Canonicalize(value, s_js).Should().Be(spec);
        Canonicalize(value, s_refuse).Should().Be(spec);
    }

    [Fact]
    public void ToRdf_Refuse_FailsNamingBothForms()
    {
        using JsonDocument doc = JsonDocument.Parse(Document("1e-7"));

        JsonLdException e = FluentActions.Invoking(() => JsonLdProcessor.ToRdf(doc.RootElement, s_refuse)).Should().ThrowExactly<JsonLdException>().Which;

        e.Code.Should().Be(JsonLdErrorCode.NumberNotPortable);
        e.Message.Should().Contain("1e-7").And.Contain("\"1.0E-7\"^^xsd:double").And.Contain("\"0\"^^xsd:integer").And.Contain("two significant digits");
    }

    [Fact]
    public void FindNumbersReadAsIntegers_NamesPointersOutsideContexts()
    {
        using JsonDocument doc = JsonDocument.Parse("""
            {"@context": {"x": {"@id": "ex:x"}, "weight": 1e-7}, "a/b": [0.5, 2e-8], "c": {"d~": -4e-9, "e": 1.5e-7}}
            """);

        IReadOnlyList<(string Pointer, double Value)> found = JsonLdJsCompatibility.FindNumbersReadAsIntegers(doc.RootElement);

        string.Join(", ", found.Select(f => f.Pointer)).Should().Be("/a~1b/1, /c/d~0");
    }

    [Fact]
    public void FindNumbersReadAsIntegers_CutsLongNamesAndStopsAtTheReportLimit()
    {
        string longName = new('k', 300);
        string many = string.Join(", ", Enumerable.Repeat("1e-7", 50));
        using JsonDocument doc = JsonDocument.Parse($$$"""{"{{{longName}}}": [{{{many}}}]}""");

        IReadOnlyList<(string Pointer, double Value)> found = JsonLdJsCompatibility.FindNumbersReadAsIntegers(doc.RootElement);

        found.Should().HaveCount(JsonLdJsCompatibility.MaxReported);
        found[0].Pointer.Should().Be("/" + new string('k', 64) + "…/0");
    }

    private static string Document(string value) => $$$"""{"@context": {"n": {"@id": "ex:n"}}, "@id": "ex:s", "n": {{{value}}}}""";

    private static string Canonicalize(string value, JsonLdOptions options)
        => JsonLdProcessor.Canonicalize(Encoding.UTF8.GetBytes(Document(value)), options);
}
