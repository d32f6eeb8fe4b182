// JSON Web Key (RFC 7517) import for the three supported key types:
//   OKP / Ed25519 (RFC 8037): x, d                 EC / P-256 (RFC 7518 §6.2): x, y, d
//   RSA (RFC 7518 §6.3): n, e, d, p, q, dp, dq, qi (all CRT members required for a private key)
// and, as a public key only (Data Integrity ecdsa-rdfc-2019 verification), EC / P-384: x, y.
// Export lives on the key classes (ExportJwk / ExportPrivateJwk). "alg", if present, must be the
// key type's algorithm and "use", if present, must be "sig".

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Keys;

/// <summary>Imports JSON Web Keys as <see cref="VerificationKey"/> or <see cref="SigningKey"/>.</summary>
public static class Jwk
{
    private const int MaxMemberBytes = 1024;
    private static readonly string[] s_privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>Imports a public JWK; refuses one carrying private members (<c>d</c>, …).</summary>
    public static VerificationKey ImportPublicKey(JsonElement jwk)
        => TryImportPublicKey(jwk, out VerificationKey? key, out KeyFormatError error) ? key : throw Failure(error);

    /// <summary>Imports a public JWK from UTF-8 JSON.</summary>
    public static VerificationKey ImportPublicKey(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = Parse(utf8Json);
        return ImportPublicKey(doc.RootElement);
    }

