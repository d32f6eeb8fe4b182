namespace BadgeIssuer.Core.Keys;

/// <summary>The key types this library signs and verifies with.</summary>
public enum KeyType
{
    /// <summary>Ed25519 (RFC 8032); JWS <c>EdDSA</c>, Data Integrity <c>eddsa-rdfc-2022</c>.</summary>
    Ed25519,

    /// <summary>RSA, at least 2048 bits; JWS <c>RS256</c> (the OB 3.0 VC-JWT minimum, JWT-1).</summary>
    Rsa,

    /// <summary>ECDSA over NIST P-256; JWS <c>ES256</c>, Data Integrity <c>ecdsa-rdfc-2019</c>.</summary>
    P256,

    /// <summary>ECDSA over NIST P-384: verification only (Data Integrity <c>ecdsa-rdfc-2019</c>); its JWS <c>ES384</c> is not accepted for VC-JWTs.</summary>
    P384,
}

/// <summary>JWS <c>alg</c> values (RFC 7518 §3.1, RFC 8037 §3.1) this library supports.</summary>
public static class JwsAlgorithms
{
    public const string EdDsa = "EdDSA";
    public const string RS256 = "RS256";
    public const string ES256 = "ES256";
    public const string ES384 = "ES384";

    /// <summary>The JWS algorithm that goes with a key type; a key only ever signs with this one.</summary>
    public static string For(KeyType keyType) => keyType switch
    {
        KeyType.Ed25519 => EdDsa,
        KeyType.Rsa => RS256,
        KeyType.P256 => ES256,
        KeyType.P384 => ES384,
        _ => throw new ArgumentOutOfRangeException(nameof(keyType)),
    };
}
