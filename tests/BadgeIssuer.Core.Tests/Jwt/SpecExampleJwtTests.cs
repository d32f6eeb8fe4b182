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
        string jws = TestFiles.Text(Folder + name + ".jwt");
        using JsonDocument expectedPayload = TestFiles.Json(Folder + name + ".jwt-payload.json");
        using JsonDocument expectedHeader = TestFiles.Json(Folder + name + ".jwt-header.json");

        using VcJwtVerificationResult result = Tolerant(s_now).Verify(jws);

        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.Equal(VcJwtFormat.OpenBadges, result.Format);
        Assert.Equal(VcJwtKeySource.HeaderJwk, result.KeySource);
        Assert.Equal(KeyType.Rsa, result.Key!.KeyType);
        Assert.Equal(JwsAlgorithms.RS256, result.Algorithm);
        Assert.True(JsonElement.DeepEquals(expectedHeader.RootElement, result.Header));
        Assert.True(JsonElement.DeepEquals(expectedPayload.RootElement, result.Credential));
        Assert.Equal(expectedPayload.RootElement.GetProperty("validFrom").GetString(), result.Credential.GetProperty("validFrom").GetString());
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void SpecExample_StrictMode_ReportsMissingNbf(string name)
    {
        var verifier = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(s_now) });

        using VcJwtVerificationResult result = verifier.Verify(TestFiles.Text(Folder + name + ".jwt"));

        Assert.True(result.SignatureVerified);
        Assert.Equal(VcJwtFailure.MissingNotBefore, result.Failure);
    }

    [Fact]
    public void SpecExample_WithValidUntilPassed_IsExpired()
    {
        // complete-openbadgecredential has validUntil 2030-01-01 and no exp: validUntil still counts.
        using VcJwtVerificationResult result = Tolerant(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero)).Verify(TestFiles.Text(Folder + "complete-openbadgecredential.jwt"));

        Assert.Equal(VcJwtFailure.Expired, result.Failure);
    }

    [Fact]
    public void SpecExample_BeforeValidFrom_IsNotYetValid()
    {
        using VcJwtVerificationResult result = Tolerant(new DateTimeOffset(2009, 12, 31, 0, 0, 0, TimeSpan.Zero)).Verify(TestFiles.Text(Folder + "sample-openbadgecredential.jwt"));

        Assert.Equal(VcJwtFailure.NotYetValid, result.Failure);
    }

    [Fact]
    public void SpecExample_WrongExpectedKey_IsKeyMismatch()
    {
        using RsaKeyPair other = RsaKeyPair.Generate();

        using VcJwtVerificationResult result = Tolerant(s_now).Verify(TestFiles.Text(Folder + "sample-openbadgecredential.jwt"), other.PublicKey);

        Assert.Equal(VcJwtFailure.KeyMismatch, result.Failure);
    }

    [Fact]
    public void SpecExample_OneChangedPayloadByte_IsInvalidSignature()
    {
        string jws = TestFiles.Text(Folder + "sample-openbadgecredential.jwt");
        string[] parts = jws.Split('.');
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("Teamwork Badge", "Teamwork Badgf", StringComparison.Ordinal);
        string tampered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];

        using VcJwtVerificationResult result = Tolerant(s_now).Verify(tampered);

        Assert.Equal(VcJwtFailure.InvalidSignature, result.Failure);
        Assert.Equal(JsonValueKind.Undefined, result.Credential.ValueKind);
    }

    [Fact]
    public void VcClaimFixture_HasNoKey_IsMissingKey()
    {
        // 1EdTech simple.jwt: header {"alg":"RS256","typ":"JWT"} with neither kid nor jwk.
        using VcJwtVerificationResult result = Tolerant(s_now).Verify(TestFiles.Text("vectors/1edtech-validator-fixtures/simple-vc-data-model-1.1-vc-claim.jwt"));

        Assert.Equal(VcJwtFailure.MissingKey, result.Failure);
        Assert.Equal(JsonValueKind.Undefined, result.Payload.ValueKind);
    }

    [Fact]
    public void VcClaimFixture_PayloadResignedWithJwk_VerifiesAsVcdm11()
    {
        // The fixture cannot be verified (no key); its exact payload bytes, re-signed with a header jwk,
        // exercise the vc-claim path: credential = vc, nbf vs issuanceDate, iss/jti/sub vs vc.
        string fixture = TestFiles.Text("vectors/1edtech-validator-fixtures/simple-vc-data-model-1.1-vc-claim.jwt");
        byte[] payload = Base64Url.DecodeFromChars(fixture.Split('.')[1]);
        using RsaKeyPair key = RsaKeyPair.Generate();
        string jws = JwsTestHelper.SignRaw(key, """{"alg":"RS256","typ":"JWT","jwk":""" + Encoding.UTF8.GetString(key.PublicKey.ExportJwk()) + "}", payload);
        var verifier = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(s_now) });

        using VcJwtVerificationResult result = verifier.Verify(jws);

        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.Equal(VcJwtFormat.VcClaim, result.Format);
        Assert.Equal("http://example.edu/credentials/3732", result.Credential.GetProperty("id").GetString());
        Assert.Equal(new DateTimeOffset(2010, 1, 1, 0, 0, 0, TimeSpan.Zero), result.NotBefore);

        using VcJwtVerificationResult refused = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(s_now), AllowVcClaim = false }).Verify(jws);
        Assert.Equal(VcJwtFailure.MissingCredential, refused.Failure);
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
