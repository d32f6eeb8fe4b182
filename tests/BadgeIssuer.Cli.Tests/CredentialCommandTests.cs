using System.Text.Json;

namespace BadgeIssuer.Cli.Tests;

/// <summary>keygen, sign, verify, bake, unbake and bench, run in-process.</summary>
public sealed class CredentialCommandTests : IDisposable
{
    private static readonly string s_vectors = Path.Combine(AppContext.BaseDirectory, "TestData", "vectors");
    private static readonly string s_keys = Path.Combine(AppContext.BaseDirectory, "keys.example");

    private readonly string _dir = Directory.CreateTempSubdirectory("badge-cli-cred-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Sign_with_proof_options_reproduces_the_w3c_vector()
    {
        CliResult result = CliResult.Run(
            "sign", Path.Combine(s_vectors, "w3c-vc-di-eddsa", "unsigned.json"),
            "--key", Path.Combine(s_keys, "w3c-vc-di-eddsa-test-key.key.json"),
            "--proof-options", Path.Combine(s_vectors, "w3c-vc-di-eddsa", "eddsa-rdfc-2022", "proofConfigDataInt.json"),
            "--validate", "false");

        (result.ExitCode == 0).Should().BeTrue(result.Stderr);
        using JsonDocument signed = JsonDocument.Parse(result.Stdout);
        string expected = File.ReadAllText(Path.Combine(s_vectors, "w3c-vc-di-eddsa", "eddsa-rdfc-2022", "sigBTC58DataInt.txt")).Trim();
        // One proof is written as an object, as the vector itself writes it.
        signed.RootElement.GetProperty("proof").GetProperty("proofValue").GetString().Should().Be(expected);
    }

    [Fact]
    public void Sign_ClrCredential_IsCheckedByTheClrRulesAndReproducesTheImplementationGuideVector()
    {
        // The OB schema used to be applied to every credential, so a CLR could only be signed with --validate false.
        string dir = Path.Combine(s_vectors, "clr-v2p0-impl-guide-eddsa-rdfc-2022");
        string key = Path.Combine(_dir, "clr.key.json");
        using (JsonDocument guideKey = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "key.json"))))
        {
            File.WriteAllText(key, $$"""{"type": "Ed25519", "id": "{{guideKey.RootElement.GetProperty("id").GetString()}}", "secretKeyMultibase": "{{guideKey.RootElement.GetProperty("secretKeyMultibase").GetString()}}"}""");
        }

        CliResult result = CliResult.Run("sign", Path.Combine(dir, "credential.unsigned.json"), "--key", key, "--proof-options", Path.Combine(dir, "proof-options.json"));

        (result.ExitCode == 0).Should().BeTrue(result.Stderr);
        using JsonDocument signed = JsonDocument.Parse(result.Stdout);
        signed.RootElement.GetProperty("proof").GetProperty("proofValue").GetString().Should().Be(File.ReadAllText(Path.Combine(dir, "proof-value.txt")).Trim());
    }

    [Fact]
    public void Sign_PlainCredentialBreakingVcDataModelRules_ListsEveryViolationWithItsPath()
    {
        string credential = Path.Combine(_dir, "plain.json");
        File.WriteAllText(credential, """
            {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
             "validFrom": "2026-01-01", "credentialSubject": {}, "evidence": [{"id": "https://example.org/e/1"}]}
            """);

        CliResult rejected = CliResult.Run("sign", credential, "--key", Path.Combine(s_keys, "ed25519.example.key.json"));

        rejected.ExitCode.Should().Be(2);
        string line = rejected.SingleErrorLine();
        line.Should().StartWith("credential rejected (3 violation(s), profile vc): ");
        line.Should().Contain("$.credentialSubject: ").And.Contain("$.validFrom: ").And.Contain("$.evidence[0].type: ").And.Contain("[VCDM-EVIDENCE]");
    }

    [Fact]
    public void Keygen_sign_verify_bake_unbake_round_trip()
    {
        string key = Path.Combine(_dir, "issuer.key.json");
        CliResult keygen = CliResult.Run("keygen", "--out", key);
        keygen.ExitCode.Should().Be(0);
        string did = keygen.Stdout.Split('\n').Single(l => l.StartsWith("did:key: ", StringComparison.Ordinal))["did:key: ".Length..].Trim();

        string credential = Path.Combine(_dir, "credential.json");
        File.WriteAllText(credential, Credential(did));

        foreach (string format in new[] { "di", "jwt" })
        {
            CliResult sign = CliResult.Run("sign", credential, "--key", key, "--format", format);
            (sign.ExitCode == 0).Should().BeTrue(sign.Stderr);
            string signed = Path.Combine(_dir, "signed." + format);
            File.WriteAllText(signed, sign.Stdout);

            CliResult verify = CliResult.Run("verify", signed, "--json");
            (verify.ExitCode == 0).Should().BeTrue(verify.Stdout + verify.Stderr);
            using (JsonDocument report = JsonDocument.Parse(verify.Stdout))
            {
                report.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
            }

            foreach (string image in new[] { "simple-json.png", "simple-json.svg" })
            {
                string baked = Path.Combine(_dir, format + "-" + image);
                CliResult bake = CliResult.Run("bake", "--credential", signed, "--image", Path.Combine(s_vectors, "1edtech-validator-fixtures", "baked", image), "--out", baked);
                (bake.ExitCode == 0).Should().BeTrue(bake.Stderr);

                CliResult unbake = CliResult.Run("unbake", baked);
                unbake.ExitCode.Should().Be(0);
                unbake.Stdout.Trim().Should().Be(File.ReadAllText(signed).Trim());

                CliResult.Run("verify", baked).ExitCode.Should().Be(0);
            }
        }
    }

    [Fact]
    public void P256_key_signs_ecdsa_rdfc_2019_that_verifies()
    {
        string key = Path.Combine(_dir, "p256.key.json");
        string did = DidOf(CliResult.Run("keygen", "--type", "P-256", "--out", key));
        did.Should().StartWith("did:key:zDn");
        string credential = Path.Combine(_dir, "credential.json");
        File.WriteAllText(credential, Credential(did));

        CliResult sign = CliResult.Run("sign", credential, "--key", key, "--format", "di");

        (sign.ExitCode == 0).Should().BeTrue(sign.Stderr);
        string signed = Path.Combine(_dir, "signed.json");
        File.WriteAllText(signed, sign.Stdout);
        using (JsonDocument doc = JsonDocument.Parse(sign.Stdout))
        {
            JsonElement proof = doc.RootElement.GetProperty("proof");
            proof.GetProperty("type").GetString().Should().Be("DataIntegrityProof");
            proof.GetProperty("cryptosuite").GetString().Should().Be("ecdsa-rdfc-2019");
            proof.GetProperty("verificationMethod").GetString().Should().Be($"{did}#{did["did:key:".Length..]}");
        }

        CliResult verify = CliResult.Run("verify", signed, "--json");
        (verify.ExitCode == 0).Should().BeTrue(verify.Stdout + verify.Stderr);
        using JsonDocument report = JsonDocument.Parse(verify.Stdout);
        report.RootElement.GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "proof").GetProperty("message").GetString()
            .Should().StartWith("ecdsa-rdfc-2019: signature verified with did:key:zDn");

        // A proof-options file that names eddsa-rdfc-2022 does not fit a P-256 key.
        string options = Path.Combine(_dir, "eddsa-options.json");
        File.WriteAllText(options, """{"cryptosuite": "eddsa-rdfc-2022"}""");
        CliResult mismatch = CliResult.Run("sign", credential, "--key", key, "--proof-options", options);
        mismatch.ExitCode.Should().Be(2);
        mismatch.Stderr.Should().Contain("eddsa-rdfc-2022 cannot sign with a P256 key");
    }

    [Fact]
    public void Verify_exits_1_for_a_credential_that_does_not_verify_and_2_for_unreadable_input()
    {
        CliResult tampered = CliResult.Run("verify", Path.Combine(s_vectors, "1edtech-validator-fixtures", "simple-err-proof-value.json"), "--json");
        tampered.ExitCode.Should().Be(1);
        using (JsonDocument report = JsonDocument.Parse(tampered.Stdout))
        {
            report.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
        }

        CliResult missing = CliResult.Run("verify", Path.Combine(_dir, "nope.json"));
        missing.ExitCode.Should().Be(2);
        missing.SingleErrorLine().Should().StartWith("file not found");
    }

    [Fact]
    public void Sign_rejects_an_invalid_credential_and_a_mismatched_algorithm()
    {
        string credential = Path.Combine(_dir, "bad.json");
        File.WriteAllText(credential, """{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}""");
        CliResult rejected = CliResult.Run("sign", credential, "--key", Path.Combine(s_keys, "ed25519.example.key.json"));
        rejected.ExitCode.Should().Be(2);
        rejected.SingleErrorLine().Should().StartWith("credential rejected");

        File.WriteAllText(credential, Credential("did:example:issuer"));
        CliResult wrongAlg = CliResult.Run("sign", credential, "--key", Path.Combine(s_keys, "ed25519.example.key.json"), "--format", "jwt", "--alg", "RS256");
        wrongAlg.ExitCode.Should().Be(2);
        wrongAlg.Stderr.Should().Contain("does not match");

        CliResult rsaDi = CliResult.Run("sign", credential, "--key", Path.Combine(s_keys, "rsa.example.key.json"), "--format", "di");
        rsaDi.ExitCode.Should().Be(2);
        rsaDi.Stderr.Should().Contain("--format di needs an Ed25519 key (eddsa-rdfc-2022) or a P-256 key (ecdsa-rdfc-2019), not Rsa");
    }

    [Fact]
    public void Sign_refuses_a_number_jsonld_js_canonicalizes_differently_in_a_proof_not_in_a_jwt()
    {
        // 1e-7 is "0" in jsonld.js and "1.0E-7" in the specification: refused for a proof, whatever is validated; a JWT signs bytes.
        string credential = Path.Combine(_dir, "tiny.json");
        File.WriteAllText(credential, Credential("did:example:issuer").Replace("\"id\": \"did:example:learner\",", "\"id\": \"did:example:learner\", \"creditsEarned\": 1e-7,", StringComparison.Ordinal));

        CliResult result = CliResult.Run("sign", credential, "--key", Path.Combine(s_keys, "ed25519.example.key.json"), "--format", "di", "--validate", "false");
        CliResult jwt = CliResult.Run("sign", credential, "--key", Path.Combine(s_keys, "ed25519.example.key.json"), "--format", "jwt");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("number not portable").And.Contain("\"0\"^^xsd:integer by jsonld.js");
        (jwt.ExitCode == 0).Should().BeTrue(jwt.Stderr);
    }

    [Fact]
    public void Unbake_rejects_an_image_without_a_credential()
    {
        string png = Path.Combine(_dir, "plain.png");
        File.WriteAllBytes(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);
        CliResult result = CliResult.Run("unbake", png);
        result.ExitCode.Should().Be(2);
        result.SingleErrorLine().Should().StartWith("baking failed");
    }

    [Fact]
    public void Bench_prints_ops_per_second_for_each_operation()
    {
        CliResult result = CliResult.Run("bench", "--seconds", "0.05");
        (result.ExitCode == 0).Should().BeTrue(result.Stderr);
        foreach (string op in new[] { "canonicalize", "sign-di", "verify-di", "sign-jwt", "verify-jwt" })
        {
            result.Stdout.Split('\n').Should().Contain(l => l.StartsWith(op + " ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Unknown_option_is_a_usage_error()
    {
        CliResult result = CliResult.Run("verify", "x.json", "--frobnicate", "1");
        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("unknown option: --frobnicate");
    }

    [Fact]
    public void Verify_presentation_checks_the_challenge_the_holder_and_each_credential()
    {
        string issuerKey = Path.Combine(_dir, "issuer.key.json");
        string holderKey = Path.Combine(_dir, "holder.key.json");
        string issuer = DidOf(CliResult.Run("keygen", "--out", issuerKey));
        string holder = DidOf(CliResult.Run("keygen", "--out", holderKey));

        string credential = Path.Combine(_dir, "credential.json");
        File.WriteAllText(credential, Credential(issuer));
        CliResult signed = CliResult.Run("sign", credential, "--key", issuerKey);
        (signed.ExitCode == 0).Should().BeTrue(signed.Stderr);

        // The holder signs a presentation of it for the verifier's challenge, with the same CLI.
        string presentation = Path.Combine(_dir, "presentation.json");
        File.WriteAllText(presentation, $$"""{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],"holder":"{{holder}}","verifiableCredential":[{{signed.Stdout}}]}""");
        string options = Path.Combine(_dir, "vp-proof.json");
        File.WriteAllText(options, $$"""{"proofPurpose":"authentication","challenge":"c0ffee-42","domain":"employer.example","verificationMethod":"{{holder}}#{{holder["did:key:".Length..]}}"}""");
        CliResult vp = CliResult.Run("sign", presentation, "--key", holderKey, "--validate", "false", "--proof-options", options);
        (vp.ExitCode == 0).Should().BeTrue(vp.Stderr);
        string signedVp = Path.Combine(_dir, "presentation.signed.json");
        File.WriteAllText(signedVp, vp.Stdout);

        CliResult ok = CliResult.Run("verify-presentation", signedVp, "--json", "--challenge", "c0ffee-42", "--domain", "employer.example");
        (ok.ExitCode == 0).Should().BeTrue(ok.Stdout + ok.Stderr);
        using (JsonDocument report = JsonDocument.Parse(ok.Stdout))
        {
            report.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
            report.RootElement.GetProperty("holder").GetString().Should().Be(holder);
            JsonElement first = report.RootElement.GetProperty("credentials")[0];
            first.GetProperty("verified").GetBoolean().Should().BeTrue();
            first.GetProperty("issuer").GetString().Should().Be(issuer);
        }

        // Another verifier's challenge: the presentation proof fails, so the exit code is 1.
        CliResult replay = CliResult.Run("verify-presentation", signedVp, "--challenge", "another-challenge", "--json");
        (replay.ExitCode == 1).Should().BeTrue(replay.Stdout + replay.Stderr);
        using (JsonDocument report = JsonDocument.Parse(replay.Stdout))
        {
            report.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
            report.RootElement.GetProperty("checks").EnumerateArray().Should().Contain(c => c.GetProperty("name").GetString() == "challenge" && c.GetProperty("status").GetString() == "failed");
        }
    }

    private static string DidOf(CliResult keygen)
    {
        keygen.ExitCode.Should().Be(0);
        return keygen.Stdout.Split('\n').Single(l => l.StartsWith("did:key: ", StringComparison.Ordinal))["did:key: ".Length..].Trim();
    }

    private static string Credential(string issuer) => $$$"""
        {
          "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
          "id": "urn:uuid:5d0f3b9e-2c4a-4e1b-9f7d-8a6c2e1b0d43",
          "type": ["VerifiableCredential", "OpenBadgeCredential"],
          "issuer": {"id": "{{{issuer}}}", "type": ["Profile"], "name": "Ünïversität ® “Badges” 🎓"},
          "validFrom": "2026-01-01T00:00:00Z",
          "name": "Teamwork — עברית",
          "credentialSubject": {
            "type": ["AchievementSubject"], "id": "did:example:learner",
            "achievement": {"id": "urn:uuid:8e4b2d1c-7f3a-4c6e-b9d2-1a0f5e3c7b84", "type": ["Achievement"], "name": "Teamwork", "description": "Works well with others.", "criteria": {"narrative": "Peer-reviewed group project."}}
          }
        }
        """;
}

public sealed class VerifyExitCodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("badge-cli-exit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData("{\"a\": ")]
    public void Unreadable_input_exits_2_with_a_report(string content)
    {
        string path = Path.Combine(_dir, "input.txt");
        File.WriteAllText(path, content);
        CliResult result = CliResult.Run("verify", path, "--json");
        result.ExitCode.Should().Be(2);
        using JsonDocument report = JsonDocument.Parse(result.Stdout);
        report.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public void Fragment_keys_need_the_explicit_flag()
    {
        CliResult.Run("verify", BakedPng).ExitCode.Should().Be(1);
        CliResult.Run("verify", BakedPng, "--trust-fragment-keys").ExitCode.Should().Be(0);

        // The flag's former name still works.
        CliResult.Run("verify", BakedPng, "--allow-unauthenticated-keys").ExitCode.Should().Be(0);
    }

    [Fact]
    public void Verify_FragmentKeyWithoutTrust_ReportsIssuerKeyFailureAndSummary()
    {
        CliResult result = CliResult.Run("verify", BakedPng, "--json");

        result.ExitCode.Should().Be(1);
        using JsonDocument report = JsonDocument.Parse(result.Stdout);
        JsonElement root = report.RootElement;
        root.GetProperty("verified").GetBoolean().Should().BeFalse();

        // verified:false names its reason (before issue 13 the issuer-key step was a warning and errors was empty).
        root.GetProperty("errors").EnumerateArray().Should().Contain(w => w.GetString()!.StartsWith("issuer key not authenticated", StringComparison.Ordinal));
        root.GetProperty("credential").GetProperty("issuer").GetProperty("id").GetString().Should().Be("https://example.com/issuers/876543");
        root.GetProperty("credential").GetProperty("status").GetString().Should().Be("none");
    }

    [Fact]
    public void Verify_KnownIssuersFile_AuthenticatesTheIssuerKey()
    {
        // The baked fixture's key, listed for its issuer (derived from the verification method's fragment).
        string known = Path.Combine(_dir, "known-issuers.json");
        File.WriteAllText(known, """
            [{"id": "https://example.com/issuers/876543", "name": "Example Corp",
              "verificationMethod": "#z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x",
              "publicKeyMultibase": "z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x"}]
            """);

        CliResult result = CliResult.Run("verify", BakedPng, "--known-issuers", known, "--json");

        (result.ExitCode == 0).Should().BeTrue(result.Stdout + result.Stderr);
        using JsonDocument report = JsonDocument.Parse(result.Stdout);
        JsonElement[] checks = [.. report.RootElement.GetProperty("checks").EnumerateArray()];
        checks.Should().Contain(c => c.GetProperty("name").GetString() == "issuer-key" && c.GetProperty("status").GetString() == "passed");
        checks.Should().Contain(c => c.GetProperty("name").GetString() == "known-issuer" && c.GetProperty("status").GetString() == "passed");
    }

    [Fact]
    public void Verify_MalformedKnownIssuersFile_ExitsTwoNamingTheEntry()
    {
        string known = Path.Combine(_dir, "known-issuers.json");
        File.WriteAllText(known, """[{"name": "no id"}]""");

        CliResult result = CliResult.Run("verify", BakedPng, "--known-issuers", known);

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("known issuer [0]: 'id'");
    }

    private static string BakedPng => Path.Combine(AppContext.BaseDirectory, "TestData", "vectors", "1edtech-validator-fixtures", "baked", "simple-json.png");
}
