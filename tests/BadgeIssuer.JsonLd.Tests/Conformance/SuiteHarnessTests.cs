using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>Checks of the runner's own plumbing: manifests, file mapping, error-code spelling, skips, comparison.</summary>
public sealed class SuiteHarnessTests
{
    [Theory]
    [InlineData("expand", 385, 276, 109, 0)]
    [InlineData("toRdf", 467, 345, 106, 16)]
    public void Manifest_Counts_MatchPinnedRevision(string manifest, int total, int positive, int negative, int syntax)
    {
        List<SuiteTest> tests = SuiteManifest.Load(manifest).Values.ToList();

        tests.Count.Should().Be(total);
        tests.Count(t => t.Types.Contains("jld:PositiveEvaluationTest")).Should().Be(positive);
        tests.Count(t => t.IsNegative).Should().Be(negative);
        tests.Count(t => t.IsPositiveSyntax).Should().Be(syntax);
    }

    [Theory]
    [InlineData("expand")]
    [InlineData("toRdf")]
    public void Manifest_ReferencedFiles_Exist(string manifest)
    {
        foreach (SuiteTest test in SuiteManifest.Load(manifest).Values)
        {
            File.Exists(SuiteManifest.LocalPath(test.Input)).Should().BeTrue(test.Input);
            if (test.IsNegative)
            {
                string.IsNullOrEmpty(test.ExpectErrorCode).Should().BeFalse(test.Id);
            }
            else if (!test.IsPositiveSyntax)
            {
                File.Exists(SuiteManifest.LocalPath(test.Expect!)).Should().BeTrue(test.Expect);
            }

            if (test.OptionString("expandContext") is string context)
            {
                File.Exists(SuiteManifest.LocalPath(context)).Should().BeTrue(context);
            }
        }
    }

    [Theory]
    [InlineData("expand")]
    [InlineData("toRdf")]
    public void Manifest_ExpectedErrorCodes_AreSpeltByJsonLdException(string manifest)
    {
        HashSet<string> known = Enum.GetValues<JsonLdErrorCode>().Select(JsonLdException.ToSpecCode).ToHashSet(StringComparer.Ordinal);

        string[] unknown = SuiteManifest.Load(manifest).Values
            .Where(t => t.ExpectErrorCode is not null && !known.Contains(t.ExpectErrorCode))
            .Select(t => $"{t.Id}: {t.ExpectErrorCode}")
            .ToArray();

        unknown.Should().BeEmpty();
    }

    [Theory]
    [InlineData("expand", 9)]
    [InlineData("toRdf", 11)]
    public void SkipTable_SkipsOnlyJsonLd10Tests_AtThisRevision(string manifest, int expectedSkips)
    {
        string?[] reasons = SuiteManifest.Load(manifest).Values.Select(SkipTable.ReasonToSkip).Where(r => r is not null).ToArray();

        reasons.Length.Should().Be(expectedSkips);
        reasons.Should().AllSatisfy(r => r.Should().Be("JSON-LD 1.0-only test"));
    }

    [Fact]
    public void Options_DefaultBase_IsTheTestUrl()
    {
        SuiteTest test = SuiteManifest.Load("expand")["t0001"];
        JsonLdOptions options = JsonLdApiSuite.OptionsFor(test, SuiteManifest.BaseIri + test.Input);

        options.Base.Should().Be("https://w3c.github.io/json-ld-api/tests/expand/0001-in.jsonld");
        options.ExpandContext.Should().BeNull();
        options.ProcessingMode.Should().Be("json-ld-1.1");
    }

    [Fact]
    public void Options_ExpandContext_PassesTheContextMember()
    {
        SuiteTest test = SuiteManifest.Load("expand")["t0077"];
        JsonLdOptions options = JsonLdApiSuite.OptionsFor(test, SuiteManifest.BaseIri + test.Input);

        options.ExpandContext.Should().NotBeNull();
        options.ExpandContext.Value.ValueKind.Should().Be(JsonValueKind.Object);
        options.ExpandContext.Value.TryGetProperty("term1", out _).Should().BeTrue();
    }

