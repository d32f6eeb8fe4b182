// OpenID4VCI 1.0 §F.1 "jwt Proof Type": the wallet proves it holds the key its credential is to be bound to.
//   header  = {"alg": EdDSA | ES256, "typ": "openid4vci-proof+jwt", exactly one of "kid" (a did:key / did:jwk DID URL) or "jwk"}
//             nothing else (x5c, key_attestation and trust_chain are not supported here; crit and the rest are refused)
//   payload = {"aud": the credential issuer identifier, "iat": NumericDate, "nonce": a c_nonce, "iss"? (ignored)}
// The signature is checked with the header's key only (Microsoft.IdentityModel through JwsLibrary, key fixed, algorithm
// fixed by the key type); the nonce is returned for the caller to check (it is the caller's secret and single use).

using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.JsonLd;
using Microsoft.IdentityModel.JsonWebTokens;

namespace BadgeIssuer.Core.Jwt;

/// <summary>What a key proof must say, and the bounds it is checked within.</summary>
public sealed record KeyProofExpectations
{
    /// <summary>The credential issuer identifier the proof's <c>aud</c> must equal (simple string comparison).</summary>
    public required string Audience { get; init; }

    /// <summary>The verifier's time.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>The oldest <c>iat</c> accepted, as an age.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How far in the future an <c>iat</c> may be (clock skew).</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Algorithms accepted (the issuer metadata's <c>proof_signing_alg_values_supported</c>).</summary>
    public IReadOnlyCollection<string> Algorithms { get; init; } = [JwsAlgorithms.EdDsa, JwsAlgorithms.ES256];

    /// <summary>Longest compact JWS accepted, in characters.</summary>
    public int MaxLength { get; init; } = KeyProofVerifier.DefaultMaxLength;
}

/// <summary>Why a key proof was refused.</summary>
public enum KeyProofFailure
{
    None,

    /// <summary>Not a compact JWS of canonical base64url parts, too long, or a header or payload that is not a JSON object.</summary>
    Malformed,

    /// <summary><c>typ</c> is not <c>openid4vci-proof+jwt</c>.</summary>
    WrongType,

    /// <summary>The algorithm is none, symmetric or not one of the accepted ones, or not the key's.</summary>
    UnsupportedAlgorithm,

    /// <summary>No key, both kid and jwk, an x5c or another header parameter this verifier does not support.</summary>
    UnsupportedKey,

    /// <summary>The kid or jwk does not give a usable public key.</summary>
    InvalidKey,

    /// <summary>The signature does not verify with the header's key.</summary>
    InvalidSignature,

    /// <summary><c>aud</c> is missing or not the credential issuer.</summary>
    WrongAudience,

    /// <summary><c>iat</c> is missing, not a number, too old or in the future.</summary>
    StaleOrFutureIssuedAt,

    /// <summary>No <c>nonce</c> string.</summary>
    MissingNonce,
}

/// <summary>The outcome of <see cref="KeyProofVerifier.Verify"/>.</summary>
public sealed record KeyProofResult
{
    [MemberNotNullWhen(true, nameof(HolderDid), nameof(Nonce), nameof(Algorithm))]
    public bool Succeeded => Failure == KeyProofFailure.None;

    public KeyProofFailure Failure { get; init; }

    /// <summary>What was wrong, in one sentence (ASCII, safe for an OAuth <c>error_description</c>).</summary>
    public string? Message { get; init; }

    /// <summary>
    /// The DID the credential is to be bound to: the kid's DID (without its fragment), or the <c>did:jwk</c> of the header
    /// <c>jwk</c> (RFC 7638 members).
    /// </summary>
    public string? HolderDid { get; init; }

    /// <summary>The proof's <c>nonce</c> (for the caller's single-use check).</summary>
    public string? Nonce { get; init; }

    public string? Algorithm { get; init; }

    internal static KeyProofResult Fail(KeyProofFailure failure, string message) => new() { Failure = failure, Message = message };
}

/// <summary>Checks OpenID4VCI <c>jwt</c> key proofs (<c>openid4vci-proof+jwt</c>) signed with Ed25519 or P-256 keys named by did:key, did:jwk or a header jwk.</summary>
public static class KeyProofVerifier
{
    /// <summary>The default bound on a proof's length (a did:jwk kid of a P-256 key and a small payload fit many times over).</summary>
    public const int DefaultMaxLength = 8 * 1024;

