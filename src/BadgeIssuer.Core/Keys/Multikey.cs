// Multikey encodings for Ed25519 (W3C Controlled Identifiers §2.2.2 "Multikey"; VC-DI-EdDSA §2.1.1).
//   publicKeyMultibase  = "z" + base58btc(0xed 0x01 ‖ 32-byte public key)      → "z6Mk…"
//   secretKeyMultibase  = "z" + base58btc(0x80 0x26 ‖ 32-byte seed)            (W3C vector)
//                       or "z" + base58btc(0x80 0x26 ‖ 32-byte seed ‖ public)  (OB impl guide, libsodium form; DI-8 trap)
// ECDSA public keys (W3C Controlled Identifiers §2.2.2; VC-DI-ECDSA §2.1.1), SEC 1 compressed points:
//   P-256 publicKeyMultibase = "z" + base58btc(0x80 0x24 ‖ 33-byte compressed point)   → "zDn…"
//   P-384 publicKeyMultibase = "z" + base58btc(0x81 0x24 ‖ 49-byte compressed point)   → "z82…"
// Any other multicodec header or length is refused. base58btc uses the Bitcoin alphabet.

using System.Security.Cryptography;
using SimpleBase;

namespace BadgeIssuer.Core.Keys;

/// <summary>Multibase/multicodec encoding of Ed25519 keys (DI-8, T-4) and of P-256 / P-384 public keys.</summary>
public static class Multikey
{
    /// <summary>Every Ed25519 <c>publicKeyMultibase</c> starts with this.</summary>
    public const string Ed25519PublicKeyPrefix = "z6Mk";

    /// <summary>Every P-256 <c>publicKeyMultibase</c> starts with this.</summary>
    public const string P256PublicKeyPrefix = "zDn";

    /// <summary>Every P-384 <c>publicKeyMultibase</c> starts with this.</summary>
    public const string P384PublicKeyPrefix = "z82";

    internal const int Ed25519KeySize = 32;

    // Encoded values are ~48 (public) or ~95 (secret, 64-byte form) characters; base58 decoding is
    // quadratic, so anything much longer is refused before decoding.
    private const int MaxEncodedLength = 128;

    private static ReadOnlySpan<byte> Ed25519PublicHeader => [0xED, 0x01];

    private static ReadOnlySpan<byte> Ed25519SecretHeader => [0x80, 0x26];

