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
        Assert.Equal(expected, IdentityHash.ComputeSha256(email, salt));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_SpecVector_AnyHexCase(string email, string salt, string expected)
    {
        Assert.True(IdentityHash.Matches(expected, email, salt));
        Assert.True(IdentityHash.Matches("sha256$" + expected["sha256$".Length..].ToUpperInvariant(), email, salt));
        Assert.False(IdentityHash.Matches(expected, email, salt + "x"));
        Assert.False(IdentityHash.Matches(expected, "b@example.com", salt));
    }

    [Fact]
    public void Matches_LegacyMd5_IsAccepted()
    {
        // md5("a@example.comKosher"), computed independently with coreutils md5sum.
        Assert.True(IdentityHash.Matches("md5$ddd142639a792e74751ee7e129237efa", "a@example.com", "Kosher"));
        Assert.True(IdentityHash.Matches("md5$DDD142639A792E74751EE7E129237EFA", "a@example.com", "Kosher"));
        Assert.False(IdentityHash.Matches("md5$ddd142639a792e74751ee7e129237efa", "a@example.com", "Salt"));
    }

    [Theory]
    [InlineData("sha1$0123")]
    [InlineData("sha256$nothex")]
    [InlineData("b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399")]
    [InlineData("")]
    public void Matches_UnknownOrMalformed_IsFalse(string hash)
    {
        Assert.False(IdentityHash.Matches(hash, "a@example.com", "Kosher"));
    }

    [Fact]
    public void NewSalt_IsRandomHex()
    {
        string a = IdentityHash.NewSalt();
        string b = IdentityHash.NewSalt();
        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
        Assert.All(a, static c => Assert.True(char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)));
    }
}
