// The one place where JWS signatures are made and checked: Microsoft.IdentityModel.JsonWebTokens (JsonWebTokenHandler,
// TokenValidationParameters) for RS256, ES256 and — through NSecEdDsa.cs — EdDSA.
// The library's lenient defaults are switched off here, not left to chance:
//   - the key is never looked up by kid, nor are other keys tried: IssuerSigningKeyResolver returns the one key the
//     caller chose (from the header jwk, a resolved kid or the caller), TryAllIssuerSigningKeys is off;
//   - ValidAlgorithms is exactly the key's algorithm (the key type fixes the algorithm);
//   - issuer, audience and lifetime are not the library's business here (ValidateLifetime off, ClockSkew zero): the
//     VC-JWT and VP-JWT claim rules (nbf/exp ↔ validFrom/validUntil, our skew) are checked by the callers;
//   - MaximumTokenSizeInBytes is the caller's bound (the library's default, 250 KB, would refuse 1 MiB VC-JWTs).
// Callers parse the header strictly first (alg none/HS*/variants, member list, typ, private jwk, duplicates): the
// library is the signature check, not the only gate.

using System.Buffers.Text;
using BadgeIssuer.Core.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Jwt;

/// <summary>What the library said about a JWS and the key chosen for it.</summary>
internal enum JwsCheck
{
    /// <summary>The signature verifies with the key and algorithm.</summary>
    Verified,

    /// <summary>The signature does not verify (or the algorithm is not the key's).</summary>
    InvalidSignature,

    /// <summary>
    /// The signature verifies, but the library refused to read the claims set (a non-string iss, a non-numeric or
    /// out-of-range nbf/exp/iat, nesting beyond its depth, …). The caller reports the precise claim failure.
    /// </summary>
    PayloadUnreadable,
}

internal static class JwsLibrary
{
    /// <summary>Providers we own (not cached or evicted by the library), for signers that live as long as their key.</summary>
    private static readonly CryptoProviderFactory s_signingFactory = new()
    {
        CacheSignatureProviders = false,
        CustomCryptoProvider = NSecEdDsaCryptoProvider.Instance,
    };

    /// <summary>A handler that accepts tokens up to <paramref name="maxTokenLength"/> characters (the callers bound input first).</summary>
    public static JsonWebTokenHandler CreateHandler(int maxTokenLength) => new()
    {
        MaximumTokenSizeInBytes = maxTokenLength,
        MapInboundClaims = false,
        SetDefaultTimesOnTokenCreation = false,
    };

    /// <summary>Validation parameters bound to <paramref name="key"/> alone, made once per key.</summary>
    public static TokenValidationParameters ParametersFor(VerificationKey key)
    {
        if (key.JwtValidationParameters is { } cached)
        {
            return cached;
        }

        SecurityKey securityKey = key.SecurityKey;
        SecurityKey[] only = [securityKey];
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeyResolver = (_, _, _, _) => only,
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [key.JwsAlgorithm],
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = false,
            ValidateAudience = false,
            RequireAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ClockSkew = TimeSpan.Zero,
            ValidateTokenReplay = false,
        };
        key.JwtValidationParameters = parameters;
        return parameters;
    }

    /// <summary>
    /// Checks <paramref name="compactJws"/> (whose header the caller has already vetted) with <paramref name="key"/>.
    /// </summary>
    public static JwsCheck Validate(JsonWebTokenHandler handler, string compactJws, VerificationKey key)
    {
        // No configuration manager or I/O is involved: the task has completed when it is returned.
        TokenValidationResult result = handler.ValidateTokenAsync(compactJws, ParametersFor(key)).GetAwaiter().GetResult();
        if (result.IsValid)
        {
            return JwsCheck.Verified;
        }

        // The library reads the whole claims set before the signature (SecurityTokenMalformedException, an
        // ArgumentException). Whether the signer really signed it is still worth knowing — the claim rules then say what
        // is wrong — so the signature is checked with the same provider the handler would have used.
        if (result.Exception is ArgumentException && VerifySignature(compactJws, key))
        {
            return JwsCheck.PayloadUnreadable;
        }

        return JwsCheck.InvalidSignature;
    }

    /// <summary>Signs <paramref name="signingInput"/> into <paramref name="destination"/> with the library's provider for the key.</summary>
    public static int Sign(SignatureProvider provider, ReadOnlySpan<byte> signingInput, Span<byte> destination)
        => provider.Sign(signingInput, destination, out int written)
            ? written
            : throw new InvalidOperationException("The signature did not fit the buffer.");

    /// <summary>A signature provider for <paramref name="key"/> that the caller keeps for the key's lifetime.</summary>
    public static SignatureProvider CreateSigningProvider(SigningKey key)
        => s_signingFactory.CreateForSigning(key.SecurityKey, key.JwsAlgorithm);

    private static bool VerifySignature(string compactJws, VerificationKey key)
    {
        int dot2 = compactJws.LastIndexOf('.');
        if (dot2 < 0 || !Base64Url.IsValid(compactJws.AsSpan(dot2 + 1)))
        {
            return false;
        }

        byte[] input = System.Text.Encoding.ASCII.GetBytes(compactJws, 0, dot2);
        byte[] signature = Base64Url.DecodeFromChars(compactJws.AsSpan(dot2 + 1));
        SecurityKey securityKey = key.SecurityKey;
        CryptoProviderFactory factory = securityKey.CryptoProviderFactory;
        SignatureProvider provider = factory.CreateForVerifying(securityKey, key.JwsAlgorithm);
        try
        {
            return provider.Verify(input, signature);
        }
        finally
        {
            factory.ReleaseSignatureProvider(provider);
        }
    }
}
