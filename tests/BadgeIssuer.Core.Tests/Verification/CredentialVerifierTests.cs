using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

public class CredentialVerifierTests
{
    private static readonly DateTimeOffset s_now = TestClock.Now;

    public static TheoryData<string> VerifiableInputs => new(
        "ob-v3p0-spec-examples/sample-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/complete-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/sample-endorsementcredential.signed-di.json",
        "ob-v3p0-spec-examples/skill-assertion-case.signed-di.json",
        "ob-v3p0-spec-examples/sample-openbadgecredential.jwt",
        "ob-v3p0-spec-examples/complete-openbadgecredential.jwt",
        "ob-v3p0-spec-examples/achievement-alignment-case.jwt",
        "1edtech-validator-fixtures/simple.json",
        "1edtech-validator-fixtures/baked/simple-json.png",
        "1edtech-validator-fixtures/baked/simple-json.svg",
        "1edtech-validator-fixtures/baked/simple-jwt.png",
        "1edtech-validator-fixtures/baked/simple-jwt.svg",
        "1edtech-validator-fixtures/baked/simple-jwt_v1.png",
        "1edtech-validator-fixtures/baked/simple-jwt_v1.svg");

    [Theory]
    [MemberData(nameof(VerifiableInputs))]
    public async Task Published_credentials_verify_and_every_step_is_reported(string file)
    {
        // The published examples have no key documents: their keys are taken from the verification method
        // fragment, which only verifies when the caller accepts unauthenticated issuer keys.
        VerificationReport report = await Verifier(ReportAssert.SpecExampleRevocationLists(), allowUnauthenticated: true).VerifyAsync(TestVectors.Bytes(file), TestContext.Current.CancellationToken);
        report.Verified.Should().BeTrue(Describe(report));
        foreach (string step in new[] { CheckNames.Format, CheckNames.Context, CheckNames.Type, CheckNames.Schema, CheckNames.JsonLd, CheckNames.IssuerKey, CheckNames.Validity, CheckNames.Status })
        {
            report.Checks.Should().Contain(c => c.Name == step);
        }

        report.Checks.Should().Contain(c => c.Name.StartsWith(CheckNames.Proof, StringComparison.Ordinal) && c.Status == CheckStatus.Passed);
    }

    [Fact]
    public async Task Did_key_issuer_is_authenticated_but_https_fragment_keys_are_a_warning()
    {
        using var credential = new SignedCredentials(issuerName: "Self-certifying issuer", achievementName: "A");
        byte[] signed = credential.DataIntegrity;

        VerificationReport didKey = await Verifier().VerifyAsync(signed, TestContext.Current.CancellationToken);
        didKey.Verified.Should().BeTrue(Describe(didKey));
        Single(didKey, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Passed);

        VerificationReport https = await Verifier(allowUnauthenticated: true).VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/simple.json"), TestContext.Current.CancellationToken);
        Single(https, CheckNames.Schema).Status.Should().Be(CheckStatus.Passed);
        Single(https, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Warning);
    }

