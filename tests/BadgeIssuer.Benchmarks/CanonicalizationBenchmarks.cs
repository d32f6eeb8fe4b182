using System.Text.Json;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Processing;
using BadgeIssuer.JsonLd.Rdf;
using BenchmarkDotNet.Attributes;

namespace BadgeIssuer.Benchmarks;

/// <summary>
/// The signing hot path on <c>samples/</c>: whole canonicalization of the credential and of the proof
/// configuration, and each stage alone (expansion, toRdf, RDFC-1.0 on a pre-built dataset). Inputs are parsed once.
/// </summary>
[MemoryDiagnoser]
public class CanonicalizationBenchmarks
{
    private JsonDocument? _credential;
    private JsonDocument? _proofConfig;
    private RdfDataset? _dataset;
    private List<object?>? _expanded;

    [GlobalSetup]
    public void Setup()
    {
        string samples = Samples.Directory;
        _credential = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(samples, "ob-credential.json")));
        _proofConfig = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(samples, "ob-proof-config.json")));
        _dataset = JsonLdProcessor.ToRdf(_credential.RootElement, JsonLdOptions.Safe);
        _expanded = Expander.Expand(_credential.RootElement, JsonLdOptions.Safe);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _credential?.Dispose();
        _proofConfig?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public string CanonicalizeCredential() => JsonLdProcessor.Canonicalize(_credential!.RootElement, JsonLdOptions.Safe);

    [Benchmark]
    public string CanonicalizeProofConfig() => JsonLdProcessor.Canonicalize(_proofConfig!.RootElement, JsonLdOptions.Safe);

    /// <summary>Expansion alone, into the internal expanded model (no JSON serialization of the result).</summary>
    [Benchmark]
    public List<object?> ExpandCredential() => Expander.Expand(_credential!.RootElement, JsonLdOptions.Safe);

    /// <summary>Node map generation + Deserialize JSON-LD to RDF alone, from the pre-expanded credential.</summary>
    [Benchmark]
    public RdfDataset ToRdfCredential() => RdfConverter.ToRdf(_expanded!, JsonLdOptions.Safe);

    [Benchmark]
    public string RdfcCredentialDataset() => RdfCanonicalizer.Canonicalize(_dataset!).CanonicalNQuads;
}
