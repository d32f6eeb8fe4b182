using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.JsonLd;
using NSec.Cryptography;

namespace BadgeIssuer.Core.Tests.DataIntegrity;

public class EddsaRdfc2022VectorTests
{
    private static readonly FragmentKeyResolver s_resolver = new();

    public static TheoryData<string> SignedDocuments => new(
        "w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json",
        "w3c-vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json",
        "w3c-vc-di-eddsa/Ed25519Signature2020/signedEdSig.json",
        "ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json",
        "clr-v2p0-impl-guide-eddsa-rdfc-2022/credential.signed.json",
        "ob-v3p0-spec-examples/sample-openbadgecredential-file-contents.signed-di.json",
        "ob-v3p0-spec-examples/sample-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/complete-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/sample-endorsementcredential.signed-di.json",
        "ob-v3p0-spec-examples/achievement-alignment-case.signed-di.json",
        "ob-v3p0-spec-examples/achievement-alignment-credential-engine.signed-di.json",
        "ob-v3p0-spec-examples/skill-assertion-case.signed-di.json",
        "ob-v3p0-spec-examples/skill-assertion-credential-registry.signed-di.json",
        "1edtech-validator-fixtures/simple.json",
        "1edtech-validator-fixtures/simple-did-key-method.json",
        "1edtech-validator-fixtures/simple-eddsa-2022.json",
        "1edtech-validator-fixtures/complete.json",
        "1edtech-validator-fixtures/credential-status-revoked.json",
        "1edtech-validator-fixtures/endorsement-valid.json");

    [Theory]
    [MemberData(nameof(SignedDocuments))]
    public void Published_signed_documents_verify(string file)
    {
        JsonElement doc = TestVectors.Json(file);
        IReadOnlyList<ProofVerificationResult> results = EddsaRdfc2022.VerifyAll(doc, s_resolver);
        results.Should().NotBeEmpty();
        results.Should().AllSatisfy(r => r.Verified.Should().BeTrue($"{r.Failure}: {r.Message}"));
    }

    [Fact]
    public void W3c_vector_is_reproduced_step_by_step()
    {
        const string dir = "w3c-vc-di-eddsa/eddsa-rdfc-2022/";
        JsonElement unsigned = TestVectors.Json("w3c-vc-di-eddsa/unsigned.json");
        JsonElement proofConfig = TestVectors.Json(dir + "proofConfigDataInt.json");

        JsonLdProcessor.Canonicalize(unsigned, JsonLdOptions.Safe).Should().Be(TestVectors.Text(dir + "canonDocDataInt.txt"));
        JsonLdProcessor.Canonicalize(proofConfig, JsonLdOptions.Safe).Should().Be(TestVectors.Text(dir + "proofCanonDataInt.txt"));

        byte[] hashData = EddsaRdfc2022.ComputeHashData(unsigned, proofConfig);
        Convert.ToHexStringLower(hashData).Should().Be(TestVectors.Text(dir + "combinedHashDataInt.txt").Trim());

        using Key key = W3cKey();
        var options = new ProofOptions
        {
            CreatedLexical = proofConfig.GetProperty("created").GetString(),
            VerificationMethod = proofConfig.GetProperty("verificationMethod").GetString()!,
        };
        using JsonDocument signed = JsonDocument.Parse(EddsaRdfc2022.Sign(unsigned, options, key));
        JsonElement proof = signed.RootElement.GetProperty("proof")[0];
        proof.GetProperty("proofValue").GetString().Should().Be(TestVectors.Text(dir + "sigBTC58DataInt.txt").Trim());
        EddsaRdfc2022.VerifyAll(signed.RootElement, s_resolver).Should().AllSatisfy(r => r.Verified.Should().BeTrue());
    }

    [Fact]
    public void Ob_implementation_guide_vector_is_reproduced()
    {
        const string dir = "ob-v3p0-impl-guide-eddsa-rdfc-2022/";
        JsonElement unsigned = TestVectors.Json(dir + "credential.unsigned.json");
        JsonElement proofOptions = TestVectors.Json(dir + "proof-options.json");
        JsonElement keyJson = TestVectors.Json(dir + "key.json");
        byte[] seed = Convert.FromHexString(keyJson.GetProperty("privateKeyHex").GetString()!)[..32];
        using Key key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);

