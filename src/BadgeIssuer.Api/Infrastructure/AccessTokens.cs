// OAuth 2.0 access tokens as JWTs (RFC 9068 "JWT Profile for OAuth 2.0 Access Tokens", RFC 7519, RFC 7515 compact).
//   header  = {"alg":"HS256","typ":"at+jwt","kid":<hex KEK id>}      nothing else is accepted
//   payload = {iss, aud, sub, client_id, issuer_id?, scope, iat, nbf, exp, jti}
// The MAC key is HKDF-SHA256(KEK, info "BadgeIssuer OAuth access token HS256 v1"): every instance that shares the KEK
// (which they must, to unwrap issuer keys) signs and checks the same tokens, with no key in the database. The kid names
// the KEK, so tokens signed before a KEK rotation keep validating while the previous KEK is configured.
// Validation is strict: exactly this header shape and algorithm (no "none", RS*, ES*, jwk/jku/x5u/crit), a known kid,
// then Microsoft.IdentityModel's JsonWebTokenHandler (the MAC, alg HS256 only, typ at+jwt, iss, aud, exp and nbf with
// the configured skew — not its 5-minute default — and the key of that kid alone), then our own claim checks again
// (exact iss/aud strings, sub = client_id, iat, the NumericDate range). Tokens are written by the same handler.

