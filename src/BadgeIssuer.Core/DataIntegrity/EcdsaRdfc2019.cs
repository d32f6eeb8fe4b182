using BadgeIssuer.Core.Keys;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>
/// The <c>ecdsa-rdfc-2019</c> cryptosuite (VC Data Integrity ECDSA Cryptosuites v1.0, section 3.3) with P-256 and
/// P-384 keys. The hash follows the key's curve, for RDFC-1.0's blank node labels as for the hashes:
/// hashData = H(RDFC_H(proofConfig)) ‖ H(RDFC_H(document without proof)), H = SHA-256 (P-256) or SHA-384 (P-384);
/// proofValue = "z" + base58btc(ECDSA_H(hashData) as IEEE P1363 r ‖ s), 64 or 96 bytes. Signing (P-256 keys only)
/// uses the platform's randomized ECDSA: the published vectors' deterministic (RFC 6979) signatures are verified,
/// not reproduced.
/// </summary>
public sealed class EcdsaRdfc2019 : IDataIntegrityCryptosuite
{
    public const string CryptosuiteName = "ecdsa-rdfc-2019";

    private const int P256SignatureLength = 2 * P256PublicKey.CoordinateSize;
    private const int P384SignatureLength = 2 * P384PublicKey.CoordinateSize;

    // 96 bytes are at most 132 base58btc characters.
    private const int MaxProofValueLength = 140;

    private static readonly string[] s_unsigned = ["proofValue"];

    private EcdsaRdfc2019()
    {
    }

    /// <summary>The suite.</summary>
    public static EcdsaRdfc2019 Instance { get; } = new();

    public string Name => CryptosuiteName;

    public string KeyDescription => "a P-256 or P-384 key";

    public string SignatureMember => "proofValue";

    public IReadOnlyList<string> UnsignedProofMembers => s_unsigned;

    public bool Matches(string? proofType, string? cryptosuite)
        => string.Equals(proofType, ProofOptions.DataIntegrityProofType, StringComparison.Ordinal)
            && string.Equals(cryptosuite, CryptosuiteName, StringComparison.Ordinal);

    public bool TryDecodeSignature(string value, out ProofSignature signature, out string reason)
    {
        signature = default;
        if (value.Length > MaxProofValueLength)
        {
            // base58 decoding is quadratic: a value no signature could have is not decoded.
            reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"proofValue is {value.Length} characters, longer than any ECDSA signature (not decoded)");
            return false;
        }

        reason = "proofValue is not a multibase base58btc ECDSA signature (r ‖ s: 64 bytes for P-256, 96 for P-384)";
        if (value.Length < 2 || value[0] != 'z')
        {
            return false;
        }

        byte[]? bytes = Internal.Base58Btc.Decode(value.AsSpan(1));
        if (bytes is null || (bytes.Length != P256SignatureLength && bytes.Length != P384SignatureLength))
        {
            return false;
        }

        signature = new ProofSignature(bytes, ReadOnlyMemory<byte>.Empty);
        return true;
    }

    public KeyMismatch? CheckKey(VerificationKey key, in ProofSignature signature)
    {
        (string curve, int expected) = key switch
        {
            P256PublicKey => ("P-256", P256SignatureLength),
            P384PublicKey => ("P-384", P384SignatureLength),
            _ => (string.Empty, 0),
        };
        if (expected == 0)
        {
            return SuiteText.WrongKey(key, KeyDescription);
        }

        return signature.Value.Length == expected
            ? null
            : new KeyMismatch(ProofFailure.InvalidProofValue, $"the signature is {signature.Value.Length} bytes; with a {curve} key an ecdsa-rdfc-2019 signature is {expected} (r ‖ s)");
    }

    public RdfcHashAlgorithm HashFor(VerificationKey key) => key is P384PublicKey ? RdfcHashAlgorithm.Sha384 : RdfcHashAlgorithm.Sha256;

    /// <summary>ECDSA with the curve's hash over <paramref name="hashData"/> (the key classes hash with SHA-256 / SHA-384).</summary>
    public bool Verify(VerificationKey key, ReadOnlySpan<byte> hashData, in ProofSignature signature)
        => key is P256PublicKey or P384PublicKey && key.Verify(hashData, signature.Value.Span);

    public bool CanSign(KeyType keyType) => keyType == KeyType.P256;

    public string CreateProofValue(ReadOnlySpan<byte> hashData, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeyType != KeyType.P256)
        {
            throw new NotSupportedException($"ecdsa-rdfc-2019 signs with a P-256 key here, not {key.KeyType}.");
        }

        Span<byte> signature = stackalloc byte[P256SignatureLength];
        int written = key.Sign(hashData, signature);
        return "z" + SimpleBase.Base58.Bitcoin.Encode(signature[..written]);
    }
}
