using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Tests.Model;

public class IdentityHashTests
{
    // OB-DM-22 vectors (re-computed in the digest).
    public static TheoryData<string, string, string> Vectors => new()
    {
        { "a@example.com", "Kosher", "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399" },
        { "jjefferson18@example.com", "FleurDeSel", "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void ComputeSha256_SpecVector_Matches(string email, string salt, string expected)
    {
        IdentityHash.ComputeSha256(email, salt).Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_SpecVector_AnyHexCase(string email, string salt, string expected)
    {
        IdentityHash.Matches(expected, email, salt).Should().BeTrue();
        IdentityHash.Matches("sha256$" + expected["sha256$".Length..].ToUpperInvariant(), email, salt).Should().BeTrue();
        IdentityHash.Matches(expected, email, salt + "x").Should().BeFalse();
        IdentityHash.Matches(expected, "b@example.com", salt).Should().BeFalse();
    }

    [Fact]
    public void Matches_LegacyMd5_IsAccepted()
    {
        // md5("a@example.comKosher"), computed independently with coreutils md5sum.
        IdentityHash.Matches("md5$ddd142639a792e74751ee7e129237efa", "a@example.com", "Kosher").Should().BeTrue();
        IdentityHash.Matches("md5$DDD142639A792E74751EE7E129237EFA", "a@example.com", "Kosher").Should().BeTrue();
        IdentityHash.Matches("md5$ddd142639a792e74751ee7e129237efa", "a@example.com", "Salt").Should().BeFalse();
    }

    [Theory]
    [InlineData("sha1$0123")]
    [InlineData("sha256$nothex")]
    [InlineData("b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399")]
    [InlineData("")]
    public void Matches_UnknownOrMalformed_IsFalse(string hash)
    {
        IdentityHash.Matches(hash, "a@example.com", "Kosher").Should().BeFalse();
    }

    [Fact]
    public void NewSalt_IsRandomHex()
    {
        string a = IdentityHash.NewSalt();
        string b = IdentityHash.NewSalt();
        a.Length.Should().Be(32);
        b.Should().NotBe(a);
        a.Should().MatchRegex("^[0-9a-f]*$");
    }
}
