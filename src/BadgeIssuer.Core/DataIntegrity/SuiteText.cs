using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>Messages the cryptosuites share (never with key material).</summary>
internal static class SuiteText
{
    /// <summary>"an Ed25519 key", "a P-256 key", …</summary>
    public static string KeyName(VerificationKey key) => key.KeyType switch
    {
        KeyType.Ed25519 => "an Ed25519 key",
        KeyType.P256 => "a P-256 key",
        KeyType.P384 => "a P-384 key",
        KeyType.Rsa => "an RSA key",
        _ => $"a {key.KeyType} key",
    };

    public static KeyMismatch WrongKey(VerificationKey key, string needed)
        => new(ProofFailure.WrongKeyType, $"the verification method holds {KeyName(key)}; this proof's cryptosuite needs {needed}");
}
