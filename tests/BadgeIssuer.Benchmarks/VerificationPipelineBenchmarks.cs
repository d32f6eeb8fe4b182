using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;
using BenchmarkDotNet.Attributes;

namespace BadgeIssuer.Benchmarks;

/// <summary>
/// The whole verification pipeline (<see cref="CredentialVerifier.VerifyAsync"/>: format, parse, context, type, OB
/// JSON Schema, JSON-LD safe mode + canonicalization, proof, issuer key, validity, status, refresh) on
/// <c>samples/ob-credential.json</c> issued by a did:key with a BitstringStatusListEntry whose list — a signed
/// 131,072-entry BitstringStatusListCredential — comes from an <see cref="InMemoryStatusListSource"/>, so the status
/// step verifies the list's own eddsa-rdfc-2022 proof and decodes it (target ≤ 250 µs per verification, one core).
/// The stage benchmarks below it split the work, for profiling.
/// </summary>
[MemoryDiagnoser]
public class VerificationPipelineBenchmarks
{
    private const string StatusListUrl = "https://badges.example.edu/status/1";

    private static readonly DateTimeOffset s_now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private Ed25519KeyPair? _key;
    private CredentialVerifier? _verifier;
    private CredentialVerifier? _verifierWithoutStatus;
    private byte[] _dataIntegrity = [];
    private byte[] _dataIntegrityWithoutStatus = [];
    private byte[] _jwt = [];
    private byte[] _statusList = [];
    private JsonDocument? _signedDocument;
    private JsonDocument? _listDocument;
    private string _canonicalWithoutProof = string.Empty;
    private IReadOnlyList<BadgeIssuer.JsonLd.Rdf.RdfQuad>? _canonicalQuads;
    private IProofKeyResolver? _resolver;

