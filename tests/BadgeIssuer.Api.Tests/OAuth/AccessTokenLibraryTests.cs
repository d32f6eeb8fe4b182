using BadgeIssuer.Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Api.Tests.OAuth;

/// <summary>
/// Access tokens are written and checked by Microsoft.IdentityModel's JsonWebTokenHandler; these pin the library
/// defaults AccessTokens overrides (5-minute skew, the system clock, trailing-slash audiences, other keys and types).
/// </summary>
public sealed class AccessTokenLibraryTests
{
    [Fact]
    public void ValidationParameters_OverrideTheLibraryDefaults()
    {
        using var app = new BadgeIssuerApplication();
        AccessTokens tokens = app.Services.GetRequiredService<AccessTokens>();

        TokenValidationParameters p = tokens.ValidationParameters;

        p.ValidAlgorithms.Should().Equal(["HS256"]);
        p.ValidTypes.Should().Equal(["at+jwt"]);
        p.ClockSkew.Should().Be(TimeSpan.FromSeconds(30));
        p.IgnoreTrailingSlashWhenValidatingAudience.Should().BeFalse();
        p.TryAllIssuerSigningKeys.Should().BeFalse();
        p.RequireSignedTokens.Should().BeTrue();
        p.RequireExpirationTime.Should().BeTrue();
        p.ValidIssuer.Should().Be(BadgeIssuerApplication.BaseUrl);
        p.ValidAudience.Should().Be(BadgeIssuerApplication.BaseUrl);

        // Only the key of the token's kid, never a search across keys.
        p.IssuerSigningKeyResolver("t", null, "0011223344556677", p).Should().BeEmpty();
        string kid = OAuthHelper.ServiceKey(app).Kid;
        p.IssuerSigningKeyResolver("t", null, kid, p).Should().ContainSingle().Which.KeyId.Should().Be(kid);
    }

    [Fact]
    public void LifetimeHook_UsesTheServiceClockAndItsSkew()
    {
        using var app = new BadgeIssuerApplication();
        AccessTokens tokens = app.Services.GetRequiredService<AccessTokens>();
        LifetimeValidator validator = tokens.ValidationParameters.LifetimeValidator;
        DateTime now = BadgeIssuerApplication.Now.UtcDateTime;

        // The fixed test clock is years from the machine's: the library's own clock would refuse or accept wrongly.
        validator(now.AddMinutes(-1), now.AddMinutes(9), null, tokens.ValidationParameters).Should().BeTrue();
        validator(now.AddSeconds(29), now.AddMinutes(9), null, tokens.ValidationParameters).Should().BeTrue();
        validator(now.AddSeconds(31), now.AddMinutes(9), null, tokens.ValidationParameters).Should().BeFalse();

        // Expired 31 s ago: within the library's default 5-minute skew, outside ours (30 s).
        validator(now.AddMinutes(-10), now.AddSeconds(-31), null, tokens.ValidationParameters).Should().BeFalse();
        validator(now.AddMinutes(-10), now.AddSeconds(-29), null, tokens.ValidationParameters).Should().BeTrue();
        validator(now.AddMinutes(-10), null, null, tokens.ValidationParameters).Should().BeFalse();
    }
}
