// ECDSA P-256 public key for ES256 (RFC 7518 §3.4): signatures are raw R ‖ S, 64 bytes (not DER).

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>A NIST P-256 public key that verifies ES256.</summary>
public sealed class P256PublicKey : VerificationKey
{
    internal const int CoordinateSize = 32;
    private readonly ECDsa _ecdsa;
    private readonly byte[] _x;
    private readonly byte[] _y;

    private P256PublicKey(ECDsa ecdsa, byte[] x, byte[] y)
    {
        _ecdsa = ecdsa;
        _x = x;
        _y = y;
    }

    public override KeyType KeyType => KeyType.P256;

    public override int SignatureSize => 2 * CoordinateSize;

    /// <summary>Imports the affine coordinates (32 bytes each); the point must be on the curve.</summary>
    public static P256PublicKey Import(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        if (x.Length != CoordinateSize || y.Length != CoordinateSize)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, "P-256 coordinates are 32 bytes each.");
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = x.ToArray(), Y = y.ToArray() },
            });
        }
        catch (CryptographicException ex)
        {
            ecdsa.Dispose();
            throw new KeyFormatException(KeyFormatError.InvalidKey, "Not a valid P-256 public key.", ex);
        }

        return new P256PublicKey(ecdsa, x.ToArray(), y.ToArray());
    }

    /// <summary>Imports a PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo, id-ecPublicKey / prime256v1).</summary>
    public static P256PublicKey ImportPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "Not a PEM P-256 public key.", ex);
        }

        return FromParameters(ecdsa.ExportParameters(includePrivateParameters: false));
    }

    internal static P256PublicKey FromParameters(ECParameters p)
    {
        if (!IsP256(p.Curve))
        {
            throw new KeyFormatException(KeyFormatError.UnsupportedKeyType, "Only the P-256 curve is supported.");
        }

        return Import(p.Q.X, p.Q.Y);
    }

    internal static bool IsP256(ECCurve curve)
        => curve.IsNamed && (string.Equals(curve.Oid.Value, "1.2.840.10045.3.1.7", StringComparison.Ordinal)
            || string.Equals(curve.Oid.FriendlyName, "nistP256", StringComparison.Ordinal)
            || string.Equals(curve.Oid.FriendlyName, "ECDSA_P256", StringComparison.Ordinal));

    public override byte[] ExportSubjectPublicKeyInfo() => _ecdsa.ExportSubjectPublicKeyInfo();

    private protected override SecurityKey CreateSecurityKey() => new ECDsaSecurityKey(_ecdsa);

    private protected override bool VerifyCore(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
        => _ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private protected override void WriteJwkMembers(Utf8JsonWriter writer)
    {
        writer.WriteString("crv"u8, "P-256"u8);
        writer.WriteString("kty"u8, "EC"u8);
        WriteBase64Url(writer, "x", _x);
        WriteBase64Url(writer, "y", _y);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ecdsa.Dispose();
        }

        base.Dispose(disposing);
    }
}
