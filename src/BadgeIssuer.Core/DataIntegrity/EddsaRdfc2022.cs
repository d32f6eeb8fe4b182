using System.Text.Json;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.JsonLd.Canonicalization;
using NSec.Cryptography;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>
/// The <c>eddsa-rdfc-2022</c> cryptosuite (VC Data Integrity EdDSA Cryptosuites v1.0, section 3.3), which also
/// verifies the legacy <c>eddsa-2022</c> and <c>Ed25519Signature2020</c> proofs that use the same algorithm:
/// hashData = SHA-256(RDFC(proofConfig)) ‖ SHA-256(RDFC(document without proof)); proofValue = "z" + base58btc(Ed25519(hashData)).
/// The static members sign and verify with this suite alone (the vector tests, the benchmarks); the issuer and the
/// verifiers go through a <see cref="CryptosuiteSet"/>.
/// </summary>
public sealed class EddsaRdfc2022 : IDataIntegrityCryptosuite
{
    public const string LegacyEddsa2022 = "eddsa-2022";
    public const string Ed25519Signature2020 = "Ed25519Signature2020";

    private const int SignatureLength = 64;

    private static readonly string[] s_unsigned = ["proofValue"];

    private EddsaRdfc2022()
    {
    }

    /// <summary>The suite.</summary>
    public static EddsaRdfc2022 Instance { get; } = new();

    public string Name => ProofOptions.EddsaRdfc2022;

    public string KeyDescription => "an Ed25519 key";

    public string SignatureMember => "proofValue";

    public IReadOnlyList<string> UnsignedProofMembers => s_unsigned;

    /// <summary>Adds a proof to <paramref name="unsecuredDocument"/> and returns the secured document as UTF-8 JSON.</summary>
    /// <remarks>Existing proofs are kept (a proof set); they are signed over only when <see cref="ProofOptions.PreviousProof"/> names them (a chain).</remarks>
    public static byte[] Sign(JsonElement unsecuredDocument, ProofOptions options, SignatureWriter signer, DataIntegrityOptions? diOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        return CryptosuiteSet.SignCore(
            unsecuredDocument,
            options,
            Instance,
            RdfcHashAlgorithm.Sha256,
            hashData =>
            {
                Span<byte> signature = stackalloc byte[SignatureLength];
                signer(hashData, signature);
                return "z" + SimpleBase.Base58.Bitcoin.Encode(signature);
            },
            diOptions ?? DataIntegrityOptions.Default);
    }

    /// <summary>Convenience: signs with an NSec Ed25519 private key.</summary>
    public static byte[] Sign(JsonElement unsecuredDocument, ProofOptions options, Key ed25519Key, DataIntegrityOptions? diOptions = null)
    {
        ArgumentNullException.ThrowIfNull(ed25519Key);
        return Sign(unsecuredDocument, options, (data, sig) => SignatureAlgorithm.Ed25519.Sign(ed25519Key, data, sig), diOptions);
    }

    /// <summary>Convenience: signs with an Ed25519 <see cref="SigningKey"/> (for example one loaded from a key file).</summary>
    public static byte[] Sign(JsonElement unsecuredDocument, ProofOptions options, SigningKey key, DataIntegrityOptions? diOptions = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeyType != KeyType.Ed25519)
        {
            throw new ArgumentException($"eddsa-rdfc-2022 needs an Ed25519 key, not {key.KeyType}.", nameof(key));
        }

