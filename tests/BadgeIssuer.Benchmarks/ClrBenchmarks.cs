using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Verification;
using BenchmarkDotNet.Attributes;

namespace BadgeIssuer.Benchmarks;

/// <summary>
/// A Comprehensive Learner Record of 10, 100 and 1,000 embedded OpenBadgeCredentials (<c>samples/ob-credential.json</c>,
/// each with its own id, signed by a did:key, without status): <see cref="SignClr"/> is what <c>POST /clrs</c> spends
/// after its lookups (<see cref="ClrCredentialTemplate"/> builds, the CLR 2.0 and VC rules check every embedded
/// credential, JSON-LD safe mode, eddsa-rdfc-2022 over the whole record); <see cref="VerifyClr"/> is the verifier's
/// (the CLR's proof, then each embedded credential's own verification, one nested report each).
/// </summary>
[MemoryDiagnoser]
public class ClrBenchmarks
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private Ed25519KeyPair? _key;
    private ClrCredentialTemplate? _template;
    private CredentialSigningOptions _signing;
    private CredentialVerifier? _verifier;
    private byte[] _signed = [];

    [Params(10, 100, 1000)]
    public int Credentials { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Throwaway benchmark key: the published OB implementation-guide test key.
        _key = Ed25519KeyPair.Import(Convert.FromHexString("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"));
        string did = DidKey.Create(_key.Ed25519PublicKey);
        var proof = new ProofOptions { Created = new DateTimeOffset(2025, 3, 1, 9, 0, 5, TimeSpan.Zero), VerificationMethod = DidKey.GetVerificationMethodId(_key.Ed25519PublicKey) };
        var embedded = new List<ReadOnlyMemory<byte>>(Credentials);
        for (int i = 0; i < Credentials; i++)
        {
            JsonNode credential = JsonNode.Parse(File.ReadAllBytes(Path.Combine(Samples.Directory, "ob-credential.json")))!;
            credential["issuer"]!["id"] = did;
            credential["id"] = $"urn:uuid:00000000-0000-4000-8000-{i:D12}";
            credential.AsObject().Remove("credentialStatus");
            using JsonDocument unsigned = JsonDocument.Parse(credential.ToJsonString());
            embedded.Add(EddsaRdfc2022.Sign(unsigned.RootElement, proof, _key));
        }

        JsonNode first = JsonNode.Parse(embedded[0].Span)!;
        _template = new ClrCredentialTemplate
        {
            IssuerProfile = Encoding.UTF8.GetBytes(new JsonObject { ["id"] = did, ["type"] = new JsonArray("Profile"), ["name"] = "Benchmark issuer" }.ToJsonString()),
            Name = "Transcript",
            Learner = Recipient.FromId("did:example:learner"),
            Credentials = embedded,
            ValidFrom = s_now.AddDays(-1),
            Achievements = [Encoding.UTF8.GetBytes(first["credentialSubject"]!["achievement"]!.ToJsonString())],
        };
        _signing = new CredentialSigningOptions { Format = SecuringFormat.DataIntegrity, Checks = _template.Checks, DataIntegrityKey = _key, Proof = proof };
        _signed = SignClr();
        _verifier = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new FixedTime(s_now), MaxEmbeddedCredentials = Credentials, MaxCredentialBytes = 16 * 1024 * 1024 });
    }

    [GlobalCleanup]
    public void Cleanup() => _key?.Dispose();

    [Benchmark]
    public byte[] SignClr()
    {
        using JsonDocument unsigned = JsonDocument.Parse(_template!.Build("https://badges.example.edu/credentials/clr", null));
        SigningOutcome outcome = CredentialSigning.Sign(unsigned.RootElement, _signing);
        return outcome.DataIntegrity ?? throw new InvalidOperationException("The CLR did not sign: " + outcome.Failure);
    }

    [Benchmark]
    public async Task<bool> VerifyClr() => (await _verifier!.VerifyAsync(_signed)).Verified;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
