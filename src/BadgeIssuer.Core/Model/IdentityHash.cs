using System.Security.Cryptography;
using System.Text;

namespace BadgeIssuer.Core.Model;

/// <summary>
/// The OB 3.0 IdentityHash format (OB-DM-22): <c>&lt;alg&gt;$&lt;hex&gt;</c> over UTF-8(identifier + salt), alg <c>sha256</c>
/// (or legacy <c>md5</c>, verification only), hex in either case.
/// </summary>
public static class IdentityHash
{
    private const string Sha256Prefix = "sha256$";
    private const string Md5Prefix = "md5$";

    /// <summary>Returns <c>sha256$&lt;lowercase hex of SHA-256(UTF-8(identifier + salt))&gt;</c>.</summary>
    public static string ComputeSha256(string identifier, string? salt)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        byte[] input = Encoding.UTF8.GetBytes(identifier + salt);
        return Sha256Prefix + Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>
    /// True when <paramref name="identityHash"/> (<c>sha256$…</c> or <c>md5$…</c>, hex in any case) is the hash of
    /// <paramref name="identifier"/> + <paramref name="salt"/>. Unknown algorithms and malformed values never match.
    /// </summary>
    public static bool Matches(string identityHash, string identifier, string? salt)
    {
        ArgumentNullException.ThrowIfNull(identityHash);
        ArgumentNullException.ThrowIfNull(identifier);
        byte[] input = Encoding.UTF8.GetBytes(identifier + salt);
        byte[] actual;
        string hex;
        if (identityHash.StartsWith(Sha256Prefix, StringComparison.OrdinalIgnoreCase))
        {
            hex = identityHash[Sha256Prefix.Length..];
            actual = SHA256.HashData(input);
        }
        else if (identityHash.StartsWith(Md5Prefix, StringComparison.OrdinalIgnoreCase))
        {
            hex = identityHash[Md5Prefix.Length..];
#pragma warning disable CA5351 // MD5 is only accepted to match legacy identity hashes issued by others; never produced here.
            actual = MD5.HashData(input);
#pragma warning restore CA5351
        }
        else
        {
            return false;
        }

        byte[] expected;
        try
        {
            expected = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>A fresh random salt: 16 bytes from <see cref="RandomNumberGenerator"/>, lowercase hex.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