        var options = new ProofOptions
        {
            CreatedLexical = proofOptions.GetProperty("created").GetString(),
            VerificationMethod = proofOptions.GetProperty("verificationMethod").GetString()!,
        };
        using JsonDocument signed = JsonDocument.Parse(EddsaRdfc2022.Sign(unsigned, options, key));
        signed.RootElement.GetProperty("proof")[0].GetProperty("proofValue").GetString().Should().Be(TestVectors.Text(dir + "proof-value.txt").Trim());
        JsonLdProcessor.Canonicalize(unsigned, JsonLdOptions.Safe).Should().Be(TestVectors.Text(dir + "document-canon.nq"));
    }

    [Fact]
    public void Proof_sets_and_chains_verify()
    {
        foreach (string file in new[] { "signedProofSet1.json", "signedProofSet2.json", "signedProofChain1.json", "signedProofChain2.json" })
        {
            JsonElement doc = TestVectors.Json("w3c-vc-di-eddsa/proof-set-chain/" + file);
            IReadOnlyList<ProofVerificationResult> results = EddsaRdfc2022.VerifyAll(doc, new MultiKeyResolver());
            results.Should().AllSatisfy(r => r.Verified.Should().BeTrue($"{file}: {r.Failure}: {r.Message}"));
        }
    }

    [Fact]
    public void Unknown_proof_type_in_a_set_is_reported_and_the_valid_proof_still_verifies()
    {
        JsonElement doc = TestVectors.Json("1edtech-validator-fixtures/simple-multiple-proofs.json");
        IReadOnlyList<ProofVerificationResult> results = EddsaRdfc2022.VerifyAll(doc, s_resolver);
        results.Should().Contain(r => r.Verified);
        results.Should().Contain(r => r.Failure == ProofFailure.UnsupportedCryptosuite);
    }

    [Fact]
    public void Tampered_proof_value_fails()
    {
        JsonElement doc = TestVectors.Json("1edtech-validator-fixtures/simple-err-proof-value.json");
        EddsaRdfc2022.VerifyAll(doc, s_resolver).Should().AllSatisfy(r => r.Verified.Should().BeFalse());
    }

    [Fact]
    public void Changed_field_fails_with_signature_invalid()
    {
        string json = TestVectors.Text("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");
        string tampered = json.Replace("Teamwork Badge", "Teamwork Badge!", StringComparison.Ordinal);
        tampered.Should().NotBe(json);
        using JsonDocument doc = JsonDocument.Parse(tampered);
        ProofVerificationResult r = EddsaRdfc2022.VerifyAll(doc.RootElement, s_resolver).Should().ContainSingle().Which;
        r.Failure.Should().Be(ProofFailure.SignatureInvalid);
    }

    [Fact]
    public void Proof_swapped_between_documents_fails()
    {
        JsonElement a = TestVectors.Json("ob-v3p0-spec-examples/achievement-alignment-case.signed-di.json");
        JsonElement b = TestVectors.Json("ob-v3p0-spec-examples/achievement-alignment-credential-engine.signed-di.json");
        using JsonDocument swapped = JsonDocument.Parse(WithProof(a, b.GetProperty("proof")));
        EddsaRdfc2022.VerifyAll(swapped.RootElement, s_resolver).Should().AllSatisfy(r => r.Failure.Should().Be(ProofFailure.SignatureInvalid));
    }

    [Fact]
    public void Wrong_key_fails()
    {
        JsonElement doc = TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");
        byte[] other = FragmentKeyResolver.DecodeEd25519Multikey("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")!;
        var resolver = new FixedResolver(new ResolvedProofKey(other, "https://example.edu/issuers/565049", true));
        EddsaRdfc2022.VerifyAll(doc, resolver).Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.SignatureInvalid);
    }

    [Fact]
    public void Controller_must_be_the_issuer_when_asked()
    {
        JsonElement doc = TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");
        var options = new DataIntegrityOptions { ExpectedController = "https://other.example/issuers/1" };
        EddsaRdfc2022.VerifyAll(doc, s_resolver, options).Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.ControllerMismatch);
        var right = new DataIntegrityOptions { ExpectedController = "https://example.edu/issuers/565049" };
        EddsaRdfc2022.VerifyAll(doc, s_resolver, right).Should().ContainSingle().Which.Verified.Should().BeTrue();
    }

    [Fact]
    public void Wrong_proof_purpose_fails()
    {
        string json = TestVectors.Text("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json")
            .Replace("\"assertionMethod\"", "\"authentication\"", StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json);
        EddsaRdfc2022.VerifyAll(doc.RootElement, s_resolver).Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.ProofPurposeMismatch);
    }

    [Fact]
    public void Undefined_term_fails_canonicalization_in_safe_mode()
    {
        JsonElement doc = TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");
        using JsonDocument extra = JsonDocument.Parse(WithMember(doc, "notInContext", "\"x\""));
        ProofVerificationResult r = EddsaRdfc2022.VerifyAll(extra.RootElement, s_resolver).Should().ContainSingle().Which;
        r.Failure.Should().Be(ProofFailure.CanonicalizationFailed);
        r.Message.Should().Contain("notInContext");
    }

    [Fact]
    public void Missing_proof_and_bad_proof_value_are_reported()
    {
        JsonElement unsigned = TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.unsigned.json");
        EddsaRdfc2022.VerifyAll(unsigned, s_resolver).Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.MissingProof);

        string json = TestVectors.Text("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");
        string badValue = System.Text.RegularExpressions.Regex.Replace(json, "\"proofValue\": *\"z[^\"]*\"", "\"proofValue\": \"z0OIl\"");
        using JsonDocument doc = JsonDocument.Parse(badValue);
        EddsaRdfc2022.VerifyAll(doc.RootElement, s_resolver).Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.InvalidProofValue);
    }

    [Fact]
    public void Non_ascii_round_trip_signs_and_verifies()
    {
        const string json = """
            {
              "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
              "id": "urn:uuid:2f1e8c44-5d0a-4c39-9e2b-0c7d1c9b6f11",
              "type": ["VerifiableCredential", "OpenBadgeCredential"],
              "issuer": {"id": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "type": ["Profile"], "name": "Ünïversität ® “Quotes” 🎓 جامعة"},
              "validFrom": "2026-01-01T00:00:00Z",
              "name": "Badge — \u05e2\u05d1\u05e8\u05d9\u05ea 🏅",
              "credentialSubject": {
                "type": ["AchievementSubject"],
                "id": "did:example:learner",
                "achievement": {"id": "urn:uuid:7d3c1d2e-0f6a-4bfe-9a85-e5b0a8e0c1a2", "type": ["Achievement"], "name": "“Teamwork” ®", "description": "🤝", "criteria": {"narrative": "Works with others — well."}}
              }
            }
            """;
        using JsonDocument doc = JsonDocument.Parse(json);
        using Key key = W3cKey();
        var options = new ProofOptions
        {
            Created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            VerificationMethod = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        };
        byte[] signedBytes = EddsaRdfc2022.Sign(doc.RootElement, options, key);
        using JsonDocument signed = JsonDocument.Parse(signedBytes);
        signed.RootElement.GetProperty("proof")[0].GetProperty("created").GetString().Should().Be("2026-01-01T00:00:00Z");
        EddsaRdfc2022.VerifyAll(signed.RootElement, s_resolver).Should().ContainSingle().Which.Verified.Should().BeTrue();
        Encoding.UTF8.GetString(signedBytes).Should().Contain("🎓");

        // The credential's own bytes are kept exactly; the proof is appended.
        string original = json.TrimEnd();
        Encoding.UTF8.GetString(signedBytes).Should().StartWith(original[..original.LastIndexOf('}')]);
    }

    private static Key W3cKey()
    {
        JsonElement keyPair = TestVectors.Json("w3c-vc-di-eddsa/keyPair.json");
        byte[] decoded = SimpleBase.Base58.Bitcoin.Decode(keyPair.GetProperty("privateKeyMultibase").GetString().AsSpan(1));
        (decoded[0] == 0x80 && decoded[1] == 0x26).Should().BeTrue("multicodec ed25519-priv");
        return Key.Import(SignatureAlgorithm.Ed25519, decoded.AsSpan(2), KeyBlobFormat.RawPrivateKey);
    }

    private static byte[] WithProof(JsonElement document, JsonElement proof)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (JsonProperty p in document.EnumerateObject())
            {
                if (p.NameEquals("proof"))
                {
                    w.WritePropertyName("proof");
                    proof.WriteTo(w);
                }
                else
                {
                    p.WriteTo(w);
                }
            }

            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private static byte[] WithMember(JsonElement document, string name, string rawJson)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (JsonProperty p in document.EnumerateObject())
            {
                p.WriteTo(w);
            }

            w.WritePropertyName(name);
            w.WriteRawValue(rawJson);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private sealed class FixedResolver(ResolvedProofKey key) : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose) => key;
    }

    /// <summary>Resolves the proof-set/chain vector keys from multiKeyPairs.json by their did:key.</summary>
    private sealed class MultiKeyResolver : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose) => s_resolver.Resolve(verificationMethod, proofPurpose);
    }
}
