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
        validity.Status.Should().Be(CheckStatus.Failed);
        validity.Message.Should().Be(message);
        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        report.Verified.Should().BeFalse();
        report.Errors.Should().Contain(message);
    }

    [Theory]
    [InlineData("2026-12-01T00:00:00Z", null, "not yet valid: issuanceDate is 2026-12-01T00:00:00Z")]
    [InlineData("2025-01-01T00:00:00Z", "2026-10-01T00:00:00+02:00", "expired: expirationDate was 2026-09-30T22:00:00Z")]
    public async Task Vc11_OutsideIssuanceExpirationDates_FailsWithTheDate(string issuanceDate, string? expirationDate, string message)
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.LegacyCredential(issuer.Id, issuanceDate, expirationDate));

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);

        (Single(report, CheckNames.Proof).Status == CheckStatus.Passed).Should().BeTrue(Describe(report));
        VerificationCheck validity = Single(report, CheckNames.Validity);
        validity.Status.Should().Be(CheckStatus.Failed);
        validity.Message.Should().Be(message);
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task Vc11_WithinIssuanceExpirationDates_Verifies()
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.LegacyCredential(issuer.Id, "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"));

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);

        report.Verified.Should().BeTrue(Describe(report));
        Single(report, CheckNames.Validity).Message.Should().Be("valid from 2025-01-01T00:00:00Z until 2027-01-01T00:00:00Z (issuanceDate, expirationDate)");
        report.Summary!.ValidFrom.Should().Be("2025-01-01T00:00:00Z");
        report.Summary.ValidUntil.Should().Be("2027-01-01T00:00:00Z");
    }

    [Fact]
    public async Task ClockSkew_ValidFromSecondsAhead_IsTolerated()
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.Credential(issuer.Id, "2026-11-01T00:00:30Z"));

        VerificationReport withinSkew = await Verifier().VerifyAsync(signed, Ct);
        VerificationReport strict = await new CredentialVerifier(new CredentialVerifierOptions
        {
            TimeProvider = new FixedTimeProvider(TestClock.Now),
            ClockSkew = TimeSpan.Zero,
        }).VerifyAsync(signed, Ct);

        Single(withinSkew, CheckNames.Validity).Status.Should().Be(CheckStatus.Passed);
        Single(strict, CheckNames.Validity).Status.Should().Be(CheckStatus.Failed);
    }

    [Fact]
    public async Task Jwt_Expired_FailsTheValidityStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z");
        string jwt = issuer.SignJwt(credential);

        VerificationReport report = await Verifier().VerifyAsync(System.Text.Encoding.ASCII.GetBytes(jwt), Ct);

        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        Single(report, CheckNames.Validity).Message.Should().Be("expired: validUntil was 2026-06-01T00:00:00Z");
        report.Verified.Should().BeFalse();
    }
}
