using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BadgeIssuer.JsonLd.Tests.Vectors;

/// <summary>Published canonical N-Quads reproduced byte for byte, with safe mode on as for signing.</summary>
public sealed class SpecVectorTests
{
    public static TheoryData<string> Names => SpecVectors.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void Canonicalize_PublishedVector_MatchesPublishedNQuads(string name)
    {
        (Func<JsonObject> input, string expectedPath) = SpecVectors.Cases[name];
        JsonElement document = SpecVectors.ToElement(input());
        string expected = SpecVectors.ReadText(expectedPath);

        string actual = JsonLdProcessor.Canonicalize(document, JsonLdOptions.Safe);

        actual.Should().Be(expected);
    }

    // The published hashes are SHA-256 of the published N-Quads: this pins that the .nq/.txt files were copied
    // byte-exact (line endings, final newline), so the byte-for-byte comparison above is meaningful.
    [Theory]
    [InlineData("w3c-vc-di-eddsa/eddsa-rdfc-2022/canonDocDataInt.txt", "w3c-vc-di-eddsa/eddsa-rdfc-2022/docHashDataInt.txt")]
    [InlineData("w3c-vc-di-eddsa/eddsa-rdfc-2022/proofCanonDataInt.txt", "w3c-vc-di-eddsa/eddsa-rdfc-2022/proofHashDataInt.txt")]
    [InlineData("w3c-vc-di-eddsa/eddsa-rdfc-2022/employ/canonDocDataInt.txt", "w3c-vc-di-eddsa/eddsa-rdfc-2022/employ/docHashDataInt.txt")]
    [InlineData("w3c-vc-di-eddsa/eddsa-rdfc-2022/employ/proofCanonDataInt.txt", "w3c-vc-di-eddsa/eddsa-rdfc-2022/employ/proofHashDataInt.txt")]
    [InlineData("w3c-vc-di-eddsa/Ed25519Signature2020/canonDocEdSig.txt", "w3c-vc-di-eddsa/Ed25519Signature2020/docHashEdSig.txt")]
    [InlineData("w3c-vc-di-eddsa/Ed25519Signature2020/proofCanonEdSig.txt", "w3c-vc-di-eddsa/Ed25519Signature2020/proofHashEdSig.txt")]
    [InlineData("ob-v3p0-impl-guide-eddsa-rdfc-2022/document-canon.nq", "ob-v3p0-impl-guide-eddsa-rdfc-2022/document-hash.hex.txt")]
    [InlineData("ob-v3p0-impl-guide-eddsa-rdfc-2022/proof-canon.nq", "ob-v3p0-impl-guide-eddsa-rdfc-2022/proof-hash.hex.txt")]
    [InlineData("clr-v2p0-impl-guide-eddsa-rdfc-2022/document-canon.nq", "clr-v2p0-impl-guide-eddsa-rdfc-2022/document-hash.hex.txt")]
    [InlineData("clr-v2p0-impl-guide-eddsa-rdfc-2022/proof-canon.nq", "clr-v2p0-impl-guide-eddsa-rdfc-2022/proof-hash.hex.txt")]
    public void PublishedNQuads_HashToPublishedHash(string nquads, string hash)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(SpecVectors.Root, nquads));
        string expected = SpecVectors.ReadText(hash).Trim();

        Convert.ToHexStringLower(SHA256.HashData(bytes)).Should().Be(expected);
        Encoding.UTF8.GetString(bytes).Should().Be(SpecVectors.ReadText(nquads));
    }

    [Fact]
    public void Cases_CoverEveryPublishedNQuadsFile()
    {
        string[] published = Directory.EnumerateFiles(SpecVectors.Root, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".nq", StringComparison.Ordinal) || Path.GetFileName(p).Contains("canon", StringComparison.OrdinalIgnoreCase))
            .Select(p => Path.GetRelativePath(SpecVectors.Root, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

        string[] covered = SpecVectors.Cases.Values.Select(c => c.Expected).Distinct().Order(StringComparer.Ordinal).ToArray();

        covered.Should().Equal(published);
    }

    [Fact]
    public void ProofConfiguration_DropsProofValue_AndTakesTheDocumentContext()
    {
        JsonObject config = SpecVectors.Cases["clr-v2p0-impl-guide-eddsa-rdfc-2022 proof config from signed"].Input();
        JsonObject signed = SpecVectors.ReadObject("clr-v2p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");

        config.ContainsKey("proofValue").Should().BeFalse();
        JsonNode.DeepEquals(signed["@context"], config["@context"]).Should().BeTrue();
        ((string?)config["cryptosuite"]).Should().Be("eddsa-rdfc-2022");
    }
}
