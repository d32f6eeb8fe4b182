using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Tests.Model;

public class EmailAddressTests
{
    [Theory]
    [InlineData("grace@example.org", "grace@example.org")]
    [InlineData("  Grace.Hopper@Example.ORG\t", "grace.hopper@example.org")]
    [InlineData("o'neil+tag@sub.example.co.uk", "o'neil+tag@sub.example.co.uk")]
    [InlineData("a!#$%&'*+-/=?^_`{|}~z@example.org", "a!#$%&'*+-/=?^_`{|}~z@example.org")]
    [InlineData("grace@bücher.de", "grace@xn--bcher-kva.de")]
    [InlineData("grace@BÜCHER.DE", "grace@xn--bcher-kva.de")]
    [InlineData("grace@xn--bcher-kva.de", "grace@xn--bcher-kva.de")]
    [InlineData("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v")]
    [InlineData("x@a-b.example", "x@a-b.example")]
    public void TryNormalize_ValidAddress_IsNormalised(string input, string expected)
    {
        EmailAddress.TryNormalize(input, out string normalized, out string? error).Should().BeTrue(error);
        normalized.Should().Be(expected);
    }

    [Theory]
    [InlineData("grace@@example.org")]
    [InlineData("a@example\u3002com\u3002")]
    [InlineData("a@example\uFF0Ecom\uFF0E")]
    [InlineData("a@\u3002example.com")]
    [InlineData("a@example\u3002\u3002com")]
    [InlineData("a@b@c")]
    [InlineData("grace@example..org")]
    [InlineData("grace@.example.org")]
    [InlineData("grace@example.org.")]
    [InlineData(".grace@example.org")]
    [InlineData("grace.@example.org")]
    [InlineData("gr..ace@example.org")]
    [InlineData("gr ace@example.org")]
    [InlineData("grace@localhost")]
    [InlineData("grace@example-.org")]
    [InlineData("grace@[192.0.2.1]")]
    [InlineData("grace@192.0.2.1")]
    [InlineData("\"grace\"@example.org")]
    [InlineData("grace\u0000@example.org")]
    [InlineData("grace\u200B@example.org")]
    [InlineData("grace@exam\u200Bple.org")]
    [InlineData("grace@exa_mple.org")]
    [InlineData("")]
    [InlineData("   ")]
    public void TryNormalize_InvalidAddress_SaysWhy(string input)
    {
        EmailAddress.TryNormalize(input, out _, out string? error).Should().BeFalse();
        string.IsNullOrWhiteSpace(error).Should().BeFalse();
    }

    [Fact]
    public void TryNormalize_Lengths_AreBounded()
    {
        string label63 = new('a', 63);
        EmailAddress.TryNormalize(new string('l', 64) + "@" + label63 + ".org", out _, out _).Should().BeTrue();
        EmailAddress.TryNormalize(new string('l', 65) + "@example.org", out _, out string? local).Should().BeFalse();
        local.Should().Contain("64");
        EmailAddress.TryNormalize("g@" + new string('a', 64) + ".org", out _, out string? label).Should().BeFalse();
        label.Should().Contain("63");
        string longDomain = string.Join('.', Enumerable.Repeat(label63, 4));
        EmailAddress.TryNormalize("g@" + longDomain, out _, out string? total).Should().BeFalse();
        total.Should().Contain("longer than");
    }

    [Fact]
    public void MatchesEmail_InternationalisedDomain_MatchesEitherSpellingOfANormalisedHash()
    {
        Recipient recipient = Recipient.FromEmail("grace@xn--bcher-kva.de", "salt");
        IdentityObject identity = recipient.Identifiers[0];
        using JsonDocument subject = JsonDocument.Parse(
            $$"""{"identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true, "identityHash": "{{identity.IdentityHash}}", "salt": "salt"}]}""");

        RecipientMatcher.MatchesEmail(subject.RootElement, "grace@xn--bcher-kva.de").Should().BeTrue();
        RecipientMatcher.MatchesEmail(subject.RootElement, " Grace@Bücher.de").Should().BeTrue();
        RecipientMatcher.MatchesEmail(subject.RootElement, "grace@bucher.de").Should().BeFalse();
    }
}
