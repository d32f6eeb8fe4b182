using System.Text.Json.Nodes;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

public sealed class ValidityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("2026-12-01T00:00:00Z", null, "not yet valid: validFrom is 2026-12-01T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00Z", "2026-10-01T00:00:00Z", "expired: validUntil was 2026-10-01T00:00:00Z")]
    public async Task Vc20_OutsideValidFromValidUntil_FailsWithTheDate(string validFrom, string? validUntil, string message)
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.Credential(issuer.Id, validFrom, validUntil));

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);

        VerificationCheck validity = Single(report, CheckNames.Validity);
        Assert.Equal(CheckStatus.Failed, validity.Status);
        Assert.Equal(message, validity.Message);
        Assert.Equal(CheckStatus.Passed, Single(report, CheckNames.Proof).Status);
        Assert.False(report.Verified);
        Assert.Contains(message, report.Errors);
    }

    [Theory]
    [InlineData("2026-12-01T00:00:00Z", null, "not yet valid: issuanceDate is 2026-12-01T00:00:00Z")]
    [InlineData("2025-01-01T00:00:00Z", "2026-10-01T00:00:00+02:00", "expired: expirationDate was 2026-09-30T22:00:00Z")]
    public async Task Vc11_OutsideIssuanceExpirationDates_FailsWithTheDate(string issuanceDate, string? expirationDate, string message)
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.LegacyCredential(issuer.Id, issuanceDate, expirationDate));

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);

        Assert.True(Single(report, CheckNames.Proof).Status == CheckStatus.Passed, Describe(report));
        VerificationCheck validity = Single(report, CheckNames.Validity);
        Assert.Equal(CheckStatus.Failed, validity.Status);
        Assert.Equal(message, validity.Message);
        Assert.False(report.Verified);
    }

    [Fact]
    public async Task Vc11_WithinIssuanceExpirationDates_Verifies()
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.LegacyCredential(issuer.Id, "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"));

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);

        Assert.True(report.Verified, Describe(report));
        Assert.Equal("valid from 2025-01-01T00:00:00Z until 2027-01-01T00:00:00Z (issuanceDate, expirationDate)", Single(report, CheckNames.Validity).Message);
        Assert.Equal("2025-01-01T00:00:00Z", report.Summary!.ValidFrom);
        Assert.Equal("2027-01-01T00:00:00Z", report.Summary.ValidUntil);
    }

    [Fact]
    public async Task ClockSkew_ValidFromSecondsAhead_IsTolerated()
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.Credential(issuer.Id, "2026-11-01T00:00:30Z"));

        VerificationReport withinSkew = await Verifier().VerifyAsync(signed, Ct);
        VerificationReport strict = await new CredentialVerifier(new CredentialVerifierOptions
        {
            TimeProvider = new FixedTimeProvider(TestIssuer.Now),
            ClockSkew = TimeSpan.Zero,
        }).VerifyAsync(signed, Ct);

        Assert.Equal(CheckStatus.Passed, Single(withinSkew, CheckNames.Validity).Status);
        Assert.Equal(CheckStatus.Failed, Single(strict, CheckNames.Validity).Status);
    }

    [Fact]
    public async Task Jwt_Expired_FailsTheValidityStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z");
        string jwt = issuer.SignJwt(credential);

        VerificationReport report = await Verifier().VerifyAsync(System.Text.Encoding.ASCII.GetBytes(jwt), Ct);

        Assert.Equal(CheckStatus.Passed, Single(report, CheckNames.Proof).Status);
        Assert.Equal("expired: validUntil was 2026-06-01T00:00:00Z", Single(report, CheckNames.Validity).Message);
        Assert.False(report.Verified);
    }
}