        return Sign(unsecuredDocument, options, (data, sig) => key.Sign(data, sig), diOptions);
    }

    /// <summary>Computes the 64 bytes that are signed: SHA-256 of the canonical proof configuration, then of the canonical document.</summary>
    public static byte[] ComputeHashData(JsonElement document, JsonElement proofConfig, DataIntegrityOptions? diOptions = null)
        => CryptosuiteSet.ComputeHashData(document, proofConfig, RdfcHashAlgorithm.Sha256, diOptions ?? DataIntegrityOptions.Default);

    /// <summary>Verifies every proof of <paramref name="securedDocument"/> with this suite alone, one result per proof (other suites' proofs are unsupported).</summary>
    public static IReadOnlyList<ProofVerificationResult> VerifyAll(JsonElement securedDocument, IProofKeyResolver resolver, DataIntegrityOptions? diOptions = null)
        => Only.Set.VerifyAll(securedDocument, resolver, diOptions, canonicalDocumentWithoutProof: null);

    /// <summary>
    /// As <see cref="VerifyAll(JsonElement, IProofKeyResolver, DataIntegrityOptions?)"/>, reusing the RDFC-1.0 canonical
    /// N-Quads of the document without <c>proof</c> when the caller already has them (computed with the same options).
    /// </summary>
    internal static IReadOnlyList<ProofVerificationResult> VerifyAll(JsonElement securedDocument, IProofKeyResolver resolver, DataIntegrityOptions? diOptions, string? canonicalDocumentWithoutProof)
        => Only.Set.VerifyAll(securedDocument, resolver, diOptions, canonicalDocumentWithoutProof);

    /// <summary>Whether the proof object is one this suite can verify (by type and cryptosuite).</summary>
    public static bool IsSupported(JsonElement proof)
    {
        (string? type, string? cryptosuite) = CryptosuiteSet.TypeOf(proof);
        return Instance.Matches(type, cryptosuite);
    }

    public bool Matches(string? proofType, string? cryptosuite)
        => (string.Equals(proofType, ProofOptions.DataIntegrityProofType, StringComparison.Ordinal)
                && (string.Equals(cryptosuite, ProofOptions.EddsaRdfc2022, StringComparison.Ordinal) || string.Equals(cryptosuite, LegacyEddsa2022, StringComparison.Ordinal)))
            || string.Equals(proofType, Ed25519Signature2020, StringComparison.Ordinal);

    public bool TryDecodeSignature(string value, out ProofSignature signature, out string reason)
    {
        signature = default;
        reason = "proofValue is not a multibase base58btc Ed25519 signature";
        if (value.Length < 2 || value[0] != 'z' || value.Length > 120)
        {
            return false;
        }

        // Non-alphabet (including non-ASCII) characters are refused before decoding; SimpleBase threw IndexOutOfRangeException on them.
        byte[]? bytes = Internal.Base58Btc.Decode(value.AsSpan(1));
        if (bytes is null || bytes.Length != SignatureLength)
        {
            return false;
        }

        signature = new ProofSignature(bytes, ReadOnlyMemory<byte>.Empty);
        return true;
    }

    public KeyMismatch? CheckKey(VerificationKey key, in ProofSignature signature)
        => key is Ed25519PublicKey ? null : SuiteText.WrongKey(key, KeyDescription);

    public RdfcHashAlgorithm HashFor(VerificationKey key) => RdfcHashAlgorithm.Sha256;

    public bool Verify(VerificationKey key, ReadOnlySpan<byte> hashData, in ProofSignature signature)
        => key is Ed25519PublicKey && key.Verify(hashData, signature.Value.Span);

    public bool CanSign(KeyType keyType) => keyType == KeyType.Ed25519;

    public string CreateProofValue(ReadOnlySpan<byte> hashData, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeyType != KeyType.Ed25519)
        {
            throw new NotSupportedException($"eddsa-rdfc-2022 needs an Ed25519 key, not {key.KeyType}.");
        }

        Span<byte> signature = stackalloc byte[SignatureLength];
        key.Sign(hashData, signature);
        return "z" + SimpleBase.Base58.Bitcoin.Encode(signature);
    }

    /// <summary>A set of this suite alone, made on first use (not in the type initializer: <see cref="CryptosuiteSet.BuiltIn"/> reads <see cref="Instance"/>).</summary>
    private static class Only
    {
        public static readonly CryptosuiteSet Set = new([Instance]);
    }
}
