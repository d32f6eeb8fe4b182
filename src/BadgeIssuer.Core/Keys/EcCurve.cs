// The NIST curves this library verifies ECDSA with (P-256, P-384): their parameters, the SEC 1 compressed point form
// that Multikey uses (0x02/0x03 ‖ x; SEC 1 §2.3.3–2.3.4), and the import of a public point into ECDsa. Both curves
// have a = -3 and p ≡ 3 (mod 4), so y = (x³ - 3x + b)^((p+1)/4) mod p; the root is checked (a point not on the curve
// is refused), and ECDsa.ImportParameters checks the point again.

using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace BadgeIssuer.Core.Keys;

/// <summary>One NIST prime curve: its sizes, hash, JWK <c>crv</c> and Multikey header.</summary>
internal sealed class EcCurve
{
    public static EcCurve P256 { get; } = new(
        "P-256",
        ECCurve.NamedCurves.nistP256,
        "1.2.840.10045.3.1.7",
        32,
        HashAlgorithmName.SHA256,
        [0x80, 0x24],
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

    public static EcCurve P384 { get; } = new(
        "P-384",
        ECCurve.NamedCurves.nistP384,
        "1.3.132.0.34",
        48,
        HashAlgorithmName.SHA384,
        [0x81, 0x24],
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef");

    private readonly BigInteger _p;
    private readonly BigInteger _b;
    private readonly BigInteger _sqrtExponent;

    private EcCurve(string name, ECCurve curve, string oid, int coordinateSize, HashAlgorithmName hash, byte[] multicodec, string pHex, string bHex)
    {
        Name = name;
        Curve = curve;
        Oid = oid;
        CoordinateSize = coordinateSize;
        Hash = hash;
        MulticodecHeader = multicodec;
        _p = BigInteger.Parse("0" + pHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        _b = BigInteger.Parse("0" + bHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        _sqrtExponent = (_p + 1) / 4;
    }

    /// <summary>The JWK <c>crv</c> and the name used in messages.</summary>
    public string Name { get; }

    public ECCurve Curve { get; }

    public string Oid { get; }

    /// <summary>Bytes of one coordinate (and of r and s in a P1363 signature).</summary>
    public int CoordinateSize { get; }

    /// <summary>The hash ECDSA applies with this curve in the Data Integrity suites and JWS (SHA-256 / SHA-384).</summary>
    public HashAlgorithmName Hash { get; }

    /// <summary>The Multikey multicodec header (varint of 0x1200 p256-pub / 0x1201 p384-pub).</summary>
    public byte[] MulticodecHeader { get; }

    /// <summary>Length of the compressed point: 0x02/0x03 then x.</summary>
    public int CompressedSize => 1 + CoordinateSize;

    public bool Is(ECCurve curve)
        => curve.IsNamed && (string.Equals(curve.Oid.Value, Oid, StringComparison.Ordinal)
            || string.Equals(curve.Oid.FriendlyName, Curve.Oid.FriendlyName, StringComparison.Ordinal));

    /// <summary>Writes the compressed form of (x, y) to <paramref name="destination"/> (<see cref="CompressedSize"/> bytes).</summary>
    public static void Compress(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> destination)
    {
        destination[0] = (byte)(0x02 | (y[^1] & 1));
        x.CopyTo(destination[1..]);
    }

    /// <summary>The affine y of a compressed point, or false when the input is not a compressed point on this curve.</summary>
    public bool TryDecompress(ReadOnlySpan<byte> compressed, Span<byte> x, Span<byte> y)
    {
        if (compressed.Length != CompressedSize || (compressed[0] != 0x02 && compressed[0] != 0x03))
        {
            return false;
        }

        var xValue = new BigInteger(compressed[1..], isUnsigned: true, isBigEndian: true);
        if (xValue >= _p)
        {
            return false;
        }

        BigInteger rhs = Mod((BigInteger.ModPow(xValue, 3, _p) - (3 * xValue) + _b), _p);
        BigInteger root = BigInteger.ModPow(rhs, _sqrtExponent, _p);
        if (BigInteger.ModPow(root, 2, _p) != rhs)
        {
            return false;
        }

        bool odd = compressed[0] == 0x03;
        if (!root.IsEven != odd)
        {
            root = _p - root;
        }

        if (root.IsZero && odd)
        {
            return false;
        }

        compressed[1..].CopyTo(x);
        y.Clear();
        int length = root.GetByteCount(isUnsigned: true);
        root.TryWriteBytes(y[(CoordinateSize - length)..], out _, isUnsigned: true, isBigEndian: true);
        return true;
    }

    /// <summary>An ECDsa holding the public point (x, y); a point not on the curve is a <see cref="KeyFormatException"/>.</summary>
    public ECDsa ImportPublic(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        if (x.Length != CoordinateSize || y.Length != CoordinateSize)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, string.Create(CultureInfo.InvariantCulture, $"{Name} coordinates are {CoordinateSize} bytes each."));
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(new ECParameters
            {
                Curve = Curve,
                Q = new ECPoint { X = x.ToArray(), Y = y.ToArray() },
            });
            return ecdsa;
        }
        catch (CryptographicException ex)
        {
            ecdsa.Dispose();
            throw new KeyFormatException(KeyFormatError.InvalidKey, $"Not a valid {Name} public key.", ex);
        }
    }

    private static BigInteger Mod(BigInteger value, BigInteger modulus)
    {
        BigInteger r = value % modulus;
        return r.Sign < 0 ? r + modulus : r;
    }
}
