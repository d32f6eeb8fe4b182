using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Tests.Verification;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.Tests.DataIntegrity;

/// <summary>
/// ecdsa-rdfc-2019 against the W3C vc-di-ecdsa vectors (TestData/vectors/w3c-vc-di-ecdsa, see PROVENANCE.md): every
/// intermediate (canonical forms with the curve's RDFC-1.0 hash, hashes, signature) and the final verification, for
/// P-256 and P-384 and for both credentials; then what must fail, and signing with a P-256 key.
/// </summary>
public class EcdsaRdfc2019VectorTests
{
    private const string Root = "w3c-vc-di-ecdsa/";

    /// <summary>Folder, file-name suffix, unsigned credential, curve hash.</summary>
    public static TheoryData<string, string, string, RdfcHashAlgorithm> Vectors => new()
    {
        { "ecdsa-rdfc-2019-p256/", "ECDSAP256", "unsigned.json", RdfcHashAlgorithm.Sha256 },
        { "ecdsa-rdfc-2019-p256/employ/", "ECDSAP256", "employmentAuth.json", RdfcHashAlgorithm.Sha256 },
        { "ecdsa-rdfc-2019-p384/", "ECDSAP384", "unsigned.json", RdfcHashAlgorithm.Sha384 },
        { "ecdsa-rdfc-2019-p384/employ/", "ECDSAP384", "employmentAuth.json", RdfcHashAlgorithm.Sha384 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_is_reproduced_step_by_step(string dir, string suffix, string unsignedFile, RdfcHashAlgorithm hash)
    {
        JsonElement unsigned = TestVectors.Json(Root + unsignedFile);
        JsonElement proofConfig = TestVectors.Json(Root + dir + $"proofConfig{suffix}.json");
        var rdfc = new RdfcOptions { HashAlgorithm = hash };

        // Canonical N-Quads, with RDFC-1.0 hashing blank nodes with the curve's hash.
        JsonLdProcessor.Canonicalize(unsigned, JsonLdOptions.Safe, rdfc).Should().Be(TestVectors.Text(Root + dir + $"canonDoc{suffix}.txt"));
        JsonLdProcessor.Canonicalize(proofConfig, JsonLdOptions.Safe, rdfc).Should().Be(TestVectors.Text(Root + dir + $"proofCanon{suffix}.txt"));

        // proofHash ‖ docHash.
        byte[] hashData = CryptosuiteSet.ComputeHashData(unsigned, proofConfig, hash, DataIntegrityOptions.Default);
        string proofHash = Hex(dir + $"proofHash{suffix}.txt");
        string docHash = Hex(dir + $"docHash{suffix}.txt");
        Convert.ToHexStringLower(hashData).Should().Be(Hex(dir + $"combinedHash{suffix}.txt")).And.Be(proofHash + docHash);
        hashData.Length.Should().Be(hash == RdfcHashAlgorithm.Sha384 ? 96 : 64);

        // The signature: base58btc of the P1363 r ‖ s bytes, verified by the published key over hashData.
        string proofValue = TestVectors.Text(Root + dir + $"sigBTC58{suffix}.txt").Trim();
        byte[] signature = SimpleBase.Base58.Bitcoin.Decode(proofValue.AsSpan(1));
        Convert.ToHexStringLower(signature).Should().Be(Hex(dir + $"sigHex{suffix}.txt"));
        using VerificationKey key = PublicKey(hash);
        key.Verify(hashData, signature).Should().BeTrue();

        // The secured document is the unsigned one + the proof configuration without @context + proofValue, and verifies.
        JsonElement signed = TestVectors.Json(Root + dir + $"signed{suffix}.json");
        signed.GetProperty("proof").GetProperty("proofValue").GetString().Should().Be(proofValue);
        ProofVerificationResult result = CryptosuiteSet.Default.VerifyAll(signed, new DidKeyProofResolver()).Should().ContainSingle().Which;
        result.Verified.Should().BeTrue($"{result.Failure}: {result.Message}");
        result.Cryptosuite.Should().Be("ecdsa-rdfc-2019");
    }

    [Fact]
    public void P384_needs_rdfc_with_sha384_blank_node_labels()
    {
        // The employment credential's blank nodes are labelled differently with SHA-256: a canonicalizer hard-wired to
        // SHA-256 cannot reproduce this P-384 vector, and neither can the suite if it ignored the curve.
        JsonElement unsigned = TestVectors.Json(Root + "employmentAuth.json");
        string expected = TestVectors.Text(Root + "ecdsa-rdfc-2019-p384/employ/canonDocECDSAP384.txt");
        JsonLdProcessor.Canonicalize(unsigned, JsonLdOptions.Safe).Should().NotBe(expected);
        JsonLdProcessor.Canonicalize(unsigned, JsonLdOptions.Safe, new RdfcOptions { HashAlgorithm = RdfcHashAlgorithm.Sha384 }).Should().Be(expected);
        EcdsaRdfc2019.Instance.HashFor(PublicKey(RdfcHashAlgorithm.Sha384)).Should().Be(RdfcHashAlgorithm.Sha384);
        EcdsaRdfc2019.Instance.HashFor(PublicKey(RdfcHashAlgorithm.Sha256)).Should().Be(RdfcHashAlgorithm.Sha256);
    }

    [Fact]
    public void P384_employment_vector_verifies_after_the_shared_sha256_canonical_form()
    {
        // The credential verifier hands the SHA-256 canonical form it already has to the proof step: a P-384 proof must
        // not reuse it (its labels differ for this credential), or the signature would not match.
        JsonElement signed = TestVectors.Json(Root + "ecdsa-rdfc-2019-p384/employ/signedECDSAP384.json");
        string sha256Form = JsonLdProcessor.CanonicalizeWithout(signed, "proof", JsonLdOptions.Safe);
        ProofVerificationResult r = CryptosuiteSet.Default.VerifyAll(signed, new DidKeyProofResolver(), DataIntegrityOptions.Default, sha256Form).Should().ContainSingle().Which;
        r.Verified.Should().BeTrue($"{r.Failure}: {r.Message}");
    }

    [Fact]
    public async Task Credential_verifier_reports_the_suite_in_the_proof_step()
    {
        byte[] signed = TestVectors.Bytes(Root + "ecdsa-rdfc-2019-p384/signedECDSAP384.json");

        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(signed, TestContext.Current.CancellationToken);

        VerificationCheck proof = ReportAssert.Single(report, CheckNames.Proof);
        proof.Status.Should().Be(CheckStatus.Passed, ReportAssert.Describe(report));
        proof.Message.Should().Be("ecdsa-rdfc-2019: signature verified with did:key:z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ#z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ");
    }

    [Fact]
    public async Task A_verifier_without_ecdsa_reports_it_as_not_enabled()
    {
        byte[] signed = TestVectors.Bytes(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json");
        var verifier = new CredentialVerifier(new CredentialVerifierOptions
        {
            TimeProvider = new FixedTimeProvider(TestClock.Now),
            Cryptosuites = CryptosuiteSet.FromNames(["eddsa-rdfc-2022"]),
        });

        VerificationReport report = await verifier.VerifyAsync(signed, TestContext.Current.CancellationToken);

        report.Verified.Should().BeFalse();
        VerificationCheck proof = ReportAssert.Single(report, CheckNames.Proof);
        proof.Status.Should().Be(CheckStatus.Failed);
        proof.Message.Should().Be("ecdsa-rdfc-2019: UnsupportedCryptosuite: unsupported cryptosuite ecdsa-rdfc-2019 (not enabled in this verifier; enabled: eddsa-rdfc-2022)");
    }

    [Theory]
    [InlineData("Multikey")]
    [InlineData("JsonWebKey")]
    public async Task Key_resolves_from_a_controller_document_as_multikey_or_jwk(string type)
    {
        // The vector's did:key, described by a registered document instead: the same key as a Multikey or a JWK.
        const string did = "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP";
        using VerificationKey key = PublicKey(RdfcHashAlgorithm.Sha256);
        string keyMember = type == "Multikey"
            ? "\"publicKeyMultibase\": \"zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP\""
            : "\"publicKeyJwk\": " + Encoding.UTF8.GetString(key.ExportJwk());
        string document = $$"""
            {"id": "{{did}}", "verificationMethod": [{"id": "{{did}}#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP", "type": "{{type}}", "controller": "{{did}}", {{keyMember}}}],
             "assertionMethod": ["#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"]}
            """;
        var registry = new LocalControllerRegistry();
        registry.Register(Encoding.UTF8.GetBytes(document));
        VerificationMethodResolution resolution = await registry.ResolveVerificationMethodAsync(did + "#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP", TestContext.Current.CancellationToken);
        resolution.Succeeded.Should().BeTrue(resolution.Detail);
        resolution.Method!.Type.Should().Be(type);
        resolution.Method.PublicKey.Should().BeOfType<P256PublicKey>().Which.HasSameKey(key).Should().BeTrue();

        var resolver = new FixedResolver(new ResolvedProofKey(resolution.Method.PublicKey, did, AuthorizedForPurpose: true));
        CryptosuiteSet.Default.VerifyAll(TestVectors.Json(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json"), resolver)
            .Should().ContainSingle().Which.Verified.Should().BeTrue();
    }

    [Fact]
    public void Tampered_document_fails_with_signature_invalid()
    {
        foreach (string file in (string[])["ecdsa-rdfc-2019-p256/signedECDSAP256.json", "ecdsa-rdfc-2019-p384/signedECDSAP384.json"])
        {
            string json = TestVectors.Text(Root + file);
            string tampered = json.Replace("The School of Examples", "The School of Exampies", StringComparison.Ordinal);
            tampered.Should().NotBe(json);
            using JsonDocument doc = JsonDocument.Parse(tampered);
            ProofVerificationResult r = CryptosuiteSet.Default.VerifyAll(doc.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which;
            r.Failure.Should().Be(ProofFailure.SignatureInvalid, file);
            r.Message.Should().Be("the signature does not match the credential");
        }
    }

    [Fact]
    public void Tampered_proof_option_fails()
    {
        JsonNode doc = JsonNode.Parse(TestVectors.Text(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json"))!;
        doc["proof"]!["created"] = "2023-02-24T23:36:39Z";
        using JsonDocument parsed = JsonDocument.Parse(doc.ToJsonString());
        CryptosuiteSet.Default.VerifyAll(parsed.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.SignatureInvalid);
    }

    [Fact]
    public void Wrong_curve_or_key_type_is_a_clear_message()
    {
        JsonElement p256Signed = TestVectors.Json(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json");
        JsonElement p384Signed = TestVectors.Json(Root + "ecdsa-rdfc-2019-p384/signedECDSAP384.json");
        using VerificationKey p256 = PublicKey(RdfcHashAlgorithm.Sha256);
        using VerificationKey p384 = PublicKey(RdfcHashAlgorithm.Sha384);
        using Ed25519KeyPair ed = Ed25519KeyPair.Generate();

        // An Ed25519 key for an ECDSA proof.
        ProofVerificationResult edKey = CryptosuiteSet.Default.VerifyAll(p256Signed, new FixedResolver(new ResolvedProofKey(ed.PublicKey, "did:example:x", true))).Should().ContainSingle().Which;
        edKey.Failure.Should().Be(ProofFailure.WrongKeyType);
        edKey.Message.Should().Be("the verification method holds an Ed25519 key; this proof's cryptosuite needs a P-256 or P-384 key");

        // A P-384 key for a P-256 signature, and the other way round: the signature length does not fit the curve.
        ProofVerificationResult p384Key = CryptosuiteSet.Default.VerifyAll(p256Signed, new FixedResolver(new ResolvedProofKey(p384, "did:example:x", true))).Should().ContainSingle().Which;
        p384Key.Failure.Should().Be(ProofFailure.InvalidProofValue);
        p384Key.Message.Should().Be("the signature is 64 bytes; with a P-384 key an ecdsa-rdfc-2019 signature is 96 (r ‖ s)");
        ProofVerificationResult p256Key = CryptosuiteSet.Default.VerifyAll(p384Signed, new FixedResolver(new ResolvedProofKey(p256, "did:example:x", true))).Should().ContainSingle().Which;
        p256Key.Failure.Should().Be(ProofFailure.InvalidProofValue);
        p256Key.Message.Should().Be("the signature is 96 bytes; with a P-256 key an ecdsa-rdfc-2019 signature is 64 (r ‖ s)");

        // A P-256 key of someone else.
        using P256KeyPair other = P256KeyPair.Generate();
        CryptosuiteSet.Default.VerifyAll(p256Signed, new FixedResolver(new ResolvedProofKey(other.PublicKey, "did:example:x", true)))
            .Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.SignatureInvalid);

        // An ECDSA key for an eddsa proof.
        JsonElement edSigned = TestVectors.Json("w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json");
        ProofVerificationResult ecKey = CryptosuiteSet.Default.VerifyAll(edSigned, new FixedResolver(new ResolvedProofKey(p256, "did:example:x", true))).Should().ContainSingle().Which;
        ecKey.Failure.Should().Be(ProofFailure.WrongKeyType);
        ecKey.Message.Should().Be("the verification method holds a P-256 key; this proof's cryptosuite needs an Ed25519 key");
    }

    [Theory]
    [InlineData("zinvalid0OIl", "proofValue is not a multibase base58btc ECDSA signature (r ‖ s: 64 bytes for P-256, 96 for P-384)")]
    [InlineData("uAAAA", "proofValue is not a multibase base58btc ECDSA signature (r ‖ s: 64 bytes for P-256, 96 for P-384)")]
    [InlineData("z", "proofValue is not a multibase base58btc ECDSA signature (r ‖ s: 64 bytes for P-256, 96 for P-384)")]
    [InlineData("", "proofValue is not a multibase base58btc ECDSA signature (r ‖ s: 64 bytes for P-256, 96 for P-384)")]
    public void Malformed_proof_value_is_reported(string proofValue, string message)
    {
        ProofVerificationResult r = VerifyWithProofValue(proofValue);
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be(message);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(72)]
    [InlineData(95)]
    [InlineData(97)]
    public void Wrong_length_signature_is_reported(int length)
    {
        ProofVerificationResult r = VerifyWithProofValue("z" + SimpleBase.Base58.Bitcoin.Encode(RandomNumberGenerator.GetBytes(length)));
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().StartWith("proofValue is not a multibase base58btc ECDSA signature");
    }

    [Fact]
    public void Der_encoded_signature_is_refused()
    {
        // Some signers wrote ASN.1 DER instead of r ‖ s: it is not the suite's encoding, however valid the signature.
        byte[] p1363 = SimpleBase.Base58.Bitcoin.Decode(TestVectors.Text(Root + "ecdsa-rdfc-2019-p256/sigBTC58ECDSAP256.txt").Trim().AsSpan(1));
        byte[] der = ConvertToDer(p1363);
        der.Length.Should().BeInRange(68, 72);
        VerifyWithProofValue("z" + SimpleBase.Base58.Bitcoin.Encode(der)).Failure.Should().Be(ProofFailure.InvalidProofValue);
    }

    [Fact]
    public void Overlong_proof_value_is_refused_before_decoding()
    {
        ProofVerificationResult r = VerifyWithProofValue("z" + new string('2', 5000));
        r.Failure.Should().Be(ProofFailure.InvalidProofValue);
        r.Message.Should().Be("proofValue is 5001 characters, longer than any ECDSA signature (not decoded)");
    }

    [Theory]
    [InlineData("ecdsa-sd-2023")]
    [InlineData("bbs-2023")]
    [InlineData("ecdsa-jcs-2019")]
    [InlineData("made-up-2099")]
    public void Unsupported_cryptosuite_is_named(string cryptosuite)
    {
        JsonNode doc = JsonNode.Parse(TestVectors.Text(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json"))!;
        doc["proof"]!["cryptosuite"] = cryptosuite;
        using JsonDocument parsed = JsonDocument.Parse(doc.ToJsonString());

        ProofVerificationResult r = CryptosuiteSet.Default.VerifyAll(parsed.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which;

        r.Verified.Should().BeFalse();
        r.Failure.Should().Be(ProofFailure.UnsupportedCryptosuite);
        r.Message.Should().Be($"unsupported cryptosuite {cryptosuite} (this verifier supports eddsa-rdfc-2022, ecdsa-rdfc-2019, Ed25519Signature2018)");
        r.Cryptosuite.Should().Be(cryptosuite);
    }

    [Theory]
    [InlineData("RsaSignature2018", null, "unsupported cryptosuite RsaSignature2018 (this verifier supports eddsa-rdfc-2022, ecdsa-rdfc-2019, Ed25519Signature2018)")]
    [InlineData("DataIntegrityProof", null, "unsupported cryptosuite: the DataIntegrityProof names no cryptosuite")]
    [InlineData(null, null, "unsupported cryptosuite: the proof has no type")]
    public void Unsupported_proof_type_is_named(string? type, string? cryptosuite, string message)
    {
        JsonNode doc = JsonNode.Parse(TestVectors.Text(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json"))!;
        JsonObject proof = doc["proof"]!.AsObject();
        proof.Remove("type");
        proof.Remove("cryptosuite");
        if (type is not null)
        {
            proof["type"] = type;
        }

        if (cryptosuite is not null)
        {
            proof["cryptosuite"] = cryptosuite;
        }

        using JsonDocument parsed = JsonDocument.Parse(doc.ToJsonString());
        ProofVerificationResult r = CryptosuiteSet.Default.VerifyAll(parsed.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which;
        r.Failure.Should().Be(ProofFailure.UnsupportedCryptosuite);
        r.Message.Should().Be(message);
    }

    [Fact]
    public async Task Unsupported_cryptosuite_fails_the_credential_with_the_name_in_the_report()
    {
        JsonNode doc = JsonNode.Parse(TestVectors.Text(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json"))!;
        doc["proof"]!["cryptosuite"] = "ecdsa-sd-2023";

        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(Encoding.UTF8.GetBytes(doc.ToJsonString()), TestContext.Current.CancellationToken);

        report.Verified.Should().BeFalse();
        ReportAssert.Single(report, CheckNames.Proof).Message.Should().StartWith("ecdsa-sd-2023: UnsupportedCryptosuite: unsupported cryptosuite ecdsa-sd-2023");
    }

    [Fact]
    public void Document_without_context_is_a_result_not_an_exception()
    {
        JsonNode doc = JsonNode.Parse(TestVectors.Text(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json"))!;
        doc.AsObject().Remove("@context");
        using JsonDocument parsed = JsonDocument.Parse(doc.ToJsonString());
        ProofVerificationResult r = CryptosuiteSet.Default.VerifyAll(parsed.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which;
        r.Failure.Should().Be(ProofFailure.CanonicalizationFailed);
        r.Message.Should().Be("the document has no @context");
    }

    [Fact]
    public void P256_key_signs_with_ecdsa_rdfc_2019_and_the_hash_data_is_the_vectors()
    {
        JsonElement unsigned = TestVectors.Json(Root + "unsigned.json");
        JsonElement proofConfig = TestVectors.Json(Root + "ecdsa-rdfc-2019-p256/proofConfigECDSAP256.json");
        using P256KeyPair key = VectorP256KeyPair();
        var options = new ProofOptions
        {
            Cryptosuite = EcdsaRdfc2019.CryptosuiteName,
            CreatedLexical = proofConfig.GetProperty("created").GetString(),
            VerificationMethod = proofConfig.GetProperty("verificationMethod").GetString()!,
        };

        byte[] signedBytes = CryptosuiteSet.Default.Sign(unsigned, options, key);

        // The proof is the vector's, but for the (randomized) signature; the vector's hash data is what was signed.
        using JsonDocument signed = JsonDocument.Parse(signedBytes);
        JsonElement proof = signed.RootElement.GetProperty("proof")[0];
        JsonElement expectedProof = TestVectors.Json(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json").GetProperty("proof");
        foreach (string member in (string[])["type", "cryptosuite", "created", "verificationMethod", "proofPurpose"])
        {
            proof.GetProperty(member).GetString().Should().Be(expectedProof.GetProperty(member).GetString());
        }

        byte[] signature = SimpleBase.Base58.Bitcoin.Decode(proof.GetProperty("proofValue").GetString().AsSpan(1));
        signature.Length.Should().Be(64);
        byte[] hashData = Convert.FromHexString(Hex("ecdsa-rdfc-2019-p256/combinedHashECDSAP256.txt"));
        key.PublicKey.Verify(hashData, signature).Should().BeTrue();
        CryptosuiteSet.Default.VerifyAll(signed.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which.Verified.Should().BeTrue();
    }

    [Fact]
    public void Signing_refuses_a_key_the_named_suite_does_not_sign_with()
    {
        JsonElement unsigned = TestVectors.Json(Root + "unsigned.json");
        using P256KeyPair p256 = P256KeyPair.Generate();
        using Ed25519KeyPair ed = Ed25519KeyPair.Generate();
        var eddsa = new ProofOptions { VerificationMethod = "did:example:a#1" };
        var ecdsa = eddsa with { Cryptosuite = EcdsaRdfc2019.CryptosuiteName };
        var legacy2018 = eddsa with { Type = Ed25519Signature2018.ProofType, Cryptosuite = null };

        FluentActions.Invoking(() => CryptosuiteSet.Default.Sign(unsigned, eddsa, p256)).Should().Throw<ArgumentException>()
            .WithMessage("eddsa-rdfc-2022 cannot sign with a P256 key (it needs an Ed25519 key).*");
        FluentActions.Invoking(() => CryptosuiteSet.Default.Sign(unsigned, ecdsa, ed)).Should().Throw<ArgumentException>()
            .WithMessage("ecdsa-rdfc-2019 cannot sign with a Ed25519 key (it needs a P-256 or P-384 key).*");
        FluentActions.Invoking(() => CryptosuiteSet.Default.Sign(unsigned, legacy2018, ed)).Should().Throw<ArgumentException>()
            .WithMessage("Ed25519Signature2018 cannot sign with a Ed25519 key (it only verifies).*");
        CryptosuiteSet.Default.FindSigningSuite(KeyType.P256).Should().BeSameAs(EcdsaRdfc2019.Instance);
        CryptosuiteSet.Default.FindSigningSuite(KeyType.Ed25519).Should().BeSameAs(EddsaRdfc2022.Instance);
        CryptosuiteSet.Default.FindSigningSuite(KeyType.Rsa).Should().BeNull();
    }

    [Fact]
    public void Configured_names_build_the_set()
    {
        CryptosuiteSet.FromNames(["ecdsa-rdfc-2019", "eddsa-rdfc-2022"]).Names.Should().Be("ecdsa-rdfc-2019, eddsa-rdfc-2022");
        FluentActions.Invoking(() => CryptosuiteSet.FromNames(["bbs-2023"])).Should().Throw<ArgumentException>().WithMessage("Unknown cryptosuite 'bbs-2023'*");
        FluentActions.Invoking(() => CryptosuiteSet.FromNames([])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => CryptosuiteSet.FromNames(["eddsa-rdfc-2022", "eddsa-rdfc-2022"])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Multikey_public_keys_decode_to_the_published_points()
    {
        // The README's decoded public keys (compressed points) and the did:key documents derived from them.
        using var p256 = (P256PublicKey)PublicKey(RdfcHashAlgorithm.Sha256);
        using var p384 = (P384PublicKey)PublicKey(RdfcHashAlgorithm.Sha384);
        p256.PublicKeyMultibase.Should().Be("zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP");
        p384.PublicKeyMultibase.Should().Be("z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ");
        using VerificationKey fromHex256 = P256PublicKey.ImportCompressed(Convert.FromHexString("0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"));
        using VerificationKey fromHex384 = P384PublicKey.ImportCompressed(Convert.FromHexString("02ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13"));
        fromHex256.HasSameKey(p256).Should().BeTrue();
        fromHex384.HasSameKey(p384).Should().BeTrue();

        // The vector's secret key derives this public key.
        using P256KeyPair pair = VectorP256KeyPair();
        pair.PublicKey.HasSameKey(p256).Should().BeTrue();

        DidKey.Create(p256).Should().Be("did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP");
        using JsonDocument document = JsonDocument.Parse(DidKey.CreateDocument("did:key:z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ"));
        document.RootElement.GetProperty("verificationMethod")[0].GetProperty("publicKeyMultibase").GetString().Should().Be(p384.PublicKeyMultibase);
    }

    [Theory]
    [InlineData("zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP", typeof(P256PublicKey))]
    [InlineData("z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ", typeof(P384PublicKey))]
    [InlineData("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", typeof(Ed25519PublicKey))]
    public async Task Did_key_resolves_every_supported_multikey(string multibase, Type keyClass)
    {
        VerificationMethodResolution r = await DidKeyResolver.Instance.ResolveVerificationMethodAsync($"did:key:{multibase}#{multibase}", TestContext.Current.CancellationToken);
        r.Succeeded.Should().BeTrue(r.Detail);
        r.Method!.PublicKey.Should().BeOfType(keyClass);
        r.Method.IsAuthorizedFor(VerificationRelationships.AssertionMethod).Should().BeTrue();
        (await DidKeyResolver.Instance.ResolveDidAsync("did:key:" + multibase, TestContext.Current.CancellationToken)).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(0x04)]
    [InlineData(0x00)]
    public void Compressed_point_with_a_bad_prefix_or_off_the_curve_is_refused(byte prefix)
    {
        byte[] compressed = Convert.FromHexString("0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6");
        compressed[0] = prefix;
        FluentActions.Invoking(() => P256PublicKey.ImportCompressed(compressed)).Should().ThrowExactly<KeyFormatException>();

        // An x with no point on the curve (x³ - 3x + b has no square root modulo p for x = 1 on P-256).
        byte[] offCurve = new byte[33];
        offCurve[0] = 0x02;
        offCurve[^1] = 1;
        FluentActions.Invoking(() => P256PublicKey.ImportCompressed(offCurve)).Should().ThrowExactly<KeyFormatException>();
        Multikey.TryDecodePublicKey("z" + SimpleBase.Base58.Bitcoin.Encode([0x80, 0x24, .. offCurve]), out _).Should().Be(KeyFormatError.InvalidKey);
        Span<byte> x = stackalloc byte[32];
        Span<byte> y = stackalloc byte[32];
        EcCurve.P256.TryDecompress(offCurve, x, y).Should().BeFalse("the root is checked before the platform sees the point");

        // x ≥ p is no field element, although p + 5 reduces to an x that has a point.
        byte[] beyondP = Convert.FromHexString("02ffffffff00000001000000000000000000000001000000000000000000000004");
        EcCurve.P256.TryDecompress(beyondP, x, y).Should().BeFalse();
        byte[] reduced = new byte[33];
        reduced[0] = 0x02;
        reduced[^1] = 5;
        EcCurve.P256.TryDecompress(reduced, x, y).Should().BeTrue();
    }

    private static ProofVerificationResult VerifyWithProofValue(string proofValue)
    {
        JsonNode doc = JsonNode.Parse(TestVectors.Text(Root + "ecdsa-rdfc-2019-p256/signedECDSAP256.json"))!;
        doc["proof"]!["proofValue"] = proofValue;
        using JsonDocument parsed = JsonDocument.Parse(doc.ToJsonString());
        return CryptosuiteSet.Default.VerifyAll(parsed.RootElement, new DidKeyProofResolver()).Should().ContainSingle().Which;
    }

    private static string Hex(string file) => TestVectors.Text(Root + file).Trim();

    private static VerificationKey PublicKey(RdfcHashAlgorithm curveHash)
    {
        string file = curveHash == RdfcHashAlgorithm.Sha384 ? "p384KeyPair.json" : "p256KeyPair.json";
        string multibase = TestVectors.Json(Root + file).GetProperty("publicKeyMultibase").GetString()!;
        Multikey.TryDecodePublicKey(multibase, out VerificationKey? key).Should().Be(KeyFormatError.None);
        return key!;
    }

    /// <summary>The P-256 vector key pair: secretKeyMultibase = z + base58btc(0x8626 ‖ 32-byte scalar).</summary>
    private static P256KeyPair VectorP256KeyPair()
    {
        JsonElement pair = TestVectors.Json(Root + "p256KeyPair.json");
        byte[] secret = SimpleBase.Base58.Bitcoin.Decode(pair.GetProperty("secretKeyMultibase").GetString().AsSpan(1));
        secret[..2].Should().Equal([0x86, 0x26]);
        byte[] compressed = SimpleBase.Base58.Bitcoin.Decode(pair.GetProperty("publicKeyMultibase").GetString().AsSpan(1))[2..];
        Span<byte> x = stackalloc byte[32];
        Span<byte> y = stackalloc byte[32];
        EcCurve.P256.TryDecompress(compressed, x, y).Should().BeTrue();
        return P256KeyPair.Import(secret.AsSpan(2), x, y, allowExport: false);
    }

    private static byte[] ConvertToDer(byte[] p1363)
    {
        static byte[] Integer(ReadOnlySpan<byte> value)
        {
            int start = 0;
            while (start < value.Length - 1 && value[start] == 0)
            {
                start++;
            }

            byte[] body = (value[start] & 0x80) != 0 ? [0, .. value[start..]] : value[start..].ToArray();
            return [0x02, (byte)body.Length, .. body];
        }

        byte[] r = Integer(p1363.AsSpan(0, 32));
        byte[] s = Integer(p1363.AsSpan(32, 32));
        return [0x30, (byte)(r.Length + s.Length), .. r, .. s];
    }

    private sealed class FixedResolver(ResolvedProofKey key) : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose) => key;
    }
}

/// <summary>Test resolver: the key of a did:key verification method (any supported key type), controller = the DID.</summary>
internal sealed class DidKeyProofResolver : IProofKeyResolver
{
    public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose)
    {
        int hash = verificationMethod.IndexOf('#', StringComparison.Ordinal);
        string controller = hash < 0 ? verificationMethod : verificationMethod[..hash];
        return DidKey.TryParsePublicKey(verificationMethod, out VerificationKey? key) ? new ResolvedProofKey(key, controller, AuthorizedForPurpose: true) : null;
    }
}
