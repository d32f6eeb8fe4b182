using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Interop;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Api.Tests.Vectors;

/// <summary>
/// Every signed credential among the specification vectors (tests/BadgeIssuer.Core.Tests/TestData/vectors, copies of
/// ../shared/spec/vectors; see PROVENANCE.md there) through <c>POST /credentials/verify</c>: the proof step must
/// pass (the signature is valid), and a copy tampered after signing must fail it with a reason. The cases come from
/// the directory listing, so a vector added there is tested here without editing this file.
/// <para>
/// Only the proof step is asserted for valid vectors: most vectors are not Open Badges (W3C AlumniCredential,
/// ClrCredential, a status list), are long expired, or name fictional HTTPS issuers whose key is only taken from
/// the verification method's <c>#z6Mk…</c> fragment (issuer-key: warning or failure by trust policy, not a
/// signature matter). Assertions read <c>checks[].name/status</c> and <c>verified</c>, never the HTTP status
/// code (200 or 422 for unverified; see <see cref="VerifyEndpoint"/>).
/// </para>
/// </summary>
public sealed class VectorEndpointTests(VectorEndpointTests.Service service) : IClassFixture<VectorEndpointTests.Service>
{
    private const string Forged = " (forged)";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>tests/BadgeIssuer.Core.Tests/TestData/vectors in the source tree.</summary>
    public static string Root { get; } = Path.Combine(NodeInterop.RepoRoot, "tests", "BadgeIssuer.Core.Tests", "TestData", "vectors");

    /// <summary>Signed vectors that are deliberately not expected to verify, and why.</summary>
    private static readonly Dictionary<string, string> s_notVerifiable = new(StringComparer.Ordinal)
    {
        ["1edtech-validator-fixtures/simple-err-proof-value.json"] = "the validator's negative fixture: proofValue altered after signing",
        ["w3c-vc-di-eddsa/eddsa-jcs-2022/signedJCS.json"] = "eddsa-jcs-2022 (JCS, not RDFC) is outside the suites OB 3.0 verifiers support",
        ["1edtech-validator-fixtures/simple-vc-data-model-1.1-vc-claim.jwt"] = "the header names no key (neither kid nor jwk): a structure sample only",
        ["w3c-vc-di-eddsa/proof-set-chain/proofChainTempDoc2.json"] =
            "an intermediate document of the spec's proof-chain walk-through: its one proof names a previousProof that is not in it",
    };

    /// <summary>Every signed credential in the vectors (JSON with a proof, VC-JWT, baked PNG/SVG) that should verify.</summary>
    public static TheoryData<string> SignedVerifiable => new(SignedVectors().Where(v => !s_notVerifiable.ContainsKey(v)));

    /// <summary>Signed vectors whose proof cannot or must not pass here (see <see cref="s_notVerifiable"/>).</summary>
    public static TheoryData<string> NotVerifiable => new(SignedVectors().Where(s_notVerifiable.ContainsKey));

    [Fact]
    public void VectorListing_FindsTheSignedVectors()
    {
        List<string> all = SignedVectors();

        // A broken path would turn the theories below into silent no-ops.
        (all.Count >= 40).Should().BeTrue($"{all.Count} signed vectors under {Root}");
        s_notVerifiable.Keys.Should().AllSatisfy(v => all.Should().Contain(v));
        all.Should().Contain("ob-v3p0-spec-examples/complete-openbadgecredential.jwt");
        all.Should().Contain("1edtech-validator-fixtures/baked/simple-jwt.svg");
    }

    [Theory]
    [MemberData(nameof(SignedVerifiable))]
    public async Task SignedVector_PostedToVerify_ProofPasses(string vector)
    {
        VerifyReport report = await PostAsync(Vector(vector), vector);

        report.AnyProofPassed.Should().BeTrue($"{vector}\n{report}");
        report.ProofChecks.Should().NotContain(c => c.Status == "failed");
        report.Named("issuer-key").Should().NotBeEmpty();
    }

