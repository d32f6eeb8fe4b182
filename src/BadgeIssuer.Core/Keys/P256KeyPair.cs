// ECDSA P-256 key pair for ES256 via System.Security.Cryptography.

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>A NIST P-256 signing key for ES256 (signature = R ‖ S, 64 bytes).</summary>
public sealed class P256KeyPair : SigningKey
{
    private readonly ECDsa _ecdsa;
    private readonly P256PublicKey _publicKey;

    private P256KeyPair(ECDsa ecdsa, bool allowExport)
        : base(allowExport)
    {
        _ecdsa = ecdsa;
        _publicKey = P256PublicKey.FromParameters(ecdsa.ExportParameters(includePrivateParameters: false));
    }

    public override KeyType KeyType => KeyType.P256;

    public override VerificationKey PublicKey => _publicKey;

    public static P256KeyPair Generate(bool allowExport = false)
        => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), allowExport);

    /// <summary>Imports PEM <c>PRIVATE KEY</c> (PKCS#8) or <c>EC PRIVATE KEY</c> (SEC 1) on P-256.</summary>
    public static P256KeyPair ImportPem(string pem, bool allowExport = false)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new P256KeyPair(ecdsa, allowExport);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            ecdsa.Dispose();
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "Not a PEM P-256 private key.", ex);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    /// <summary>Imports the private scalar and public point (JWK <c>d</c>, <c>x</c>, <c>y</c>).</summary>
    internal static P256KeyPair Import(ReadOnlySpan<byte> d, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, bool allowExport)
    {
        if (d.Length != P256PublicKey.CoordinateSize || x.Length != P256PublicKey.CoordinateSize || y.Length != P256PublicKey.CoordinateSize)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, "P-256 key members are 32 bytes each.");
        }

        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = d.ToArray(),
            Q = new ECPoint { X = x.ToArray(), Y = y.ToArray() },
        };
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(parameters);
            return new P256KeyPair(ecdsa, allowExport);
        }
        catch (CryptographicException ex)
        {
            ecdsa.Dispose();
            throw new KeyFormatException(KeyFormatError.InvalidKey, "Not a valid P-256 private key (or d does not match x, y).", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    private protected override SecurityKey CreateSecurityKey() => new ECDsaSecurityKey(_ecdsa);

    private protected override int SignCore(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (!_ecdsa.TrySignData(data, destination, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out int written))
        {
            throw new CryptographicException("ECDSA signing failed.");
        }

        return written;
    }

    private protected override string ExportPkcs8PemCore() => _ecdsa.ExportPkcs8PrivateKeyPem();

    private protected override void WritePrivateJwkMembers(Utf8JsonWriter writer)
    {
        ECParameters p = _ecdsa.ExportParameters(includePrivateParameters: true);
        try
        {
            writer.WriteString("crv"u8, "P-256"u8);
            VerificationKey.WriteBase64Url(writer, "d", p.D);
            writer.WriteString("kty"u8, "EC"u8);
            VerificationKey.WriteBase64Url(writer, "x", p.Q.X);
            VerificationKey.WriteBase64Url(writer, "y", p.Q.Y);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ecdsa.Dispose();
            _publicKey.Dispose();
        }

        base.Dispose(disposing);
    }
}
