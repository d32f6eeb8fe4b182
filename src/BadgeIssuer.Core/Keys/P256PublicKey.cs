// ECDSA P-256 public key for ES256 (RFC 7518 §3.4): signatures are raw R ‖ S, 64 bytes (not DER).

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>A NIST P-256 public key that verifies ES256 (and the P-256 form of Data Integrity <c>ecdsa-rdfc-2019</c>).</summary>
public sealed class P256PublicKey : VerificationKey
{
    internal const int CoordinateSize = 32;
    private readonly ECDsa _ecdsa;
    private readonly byte[] _x;
    private readonly byte[] _y;
    private string? _multibase;

    private P256PublicKey(ECDsa ecdsa, byte[] x, byte[] y)
    {
        _ecdsa = ecdsa;
        _x = x;
        _y = y;
    }

    public override KeyType KeyType => KeyType.P256;

    public override int SignatureSize => 2 * CoordinateSize;

    /// <summary>The Multikey <c>publicKeyMultibase</c>: <c>"z" + base58btc(0x8024 ‖ compressed point)</c>, always <c>zDn…</c>.</summary>
    public string PublicKeyMultibase => _multibase ??= Multikey.EncodeEcPublicKey(EcCurve.P256, _x, _y);

    /// <summary>Imports the affine coordinates (32 bytes each); the point must be on the curve.</summary>
    public static P256PublicKey Import(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
        => new(EcCurve.P256.ImportPublic(x, y), x.ToArray(), y.ToArray());

    /// <summary>Imports the SEC 1 compressed point (33 bytes: 0x02 or 0x03, then x), as Multikey carries it.</summary>
    public static P256PublicKey ImportCompressed(ReadOnlySpan<byte> compressed)
    {
        Span<byte> x = stackalloc byte[CoordinateSize];
        Span<byte> y = stackalloc byte[CoordinateSize];
        return EcCurve.P256.TryDecompress(compressed, x, y)
            ? Import(x, y)
            : throw new KeyFormatException(KeyFormatError.InvalidKey, "Not a compressed P-256 point.");
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
        => EcCurve.P256.Is(curve) || string.Equals(curve.Oid.FriendlyName, "ECDSA_P256", StringComparison.Ordinal);

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