    [Theory]
    [MemberData(nameof(SignedVerifiable))]
    public async Task SignedVector_TamperedAfterSigning_IsNotVerifiedAndProofFailsWithReason(string vector)
    {
        byte[] tampered = Tamper(Vector(vector), vector);

        VerifyReport report = await PostAsync(tampered, vector);

        report.Verified.Should().BeFalse($"{vector}\n{report}");
        report.AnyProofPassed.Should().BeFalse($"{vector}\n{report}");
        report.ProofChecks.Should().Contain(c => c.Status == "failed" && c.Message.Contains("signature", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(NotVerifiable))]
    public async Task UnverifiableVector_PostedToVerify_IsNotVerifiedAndNoProofPasses(string vector)
    {
        VerifyReport report = await PostAsync(Vector(vector), vector);

        report.Verified.Should().BeFalse($"{vector} ({s_notVerifiable[vector]})\n{report}");
        report.AnyProofPassed.Should().BeFalse($"{vector} ({s_notVerifiable[vector]})\n{report}");
        report.ProofChecks.Should().Contain(c => c.Status == "failed" && c.Message.Length > 0);
    }

    /// <summary>
    /// Relative paths (with '/') of the signed credentials: every <c>.jwt</c>, every baked <c>.png</c>/<c>.svg</c>, and
    /// every <c>.json</c> whose root has both <c>proof</c> and <c>credentialSubject</c> (not proof configurations,
    /// decoded JWT parts or unsigned copies).
    /// </summary>
    private static List<string> SignedVectors()
    {
        var found = new List<string>();
        foreach (string path in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');
            string extension = Path.GetExtension(path);
            bool signed = extension switch
            {
                ".jwt" or ".png" or ".svg" => true,
                ".json" => IsSignedCredentialJson(path),
                _ => false,
            };
            if (signed)
            {
                found.Add(relative);
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static bool IsSignedCredentialJson(string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("proof", out _)
                && document.RootElement.TryGetProperty("credentialSubject", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Vector(string relative) => File.ReadAllBytes(Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar)));

    private Task<VerifyReport> PostAsync(byte[] body, string vector)
    {
        string mediaType = Path.GetExtension(vector) switch
        {
            ".png" => "image/png",
            ".svg" => "image/svg+xml",
            ".jwt" => "application/vc+jwt",
            _ => "application/vc+ld+json",
        };
        return VerifyEndpoint.PostAsync(service.App, body, mediaType, Ct);
    }

    /// <summary>Changes one displayed value covered by the signature; a baked badge is re-baked with the tampered payload.</summary>
    private static byte[] Tamper(byte[] vector, string relative)
    {
        string extension = Path.GetExtension(relative);
        if (extension is ".png" or ".svg")
        {
            UnbakedBadge unbaked = BakedBadge.Unbake(vector);
            string payload = unbaked.IsCompactJws ? TamperJwt(unbaked.Payload) : TamperJson(unbaked.Payload);
            return BakedBadge.Bake(vector, payload, unbaked.Format);
        }

        string text = Encoding.UTF8.GetString(vector).Trim();
        return Encoding.UTF8.GetBytes(extension == ".jwt" ? TamperJwt(text) : TamperJson(text));
    }

    private static string TamperJson(string json)
    {
        JsonNode document = JsonNode.Parse(json)!;
        TamperCredential(document.AsObject()).Should().BeTrue("nothing to tamper with");
        return document.ToJsonString();
    }

    private static string TamperJwt(string jws)
    {
        string[] parts = jws.Split('.');
        JsonObject payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();

        // VC-JWT 1.1 carries the credential in "vc"; OB 3.0 / VC-JOSE-COSE make the payload the credential.
        JsonObject credential = payload["vc"] as JsonObject ?? payload;
        TamperCredential(credential).Should().BeTrue("nothing to tamper with");
        parts[1] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return string.Join('.', parts);
    }

    /// <summary>
    /// Appends " (forged)" to the achievement's name, else the credential's name, else the first plain string in
    /// credentialSubject (never an id, type or other IRI-like member: the document must stay canonicalizable).
    /// </summary>
    private static bool TamperCredential(JsonObject credential)
    {
        if ((credential["credentialSubject"] as JsonObject)?["achievement"] is JsonObject achievement
            && achievement["name"] is JsonValue achievementName && achievementName.TryGetValue(out string? an))
        {
            achievement["name"] = an + Forged;
            return true;
        }

        if (credential["name"] is JsonValue name && name.TryGetValue(out string? n))
        {
            credential["name"] = n + Forged;
            return true;
        }

        return credential["credentialSubject"] is JsonNode subject && TamperFirstString(subject);
    }

    private static bool TamperFirstString(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach ((string key, JsonNode? value) in obj.ToList())
                {
                    if (key is "id" or "type" or "@context" or "@id" or "@type" || value is null)
                    {
                        continue;
                    }

                    if (value is JsonValue v && v.TryGetValue(out string? s) && !s.Contains(':', StringComparison.Ordinal))
                    {
                        obj[key] = s + Forged;
                        return true;
                    }

                    if (TamperFirstString(value))
                    {
                        return true;
                    }
                }

                return false;
            case JsonArray array:
                return array.Any(item => item is not null && TamperFirstString(item));
            default:
                return false;
        }
    }

    /// <summary>One in-memory service for the class (verification is stateless).</summary>
    public sealed class Service : IAsyncLifetime
    {
        public BadgeIssuerApplication App { get; } = new();

        public ValueTask InitializeAsync() => ValueTask.CompletedTask;

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
