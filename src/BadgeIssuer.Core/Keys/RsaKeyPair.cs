// RSA key pair for RS256 via System.Security.Cryptography (OpenSSL/CNG). The private key object
// is exportable inside the process whatever we do; the export flag gates this library's APIs.

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>An RSA signing key (≥ 2048 bits) for RS256, the OB 3.0 VC-JWT minimum (JWT-1).</summary>
public sealed class RsaKeyPair : SigningKey
{
    private readonly RSA _rsa;
    private readonly RsaPublicKey _publicKey;

    private RsaKeyPair(RSA rsa, bool allowExport)
        : base(allowExport)
    {
        _rsa = rsa;
        _publicKey = RsaPublicKey.FromParameters(rsa.ExportParameters(includePrivateParameters: false));
    }

    public override KeyType KeyType => KeyType.Rsa;

    public override VerificationKey PublicKey => _publicKey;

    public static RsaKeyPair Generate(int keySizeInBits = 2048, bool allowExport = false)
    {
        RsaPublicKey.CheckSize(keySizeInBits);
        return new RsaKeyPair(RSA.Create(keySizeInBits), allowExport);
    }

    /// <summary>Imports PEM <c>PRIVATE KEY</c> (PKCS#8) or <c>RSA PRIVATE KEY</c> (PKCS#1).</summary>
    public static RsaKeyPair ImportPem(string pem, bool allowExport = false)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            RsaPublicKey.CheckSize(rsa.KeySize);
            return new RsaKeyPair(rsa, allowExport);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "Not a PEM RSA private key.", ex);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>Imports RSA parameters with all CRT members (as in a private JWK).</summary>
    internal static RsaKeyPair Import(RSAParameters parameters, bool allowExport)
    {
        RsaPublicKey.CheckSize((parameters.Modulus?.Length ?? 0) * 8);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(parameters);
            return new RsaKeyPair(rsa, allowExport);
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new KeyFormatException(KeyFormatError.InvalidKey, "Not a valid RSA private key.", ex);
        }
    }

    private protected override SecurityKey CreateSecurityKey() => new RsaSecurityKey(_rsa);

    private protected override int SignCore(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (!_rsa.TrySignData(data, destination, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out int written))
        {
            throw new CryptographicException("RSA signing failed.");
        }

        return written;
    }

    private protected override string ExportPkcs8PemCore() => _rsa.ExportPkcs8PrivateKeyPem();

    private protected override void WritePrivateJwkMembers(Utf8JsonWriter writer)
    {
        RSAParameters p = _rsa.ExportParameters(includePrivateParameters: true);
        try
        {
            VerificationKey.WriteBase64Url(writer, "d", p.D);
            VerificationKey.WriteBase64Url(writer, "dp", p.DP);
            VerificationKey.WriteBase64Url(writer, "dq", p.DQ);
            VerificationKey.WriteBase64Url(writer, "e", p.Exponent);
            writer.WriteString("kty"u8, "RSA"u8);
            VerificationKey.WriteBase64Url(writer, "n", p.Modulus);
            VerificationKey.WriteBase64Url(writer, "p", p.P);
            VerificationKey.WriteBase64Url(writer, "q", p.Q);
            VerificationKey.WriteBase64Url(writer, "qi", p.InverseQ);
        }
        finally
        {
            Wipe(p);
        }
    }

    internal static void Wipe(RSAParameters p)
    {
        CryptographicOperations.ZeroMemory(p.D);
        CryptographicOperations.ZeroMemory(p.P);
        CryptographicOperations.ZeroMemory(p.Q);
        CryptographicOperations.ZeroMemory(p.DP);
        CryptographicOperations.ZeroMemory(p.DQ);
        CryptographicOperations.ZeroMemory(p.InverseQ);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rsa.Dispose();
            _publicKey.Dispose();
        }

        base.Dispose(disposing);
    }
}
