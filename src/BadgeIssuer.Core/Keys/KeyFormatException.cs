namespace BadgeIssuer.Core.Keys;

/// <summary>Why a key encoding was refused. Messages never contain key material.</summary>
public enum KeyFormatError
{
    None,

    /// <summary>Not valid multibase/base58btc, base64url, PEM or JSON.</summary>
    InvalidEncoding,

    /// <summary>A multibase value without the <c>z</c> (base58btc) prefix.</summary>
    UnsupportedMultibase,

    /// <summary>A multicodec header other than the expected one (DI-8: 0xed01 public, 0x8026 secret).</summary>
    WrongMulticodecPrefix,

    /// <summary>The decoded key has the wrong number of bytes.</summary>
    WrongLength,

    /// <summary>A key type, curve or algorithm this library does not support.</summary>
    UnsupportedKeyType,

    /// <summary>A 64-byte seed‖public key, or a key file, whose public half does not match the secret.</summary>
    PublicKeyMismatch,

    /// <summary>A JWK that lacks a required member or has a malformed one.</summary>
    InvalidJwk,

    /// <summary>A public JWK that carries private members (<c>d</c>, …) where only a public key is allowed.</summary>
    PrivateKeyMaterialPresent,

    /// <summary>An RSA key below 2048 bits.</summary>
    KeyTooSmall,

    /// <summary>The key is not valid for its algorithm (e.g. a point not on the curve).</summary>
    InvalidKey,
}

/// <summary>A key in an encoding this library cannot accept. <see cref="Error"/> says why.</summary>
public sealed class KeyFormatException : FormatException
{
    public KeyFormatException()
    {
    }

    public KeyFormatException(string message)
        : base(message)
    {
    }

    public KeyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KeyFormatException(KeyFormatError error, string message)
        : base(message)
    {
        Error = error;
    }

    public KeyFormatException(KeyFormatError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    public KeyFormatError Error { get; }
}
