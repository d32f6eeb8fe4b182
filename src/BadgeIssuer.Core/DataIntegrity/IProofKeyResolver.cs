namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>A public key found for a proof's verification method.</summary>
/// <param name="Ed25519PublicKey">The 32-byte Ed25519 public key.</param>
/// <param name="Controller">The controller of the verification method (a DID or URL), if known.</param>
/// <param name="AuthorizedForPurpose">Whether the controller document lists the method under the proof purpose.</param>
public sealed record ResolvedProofKey(ReadOnlyMemory<byte> Ed25519PublicKey, string? Controller, bool AuthorizedForPurpose);

/// <summary>Finds the public key of a verification method for a proof purpose; returns null when it cannot.</summary>
public interface IProofKeyResolver
{
    ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose);
}

/// <summary>Writes the signature of <paramref name="data"/> into <paramref name="signature"/> (64 bytes for Ed25519).</summary>
public delegate void SignatureWriter(ReadOnlySpan<byte> data, Span<byte> signature);