    public const string ProofType = "openid4vci-proof+jwt";

    private static readonly JsonDocumentOptions s_json = new() { MaxDepth = 8, AllowDuplicateProperties = false };

    /// <summary>Checks <paramref name="compactJws"/> against <paramref name="expectations"/>; never throws for bad input.</summary>
    public static KeyProofResult Verify(string compactJws, KeyProofExpectations expectations)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        ArgumentNullException.ThrowIfNull(expectations);
        if (compactJws.Length > expectations.MaxLength)
        {
            return KeyProofResult.Fail(KeyProofFailure.Malformed, $"The proof is longer than {expectations.MaxLength} characters.");
        }

        string[] parts = compactJws.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || parts[2].Length == 0
            || !Base64UrlStrict.IsValid(parts[0].AsSpan(), out _) || !Base64UrlStrict.IsValid(parts[1].AsSpan(), out _) || !Base64UrlStrict.IsValid(parts[2].AsSpan(), out _))
        {
            return KeyProofResult.Fail(KeyProofFailure.Malformed, "The proof is not a compact JWS of three canonical base64url parts.");
        }

        using JsonDocument? header = ParseObject(parts[0]);
        using JsonDocument? payload = ParseObject(parts[1]);
        if (header is null || payload is null)
        {
            return KeyProofResult.Fail(KeyProofFailure.Malformed, "The proof's header and payload must be JSON objects (no duplicate members).");
        }

        KeyProofResult? headerFailure = ReadHeader(header.RootElement, expectations, out string algorithm, out VerificationKey? key, out string? holder);
        if (headerFailure is not null)
        {
            return headerFailure;
        }

        using (key)
        {
            if (!string.Equals(key!.JwsAlgorithm, algorithm, StringComparison.Ordinal))
            {
                return KeyProofResult.Fail(KeyProofFailure.UnsupportedAlgorithm, $"alg {algorithm} does not match the key ({key.JwsAlgorithm}).");
            }

            JsonWebTokenHandler handler = JwsLibrary.CreateHandler(expectations.MaxLength);
            if (JwsLibrary.Validate(handler, compactJws, key) == JwsCheck.InvalidSignature)
            {
                return KeyProofResult.Fail(KeyProofFailure.InvalidSignature, "The proof's signature does not verify with the key its header names.");
            }
        }

        return ReadPayload(payload.RootElement, expectations, algorithm, holder!);
    }

    private static JsonDocument? ParseObject(string part)
    {
        try
        {
            JsonDocument document = JsonDocument.Parse(Base64Url.DecodeFromChars(part), s_json);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !JsonStrings.AreReadable(document.RootElement))
            {
                document.Dispose();
                return null;
            }

            return document;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static KeyProofResult? ReadHeader(JsonElement header, KeyProofExpectations expectations, out string algorithm, out VerificationKey? key, out string? holder)
    {
        algorithm = string.Empty;
        key = null;
        holder = null;
        foreach (JsonProperty member in header.EnumerateObject())
        {
            if (!(member.NameEquals("alg"u8) || member.NameEquals("typ"u8) || member.NameEquals("kid"u8) || member.NameEquals("jwk"u8)))
            {
                return KeyProofResult.Fail(KeyProofFailure.UnsupportedKey, $"Header parameter '{Ascii(member.Name)}' is not supported (alg, typ and one of kid or jwk).");
            }
        }

        if (!header.TryGetProperty("typ"u8, out JsonElement typ) || typ.ValueKind != JsonValueKind.String || !typ.ValueEquals(ProofType))
        {
            return KeyProofResult.Fail(KeyProofFailure.WrongType, "The proof's typ must be " + ProofType + ".");
        }

        if (!header.TryGetProperty("alg"u8, out JsonElement alg) || alg.ValueKind != JsonValueKind.String)
        {
            return KeyProofResult.Fail(KeyProofFailure.UnsupportedAlgorithm, "The proof has no alg.");
        }

        algorithm = alg.GetString()!;
        if (!expectations.Algorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            return KeyProofResult.Fail(KeyProofFailure.UnsupportedAlgorithm,
                $"alg '{Ascii(algorithm)}' is not accepted; use one of {string.Join(", ", expectations.Algorithms)}.");
        }

        bool hasKid = header.TryGetProperty("kid"u8, out JsonElement kid);
        bool hasJwk = header.TryGetProperty("jwk"u8, out JsonElement jwk);
        if (hasKid == hasJwk)
        {
            return KeyProofResult.Fail(KeyProofFailure.UnsupportedKey, "The proof's header names its key with exactly one of kid or jwk.");
        }

        if (hasJwk)
        {
            if (!Keys.Jwk.TryImportPublicKey(jwk, out key, out KeyFormatError error))
            {
                return KeyProofResult.Fail(KeyProofFailure.InvalidKey, error == KeyFormatError.PrivateKeyMaterialPresent
                    ? "The header jwk holds private key members."
                    : "The header jwk is not a usable public key.");
            }

            holder = DidJwk.Create(key);
            return null;
        }

        if (kid.ValueKind != JsonValueKind.String || kid.GetString() is not { Length: > 0 and <= 4096 } kidValue)
        {
            return KeyProofResult.Fail(KeyProofFailure.InvalidKey, "kid must be a DID URL (did:key or did:jwk).");
        }

        DidDocumentWriter.Split(kidValue, out string did, out string? fragment);
        if (did.StartsWith(DidKey.Prefix, StringComparison.Ordinal))
        {
            if (fragment is not null && !string.Equals(fragment, did[DidKey.Prefix.Length..], StringComparison.Ordinal) || !DidKey.TryParse(did, out Ed25519PublicKey? ed))
            {
                return KeyProofResult.Fail(KeyProofFailure.InvalidKey, "kid is not an Ed25519 did:key DID URL (did:key:z6Mk...#z6Mk...).");
            }

            key = ed;
        }
        else if (did.StartsWith(DidJwk.Prefix, StringComparison.Ordinal))
        {
            if (fragment is not null && fragment != "0" || !DidJwk.TryParse(did, out key))
            {
                return KeyProofResult.Fail(KeyProofFailure.InvalidKey, "kid is not a did:jwk DID URL (did:jwk:...#0) of a usable public key.");
            }
        }
        else
        {
            return KeyProofResult.Fail(KeyProofFailure.UnsupportedKey, "kid must name a did:key or did:jwk key.");
        }

        holder = did;
        return null;
    }

    private static KeyProofResult ReadPayload(JsonElement payload, KeyProofExpectations expectations, string algorithm, string holder)
    {
        if (!payload.TryGetProperty("aud"u8, out JsonElement aud) || aud.ValueKind != JsonValueKind.String || !aud.ValueEquals(expectations.Audience))
        {
            return KeyProofResult.Fail(KeyProofFailure.WrongAudience, "The proof's aud must be the credential issuer identifier " + expectations.Audience + ".");
        }

        if (!payload.TryGetProperty("iat"u8, out JsonElement iat) || iat.ValueKind != JsonValueKind.Number || !iat.TryGetInt64(out long issuedAt))
        {
            return KeyProofResult.Fail(KeyProofFailure.StaleOrFutureIssuedAt, "The proof's iat must be a NumericDate (whole seconds).");
        }

        long now = expectations.Now.ToUnixTimeSeconds();
        if (issuedAt < now - (long)expectations.MaxAge.TotalSeconds || issuedAt > now + (long)expectations.MaxFutureSkew.TotalSeconds)
        {
            return KeyProofResult.Fail(KeyProofFailure.StaleOrFutureIssuedAt,
                $"The proof's iat is outside the accepted window ({(long)expectations.MaxAge.TotalSeconds} s old to {(long)expectations.MaxFutureSkew.TotalSeconds} s ahead).");
        }

        if (!payload.TryGetProperty("nonce"u8, out JsonElement nonce) || nonce.ValueKind != JsonValueKind.String || nonce.GetString() is not { Length: > 0 } nonceValue)
        {
            return KeyProofResult.Fail(KeyProofFailure.MissingNonce, "The proof has no nonce: get a c_nonce from the nonce endpoint.");
        }

        return new KeyProofResult { HolderDid = holder, Nonce = nonceValue, Algorithm = algorithm };
    }

    // error_description allows %x20-21 / %x23-5B / %x5D-7E only.
    private static string Ascii(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, 64));
        foreach (char c in value.AsSpan(0, Math.Min(value.Length, 64)))
        {
            builder.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '?');
        }

        return builder.ToString();
    }
}
