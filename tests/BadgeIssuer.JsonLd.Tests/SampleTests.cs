using System.Text.Json;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary>The files under <c>samples/</c> (linked into the test output) stay valid for signing.</summary>
public sealed class SampleTests
{
    private static readonly string s_samples = Path.Combine(AppContext.BaseDirectory, "samples");

    [Fact]
    public void Canonicalize_SampleCredential_SafeModeGivesARealisticQuadCount()
    {
        string nquads = JsonLdProcessor.Canonicalize(File.ReadAllBytes(Path.Combine(s_samples, "ob-credential.json")), JsonLdOptions.Safe);

        int quads = nquads.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        quads.Should().BeInRange(25, 45);
        nquads.Should().EndWith(" .\n");
    }

    [Fact]
    public void Canonicalize_SampleProofConfig_SafeModeGivesOneProofNode()
    {
        string nquads = JsonLdProcessor.Canonicalize(File.ReadAllBytes(Path.Combine(s_samples, "ob-proof-config.json")), JsonLdOptions.Safe);

        string[] lines = nquads.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.Should().Be(5);
        lines.Should().AllSatisfy(l => l.Should().StartWith("_:c14n0 "));
        nquads.Should().Contain("<https://w3id.org/security#cryptosuite> \"eddsa-rdfc-2022\"^^<https://w3id.org/security#cryptosuiteString> .");
    }

    [Fact]
    public void Samples_ShareTheirContext()
    {
        using JsonDocument credential = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(s_samples, "ob-credential.json")));
        using JsonDocument config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(s_samples, "ob-proof-config.json")));

        config.RootElement.GetProperty("@context").GetRawText().Should().Be(credential.RootElement.GetProperty("@context").GetRawText());
        credential.RootElement.GetProperty("@context").EnumerateArray().Should().AllSatisfy(c => BundledDocumentLoader.Default.CanLoad(c.GetString()!).Should().BeTrue(c.GetString()));
    }

    [Fact]
    public void Canonicalize_SampleCredential_IsStableAcrossRuns()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(s_samples, "ob-credential.json"));

        string first = JsonLdProcessor.Canonicalize(bytes, JsonLdOptions.Safe);
        string second = RdfCanonicalizer.CanonicalizeToNQuads(NQuads.Parse(first));

        second.Should().Be(first);
    }
}
