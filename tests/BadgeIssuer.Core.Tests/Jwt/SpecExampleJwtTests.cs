using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Jwt;

/// <summary>The 8 RS256 VC-JWTs rendered in the OB 3.0 spec (RSA public key in the header jwk).</summary>
public class SpecExampleJwtTests
{
    private const string Folder = "vectors/ob-v3p0-spec-examples/";
    private static readonly DateTimeOffset s_now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Examples() =>
    [
        "achievement-alignment-case",
        "achievement-alignment-credential-engine",
        "complete-openbadgecredential",
        "sample-endorsementcredential",
        "sample-openbadgecredential-file-contents",
        "sample-openbadgecredential",
        "skill-assertion-case",
        "skill-assertion-credential-registry",
    ];

    private static VcJwtVerifier Tolerant(DateTimeOffset now) => new(new VcJwtVerifierOptions
    {
        TimeProvider = new FixedTimeProvider(now),
        AllowMissingNotBefore = true,
        AllowMissingExpiration = true,
    });

    [Theory]
    [MemberData(nameof(Examples))]
    public void SpecExample_TolerantMode_VerifiesSignatureAndClaims(string name)
    {
        string jws = TestDataFiles.Text(Folder + name + ".jwt");
        using JsonDocument expectedPayload = TestDataFiles.Json(Folder + name + ".jwt-payload.json");
        using JsonDocument expectedHeader = TestDataFiles.Json(Folder + name + ".jwt-header.json");

        using VcJwtVerificationResult result = Tolerant(s_now).Verify(jws);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        result.Format.Should().Be(VcJwtFormat.OpenBadges);
        result.KeySource.Should().Be(VcJwtKeySource.HeaderJwk);
        result.Key!.KeyType.Should().Be(KeyType.Rsa);
        result.Algorithm.Should().Be(JwsAlgorithms.RS256);
        JsonElement.DeepEquals(expectedHeader.RootElement, result.Header).Should().BeTrue();
        JsonElement.DeepEquals(expectedPayload.RootElement, result.Credential).Should().BeTrue();
        result.Credential.GetProperty("validFrom").GetString().Should().Be(expectedPayload.RootElement.GetProperty("validFrom").GetString());
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void SpecExample_StrictMode_ReportsMissingNbf(string name)
    {
        var verifier = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(s_now) });

        using VcJwtVerificationResult result = verifier.Verify(TestDataFiles.Text(Folder + name + ".jwt"));

        result.SignatureVerified.Should().BeTrue();
        result.Failure.Should().Be(VcJwtFailure.MissingNotBefore);
    }

    [Fact]
    public void SpecExample_WithValidUntilPassed_IsExpired()
    {
        // complete-openbadgecredential has validUntil 2030-01-01 and no exp: validUntil still counts.
        using VcJwtVerificationResult result = Tolerant(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero)).Verify(TestDataFiles.Text(Folder + "complete-openbadgecredential.jwt"));

        result.Failure.Should().Be(VcJwtFailure.Expired);
    }

    [Fact]
    public void SpecExample_BeforeValidFrom_IsNotYetValid()
    {
        using VcJwtVerificationResult result = Tolerant(new DateTimeOffset(2009, 12, 31, 0, 0, 0, TimeSpan.Zero)).Verify(TestDataFiles.Text(Folder + "sample-openbadgecredential.jwt"));

        result.Failure.Should().Be(VcJwtFailure.NotYetValid);
    }

    [Fact]
    public void SpecExample_WrongExpectedKey_IsKeyMismatch()
    {
        using RsaKeyPair other = RsaKeyPair.Generate();

        using VcJwtVerificationResult result = Tolerant(s_now).Verify(TestDataFiles.Text(Folder + "sample-openbadgecredential.jwt"), other.PublicKey);

        result.Failure.Should().Be(VcJwtFailure.KeyMismatch);
    }

    [Fact]
    public void SpecExample_OneChangedPayloadByte_IsInvalidSignature()
    {
        string jws = TestDataFiles.Text(Folder + "sample-openbadgecredential.jwt");
        string[] parts = jws.Split('.');
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("Teamwork Badge", "Teamwork Badgf", StringComparison.Ordinal);
        string tampered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];

        using VcJwtVerificationResult result = Tolerant(s_now).Verify(tampered);

        result.Failure.Should().Be(VcJwtFailure.InvalidSignature);
        result.Credential.ValueKind.Should().Be(JsonValueKind.Undefined);
    }

    [Fact]
    public void VcClaimFixture_HasNoKey_IsMissingKey()
    {
        // 1EdTech simple.jwt: header {"alg":"RS256","typ":"JWT"} with neither kid nor jwk.
        using VcJwtVerificationResult result = Tolerant(s_now).Verify(TestDataFiles.Text("vectors/1edtech-validator-fixtures/simple-vc-data-model-1.1-vc-claim.jwt"));

        result.Failure.Should().Be(VcJwtFailure.MissingKey);
        result.Payload.ValueKind.Should().Be(JsonValueKind.Undefined);
    }

    [Fact]
    public void VcClaimFixture_PayloadResignedWithJwk_VerifiesAsVcdm11()
    {
        // The fixture cannot be verified (no key); its exact payload bytes, re-signed with a header jwk,
        // exercise the vc-claim path: credential = vc, nbf vs issuanceDate, iss/jti/sub vs vc.
        string fixture = TestDataFiles.Text("vectors/1edtech-validator-fixtures/simple-vc-data-model-1.1-vc-claim.jwt");
        byte[] payload = Base64Url.DecodeFromChars(fixture.Split('.')[1]);
        using RsaKeyPair key = RsaKeyPair.Generate();
        string jws = JwsTestHelper.SignRaw(key, """{"alg":"RS256","typ":"JWT","jwk":""" + Encoding.UTF8.GetString(key.PublicKey.ExportJwk()) + "}", payload);
        var verifier = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(s_now) });

        using VcJwtVerificationResult result = verifier.Verify(jws);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        result.Format.Should().Be(VcJwtFormat.VcClaim);
        result.Credential.GetProperty("id").GetString().Should().Be("http://example.edu/credentials/3732");
        result.NotBefore.Should().Be(new DateTimeOffset(2010, 1, 1, 0, 0, 0, TimeSpan.Zero));

        using VcJwtVerificationResult refused = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(s_now), AllowVcClaim = false }).Verify(jws);
        refused.Failure.Should().Be(VcJwtFailure.MissingCredential);
    }
}

internal static class JwsTestHelper
{
    /// <summary>Builds a compact JWS from arbitrary header JSON and payload bytes (for negative tests).</summary>
    public static string SignRaw(SigningKey key, string headerJson, byte[] payload)
    {
        string signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64Url.EncodeToString(payload);
        return signingInput + "." + Base64Url.EncodeToString(key.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string SignRaw(SigningKey key, string headerJson, string payloadJson)
        => SignRaw(key, headerJson, Encoding.UTF8.GetBytes(payloadJson));
}