    [Fact]
    public async Task A_forged_credential_signed_with_a_fragment_key_or_an_embedded_jwk_is_not_verified_by_default()
    {
        // Anyone can sign an edited credential with their own key and name it "https://issuer#<their z6Mk>",
        // or embed their own jwk in a VC-JWT: the signature is valid, the issuer is not authenticated.
        byte[] original = TestVectors.Bytes("1edtech-validator-fixtures/simple.json");
        using JsonDocument doc = JsonDocument.Parse(original);
        string issuer = doc.RootElement.GetProperty("issuer").GetProperty("id").GetString()!;
        using var attacker = TestIssuer.CreateHttps(issuer, signedAt: s_now.AddDays(-1));
        using JsonDocument unsigned = JsonDocument.Parse(StripProof(doc.RootElement));
        byte[] forged = attacker.Sign(unsigned.RootElement.GetRawText());

        VerificationReport report = await Verifier().VerifyAsync(forged, TestContext.Current.CancellationToken);
        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        Single(report, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Failed);
        Single(report, CheckNames.IssuerKey).Message.Should().Contain("issuer key not authenticated");
        report.IssuerKeyUntrusted.Should().BeTrue();
        report.Verified.Should().BeFalse();
        report.Errors.Should().NotBeEmpty();

        string jwt = new BadgeIssuer.Core.Jwt.VcJwtSigner(attacker.Key).Sign(unsigned.RootElement);
        VerificationReport jwtReport = await Verifier().VerifyAsync(Encoding.ASCII.GetBytes(jwt), TestContext.Current.CancellationToken);
        Single(jwtReport, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Failed);
        jwtReport.Verified.Should().BeFalse();

        // The same forgery against an issuer whose key document is known here fails the binding outright.
        VerificationReport known = await ReportAssert.Verifier(knownIssuers: ReportAssert.SpecExampleIssuers, trustFragment: true).VerifyAsync(forged, TestContext.Current.CancellationToken);
        Single(known, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Failed);
        known.Verified.Should().BeFalse();
        VerificationReport knownJwt = await ReportAssert.Verifier(knownIssuers: ReportAssert.SpecExampleIssuers, trustFragment: true).VerifyAsync(Encoding.ASCII.GetBytes(jwt), TestContext.Current.CancellationToken);
        Single(knownJwt, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Failed);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData("a.b")]
    public async Task Input_that_is_no_credential_format_is_unreadable(string input)
    {
        VerificationReport report = await Verifier().VerifyAsync(Encoding.UTF8.GetBytes(input), TestContext.Current.CancellationToken);
        report.InputReadable.Should().BeFalse();
        Single(report, CheckNames.Format).Status.Should().Be(CheckStatus.Failed);
    }