using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>What a valid access token says.</summary>
internal sealed record AccessTokenClaims(string ClientId, string? IssuerId, IReadOnlyList<string> Scopes, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>A freshly issued access token.</summary>
internal sealed record IssuedAccessToken(string Token, string TokenId, DateTimeOffset ExpiresAt, int ExpiresIn);

/// <summary>Issues and validates this service's HS256 access tokens.</summary>
internal sealed class AccessTokens
{
    public const string Algorithm = "HS256";
    public const string TokenType = "at+jwt";
    public const int MaxTokenLength = 4096;
    private const string KeyPurpose = "BadgeIssuer OAuth access token HS256 v1";

    private readonly Dictionary<string, SymmetricSecurityKey> _keys = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength, MapInboundClaims = false, SetDefaultTimesOnTokenCreation = false };
    private readonly string _currentKid;
    private readonly string _issuer;
    private readonly string _audience;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _skew;
    private readonly TimeProvider _timeProvider;

    public AccessTokens(KeyVault vault, PublicUrls urls, IOptions<BadgeIssuerOptions> options, TimeProvider timeProvider)
    {
        foreach ((string kekId, byte[] key) in vault.DeriveKeys(KeyPurpose))
        {
            _keys[kekId] = new SymmetricSecurityKey(key) { KeyId = kekId };
        }

        _currentKid = vault.CurrentKekId;
        _issuer = urls.Base;
        _audience = options.Value.OAuth.Audience ?? urls.Base;
        _lifetime = TimeSpan.FromSeconds(options.Value.OAuth.AccessTokenLifetimeSeconds);
        _skew = TimeSpan.FromSeconds(options.Value.OAuth.ClockSkewSeconds);
        _timeProvider = timeProvider;
        ValidationParameters = new TokenValidationParameters
        {
            // The key of the token's kid, looked up exactly (TryValidate has checked it exists); never other keys.
            IssuerSigningKeyResolver = (_, _, kid, _) => _keys.TryGetValue(kid, out SymmetricSecurityKey? k) ? [k] : [],
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [Algorithm],
            ValidTypes = [TokenType],
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidIssuer = _issuer,
            ValidAudience = _audience,
            RequireAudience = true,
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = _skew,

            // The library's own clock is the system's; its lifetime hook gets ours (and our skew, not its 5 minutes).
            LifetimeValidator = (notBefore, expires, _, _) => IsWithinLifetime(notBefore, expires),
            ValidateTokenReplay = false,
        };
    }

    private bool IsWithinLifetime(DateTime? notBefore, DateTime? expires)
    {
        DateTime now = _timeProvider.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp + _skew && (notBefore is not { } nbf || nbf <= now + _skew);
    }

    /// <summary>What the JWT library checks (exposed for tests that pin the defaults we override).</summary>
    internal TokenValidationParameters ValidationParameters { get; }

    /// <summary>The <c>iss</c> of tokens (the public base URL).</summary>
    public string Issuer => _issuer;

    /// <summary>The <c>aud</c> of tokens.</summary>
    public string Audience => _audience;

    /// <summary>
    /// Whether a bearer credential has the shape of a JWS (three base64url segments, a JSON header): it is then
    /// validated as an access token and never looked up as an API key.
    /// </summary>
    public static bool LooksLikeJwt(string credential) =>
        credential.StartsWith("eyJ", StringComparison.Ordinal) && credential.AsSpan().Count('.') == 2;

    /// <summary>A token for the client, valid for the configured lifetime but never past <paramref name="notAfter"/> (the client's expiry).</summary>
    public IssuedAccessToken Issue(string clientId, string? issuerId, IReadOnlyList<string> scopes, DateTimeOffset? notAfter = null)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        long iat = now.ToUnixTimeSeconds();
        long exp = iat + (long)_lifetime.TotalSeconds;
        if (notAfter is { } limit)
        {
            exp = Math.Clamp(limit.ToUnixTimeSeconds(), iat, exp);
        }

        string jti = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = clientId,
            ["client_id"] = clientId,
            ["scope"] = string.Join(' ', scopes),
            ["iat"] = iat,
            ["nbf"] = iat,
            ["exp"] = exp,
            ["jti"] = jti,
        };
        if (issuerId is not null)
        {
            claims["issuer_id"] = issuerId;
        }

        string token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer,
            Audience = _audience,
            Claims = claims,
            TokenType = TokenType,
            SigningCredentials = new SigningCredentials(_keys[_currentKid], Algorithm),
        });
        return new IssuedAccessToken(token, jti, DateTimeOffset.FromUnixTimeSeconds(exp), (int)(exp - iat));
    }

    /// <summary>Checks a token completely; <paramref name="failure"/> says why not (for logs, never secrets).</summary>
    public bool TryValidate(string token, [NotNullWhen(true)] out AccessTokenClaims? claims, [NotNullWhen(false)] out string? failure)
    {
        claims = null;
        if (token.Length > MaxTokenLength)
        {
            failure = "too long";
            return false;
        }

        string[] parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || !Base64Url.IsValid(p)))
        {
            failure = "not a compact JWS with three base64url segments";
            return false;
        }

        if (!TryReadHeader(parts[0], out string? kid, out failure))
        {
            return false;
        }

        if (!_keys.ContainsKey(kid))
        {
            failure = "unknown kid";
            return false;
        }

        // No configuration manager or I/O is involved: the task has completed when it is returned.
        TokenValidationResult result = _handler.ValidateTokenAsync(token, ValidationParameters).GetAwaiter().GetResult();
        if (!result.IsValid)
        {
            failure = result.Exception switch
            {
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "bad signature",
                SecurityTokenInvalidLifetimeException => "expired or not yet valid",
                SecurityTokenInvalidIssuerException => "wrong iss",
                SecurityTokenInvalidAudienceException => "wrong aud",
                SecurityTokenInvalidTypeException => "typ is not " + TokenType,
                SecurityTokenInvalidAlgorithmException => "alg is not " + Algorithm,
                { } other => "refused by the JWT library (" + other.GetType().Name + ")",
                null => "refused by the JWT library",
            };
            return false;
        }

        return TryReadPayload(parts[1], out claims, out failure);
    }

    private static bool TryReadHeader(string segment, [NotNullWhen(true)] out string? kid, [NotNullWhen(false)] out string? failure)
    {
        kid = null;
        string? alg = null, typ = null;
        if (!TryParseObject(segment, out JsonDocument? document))
        {
            failure = "the header is not a JSON object";
            return false;
        }

        using (document)
        {
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    failure = "a header member is not a string";
                    return false;
                }

                switch (property.Name)
                {
                    case "alg" when alg is null:
                        alg = property.Value.GetString();
                        break;
                    case "typ" when typ is null:
                        typ = property.Value.GetString();
                        break;
                    case "kid" when kid is null:
                        kid = property.Value.GetString();
                        break;
                    default:
                        failure = "unexpected or repeated header member '" + property.Name + "'";
                        return false;
                }
            }
        }

        if (!string.Equals(alg, Algorithm, StringComparison.Ordinal))
        {
            failure = "alg is not " + Algorithm;
            return false;
        }

        if (!string.Equals(typ, TokenType, StringComparison.Ordinal))
        {
            failure = "typ is not " + TokenType;
            return false;
        }

        if (kid is null)
        {
            failure = "no kid";
            return false;
        }

        failure = null;
        return true;
    }

    private bool TryReadPayload(string segment, [NotNullWhen(true)] out AccessTokenClaims? claims, [NotNullWhen(false)] out string? failure)
    {
        claims = null;
        if (!TryParseObject(segment, out JsonDocument? document))
        {
            failure = "the payload is not a JSON object";
            return false;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            string? iss = StringClaim(root, "iss"), aud = StringClaim(root, "aud"), sub = StringClaim(root, "sub"), clientId = StringClaim(root, "client_id");
            string? scope = StringClaim(root, "scope"), jti = StringClaim(root, "jti"), issuerId = StringClaim(root, "issuer_id");
            long? iat = NumericDate(root, "iat"), nbf = NumericDate(root, "nbf"), exp = NumericDate(root, "exp");
            if (!string.Equals(iss, _issuer, StringComparison.Ordinal))
            {
                failure = "wrong iss";
                return false;
            }

            if (!string.Equals(aud, _audience, StringComparison.Ordinal))
            {
                failure = "wrong aud";
                return false;
            }

            if (string.IsNullOrEmpty(sub) || !string.Equals(sub, clientId, StringComparison.Ordinal) || scope is null || string.IsNullOrEmpty(jti)
                || iat is null || nbf is null || exp is null
                || (root.TryGetProperty("issuer_id", out JsonElement tenant) && tenant.ValueKind != JsonValueKind.String))
            {
                failure = "a required claim is missing or malformed";
                return false;
            }

            long now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
            long skew = (long)_skew.TotalSeconds;
            if (now >= exp + skew)
            {
                failure = "expired";
                return false;
            }

            if (nbf > now + skew || iat > now + skew)
            {
                failure = "not yet valid";
                return false;
            }

            claims = new AccessTokenClaims(sub, issuerId, ApiScopes.Split(scope), jti, DateTimeOffset.FromUnixTimeSeconds(exp.Value));
            failure = null;
            return true;
        }
    }

    private static bool TryParseObject(string segment, [NotNullWhen(true)] out JsonDocument? document)
    {
        document = null;
        try
        {
            byte[] json = Base64Url.DecodeFromChars(segment);
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }

        // Every string must be readable now: JsonDocument throws InvalidOperationException only when an unpaired
        // surrogate or invalid UTF-8 is read, which would turn a forged token into a 500 on any route.
        if (document.RootElement.ValueKind != JsonValueKind.Object || !BadgeIssuer.JsonLd.JsonStrings.AreReadable(document.RootElement))
        {
            document.Dispose();
            document = null;
            return false;
        }

        return true;
    }

    private static string? StringClaim(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? NumericDate(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long seconds)
            && seconds is >= 0 and <= 253_402_300_799 ? seconds : null;
}