    [GlobalSetup]
    public void Setup()
    {
        // Throwaway benchmark key: the published OB implementation-guide test key.
        _key = Ed25519KeyPair.Import(Convert.FromHexString("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"));
        string did = DidKey.Create(_key.Ed25519PublicKey);
        string vm = DidKey.GetVerificationMethodId(_key.Ed25519PublicKey);
        var proofOptions = new ProofOptions { Created = new DateTimeOffset(2025, 3, 1, 9, 0, 5, TimeSpan.Zero), VerificationMethod = vm };

        // The sample as issued by the did:key; its credentialStatus already points at StatusListUrl, index 94567.
        JsonNode credential = JsonNode.Parse(File.ReadAllBytes(Path.Combine(Samples.Directory, "ob-credential.json")))!;
        credential["issuer"]!["id"] = did;
        using (JsonDocument unsigned = JsonDocument.Parse(credential.ToJsonString()))
        {
            _dataIntegrity = EddsaRdfc2022.Sign(unsigned.RootElement, proofOptions, _key);
            _jwt = Encoding.ASCII.GetBytes(new VcJwtSigner(_key, new VcJwtSignerOptions { KeyId = vm }).Sign(unsigned.RootElement));
        }

        credential.AsObject().Remove("credentialStatus");
        using (JsonDocument unsigned = JsonDocument.Parse(credential.ToJsonString()))
        {
            _dataIntegrityWithoutStatus = EddsaRdfc2022.Sign(unsigned.RootElement, proofOptions, _key);
        }

        // The list: 131,072 entries, a few revoked (not the sample's index), signed by the same issuer.
        var bits = new BitstringStatusList();
        foreach (int index in new[] { 3, 4_242, 94_566, 94_568, 120_000 })
        {
            bits.Set(index, true);
        }

        byte[] unsignedList = BitstringStatusListCredential.Create(StatusListUrl, did, StatusPurpose.Revocation, bits, proofOptions.Created!.Value).ToUtf8Json();
        using (JsonDocument list = JsonDocument.Parse(unsignedList))
        {
            _statusList = EddsaRdfc2022.Sign(list.RootElement, proofOptions, _key);
        }

        var time = new FixedTime(s_now);
        _verifier = new CredentialVerifier(new CredentialVerifierOptions
        {
            TimeProvider = time,
            StatusLists = new InMemoryStatusListSource().Add(StatusListUrl, _statusList),
        });
        _verifierWithoutStatus = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = time });

        // Benchmark the happy path only: every variant must verify, with the status step read from the list.
        Expect(_verifier.VerifyAsync(_dataIntegrity).AsTask().GetAwaiter().GetResult(), "Data Integrity", statusPassed: true);
        Expect(_verifier.VerifyAsync(_jwt).AsTask().GetAwaiter().GetResult(), "VC-JWT", statusPassed: true);
        Expect(_verifierWithoutStatus.VerifyAsync(_dataIntegrityWithoutStatus).AsTask().GetAwaiter().GetResult(), "Data Integrity without status", statusPassed: false);

        _signedDocument = JsonDocument.Parse(_dataIntegrity);
        _listDocument = JsonDocument.Parse(_statusList);
        _canonicalWithoutProof = JsonLdProcessor.CanonicalizeWithout(_signedDocument.RootElement, "proof", DataIntegrityOptions.Default.JsonLd, DataIntegrityOptions.Default.Rdfc);
        _canonicalQuads = JsonLdProcessor.CanonicalizeWithoutDetailed(_signedDocument.RootElement, "proof", DataIntegrityOptions.Default.JsonLd, DataIntegrityOptions.Default.Rdfc).Quads;
        _resolver = new StaticResolver(_key.Ed25519PublicKey.RawKey.ToArray(), did);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _signedDocument?.Dispose();
        _listDocument?.Dispose();
        _key?.Dispose();
    }

    /// <summary>The whole pipeline: the sample, Data Integrity (eddsa-rdfc-2022), did:key issuer, status list read and verified.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<VerificationReport> PipelineDataIntegrityWithStatus() => _verifier!.VerifyAsync(_dataIntegrity);

    /// <summary>The same credential as an EdDSA VC-JWT (kid = the did:key method), same status list.</summary>
    [Benchmark]
    public ValueTask<VerificationReport> PipelineJwtWithStatus() => _verifier!.VerifyAsync(_jwt);

    /// <summary>Data Integrity without a credentialStatus: the pipeline minus the status step.</summary>
    [Benchmark]
    public ValueTask<VerificationReport> PipelineDataIntegrityNoStatus() => _verifierWithoutStatus!.VerifyAsync(_dataIntegrityWithoutStatus);

    // ---- stages (profiling): what the pipeline does, one piece at a time

    /// <summary>JsonDocument.Parse of the signed credential.</summary>
    [Benchmark]
    public JsonValueKind StageParse()
    {
        using JsonDocument document = JsonDocument.Parse(_dataIntegrity);
        return document.RootElement.ValueKind;
    }

    /// <summary>The OB JSON Schema step (VC 2.0 build, credentialSchema entry) on the parsed credential.</summary>
    [Benchmark]
    public bool StageSchema() => ObSchemaValidator.Shared.Validate(_signedDocument!.RootElement).IsValid;

    /// <summary>The pass/fail answer only (flag output), as the pipeline asks first.</summary>
    [Benchmark]
    public bool StageSchemaPassFail() => ObSchemaValidator.Shared.Validate(_signedDocument!.RootElement, collectViolations: false).IsValid;

    /// <summary>Safe-mode expansion + toRdf + RDFC-1.0 of the credential without its proof (its hash is reused by the proof step).</summary>
    [Benchmark]
    public string StageCanonicalizeCredential()
        => JsonLdProcessor.CanonicalizeWithout(_signedDocument!.RootElement, "proof", DataIntegrityOptions.Default.JsonLd, DataIntegrityOptions.Default.Rdfc);

    /// <summary>The signed view: the canonical quads of the credential (without its proof) rendered as the JSON every later step reads.</summary>
    [Benchmark]
    public int StageSignedView()
    {
        using JsonDocument view = SignedGraph.FromQuads(_canonicalQuads!).Render();
        return view.RootElement.GetPropertyCount();
    }

    /// <summary>The proof step given the canonical credential: proof configuration canonicalization, hashes, Ed25519 verify.</summary>
    [Benchmark]
    public bool StageProofGivenCanonicalCredential()
        => EddsaRdfc2022.VerifyAll(_signedDocument!.RootElement, _resolver!, DataIntegrityOptions.Default, _canonicalWithoutProof)[0].Verified;

    /// <summary>The status list credential's own proof (canonicalize list + proof configuration, Ed25519 verify).</summary>
    [Benchmark]
    public bool StageStatusListProof() => EddsaRdfc2022.VerifyAll(_listDocument!.RootElement, _resolver!)[0].Verified;

    /// <summary>Parse the list credential and read one bit (base64url → GZIP inflate of 16 KB).</summary>
    [Benchmark]
    public uint StageStatusListDecode()
    {
        using JsonDocument list = JsonDocument.Parse(_statusList);
        return BitstringStatusListCredential.Parse(list.RootElement).DecodeList().GetStatus(94_567);
    }

    private static void Expect(VerificationReport report, string what, bool statusPassed)
    {
        VerificationCheck? status = report.Checks.FirstOrDefault(c => c.Name == CheckNames.Status);
        if (!report.Verified || (statusPassed && status?.Status != CheckStatus.Passed))
        {
            throw new InvalidOperationException(
                $"{what} does not verify in the benchmark setup:\n" + string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}")));
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class StaticResolver(byte[] publicKey, string controller) : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose) => new(publicKey, controller, AuthorizedForPurpose: true);
    }
}
