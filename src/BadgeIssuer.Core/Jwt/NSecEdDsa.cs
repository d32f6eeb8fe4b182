// EdDSA (Ed25519, RFC 8037) for Microsoft.IdentityModel: the library has no Ed25519 of its own, so an Ed25519
// SecurityKey carries a CryptoProviderFactory whose CustomCryptoProvider hands out an NSec-backed SignatureProvider.
// JsonWebTokenHandler then validates EdDSA tokens on the same path as RS256 and ES256 (its own RSA/ECDsa providers).
// The provider serves "EdDSA" only, and only for an Ed25519SecurityKey: the key type fixes the algorithm.

using BadgeIssuer.Core.Keys;
using Microsoft.IdentityModel.Tokens;
using NSec.Cryptography;

namespace BadgeIssuer.Core.Jwt;

/// <summary>An Ed25519 key (public, or a private NSec key) as a Microsoft.IdentityModel <see cref="SecurityKey"/>.</summary>
internal sealed class Ed25519SecurityKey : SecurityKey
{
    private static readonly CryptoProviderFactory s_factory = new()
    {
        CustomCryptoProvider = NSecEdDsaCryptoProvider.Instance,

        // Our provider is stateless and cheap; nothing to cache or pool.
        CacheSignatureProviders = false,
    };

    public Ed25519SecurityKey(PublicKey publicKey)
    {
        PublicKey = publicKey;
        CryptoProviderFactory = s_factory;
    }

    public Ed25519SecurityKey(Key privateKey)
    {
        PrivateKey = privateKey;
        PublicKey = privateKey.PublicKey;
        CryptoProviderFactory = s_factory;
    }

    public PublicKey PublicKey { get; }

    public Key? PrivateKey { get; }

    public override int KeySize => 256;
}

/// <summary>Creates <see cref="NSecEdDsaSignatureProvider"/>s for <c>EdDSA</c> with an <see cref="Ed25519SecurityKey"/>.</summary>
internal sealed class NSecEdDsaCryptoProvider : ICryptoProvider
{
    public static readonly NSecEdDsaCryptoProvider Instance = new();

    private NSecEdDsaCryptoProvider()
    {
    }

    public bool IsSupportedAlgorithm(string algorithm, params object[] args)
        => string.Equals(algorithm, JwsAlgorithms.EdDsa, StringComparison.Ordinal) && args is [Ed25519SecurityKey, ..];

    public object Create(string algorithm, params object[] args)
    {
        if (!IsSupportedAlgorithm(algorithm, args))
        {
            throw new NotSupportedException("Only EdDSA with an Ed25519 key is supported.");
        }

        var key = (Ed25519SecurityKey)args[0];
        bool willCreateSignatures = args.Length > 1 && args[1] is true;
        if (willCreateSignatures && key.PrivateKey is null)
        {
            throw new InvalidOperationException("Signing needs the Ed25519 private key.");
        }

        return new NSecEdDsaSignatureProvider(key, willCreateSignatures);
    }

    public void Release(object cryptoInstance)
    {
        if (cryptoInstance is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}

/// <summary>Ed25519 signatures through NSec (libsodium). Stateless apart from the key; thread-safe.</summary>
internal sealed class NSecEdDsaSignatureProvider : SignatureProvider
{
    private const int SignatureSize = 64;
    private readonly Ed25519SecurityKey _key;

    public NSecEdDsaSignatureProvider(Ed25519SecurityKey key, bool willCreateSignatures)
        : base(key, JwsAlgorithms.EdDsa)
    {
        _key = key;
        WillCreateSignatures = willCreateSignatures;
    }

    public override byte[] Sign(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return SignatureAlgorithm.Ed25519.Sign(PrivateKey(), input);
    }

    public override byte[] Sign(byte[] input, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(input);
        return SignatureAlgorithm.Ed25519.Sign(PrivateKey(), input.AsSpan(offset, count));
    }

    public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < SignatureSize)
        {
            bytesWritten = 0;
            return false;
        }

        SignatureAlgorithm.Ed25519.Sign(PrivateKey(), data, destination[..SignatureSize]);
        bytesWritten = SignatureSize;
        return true;
    }

    public override bool Verify(byte[] input, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Length == SignatureSize && SignatureAlgorithm.Ed25519.Verify(_key.PublicKey, input, signature);
    }

    public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        return signatureLength == SignatureSize
            && SignatureAlgorithm.Ed25519.Verify(_key.PublicKey, input.AsSpan(inputOffset, inputLength), signature.AsSpan(signatureOffset, signatureLength));
    }

    protected override void Dispose(bool disposing)
    {
        // The NSec key belongs to the Ed25519KeyPair / Ed25519PublicKey, which dispose it.
    }

    private Key PrivateKey() => _key.PrivateKey ?? throw new InvalidOperationException("Signing needs the Ed25519 private key.");
}