    /// <summary>Encodes a 32-byte Ed25519 public key as <c>z6Mk…</c>.</summary>
    public static string EncodeEd25519PublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Ed25519KeySize)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        }

        Span<byte> buffer = stackalloc byte[2 + Ed25519KeySize];
        Ed25519PublicHeader.CopyTo(buffer);
        publicKey.CopyTo(buffer[2..]);
        return "z" + Base58.Bitcoin.Encode(buffer);
    }

    /// <summary>Decodes <c>z6Mk…</c> to the 32-byte public key.</summary>
    /// <exception cref="KeyFormatException">Not base58btc multibase, wrong multicodec header or wrong length.</exception>
    public static byte[] DecodeEd25519PublicKey(string publicKeyMultibase)
    {
        ArgumentNullException.ThrowIfNull(publicKeyMultibase);
        byte[] key = new byte[Ed25519KeySize];
        KeyFormatError error = TryDecodeEd25519PublicKey(publicKeyMultibase, key);
        return error == KeyFormatError.None ? key : throw Error(error, "publicKeyMultibase");
    }

    /// <summary>Decodes <c>z6Mk…</c> into a 32-byte destination; returns <see cref="KeyFormatError.None"/> on success.</summary>
    public static KeyFormatError TryDecodeEd25519PublicKey(ReadOnlySpan<char> publicKeyMultibase, Span<byte> destination)
    {
        if (destination.Length < Ed25519KeySize)
        {
            throw new ArgumentException("Destination must hold 32 bytes.", nameof(destination));
        }

        Span<byte> decoded = stackalloc byte[MaxEncodedLength];
        KeyFormatError error = DecodeBase58Btc(publicKeyMultibase, decoded, out int length);
        if (error != KeyFormatError.None)
        {
            return error;
        }

        if (length < 2 || !decoded[..2].SequenceEqual(Ed25519PublicHeader))
        {
            return KeyFormatError.WrongMulticodecPrefix;
        }

        if (length != 2 + Ed25519KeySize)
        {
            return KeyFormatError.WrongLength;
        }

        decoded.Slice(2, Ed25519KeySize).CopyTo(destination);
        return KeyFormatError.None;
    }

    /// <summary>
    /// Decodes a Multikey <c>publicKeyMultibase</c> of any supported public key type: Ed25519 (<c>z6Mk…</c>), P-256
    /// (<c>zDn…</c>) or P-384 (<c>z82…</c>). Returns <see cref="KeyFormatError.None"/> and the key, or the reason.
    /// </summary>
    public static KeyFormatError TryDecodePublicKey(ReadOnlySpan<char> publicKeyMultibase, out VerificationKey? key)
    {
        key = null;
        Span<byte> decoded = stackalloc byte[MaxEncodedLength];
        KeyFormatError error = DecodeBase58Btc(publicKeyMultibase, decoded, out int length);
        if (error != KeyFormatError.None)
        {
            return error;
        }

        if (length < 2)
        {
            return KeyFormatError.WrongMulticodecPrefix;
        }

        ReadOnlySpan<byte> header = decoded[..2];
        ReadOnlySpan<byte> body = decoded[2..length];
        try
        {
            if (header.SequenceEqual(Ed25519PublicHeader))
            {
                if (body.Length != Ed25519KeySize)
                {
                    return KeyFormatError.WrongLength;
                }

                key = Ed25519PublicKey.Import(body);
                return KeyFormatError.None;
            }

            foreach (EcCurve curve in (ReadOnlySpan<EcCurve>)[EcCurve.P256, EcCurve.P384])
            {
                if (!header.SequenceEqual(curve.MulticodecHeader))
                {
                    continue;
                }

                if (body.Length != curve.CompressedSize)
                {
                    return KeyFormatError.WrongLength;
                }

                key = ReferenceEquals(curve, EcCurve.P256) ? P256PublicKey.ImportCompressed(body) : P384PublicKey.ImportCompressed(body);
                return KeyFormatError.None;
            }
        }
        catch (KeyFormatException ex)
        {
            return ex.Error == KeyFormatError.None ? KeyFormatError.InvalidKey : ex.Error;
        }

        return KeyFormatError.WrongMulticodecPrefix;
    }

    /// <summary>The key's <c>publicKeyMultibase</c>, or null for a key type Multikey has no form for here (RSA).</summary>
    public static string? EncodePublicKey(VerificationKey key) => key switch
    {
        Ed25519PublicKey ed => ed.PublicKeyMultibase,
        P256PublicKey p256 => p256.PublicKeyMultibase,
        P384PublicKey p384 => p384.PublicKeyMultibase,
        _ => null,
    };

    /// <summary>Encodes an EC public point as <c>publicKeyMultibase</c> (multicodec header ‖ compressed point).</summary>
    internal static string EncodeEcPublicKey(EcCurve curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        Span<byte> buffer = stackalloc byte[2 + curve.CompressedSize];
        curve.MulticodecHeader.CopyTo(buffer);
        EcCurve.Compress(x, y, buffer[2..]);
        return "z" + Base58.Bitcoin.Encode(buffer);
    }

    /// <summary>
    /// Encodes a 32-byte seed as <c>secretKeyMultibase</c>; with <paramref name="publicKey"/> the
    /// 64-byte seed‖public form (libsodium layout) is produced instead.
    /// </summary>
    public static string EncodeEd25519SecretKey(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey = default)
    {
        if (seed.Length != Ed25519KeySize)
        {
            throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        }

        if (!publicKey.IsEmpty && publicKey.Length != Ed25519KeySize)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        }

        Span<byte> buffer = stackalloc byte[2 + (2 * Ed25519KeySize)];
        try
        {
            Ed25519SecretHeader.CopyTo(buffer);
            seed.CopyTo(buffer[2..]);
            publicKey.CopyTo(buffer[(2 + Ed25519KeySize)..]);
            return "z" + Base58.Bitcoin.Encode(buffer[..(2 + Ed25519KeySize + publicKey.Length)]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>
    /// Decodes a <c>secretKeyMultibase</c> in either the 32-byte-seed or the 64-byte seed‖public form.
    /// <paramref name="publicKey"/> receives the embedded public key and <paramref name="hasPublicKey"/>
    /// says whether there was one (the caller checks it against the seed).
    /// </summary>
    internal static KeyFormatError TryDecodeEd25519SecretKey(
        ReadOnlySpan<char> secretKeyMultibase, Span<byte> seed, Span<byte> publicKey, out bool hasPublicKey)
    {
        hasPublicKey = false;
        Span<byte> decoded = stackalloc byte[MaxEncodedLength];
        try
        {
            KeyFormatError error = DecodeBase58Btc(secretKeyMultibase, decoded, out int length);
            if (error != KeyFormatError.None)
            {
                return error;
            }

            if (length < 2 || !decoded[..2].SequenceEqual(Ed25519SecretHeader))
            {
                return KeyFormatError.WrongMulticodecPrefix;
            }

            if (length != 2 + Ed25519KeySize && length != 2 + (2 * Ed25519KeySize))
            {
                return KeyFormatError.WrongLength;
            }

            decoded.Slice(2, Ed25519KeySize).CopyTo(seed);
            if (length == 2 + (2 * Ed25519KeySize))
            {
                decoded.Slice(2 + Ed25519KeySize, Ed25519KeySize).CopyTo(publicKey);
                hasPublicKey = true;
            }

            return KeyFormatError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    private static KeyFormatError DecodeBase58Btc(ReadOnlySpan<char> multibase, Span<byte> destination, out int length)
    {
        length = 0;
        if (multibase.IsEmpty || multibase[0] != 'z')
        {
            return multibase.IsEmpty ? KeyFormatError.InvalidEncoding : KeyFormatError.UnsupportedMultibase;
        }

        ReadOnlySpan<char> body = multibase[1..];
        if (body.IsEmpty || body.Length > MaxEncodedLength)
        {
            return body.IsEmpty ? KeyFormatError.InvalidEncoding : KeyFormatError.WrongLength;
        }

        // Characters outside the alphabet are refused before SimpleBase sees them (non-ASCII ones made it throw IndexOutOfRangeException).
        return Internal.Base58Btc.TryDecode(body, destination, out length)
            ? KeyFormatError.None
            : KeyFormatError.InvalidEncoding;
    }

    internal static KeyFormatException Error(KeyFormatError error, string what) => new(error, error switch
    {
        KeyFormatError.UnsupportedMultibase => $"{what}: only base58btc multibase ('z' prefix) is supported.",
        KeyFormatError.WrongMulticodecPrefix => $"{what}: unexpected multicodec header (Ed25519 public keys use 0xed01, secret keys 0x8026; P-256 public keys 0x8024, P-384 0x8124).",
        KeyFormatError.WrongLength => $"{what}: the decoded key has the wrong length.",
        KeyFormatError.PublicKeyMismatch => $"{what}: the embedded public key does not match the secret key.",
        _ => $"{what}: not a valid base58btc multibase value.",
    });
}
