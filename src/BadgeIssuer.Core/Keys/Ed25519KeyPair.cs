// Ed25519 key pair (RFC 8032) over NSec. The private key is the 32-byte seed; libsodium's 64-byte
// "secret key" is seed ‖ public key and is accepted on import (DI-8 trap) after checking its public half.

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using NSec.Cryptography;

namespace BadgeIssuer.Core.Keys;

/// <summary>
/// An Ed25519 signing key held by NSec. Created with export disabled unless <c>allowExport</c>
/// is passed (CLI key generation); the seed never leaves NSec otherwise.
/// </summary>
public sealed class Ed25519KeyPair : SigningKey
{
    private const int SeedSize = 32;
    private readonly Key _key;
    private readonly Ed25519PublicKey _publicKey;

    private Ed25519KeyPair(Key key, bool allowExport)
        : base(allowExport)
    {
        _key = key;
        _publicKey = Ed25519PublicKey.FromNSec(key.PublicKey);
    }

    public override KeyType KeyType => KeyType.Ed25519;

    public override VerificationKey PublicKey => _publicKey;

    /// <summary>The public half with its Multikey form.</summary>
    public Ed25519PublicKey Ed25519PublicKey => _publicKey;

    /// <summary>Generates a new random key.</summary>
    public static Ed25519KeyPair Generate(bool allowExport = false)
    {
        var parameters = new KeyCreationParameters { ExportPolicy = Policy(allowExport) };
        return new Ed25519KeyPair(Key.Create(SignatureAlgorithm.Ed25519, parameters), allowExport);
    }

    /// <summary>
    /// Imports a raw private key: the 32-byte seed, or the 64-byte libsodium form seed ‖ public key
    /// (whose public half must match the seed).
    /// </summary>
    public static Ed25519KeyPair Import(ReadOnlySpan<byte> privateKey, bool allowExport = false)
    {
        if (privateKey.Length == SeedSize)
        {
            return FromSeed(privateKey, default, allowExport);
        }

        if (privateKey.Length == 2 * SeedSize)
        {
            return FromSeed(privateKey[..SeedSize], privateKey[SeedSize..], allowExport);
        }

        throw new KeyFormatException(KeyFormatError.WrongLength, "An Ed25519 private key is a 32-byte seed or a 64-byte seed‖public key.");
    }

    /// <summary>Imports a <c>secretKeyMultibase</c> (0x8026 header; 32-byte seed or 64-byte seed‖public form).</summary>
    public static Ed25519KeyPair ImportSecretKeyMultibase(string secretKeyMultibase, bool allowExport = false)
    {
        ArgumentNullException.ThrowIfNull(secretKeyMultibase);
        Span<byte> seed = stackalloc byte[SeedSize];
        Span<byte> publicKey = stackalloc byte[SeedSize];
        try
        {
            KeyFormatError error = Multikey.TryDecodeEd25519SecretKey(secretKeyMultibase, seed, publicKey, out bool hasPublicKey);
            if (error != KeyFormatError.None)
            {
                throw Multikey.Error(error, "secretKeyMultibase");
            }

            return FromSeed(seed, hasPublicKey ? publicKey : default, allowExport);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Imports a PEM <c>PRIVATE KEY</c> (PKCS#8, OID 1.3.101.112).</summary>
    public static Ed25519KeyPair ImportPem(string pem, bool allowExport = false)
    {
        ArgumentNullException.ThrowIfNull(pem);
        byte[] blob = System.Text.Encoding.ASCII.GetBytes(pem);
        try
        {
            var parameters = new KeyCreationParameters { ExportPolicy = Policy(allowExport) };
            if (!Key.TryImport(SignatureAlgorithm.Ed25519, blob, KeyBlobFormat.PkixPrivateKeyText, out Key? key, in parameters))
            {
                throw new KeyFormatException(KeyFormatError.InvalidEncoding, "Not a PEM Ed25519 PKCS#8 private key.");
            }

            return new Ed25519KeyPair(key!, allowExport);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }
    }

    /// <summary>The 32-byte seed. Requires an exportable key.</summary>
    public byte[] ExportSeed()
    {
        EnsureExportable();
        return _key.Export(KeyBlobFormat.RawPrivateKey);
    }

    /// <summary>The 64-byte libsodium form seed ‖ public key. Requires an exportable key.</summary>
    public byte[] ExportSeedAndPublicKey()
    {
        EnsureExportable();
        byte[] result = new byte[2 * SeedSize];
        WithSeed(seed => seed.CopyTo(result));
        _publicKey.RawKey.CopyTo(result.AsSpan(SeedSize));
        return result;
    }

    /// <summary>
    /// <c>secretKeyMultibase</c>: 0x8026 ‖ seed (W3C form) or, with <paramref name="includePublicKey"/>,
    /// 0x8026 ‖ seed ‖ public (OB implementation guide form). Requires an exportable key.
    /// </summary>
    public string ExportSecretKeyMultibase(bool includePublicKey = false)
    {
        EnsureExportable();
        string result = string.Empty;
        WithSeed(seed => result = Multikey.EncodeEd25519SecretKey(seed, includePublicKey ? _publicKey.RawKey : default));
        return result;
    }

    private protected override string ExportPkcs8PemCore()
        => System.Text.Encoding.ASCII.GetString(_key.Export(KeyBlobFormat.PkixPrivateKeyText));

    private protected override SecurityKey CreateSecurityKey() => new BadgeIssuer.Core.Jwt.Ed25519SecurityKey(_key);

    private protected override int SignCore(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        SignatureAlgorithm.Ed25519.Sign(_key, data, destination[..64]);
        return 64;
    }

    private protected override void WritePrivateJwkMembers(Utf8JsonWriter writer)
    {
        writer.WriteString("crv"u8, "Ed25519"u8);
        WithSeed(seed => VerificationKey.WriteBase64Url(writer, "d", seed));
        writer.WriteString("kty"u8, "OKP"u8);
        VerificationKey.WriteBase64Url(writer, "x", _publicKey.RawKey);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
            _publicKey.Dispose();
        }

        base.Dispose(disposing);
    }

    internal static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> expectedPublicKey, bool allowExport)
    {
        if (seed.Length != SeedSize)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, "An Ed25519 seed is 32 bytes.");
        }

        var parameters = new KeyCreationParameters { ExportPolicy = Policy(allowExport) };
        var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, in parameters);
        var pair = new Ed25519KeyPair(key, allowExport);
        if (!expectedPublicKey.IsEmpty && !CryptographicOperations.FixedTimeEquals(expectedPublicKey, pair._publicKey.RawKey))
        {
            pair.Dispose();
            throw new KeyFormatException(KeyFormatError.PublicKeyMismatch, "The public half of the 64-byte Ed25519 private key does not match its seed.");
        }

        return pair;
    }

    private delegate void SeedAction(ReadOnlySpan<byte> seed);

    private void WithSeed(SeedAction action)
    {
        Span<byte> seed = stackalloc byte[SeedSize];
        try
        {
            if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, seed, out int written) || written != SeedSize)
            {
                throw new CryptographicException("The Ed25519 seed could not be exported.");
            }

            action(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static KeyExportPolicies Policy(bool allowExport)
        => allowExport ? KeyExportPolicies.AllowPlaintextExport : KeyExportPolicies.None;
}
