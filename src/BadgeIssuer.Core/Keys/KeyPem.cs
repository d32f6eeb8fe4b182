// PEM import that picks the key type from the PEM label and, for PKCS#8 / SubjectPublicKeyInfo,
// from the AlgorithmIdentifier OID: 1.3.101.112 Ed25519, 1.2.840.113549.1.1.1 rsaEncryption,
// 1.2.840.10045.2.1 id-ecPublicKey (curve checked on import: P-256 only).

using System.Formats.Asn1;
using System.Security.Cryptography;

namespace BadgeIssuer.Core.Keys;

/// <summary>Imports PEM keys of any supported type (PKCS#8, SPKI, PKCS#1, SEC 1).</summary>
public static class KeyPem
{
    private const string Ed25519Oid = "1.3.101.112";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    /// <summary>Imports a private key PEM; export stays disabled unless <paramref name="allowExport"/>.</summary>
    public static SigningKey ImportPrivateKey(string pem, bool allowExport = false)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return Detect(pem, expectPrivate: true) switch
        {
            KeyType.Ed25519 => Ed25519KeyPair.ImportPem(pem, allowExport),
            KeyType.Rsa => RsaKeyPair.ImportPem(pem, allowExport),
            _ => P256KeyPair.ImportPem(pem, allowExport),
        };
    }

    /// <summary>Imports a public key PEM (<c>PUBLIC KEY</c> or <c>RSA PUBLIC KEY</c>).</summary>
    public static VerificationKey ImportPublicKey(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return Detect(pem, expectPrivate: false) switch
        {
            KeyType.Ed25519 => Ed25519PublicKey.ImportPem(pem),
            KeyType.Rsa => RsaPublicKey.ImportPem(pem),
            _ => P256PublicKey.ImportPem(pem),
        };
    }

    private static KeyType Detect(string pem, bool expectPrivate)
    {
        if (!PemEncoding.TryFind(pem, out PemFields fields))
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "No PEM block found.");
        }

        ReadOnlySpan<char> label = pem.AsSpan(fields.Label);
        switch (label)
        {
            case "RSA PRIVATE KEY" when expectPrivate:
            case "RSA PUBLIC KEY" when !expectPrivate:
                return KeyType.Rsa;
            case "EC PRIVATE KEY" when expectPrivate:
                return KeyType.P256;
            case "PRIVATE KEY" when expectPrivate:
            case "PUBLIC KEY" when !expectPrivate:
                break;
            default:
                throw new KeyFormatException(KeyFormatError.UnsupportedKeyType,
                    expectPrivate ? "Expected a PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)." : "Expected a PEM public key (PUBLIC KEY or RSA PUBLIC KEY).");
        }

        byte[] der = new byte[fields.DecodedDataLength];
        try
        {
            if (!Convert.TryFromBase64Chars(pem.AsSpan(fields.Base64Data), der, out int written))
            {
                throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The PEM body is not base64.");
            }

            string oid = ReadAlgorithmOid(der.AsMemory(0, written), expectPrivate);
            return oid switch
            {
                Ed25519Oid => KeyType.Ed25519,
                RsaOid => KeyType.Rsa,
                EcOid => KeyType.P256,
                _ => throw new KeyFormatException(KeyFormatError.UnsupportedKeyType, "Unsupported key algorithm in PEM."),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    private static string ReadAlgorithmOid(ReadOnlyMemory<byte> der, bool isPkcs8)
    {
        try
        {
            // PKCS#8: SEQUENCE { INTEGER version, AlgorithmIdentifier, OCTET STRING, ... }
            // SPKI:   SEQUENCE { AlgorithmIdentifier, BIT STRING }
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            AsnReader outer = reader.ReadSequence();
            if (isPkcs8)
            {
                _ = outer.ReadInteger();
            }

            return outer.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException ex)
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The PEM body is not a DER key structure.", ex);
        }
    }
}