    [Theory]
    [InlineData("toRdf", "tdi09", RdfDirection.I18nDatatype, false)]
    [InlineData("toRdf", "tdi11", RdfDirection.CompoundLiteral, false)]
    [InlineData("toRdf", "te075", RdfDirection.None, true)]
    public void Options_RdfDirectionAndGeneralizedRdf_AreHonoured(string manifest, string id, RdfDirection direction, bool generalized)
    {
        SuiteTest test = SuiteManifest.Load(manifest)[id];
        JsonLdOptions options = JsonLdApiSuite.OptionsFor(test, SuiteManifest.BaseIri + test.Input);

        options.RdfDirection.Should().Be(direction);
        options.ProduceGeneralizedRdf.Should().Be(generalized);
    }

    [Fact]
    public void Options_BaseAndProcessingMode_AreHonoured()
    {
        SuiteTest withBase = SuiteManifest.Load("expand")["t0076"];
        SuiteTest mode10 = SuiteManifest.Load("expand")["tep02"];

        JsonLdApiSuite.OptionsFor(withBase, "unused").Base.Should().Be("http://example/base/");
        JsonLdApiSuite.OptionsFor(mode10, "unused").ProcessingMode.Should().Be("json-ld-1.0");
    }

    [Fact]
    public void Loader_ServesSuiteFiles_AndRefusesEverythingElse()
    {
        RemoteDocument doc = SuiteDocumentLoader.Load(SuiteManifest.BaseIri + "expand/0126-context.jsonld");
        doc.Document.RootElement.ValueKind.Should().Be(JsonValueKind.Object);

        JsonLdException other = FluentActions.Invoking(() => SuiteDocumentLoader.Load("https://example.com/context.jsonld")).Should().ThrowExactly<JsonLdException>().Which;
        other.Code.Should().Be(JsonLdErrorCode.LoadingDocumentFailed);
        other.Message.Should().Contain("https://example.com/context.jsonld");

        JsonLdException escape = FluentActions.Invoking(() => SuiteDocumentLoader.Load(SuiteManifest.BaseIri + "../../secret.json")).Should().ThrowExactly<JsonLdException>().Which;
        escape.Code.Should().Be(JsonLdErrorCode.LoadingDocumentFailed);

        JsonLdException missing = FluentActions.Invoking(() => SuiteDocumentLoader.Load(SuiteManifest.BaseIri + "expand/missing.jsonld")).Should().ThrowExactly<JsonLdException>().Which;
        missing.Code.Should().Be(JsonLdErrorCode.LoadingDocumentFailed);
    }

    [Theory]
    [InlineData("""{"a":1,"b":[1,2]}""", """{"b":[2,1],"a":1.0}""", true)]
    [InlineData("""[{"@id":"x"},{"@id":"y"}]""", """[{"@id":"y"},{"@id":"x"}]""", true)]
    [InlineData("""{"@list":[1,2]}""", """{"@list":[2,1]}""", false)]
    [InlineData("""{"p":[{"@list":[{"@value":"a"},{"@value":"b"}]}]}""", """{"p":[{"@list":[{"@value":"a"},{"@value":"b"}]}]}""", true)]
    [InlineData("""{"@value":"x","@language":"en-US"}""", """{"@value":"x","@language":"en-us"}""", true)]
    [InlineData("""{"@value":"X","@language":"en"}""", """{"@value":"x","@language":"en"}""", false)]
    [InlineData("""{"@value":[1,2],"@type":"@json"}""", """{"@value":[2,1],"@type":"@json"}""", false)]
    [InlineData("""{"@value":{"a":[1,2],"b":true},"@type":"@json"}""", """{"@value":{"b":true,"a":[1,2]},"@type":"@json"}""", true)]
    [InlineData("""[1,1,2]""", """[1,2,2]""", false)]
    [InlineData("""{"a":1}""", """{"a":1,"b":2}""", false)]
    [InlineData("""{"a":null}""", """{"a":false}""", false)]
    [InlineData("""[]""", """[[]]""", false)]
    public void Comparer_FollowsSuiteRules(string expected, string actual, bool equal)
    {
        using JsonDocument e = JsonDocument.Parse(expected);
        using JsonDocument a = JsonDocument.Parse(actual);

        JsonLdComparer.AreEqual(e.RootElement, a.RootElement, out string difference).Should().Be(equal);
        (difference.Length == 0).Should().Be(equal);
    }
}