    /// <summary>Imports a public JWK; returns the reason on failure, never throws for bad input.</summary>
    public static bool TryImportPublicKey(JsonElement jwk, [NotNullWhen(true)] out VerificationKey? key, out KeyFormatError error)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            error = KeyFormatError.InvalidJwk;
            return false;
        }

        foreach (string member in s_privateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                error = KeyFormatError.PrivateKeyMaterialPresent;
                return false;
            }
        }

        try
        {
            key = ReadPublic(jwk, out error);
            return key is not null;
        }
        catch (KeyFormatException ex)
        {
            error = ex.Error == KeyFormatError.None ? KeyFormatError.InvalidKey : ex.Error;
            return false;
        }
    }

    /// <summary>Imports a private JWK. Export stays disabled unless <paramref name="allowExport"/>.</summary>
    public static SigningKey ImportPrivateKey(JsonElement jwk, bool allowExport = false)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            throw Failure(KeyFormatError.InvalidJwk);
        }

        KeyType type = ReadType(jwk, out KeyFormatError error) ?? throw Failure(error);
        return type switch
        {
            KeyType.Ed25519 => ReadEd25519Private(jwk, allowExport),
            KeyType.Rsa => ReadRsaPrivate(jwk, allowExport),
            KeyType.P256 => ReadP256Private(jwk, allowExport),
            _ => throw new KeyFormatException(KeyFormatError.UnsupportedKeyType, "P-384 keys are only verified with here, not used for signing."),
        };
    }

    /// <summary>Imports a private JWK from UTF-8 JSON.</summary>
    public static SigningKey ImportPrivateKey(ReadOnlySpan<byte> utf8Json, bool allowExport = false)
    {
        using JsonDocument doc = Parse(utf8Json);
        return ImportPrivateKey(doc.RootElement, allowExport);
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            JsonDocument document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            if (!JsonStrings.AreReadable(document.RootElement))
            {
                document.Dispose();
                throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The JWK has a string that is not valid UTF-8 or holds an unpaired surrogate.");
            }

            return document;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The JWK is not a JSON object.", ex);
        }
    }

    private static KeyType? ReadType(JsonElement jwk, out KeyFormatError error)
    {
        error = KeyFormatError.InvalidJwk;
        if (!jwk.TryGetProperty("kty"u8, out JsonElement kty) || kty.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        KeyType type;
        if (kty.ValueEquals("OKP"u8))
        {
            if (!HasString(jwk, "crv"u8, "Ed25519"u8))
            {
                error = KeyFormatError.UnsupportedKeyType;
                return null;
            }

            type = KeyType.Ed25519;
        }
        else if (kty.ValueEquals("EC"u8))
        {
            if (HasString(jwk, "crv"u8, "P-256"u8))
            {
                type = KeyType.P256;
            }
            else if (HasString(jwk, "crv"u8, "P-384"u8))
            {
                type = KeyType.P384;
            }
            else
            {
                error = KeyFormatError.UnsupportedKeyType;
                return null;
            }
        }
        else if (kty.ValueEquals("RSA"u8))
        {
            type = KeyType.Rsa;
        }
        else
        {
            error = KeyFormatError.UnsupportedKeyType;
            return null;
        }

        if (jwk.TryGetProperty("alg"u8, out JsonElement alg)
            && (alg.ValueKind != JsonValueKind.String || !alg.ValueEquals(JwsAlgorithms.For(type))))
        {
            error = KeyFormatError.UnsupportedKeyType;
            return null;
        }

        if (jwk.TryGetProperty("use"u8, out JsonElement use)
            && (use.ValueKind != JsonValueKind.String || !use.ValueEquals("sig"u8)))
        {
            error = KeyFormatError.UnsupportedKeyType;
            return null;
        }

        error = KeyFormatError.None;
        return type;
    }

    private static VerificationKey? ReadPublic(JsonElement jwk, out KeyFormatError error)
    {
        KeyType? type = ReadType(jwk, out error);
        switch (type)
        {
            case KeyType.Ed25519:
            {
                Span<byte> x = stackalloc byte[32];
                if (!TryMember(jwk, "x"u8, x))
                {
                    error = KeyFormatError.InvalidJwk;
                    return null;
                }

                return Ed25519PublicKey.Import(x);
            }

            case KeyType.P256:
            {
                Span<byte> x = stackalloc byte[32];
                Span<byte> y = stackalloc byte[32];
                if (!TryMember(jwk, "x"u8, x) || !TryMember(jwk, "y"u8, y))
                {
                    error = KeyFormatError.InvalidJwk;
                    return null;
                }

                return P256PublicKey.Import(x, y);
            }

            case KeyType.P384:
            {
                Span<byte> x = stackalloc byte[P384PublicKey.CoordinateSize];
                Span<byte> y = stackalloc byte[P384PublicKey.CoordinateSize];
                if (!TryMember(jwk, "x"u8, x) || !TryMember(jwk, "y"u8, y))
                {
                    error = KeyFormatError.InvalidJwk;
                    return null;
                }

                return P384PublicKey.Import(x, y);
            }

            case KeyType.Rsa:
            {
                byte[]? n = Member(jwk, "n"u8);
                byte[]? e = Member(jwk, "e"u8);
                if (n is null || e is null)
                {
                    error = KeyFormatError.InvalidJwk;
                    return null;
                }

                return RsaPublicKey.Import(n, e);
            }

            default:
                return null;
        }
    }

    private static Ed25519KeyPair ReadEd25519Private(JsonElement jwk, bool allowExport)
    {
        Span<byte> x = stackalloc byte[32];
        Span<byte> d = stackalloc byte[32];
        try
        {
            if (!TryMember(jwk, "d"u8, d) || !TryMember(jwk, "x"u8, x))
            {
                throw Failure(KeyFormatError.InvalidJwk);
            }

            return Ed25519KeyPair.FromSeed(d, x, allowExport);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    private static P256KeyPair ReadP256Private(JsonElement jwk, bool allowExport)
    {
        Span<byte> x = stackalloc byte[32];
        Span<byte> y = stackalloc byte[32];
        Span<byte> d = stackalloc byte[32];
        try
        {
            if (!TryMember(jwk, "d"u8, d) || !TryMember(jwk, "x"u8, x) || !TryMember(jwk, "y"u8, y))
            {
                throw Failure(KeyFormatError.InvalidJwk);
            }

            return P256KeyPair.Import(d, x, y, allowExport);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    private static RsaKeyPair ReadRsaPrivate(JsonElement jwk, bool allowExport)
    {
        var p = new RSAParameters
        {
            Modulus = Member(jwk, "n"u8),
            Exponent = Member(jwk, "e"u8),
            D = Member(jwk, "d"u8),
            P = Member(jwk, "p"u8),
            Q = Member(jwk, "q"u8),
            DP = Member(jwk, "dp"u8),
            DQ = Member(jwk, "dq"u8),
            InverseQ = Member(jwk, "qi"u8),
        };
        try
        {
            if (p.Modulus is null || p.Exponent is null || p.D is null || p.P is null || p.Q is null
                || p.DP is null || p.DQ is null || p.InverseQ is null)
            {
                throw new KeyFormatException(KeyFormatError.InvalidJwk, "An RSA private JWK needs n, e, d, p, q, dp, dq and qi.");
            }

            // RSAParameters wants D the modulus length and the CRT members half of it.
            int size = p.Modulus.Length;
            p.D = PadLeft(p.D, size);
            p.P = PadLeft(p.P, (size + 1) / 2);
            p.Q = PadLeft(p.Q, (size + 1) / 2);
            p.DP = PadLeft(p.DP, (size + 1) / 2);
            p.DQ = PadLeft(p.DQ, (size + 1) / 2);
            p.InverseQ = PadLeft(p.InverseQ, (size + 1) / 2);
            return RsaKeyPair.Import(p, allowExport);
        }
        finally
        {
            RsaKeyPair.Wipe(p);
        }
    }

    private static byte[] PadLeft(byte[] value, int length)
    {
        if (value.Length >= length)
        {
            return value;
        }

        byte[] padded = new byte[length];
        value.CopyTo(padded, length - value.Length);
        CryptographicOperations.ZeroMemory(value);
        return padded;
    }

    private static bool HasString(JsonElement obj, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        => obj.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String && e.ValueEquals(value);

    private static bool TryMember(JsonElement obj, ReadOnlySpan<byte> name, Span<byte> exact)
    {
        if (!obj.TryGetProperty(name, out JsonElement e) || e.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        string? s = e.GetString();
        return s is not null && s.Length <= MaxMemberBytes && Base64UrlStrict.TryDecodeExact(s, exact);
    }

    private static byte[]? Member(JsonElement obj, ReadOnlySpan<byte> name)
    {
        if (!obj.TryGetProperty(name, out JsonElement e) || e.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string? s = e.GetString();
        return s is null ? null : Base64UrlStrict.TryDecodeToArray(s, MaxMemberBytes);
    }

    internal static KeyFormatException Failure(KeyFormatError error) => new(error, error switch
    {
        KeyFormatError.PrivateKeyMaterialPresent => "A public JWK must not contain private key members.",
        KeyFormatError.UnsupportedKeyType => "Unsupported JWK: only OKP/Ed25519, EC/P-256 and RSA keys for EdDSA, ES256 and RS256 signing (and EC/P-384 public keys for ecdsa-rdfc-2019).",
        KeyFormatError.KeyTooSmall => "RSA keys must be at least 2048 bits.",
        KeyFormatError.WrongLength => "A JWK member has the wrong length.",
        KeyFormatError.PublicKeyMismatch => "The JWK's public members do not match its private key.",
        KeyFormatError.InvalidKey => "The JWK is not a valid key.",
        _ => "Malformed JWK: a required member is missing or not strict base64url.",
    });
}
