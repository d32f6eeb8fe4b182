// Ed25519 public key (RFC 8032) over NSec. 32 bytes; signatures 64 bytes; JWK kty OKP / crv Ed25519 (RFC 8037).

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using NSec.Cryptography;

namespace BadgeIssuer.Core.Keys;

/// <summary>An Ed25519 public key with its Multikey (<c>z6Mk…</c>) and JWK forms.</summary>
public sealed class Ed25519PublicKey : VerificationKey
{
    private readonly PublicKey _key;
    private readonly byte[] _raw;
    private string? _multibase;

    private Ed25519PublicKey(PublicKey key, byte[] raw)
    {
        _key = key;
        _raw = raw;
    }

    public override KeyType KeyType => KeyType.Ed25519;

    public override int SignatureSize => 64;

    /// <summary>The raw 32-byte public key.</summary>
    public ReadOnlySpan<byte> RawKey => _raw;

    internal ReadOnlyMemory<byte> RawKeyMemory => _raw;

    /// <summary><c>"z" + base58btc(0xed01 ‖ key)</c>, always <c>z6Mk…</c>.</summary>
    public string PublicKeyMultibase => _multibase ??= Multikey.EncodeEd25519PublicKey(_raw);

    internal PublicKey NSecKey => _key;

    /// <summary>Imports a raw 32-byte public key.</summary>
    public static Ed25519PublicKey Import(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Multikey.Ed25519KeySize)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, "An Ed25519 public key is 32 bytes.");
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out PublicKey? key))
        {
            throw new KeyFormatException(KeyFormatError.InvalidKey, "Not a valid Ed25519 public key.");
        }

        return new Ed25519PublicKey(key!, publicKey.ToArray());
    }

    /// <summary>Imports a <c>publicKeyMultibase</c> (<c>z6Mk…</c>).</summary>
    public static Ed25519PublicKey ImportMultibase(string publicKeyMultibase)
    {
        ArgumentNullException.ThrowIfNull(publicKeyMultibase);
        Span<byte> raw = stackalloc byte[Multikey.Ed25519KeySize];
        KeyFormatError error = Multikey.TryDecodeEd25519PublicKey(publicKeyMultibase, raw);
        if (error != KeyFormatError.None)
        {
            throw Multikey.Error(error, "publicKeyMultibase");
        }

        Ed25519PublicKey key = Import(raw);
        key._multibase = publicKeyMultibase;
        return key;
    }

    public static bool TryImportMultibase(string? publicKeyMultibase, [NotNullWhen(true)] out Ed25519PublicKey? key)
    {
        key = null;
        if (publicKeyMultibase is null)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[Multikey.Ed25519KeySize];
        if (Multikey.TryDecodeEd25519PublicKey(publicKeyMultibase, raw) != KeyFormatError.None
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out PublicKey? nsec))
        {
            return false;
        }

        key = new Ed25519PublicKey(nsec!, raw.ToArray()) { _multibase = publicKeyMultibase };
        return true;
    }

    /// <summary>
    /// Imports an Ed25519VerificationKey2018 <c>publicKeyBase58</c>: the raw 32-byte key in base58btc, without a
    /// multibase prefix or multicodec header.
    /// </summary>
    public static Ed25519PublicKey ImportBase58(string publicKeyBase58)
    {
        ArgumentNullException.ThrowIfNull(publicKeyBase58);
        if (publicKeyBase58.Length > 64)
        {
            // base58 decoding is quadratic: a value no 32-byte key could have is not decoded.
            throw new KeyFormatException(KeyFormatError.WrongLength, "publicKeyBase58: longer than any Ed25519 key (not decoded).");
        }

        Span<byte> raw = stackalloc byte[64];
        if (!Internal.Base58Btc.TryDecode(publicKeyBase58, raw, out int length))
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "publicKeyBase58: not a base58btc value.");
        }

        return length == Multikey.Ed25519KeySize
            ? Import(raw[..length])
            : throw new KeyFormatException(KeyFormatError.WrongLength, "publicKeyBase58: an Ed25519 public key is 32 bytes.");
    }

    /// <summary>Imports a PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo, OID 1.3.101.112).</summary>
    public static Ed25519PublicKey ImportPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, System.Text.Encoding.ASCII.GetBytes(pem), KeyBlobFormat.PkixPublicKeyText, out PublicKey? key))
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "Not a PEM Ed25519 SubjectPublicKeyInfo.");
        }

        return new Ed25519PublicKey(key!, key!.Export(KeyBlobFormat.RawPublicKey));
    }

    internal static Ed25519PublicKey FromNSec(PublicKey key) => new(key, key.Export(KeyBlobFormat.RawPublicKey));

    public override byte[] ExportSubjectPublicKeyInfo() => _key.Export(KeyBlobFormat.PkixPublicKey);

    private protected override SecurityKey CreateSecurityKey() => new BadgeIssuer.Core.Jwt.Ed25519SecurityKey(_key);

    private protected override bool VerifyCore(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
        => SignatureAlgorithm.Ed25519.Verify(_key, data, signature);

    private protected override void WriteJwkMembers(Utf8JsonWriter writer)
    {
        writer.WriteString("crv"u8, "Ed25519"u8);
        writer.WriteString("kty"u8, "OKP"u8);
        WriteBase64Url(writer, "x", _raw);
    }
}
