using System.Text.Json;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BenchmarkDotNet.Attributes;

namespace BadgeIssuer.Benchmarks;

/// <summary>VC-JWT sign and verify (EdDSA, and RS256 for comparison) of <c>samples/ob-credential.json</c>.</summary>
[MemoryDiagnoser]
public class JwtBenchmarks
{
    private JsonDocument? _credential;
    private Ed25519KeyPair? _ed25519;
    private RsaKeyPair? _rsa;
    private VcJwtSigner? _edSigner;
    private VcJwtSigner? _rsaSigner;
    private VcJwtVerifier? _verifier;
    private string? _edJwt;
    private string? _rsaJwt;

    [GlobalSetup]
    public void Setup()
    {
        _credential = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Samples.Directory, "ob-credential.json")));
        _ed25519 = Ed25519KeyPair.Generate();
        _rsa = RsaKeyPair.Generate(2048);
        _edSigner = new VcJwtSigner(_ed25519);
        _rsaSigner = new VcJwtSigner(_rsa);
        _verifier = new VcJwtVerifier(new VcJwtVerifierOptions { ValidateLifetime = false, AllowMissingSubject = true });
        _edJwt = _edSigner.Sign(_credential.RootElement);
        _rsaJwt = _rsaSigner.Sign(_credential.RootElement);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _credential?.Dispose();
        _ed25519?.Dispose();
        _rsa?.Dispose();
    }

    [Benchmark]
    public string SignJwtEdDsa() => _edSigner!.Sign(_credential!.RootElement);

    [Benchmark]
    public bool VerifyJwtEdDsa()
    {
        using VcJwtVerificationResult r = _verifier!.Verify(_edJwt!, _ed25519!.PublicKey);
        return r.IsValid;
    }

    [Benchmark]
    public string SignJwtRs256() => _rsaSigner!.Sign(_credential!.RootElement);

    [Benchmark]
    public bool VerifyJwtRs256()
    {
        using VcJwtVerificationResult r = _verifier!.Verify(_rsaJwt!, _rsa!.PublicKey);
        return r.IsValid;
    }
}