    private static byte[] StripProof(JsonElement document)
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            writer.WriteStartObject();
            foreach (JsonProperty p in document.EnumerateObject())
            {
                if (!p.NameEquals("proof"))
                {
                    p.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return ms.ToArray();
    }

    [Fact]
    public async Task Key_controlled_by_someone_other_than_the_issuer_fails_the_binding_step()
    {
        // The 1EdTech fixture is signed with a did:key while its issuer is a urn:uuid (DIGEST DI-10, VER-7).
        VerificationReport report = await Verifier().VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/simple-did-key-method.json"), TestContext.Current.CancellationToken);
        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        Single(report, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Failed);
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task Revoked_credential_fails_the_status_step_with_a_verified_list()
    {
        const string dir = "1edtech-validator-fixtures/bitstring-status-list/";
        using JsonDocument credential = JsonDocument.Parse(TestVectors.Bytes(dir + "credential-status-revoked.json"));
        string listUrl = credential.RootElement.GetProperty("credentialStatus").GetProperty("statusListCredential").GetString()!;
        var source = new InMemoryStatusListSource().Add(listUrl, TestVectors.Bytes(dir + "testlist.json"));

        VerificationReport report = await Verifier(source, allowUnauthenticated: true).VerifyAsync(TestVectors.Bytes(dir + "credential-status-revoked.json"), TestContext.Current.CancellationToken);
        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Failed);
        status.Message.Should().Contain("revoked");
        report.Verified.Should().BeFalse();
        report.Checks.Should().Contain(c => c.Name == CheckNames.Proof && c.Status == CheckStatus.Passed);
    }

    [Fact]
    public async Task Status_list_unavailable_fails_closed()
    {
        VerificationReport report = await Verifier().VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/bitstring-status-list/credential-status-revoked.json"), TestContext.Current.CancellationToken);
        Single(report, CheckNames.Status).Status.Should().Be(CheckStatus.Failed);
        Single(report, CheckNames.Status).Message.Should().Contain("STATUS_RETRIEVAL_ERROR");
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task Tampered_proof_fails()
    {
        VerificationReport report = await Verifier().VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/simple-err-proof-value.json"), TestContext.Current.CancellationToken);
        report.Verified.Should().BeFalse();
        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Failed);
    }

    [Fact]
    public async Task Expired_and_not_yet_valid_credentials_fail_the_validity_step()
    {
        byte[] input = TestVectors.Bytes("ob-v3p0-spec-examples/sample-openbadgecredential.signed-di.json");
        using JsonDocument doc = JsonDocument.Parse(input);
        DateTimeOffset validFrom = DateTimeOffset.Parse(doc.RootElement.GetProperty("validFrom").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        VerificationReport early = await Verifier(now: validFrom.AddDays(-1)).VerifyAsync(input, TestContext.Current.CancellationToken);
        Single(early, CheckNames.Validity).Status.Should().Be(CheckStatus.Failed);
        early.Verified.Should().BeFalse();

        if (doc.RootElement.TryGetProperty("validUntil", out JsonElement until))
        {
            DateTimeOffset validUntil = DateTimeOffset.Parse(until.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            VerificationReport late = await Verifier(now: validUntil.AddDays(1)).VerifyAsync(input, TestContext.Current.CancellationToken);
            Single(late, CheckNames.Validity).Status.Should().Be(CheckStatus.Failed);
        }
    }

    [Fact]
    public async Task Unsupported_proof_next_to_a_valid_one_is_a_warning()
    {
        // The unknown proof type's own terms are undefined; safe mode is checked on the credential without its
        // proofs, and each proof on its own, so the valid proof carries the credential (1EdTech fixture README).
        VerificationReport report = await Verifier(allowUnauthenticated: true).VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/simple-multiple-proofs.json"), TestContext.Current.CancellationToken);
        Single(report, CheckNames.JsonLd).Status.Should().Be(CheckStatus.Passed);
        report.Checks.Should().Contain(c => c.Name.StartsWith("proof[", StringComparison.Ordinal) && c.Status == CheckStatus.Passed);
        report.Checks.Should().Contain(c => c.Name.StartsWith("proof[", StringComparison.Ordinal) && c.Status == CheckStatus.Warning);
        report.Verified.Should().BeTrue(Describe(report));
    }

    [Fact]
    public async Task An_undefined_term_fails_safe_mode_and_the_proof_is_not_checked()
    {
        string json = Encoding.UTF8.GetString(TestVectors.Bytes("1edtech-validator-fixtures/simple.json"));
        int at = json.IndexOf("\"name\"", StringComparison.Ordinal);
        string tampered = json.Insert(at, "\"nickname\": \"x\", ");
        VerificationReport report = await Verifier(allowUnauthenticated: true).VerifyAsync(Encoding.UTF8.GetBytes(tampered), TestContext.Current.CancellationToken);
        VerificationCheck safe = Single(report, CheckNames.JsonLd);
        safe.Status.Should().Be(CheckStatus.Failed);
        safe.Message.Should().Contain("nickname");
        Single(report, CheckNames.Proof).Message.Should().StartWith("not checked");
        report.Verified.Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a credential")]
    [InlineData("{\"a\": ")]
    [InlineData("[1, 2]")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJ9.")]
    public async Task Garbage_is_reported_not_thrown(string input)
    {
        VerificationReport report = await Verifier().VerifyAsync(Encoding.UTF8.GetBytes(input), TestContext.Current.CancellationToken);
        report.Verified.Should().BeFalse();
        report.Checks.Should().Contain(c => c.Status == CheckStatus.Failed);
    }

    [Fact]
    public async Task Recipient_check_compares_the_hashed_identifier()
    {
        // The complete example's subject carries a hashed email identifier; a wrong recipient fails the step.
        byte[] input = TestVectors.Bytes("ob-v3p0-spec-examples/complete-openbadgecredential.signed-di.json");
        var wrong = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(s_now), ExpectedRecipient = "someone.else@example.com" });
        VerificationReport report = await wrong.VerifyAsync(input, TestContext.Current.CancellationToken);
        Single(report, CheckNames.Recipient).Status.Should().Be(CheckStatus.Failed);
    }

    [Fact]
    public async Task Report_serializes_as_json()
    {
        VerificationReport report = await Verifier(allowUnauthenticated: true).VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/simple.json"), TestContext.Current.CancellationToken);
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            report.WriteTo(writer);
        }

        using JsonDocument json = JsonDocument.Parse(ms.ToArray());
        json.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("checks").GetArrayLength().Should().Be(report.Checks.Count);
    }

    private static CredentialVerifier Verifier(IStatusListCredentialSource? statusLists = null, DateTimeOffset? now = null, bool allowUnauthenticated = false)
        => new(new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(now ?? s_now), StatusLists = statusLists, TrustVerificationMethodFragment = allowUnauthenticated });

    private static VerificationCheck Single(VerificationReport report, string name) => report.Checks.Should().ContainSingle(c => c.Name == name).Which;

    private static string Describe(VerificationReport report)
        => string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}"));
}
