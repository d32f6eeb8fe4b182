using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BenchmarkDotNet.Attributes;

namespace BadgeIssuer.Benchmarks;

/// <summary>VC-JWT sign and verify (EdDSA, and RS256 and ES256 for comparison) of <c>samples/ob-credential.json</c>.</summary>
[MemoryDiagnoser]
public class JwtBenchmarks
{
    private JsonDocument? _credential;
    private JsonDocument? _compact;
    private string? _edJwtCompact;
    private Ed25519KeyPair? _ed25519;
    private RsaKeyPair? _rsa;
    private P256KeyPair? _p256;
    private VcJwtSigner? _edSigner;
    private VcJwtSigner? _rsaSigner;
    private VcJwtSigner? _p256Signer;
    private VcJwtVerifier? _verifier;
    private string? _edJwt;
    private string? _rsaJwt;
    private string? _p256Jwt;
    private byte[] _hashData = new byte[64];
    private byte[] _signature = new byte[64];
    private byte[] _jwsSigningInput = [];
    private byte[] _jwsSignature = new byte[64];

    [GlobalSetup]
    public void Setup()
    {
        _credential = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Samples.Directory, "ob-credential.json")));
        _ed25519 = Ed25519KeyPair.Generate();
        _rsa = RsaKeyPair.Generate(2048);
        _edSigner = new VcJwtSigner(_ed25519);
        _rsaSigner = new VcJwtSigner(_rsa);
        _p256 = P256KeyPair.Generate();
        _p256Signer = new VcJwtSigner(_p256);
        _verifier = new VcJwtVerifier(new VcJwtVerifierOptions { ValidateLifetime = false, AllowMissingSubject = true });
        _edJwt = _edSigner.Sign(_credential.RootElement);
        _rsaJwt = _rsaSigner.Sign(_credential.RootElement);
        _p256Jwt = _p256Signer.Sign(_credential.RootElement);

        // The service writes credentials without insignificant whitespace; samples/ is indented for people.
        using (var ms = new MemoryStream())
        {
            using (var writer = new Utf8JsonWriter(ms))
            {
                _credential.RootElement.WriteTo(writer);
            }

            _compact = JsonDocument.Parse(ms.ToArray());
        }

        _edJwtCompact = _edSigner.Sign(_compact.RootElement);
        RandomNumberGenerator.Fill(_hashData);
        _ed25519.Sign(_hashData, _signature);
        _jwsSigningInput = Encoding.ASCII.GetBytes(_edJwt[.._edJwt.LastIndexOf('.')]);
        _ed25519.Sign(_jwsSigningInput, _jwsSignature);
    }

    /// <summary>Baseline: Ed25519 (NSec) over the 64 bytes a Data Integrity proof signs.</summary>
    [Benchmark(Baseline = true)]
    public int RawEd25519Sign64() => _ed25519!.Sign(_hashData, _signature);

    [Benchmark]
    public bool RawEd25519Verify64() => _ed25519!.PublicKey.Verify(_hashData, _signature);

    /// <summary>Baseline: Ed25519 over the JWS signing input of the sample (header.payload, base64url).</summary>
    [Benchmark]
    public int RawEd25519SignJwsInput() => _ed25519!.Sign(_jwsSigningInput, _jwsSignature);

    [Benchmark]
    public bool RawEd25519VerifyJwsInput() => _ed25519!.PublicKey.Verify(_jwsSigningInput, _jwsSignature);

    [GlobalCleanup]
    public void Cleanup()
    {
        _credential?.Dispose();
        _compact?.Dispose();
        _ed25519?.Dispose();
        _rsa?.Dispose();
        _p256?.Dispose();
    }

    [Benchmark]
    public string SignJwtEdDsa() => _edSigner!.Sign(_credential!.RootElement);

    [Benchmark]
    public bool VerifyJwtEdDsa()
    {
        using VcJwtVerificationResult r = _verifier!.Verify(_edJwt!, _ed25519!.PublicKey);
        return r.IsValid;
    }

    /// <summary>The same credential without insignificant whitespace, as the service emits it.</summary>
    [Benchmark]
    public string SignJwtEdDsaCompact() => _edSigner!.Sign(_compact!.RootElement);

    [Benchmark]
    public bool VerifyJwtEdDsaCompact()
    {
        using VcJwtVerificationResult r = _verifier!.Verify(_edJwtCompact!, _ed25519!.PublicKey);
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

    [Benchmark]
    public string SignJwtEs256() => _p256Signer!.Sign(_credential!.RootElement);

    [Benchmark]
    public bool VerifyJwtEs256()
    {
        using VcJwtVerificationResult r = _verifier!.Verify(_p256Jwt!, _p256!.PublicKey);
        return r.IsValid;
    }
}
