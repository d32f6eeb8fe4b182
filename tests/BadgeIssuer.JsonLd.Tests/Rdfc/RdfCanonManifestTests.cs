using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdfc;

/// <summary>The W3C RDFC-1.0 test suite (w3c/rdf-canon, see TestData/rdf-canon/PROVENANCE.md), one case per manifest entry.</summary>
public sealed class RdfCanonManifestTests
{
    public static TheoryData<string> ManifestIds()
    {
        var data = new TheoryData<string>();
        foreach (RdfCanonEntry entry in RdfCanonManifest.Entries)
        {
            data.Add(entry.Id);
        }

        return data;
    }

    [Fact]
    public void Manifest_has_all_entries()
    {
        RdfCanonManifest.Entries.Count.Should().Be(86);
    }

    [Theory]
    [MemberData(nameof(ManifestIds))]
    public void RdfCanon_Manifest(string id)
    {
        RdfCanonEntry entry = RdfCanonManifest.Get(id);
        RdfDataset input = RdfCanonManifest.LoadInput(entry);
        var options = new RdfcOptions { HashAlgorithm = entry.HashAlgorithm };

        switch (entry.Type)
        {
            case RdfCanonManifest.EvalTest:
            {
                RdfcResult result = RdfCanonicalizer.Canonicalize(input, options);
                byte[] expected = RdfCanonManifest.LoadResultBytes(entry);
                byte[] actual = Encoding.UTF8.GetBytes(result.CanonicalNQuads);
                result.CanonicalNQuads.Should().Be(Encoding.UTF8.GetString(expected));
                actual.Should().Equal(expected);
                NQuads.Serialize(result.Quads).Should().Be(result.CanonicalNQuads);
                break;
            }

            case RdfCanonManifest.MapTest:
            {
                RdfcResult result = RdfCanonicalizer.Canonicalize(input, options);
                using JsonDocument expected = JsonDocument.Parse(RdfCanonManifest.LoadResultBytes(entry));
                var expectedMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (JsonProperty property in expected.RootElement.EnumerateObject())
                {
                    expectedMap.Add(property.Name, property.Value.GetString()!);
                }

                var actualMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, string> pair in result.IssuedIdentifiers)
                {
                    actualMap.Add(pair.Key, pair.Value);
                }

                actualMap.Should().Equal(expectedMap);
                break;
            }

            case RdfCanonManifest.NegativeEvalTest:
            {
                // The work limit (a count of Hash N-Degree Quads calls, not a clock) must stop the poison graph.
                var ex = FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(input, options)).Should().ThrowExactly<RdfcWorkLimitExceededException>().Which;
                ex.Message.Should().Be("canonicalization work limit exceeded");
                break;
            }

            default:
                Assert.Fail($"{id}: unknown test type {entry.Type}");
                break;
        }
    }
}
