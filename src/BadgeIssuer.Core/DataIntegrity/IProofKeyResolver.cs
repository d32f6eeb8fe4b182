using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>A public key found for a proof's verification method.</summary>
/// <param name="Ed25519PublicKey">The 32-byte Ed25519 public key; empty when the key is of another type (see <see cref="PublicKey"/>).</param>
/// <param name="Controller">The controller of the verification method (a DID or URL), if known.</param>
/// <param name="AuthorizedForPurpose">Whether the controller document lists the method under the proof purpose.</param>
public sealed record ResolvedProofKey(ReadOnlyMemory<byte> Ed25519PublicKey, string? Controller, bool AuthorizedForPurpose)
{
    /// <summary>A key of any type (Ed25519, P-256, P-384, …); each cryptosuite says which types it verifies with.</summary>
    /// <remarks>The parameters are named as the primary constructor's, so named arguments read the same for both.</remarks>
#pragma warning disable IDE1006 // Naming: matches the positional record's parameter names.
    public ResolvedProofKey(VerificationKey PublicKey, string? Controller, bool AuthorizedForPurpose)
        : this(PublicKey is Keys.Ed25519PublicKey ed ? ed.RawKeyMemory : ReadOnlyMemory<byte>.Empty, Controller, AuthorizedForPurpose)
    {
        ArgumentNullException.ThrowIfNull(PublicKey);
        this.PublicKey = PublicKey;
    }
#pragma warning restore IDE1006

    /// <summary>The key, when the resolver had it as a <see cref="VerificationKey"/>; null when only <see cref="Ed25519PublicKey"/> was given.</summary>
    public VerificationKey? PublicKey { get; init; }
}

/// <summary>Finds the public key of a verification method for a proof purpose; returns null when it cannot.</summary>
public interface IProofKeyResolver
{
    ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose);
}

/// <summary>Writes the signature of <paramref name="data"/> into <paramref name="signature"/> (64 bytes for Ed25519).</summary>
public delegate void SignatureWriter(ReadOnlySpan<byte> data, Span<byte> signature);
