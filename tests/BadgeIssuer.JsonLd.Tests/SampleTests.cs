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
        Assert.InRange(quads, 25, 45);
        Assert.EndsWith(" .\n", nquads, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonicalize_SampleProofConfig_SafeModeGivesOneProofNode()
    {
        string nquads = JsonLdProcessor.Canonicalize(File.ReadAllBytes(Path.Combine(s_samples, "ob-proof-config.json")), JsonLdOptions.Safe);

        string[] lines = nquads.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("_:c14n0 ", l, StringComparison.Ordinal));
        Assert.Contains("<https://w3id.org/security#cryptosuite> \"eddsa-rdfc-2022\"^^<https://w3id.org/security#cryptosuiteString> .", nquads, StringComparison.Ordinal);
    }

    [Fact]
    public void Samples_ShareTheirContext()
    {
        using JsonDocument credential = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(s_samples, "ob-credential.json")));
        using JsonDocument config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(s_samples, "ob-proof-config.json")));

        Assert.Equal(
            credential.RootElement.GetProperty("@context").GetRawText(),
            config.RootElement.GetProperty("@context").GetRawText());
        Assert.All(
            credential.RootElement.GetProperty("@context").EnumerateArray(),
            c => Assert.True(BundledDocumentLoader.Default.CanLoad(c.GetString()!), c.GetString()));
    }

    [Fact]
    public void Canonicalize_SampleCredential_IsStableAcrossRuns()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(s_samples, "ob-credential.json"));

        string first = JsonLdProcessor.Canonicalize(bytes, JsonLdOptions.Safe);
        string second = RdfCanonicalizer.CanonicalizeToNQuads(NQuads.Parse(first));

        Assert.Equal(first, second);
    }
}
