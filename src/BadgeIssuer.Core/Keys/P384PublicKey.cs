// ECDSA P-384 public key (FIPS 186-4): signatures are raw R ‖ S, 96 bytes (IEEE P1363), hash SHA-384. This library
// verifies with P-384 (Data Integrity ecdsa-rdfc-2019) but does not sign with it; its JWS algorithm ES384 is not one
// the VC-JWT verifiers accept, so a P-384 key never verifies a JWT here.

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>A NIST P-384 public key (Data Integrity <c>ecdsa-rdfc-2019</c> with P-384).</summary>
public sealed class P384PublicKey : VerificationKey
{
    internal const int CoordinateSize = 48;
    private readonly ECDsa _ecdsa;
    private readonly byte[] _x;
    private readonly byte[] _y;
    private string? _multibase;

    private P384PublicKey(ECDsa ecdsa, byte[] x, byte[] y)
    {
        _ecdsa = ecdsa;
        _x = x;
        _y = y;
    }

    public override KeyType KeyType => KeyType.P384;

    public override int SignatureSize => 2 * CoordinateSize;

    /// <summary>The Multikey <c>publicKeyMultibase</c>: <c>"z" + base58btc(0x8124 ‖ compressed point)</c>, always <c>z82…</c>.</summary>
    public string PublicKeyMultibase => _multibase ??= Multikey.EncodeEcPublicKey(EcCurve.P384, _x, _y);

    /// <summary>Imports the affine coordinates (48 bytes each); the point must be on the curve.</summary>
    public static P384PublicKey Import(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
        => new(EcCurve.P384.ImportPublic(x, y), x.ToArray(), y.ToArray());

    /// <summary>Imports the SEC 1 compressed point (49 bytes: 0x02 or 0x03, then x), as Multikey carries it.</summary>
    public static P384PublicKey ImportCompressed(ReadOnlySpan<byte> compressed)
    {
        Span<byte> x = stackalloc byte[CoordinateSize];
        Span<byte> y = stackalloc byte[CoordinateSize];
        return EcCurve.P384.TryDecompress(compressed, x, y)
            ? Import(x, y)
            : throw new KeyFormatException(KeyFormatError.InvalidKey, "Not a compressed P-384 point.");
    }

    public override byte[] ExportSubjectPublicKeyInfo() => _ecdsa.ExportSubjectPublicKeyInfo();

    private protected override SecurityKey CreateSecurityKey() => new ECDsaSecurityKey(_ecdsa);

    private protected override bool VerifyCore(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
        => _ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private protected override void WriteJwkMembers(Utf8JsonWriter writer)
    {
        writer.WriteString("crv"u8, "P-384"u8);
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
