using System.Text.Json;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>
/// The W3C JSON-LD 1.1 API test suite (expand and toRdf manifests), one theory row per manifest entry.
/// Skips come only from <see cref="SkipTable"/>; comparisons are described on <see cref="JsonLdComparer"/> and
/// <see cref="CanonicalDataset"/>.
/// </summary>
public sealed class JsonLdApiSuite
{
    public static TheoryData<string> ExpandIds => SuiteManifest.Ids("expand");

    public static TheoryData<string> ToRdfIds => SuiteManifest.Ids("toRdf");

    [Theory]
    [MemberData(nameof(ExpandIds))]
    public void Expand_Manifest(string id)
    {
        SuiteTest test = Prepare("expand", id, out JsonElement input, out JsonLdOptions options);

        if (test.IsNegative)
        {
            JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Expand(input, options)).Should().ThrowExactly<JsonLdException>().Which;
            ex.SpecCode.Should().Be(test.ExpectErrorCode);
            return;
        }

        JsonElement actual = JsonLdProcessor.Expand(input, options);
        JsonElement expected = ReadJson(test.Expect!);
        JsonLdComparer.AreEqual(expected, actual, out string difference).Should().BeTrue($"{test.Name}: {difference}{Environment.NewLine}actual: {actual.GetRawText()}");
    }

    [Theory]
    [MemberData(nameof(ToRdfIds))]
    public void ToRdf_Manifest(string id)
    {
        SuiteTest test = Prepare("toRdf", id, out JsonElement input, out JsonLdOptions options);

        if (test.IsNegative)
        {
            JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.ToRdf(input, options)).Should().ThrowExactly<JsonLdException>().Which;
            ex.SpecCode.Should().Be(test.ExpectErrorCode);
            return;
        }

        RdfDataset actual = JsonLdProcessor.ToRdf(input, options);
        if (test.IsPositiveSyntax)
        {
            // A positive syntax test only requires that processing succeeds.
            return;
        }

        RdfDataset expected = NQuads.Parse(File.ReadAllText(SuiteManifest.LocalPath(test.Expect!)), options.ProduceGeneralizedRdf);
        if (options.ProduceGeneralizedRdf)
        {
            CanonicalDataset.AreIsomorphic(expected, actual).Should().BeTrue("the generalized datasets are not isomorphic");
            return;
        }

        CanonicalDataset.Of(actual).Should().Be(CanonicalDataset.Of(expected));
    }

    private static SuiteTest Prepare(string manifest, string id, out JsonElement input, out JsonLdOptions options)
    {
        SuiteTest test = SuiteManifest.Load(manifest)[id];
        string? skip = SkipTable.ReasonToSkip(test);
        if (skip is not null)
        {
            Assert.Skip(skip);
        }

        string inputUrl = SuiteManifest.BaseIri + test.Input;
        input = SuiteDocumentLoader.Load(inputUrl).Document.RootElement;
        options = OptionsFor(test, inputUrl);
        return test;
    }

    /// <summary>Turns the entry's <c>option</c> object into <see cref="JsonLdOptions"/>.</summary>
    internal static JsonLdOptions OptionsFor(SuiteTest test, string inputUrl)
    {
        JsonElement? expandContext = null;
        if (test.OptionString("expandContext") is string contextPath)
        {
            // expandContext is an IRI relative to the manifest; a document with an @context member contributes
            // that member's value (JSON-LD 1.1 API, expand() step 5).
            JsonElement root = SuiteDocumentLoader.Load(SuiteManifest.BaseIri + contextPath).Document.RootElement;
            expandContext = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("@context", out JsonElement ctx) ? ctx : root;
        }

        return new JsonLdOptions
        {
            Base = test.OptionString("base") ?? inputUrl,
            ExpandContext = expandContext,
            ProcessingMode = test.OptionString("processingMode") ?? "json-ld-1.1",
            ProduceGeneralizedRdf = test.OptionTrue("produceGeneralizedRdf"),
            RdfDirection = test.OptionString("rdfDirection") switch
            {
                null => RdfDirection.None,
                "i18n-datatype" => RdfDirection.I18nDatatype,
                "compound-literal" => RdfDirection.CompoundLiteral,
                string other => throw new InvalidOperationException($"Unknown rdfDirection option '{other}' in {test.Manifest}#{test.Id}."),
            },
            DocumentLoader = SuiteDocumentLoader.Load,
        };
    }

    private static JsonElement ReadJson(string relative)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(SuiteManifest.LocalPath(relative)));
        return doc.RootElement.Clone();
    }
}
