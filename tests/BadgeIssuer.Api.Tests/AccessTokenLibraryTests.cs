using BadgeIssuer.Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Api.Tests;

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

        Assert.Equal(["HS256"], p.ValidAlgorithms);
        Assert.Equal(["at+jwt"], p.ValidTypes);
        Assert.Equal(TimeSpan.FromSeconds(30), p.ClockSkew);
        Assert.False(p.IgnoreTrailingSlashWhenValidatingAudience);
        Assert.False(p.TryAllIssuerSigningKeys);
        Assert.True(p.RequireSignedTokens);
        Assert.True(p.RequireExpirationTime);
        Assert.Equal(BadgeIssuerApplication.BaseUrl, p.ValidIssuer);
        Assert.Equal(BadgeIssuerApplication.BaseUrl, p.ValidAudience);

        // Only the key of the token's kid, never a search across keys.
        Assert.Empty(p.IssuerSigningKeyResolver("t", null, "0011223344556677", p));
        string kid = OAuth.ServiceKey(app).Kid;
        Assert.Equal(kid, Assert.Single(p.IssuerSigningKeyResolver("t", null, kid, p)).KeyId);
    }

    [Fact]
    public void LifetimeHook_UsesTheServiceClockAndItsSkew()
    {
        using var app = new BadgeIssuerApplication();
        AccessTokens tokens = app.Services.GetRequiredService<AccessTokens>();
        LifetimeValidator validator = tokens.ValidationParameters.LifetimeValidator;
        DateTime now = BadgeIssuerApplication.Now.UtcDateTime;

        // The fixed test clock is years from the machine's: the library's own clock would refuse or accept wrongly.
        Assert.True(validator(now.AddMinutes(-1), now.AddMinutes(9), null, tokens.ValidationParameters));
        Assert.True(validator(now.AddSeconds(29), now.AddMinutes(9), null, tokens.ValidationParameters));
        Assert.False(validator(now.AddSeconds(31), now.AddMinutes(9), null, tokens.ValidationParameters));

        // Expired 31 s ago: within the library's default 5-minute skew, outside ours (30 s).
        Assert.False(validator(now.AddMinutes(-10), now.AddSeconds(-31), null, tokens.ValidationParameters));
        Assert.True(validator(now.AddMinutes(-10), now.AddSeconds(-29), null, tokens.ValidationParameters));
        Assert.False(validator(now.AddMinutes(-10), null, null, tokens.ValidationParameters));
    }
}
