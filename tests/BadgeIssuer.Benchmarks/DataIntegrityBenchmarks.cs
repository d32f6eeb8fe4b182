using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;

namespace BadgeIssuer.Benchmarks;

/// <summary>
/// eddsa-rdfc-2022 issue (canonicalize credential + proof configuration, hash, Ed25519 sign, write the secured
/// document) and verify (the same canonicalizations plus Ed25519 verify) on <c>samples/ob-credential.json</c>.
/// </summary>
[MemoryDiagnoser]
public class DataIntegrityBenchmarks
{
    private const string VerificationMethod = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

    private JsonDocument? _credential;
    private JsonDocument? _signed;
    private Key? _key;
    private ProofOptions? _options;
    private StaticResolver? _resolver;

    [GlobalSetup]
    public void Setup()
    {
        _credential = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Samples.Directory, "ob-credential.json")));
        // Throwaway benchmark key: the published OB implementation-guide test key.
        byte[] seed = Convert.FromHexString("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4");
        _key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        _options = new ProofOptions { Created = new DateTimeOffset(2025, 3, 1, 9, 0, 5, TimeSpan.Zero), VerificationMethod = VerificationMethod };
        _signed = JsonDocument.Parse(EddsaRdfc2022.Sign(_credential.RootElement, _options, _key));
        _resolver = new StaticResolver(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _credential?.Dispose();
        _signed?.Dispose();
        _key?.Dispose();
    }

    [Benchmark]
    public byte[] IssueDataIntegrity() => EddsaRdfc2022.Sign(_credential!.RootElement, _options!, _key!);

    [Benchmark]
    public bool VerifyDataIntegrity() => EddsaRdfc2022.VerifyAll(_signed!.RootElement, _resolver!)[0].Verified;

    private sealed class StaticResolver(byte[] publicKey) : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose)
            => new(publicKey, "https://badges.example.edu/issuers/1", AuthorizedForPurpose: true);
    }
}
