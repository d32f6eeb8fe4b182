using BadgeIssuer.Core.Keys;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>
/// One Data Integrity cryptosuite (VC Data Integrity 1.0 §3): what differs between suites that canonicalize with
/// RDFC-1.0 and sign hash(proof configuration) ‖ hash(document). Everything the suites share — reading the proofs,
/// proof sets and <c>previousProof</c> chains, the proof's dates and purpose, resolving the verification method,
/// checking the proof's JSON against its signed form, canonicalizing and hashing, writing the secured document — is
/// <see cref="CryptosuiteSet"/>'s. A new suite is one class implementing this, registered in
/// <see cref="CryptosuiteSet.BuiltIn"/> (docs/architecture.md, "Adding a cryptosuite").
/// </summary>
public interface IDataIntegrityCryptosuite
{
    /// <summary>
    /// The suite's name, as configured and reported: the <c>cryptosuite</c> of a <c>DataIntegrityProof</c>
    /// (<c>eddsa-rdfc-2022</c>), or the proof <c>type</c> of a legacy Linked Data proof (<c>Ed25519Signature2018</c>).
    /// </summary>
    string Name { get; }

    /// <summary>Whether a proof with this <c>type</c> and <c>cryptosuite</c> (either may be absent) is this suite's.</summary>
    bool Matches(string? proofType, string? cryptosuite);

    /// <summary>The keys this suite verifies with, for messages: "an Ed25519 key".</summary>
    string KeyDescription { get; }

    /// <summary>The proof member that holds the signature (<c>proofValue</c>, <c>jws</c>).</summary>
    string SignatureMember { get; }

    /// <summary>
    /// Proof members the signature does not cover: left out of the proof configuration, in addition to <c>@context</c>
    /// (which the document's <c>@context</c> replaces). At least <see cref="SignatureMember"/>.
    /// </summary>
    IReadOnlyList<string> UnsignedProofMembers { get; }

    /// <summary>
    /// Decodes the signature member's value (bounded: the value's length is checked before decoding). False with a
    /// reason when it is not this suite's encoding or no signature length this suite accepts.
    /// </summary>
    bool TryDecodeSignature(string value, out ProofSignature signature, out string reason);

    /// <summary>Null when <paramref name="key"/> is a key this suite verifies <paramref name="signature"/> with; else why not.</summary>
    KeyMismatch? CheckKey(VerificationKey key, in ProofSignature signature);

    /// <summary>
    /// The hash used with <paramref name="key"/>: for RDFC-1.0's blank node labels and for hashing the canonical proof
    /// configuration and document (SHA-256, or SHA-384 for P-384 keys in ecdsa-rdfc-2019).
    /// </summary>
    RdfcHashAlgorithm HashFor(VerificationKey key);

    /// <summary>Checks the signature over <paramref name="hashData"/> (hash(proof configuration) ‖ hash(document)).</summary>
    bool Verify(VerificationKey key, ReadOnlySpan<byte> hashData, in ProofSignature signature);

    /// <summary>Whether this suite signs with keys of <paramref name="keyType"/> (false for verification-only suites).</summary>
    bool CanSign(KeyType keyType);

    /// <summary>The signature member's value for <paramref name="hashData"/>, signed with <paramref name="key"/>.</summary>
    /// <exception cref="NotSupportedException">The suite does not sign, or not with this key type.</exception>
    string CreateProofValue(ReadOnlySpan<byte> hashData, SigningKey key);
}

/// <summary>
/// A decoded signature: the signature bytes and, for detached-JWS suites, the bytes signed before the hash data
/// (<c>ASCII(BASE64URL(header) || '.')</c>); empty for suites that sign the hash data alone.
/// </summary>
public readonly record struct ProofSignature(ReadOnlyMemory<byte> Value, ReadOnlyMemory<byte> SigningInputPrefix);

/// <summary>Why a resolved key does not fit a proof: <see cref="Failure"/> is the proof failure to report.</summary>
public sealed record KeyMismatch(ProofFailure Failure, string Message);
