// RSA public key for RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3). At least 2048 bits.

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>An RSA public key (≥ 2048 bits) that verifies RS256.</summary>
public sealed class RsaPublicKey : VerificationKey
{
    /// <summary>Smallest accepted modulus (RFC 7518 §3.3: 2048 bits or larger).</summary>
    public const int MinimumKeySizeInBits = 2048;

    /// <summary>Largest accepted modulus; bounds the cost of importing keys from untrusted headers.</summary>
    public const int MaximumKeySizeInBits = 8192;

    private readonly RSA _rsa;
    private readonly byte[] _modulus;
    private readonly byte[] _exponent;

    private RsaPublicKey(RSA rsa, byte[] modulus, byte[] exponent)
    {
        _rsa = rsa;
        _modulus = modulus;
        _exponent = exponent;
    }

    public override KeyType KeyType => KeyType.Rsa;

    public override int SignatureSize => _modulus.Length;

    public int KeySizeInBits => _rsa.KeySize;

    /// <summary>Imports a modulus and public exponent (big-endian, as in a JWK's <c>n</c> and <c>e</c>).</summary>
    public static RsaPublicKey Import(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
    {
        modulus = TrimLeadingZeros(modulus);
        exponent = TrimLeadingZeros(exponent);
        CheckSize(modulus.Length * 8);
        if (exponent.IsEmpty || exponent.Length > 8)
        {
            throw new KeyFormatException(KeyFormatError.InvalidKey, "Unsupported RSA public exponent.");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters { Modulus = modulus.ToArray(), Exponent = exponent.ToArray() });
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new KeyFormatException(KeyFormatError.InvalidKey, "Not a valid RSA public key.", ex);
        }

        return new RsaPublicKey(rsa, modulus.ToArray(), exponent.ToArray());
    }

    /// <summary>Imports a PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo) or <c>RSA PUBLIC KEY</c>.</summary>
    public static RsaPublicKey ImportPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "Not a PEM RSA public key.", ex);
        }

        RSAParameters p = rsa.ExportParameters(includePrivateParameters: false);
        return Import(p.Modulus, p.Exponent);
    }

    internal static RsaPublicKey FromParameters(RSAParameters p) => Import(p.Modulus, p.Exponent);

    internal static void CheckSize(int bits)
    {
        if (bits < MinimumKeySizeInBits)
        {
            throw new KeyFormatException(KeyFormatError.KeyTooSmall, "RSA keys must be at least 2048 bits.");
        }

        if (bits > MaximumKeySizeInBits)
        {
            throw new KeyFormatException(KeyFormatError.UnsupportedKeyType, "RSA keys above 8192 bits are not supported.");
        }
    }

    public override byte[] ExportSubjectPublicKeyInfo() => _rsa.ExportSubjectPublicKeyInfo();

    private protected override SecurityKey CreateSecurityKey() => new RsaSecurityKey(_rsa);

    private protected override bool VerifyCore(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
        => _rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    private protected override void WriteJwkMembers(Utf8JsonWriter writer)
    {
        WriteBase64Url(writer, "e", _exponent);
        writer.WriteString("kty"u8, "RSA"u8);
        WriteBase64Url(writer, "n", _modulus);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rsa.Dispose();
        }

        base.Dispose(disposing);
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        int i = 0;
        while (i < value.Length - 1 && value[i] == 0)
        {
            i++;
        }

        return value[i..];
    }
}
