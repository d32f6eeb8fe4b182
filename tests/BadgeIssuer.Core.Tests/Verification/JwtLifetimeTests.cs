using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>Security review: a VC-JWT is bounded by its own exp/nbf as well as by the credential's dates.</summary>
public sealed class JwtLifetimeTests
{
    // A VC-JWT whose JWT exp is in the past (expired a month ago) and whose credential has no validUntil.
    [Fact]
    public async Task Vc_jwt_expired_by_exp_claim_does_not_verify()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        string header = new VcJwtSigner(issuer.Key, new VcJwtSignerOptions { KeyId = issuer.VerificationMethod }).HeaderJson;
        long nbf = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        long exp = TestClock.Now.AddDays(-30).ToUnixTimeSeconds();
        credential["iss"] = issuer.Id;
        credential["jti"] = (string)credential["id"]!;
        credential["sub"] = "did:example:learner";
        credential["nbf"] = nbf;
        credential["exp"] = exp;
        string signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(credential.ToJsonString()));
        byte[] signature = issuer.Key.Sign(Encoding.ASCII.GetBytes(signingInput));
        string jws = signingInput + "." + Base64Url.EncodeToString(signature);

        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(Encoding.ASCII.GetBytes(jws), TestContext.Current.CancellationToken);
        report.Verified.Should().BeFalse("a VC-JWT whose exp passed a month ago verified");
        report.Checks.Should().Contain(c => c.Name == CheckNames.Validity && c.Status == CheckStatus.Failed && c.Message.Contains("the token's exp", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("exp", 300_000_000_000L)]
    [InlineData("nbf", 300_000_000_000L)]
    [InlineData("exp", -300_000_000_000L)]
    public async Task Vc_jwt_with_a_date_beyond_year_9999_is_refused_not_thrown_on(string claim, long value)
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        string header = new VcJwtSigner(issuer.Key, new VcJwtSignerOptions { KeyId = issuer.VerificationMethod }).HeaderJson;
        credential["iss"] = issuer.Id;
        credential["jti"] = (string)credential["id"]!;
        credential["sub"] = "did:example:learner";
        credential[claim] = value;
        string signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(credential.ToJsonString()));
        string jws = signingInput + "." + Base64Url.EncodeToString(issuer.Key.Sign(Encoding.ASCII.GetBytes(signingInput)));

        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(Encoding.ASCII.GetBytes(jws), TestContext.Current.CancellationToken);
        report.Verified.Should().BeFalse();
    }
}
