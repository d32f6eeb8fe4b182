using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Api.Infrastructure;

namespace BadgeIssuer.Api.Features.Wallet;

/// <summary>
/// The secrets of credential offers and how they are kept. Random values are 256 bits, base64url, with a prefix the
/// log redaction knows (<c>bio_</c> offer handle, <c>bip_</c> pre-authorized code, <c>biw_</c> access token); the
/// database holds only their SHA-256. The pre-authorized code is derived from the handle, so the offer document can be
/// served again without the code being stored; the transaction code is hashed together with the code, so its hash is
/// no shortcut to guessing it. <c>c_nonce</c> values and VC-API exchange challenges are stateless: expiry and 128 random bits under an HMAC keyed
/// from the key-encryption key (every instance derives the same key); their single use is recorded when spent.
/// </summary>
internal sealed class WalletSecrets(KeyVault vault)
{
    public const string HandlePrefix = "bio_";
    public const string CodePrefix = "bip_";
    public const string TokenPrefix = ApiKeyAuthenticationHandler.WalletTokenPrefix;
    private const int NonceBytes = 8 + 16 + 16;

    private readonly IReadOnlyList<(string KekId, byte[] Key)> _nonceKeys = vault.DeriveKeys("badgeissuer oid4vci c_nonce");

    public static string NewOfferId() => "off_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    public static string NewHandle() => HandlePrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string NewAccessToken() => TokenPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The pre-authorized code of the offer with <paramref name="handle"/>.</summary>
    public static string CodeFor(string handle) =>
        CodePrefix + Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes("badgeissuer oid4vci pre-authorized_code\0" + handle)));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static byte[] TxCodeHash(string code, string txCode) => SHA256.HashData(Encoding.UTF8.GetBytes("tx_code\0" + code + "\0" + txCode));

    /// <summary>A numeric transaction code of <paramref name="length"/> digits, uniformly random.</summary>
    public static string NewTxCode(int length)
    {
        var digits = new char[length];
        for (int i = 0; i < length; i++)
        {
            digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        }

        return new string(digits);
    }

    /// <summary>A fresh <c>c_nonce</c> for <paramref name="credentialIssuer"/>, valid until <paramref name="expires"/>.</summary>
    public string NewNonce(string credentialIssuer, DateTimeOffset expires)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, expires.ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(nonce[8..24]);
        Mac(_nonceKeys[0].Key, credentialIssuer, nonce[..24], nonce[24..]);
        return Base64Url.EncodeToString(nonce);
    }

    /// <summary>Whether <paramref name="nonce"/> is one of ours for this issuer and unexpired at <paramref name="now"/>.</summary>
    public bool TryCheckNonce(string nonce, string credentialIssuer, DateTimeOffset now, out DateTimeOffset expires)
    {
        expires = default;
        Span<byte> bytes = stackalloc byte[NonceBytes];
        if (nonce.Length != Base64Url.GetEncodedLength(NonceBytes)
            || Base64Url.DecodeFromChars(nonce, bytes, out int consumed, out int written) != System.Buffers.OperationStatus.Done
            || consumed != nonce.Length || written != NonceBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[16];
        bool known = false;
        foreach ((_, byte[] key) in _nonceKeys)
        {
            Mac(key, credentialIssuer, bytes[..24], expected);
            known |= CryptographicOperations.FixedTimeEquals(expected, bytes[24..]);
        }

        long seconds = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (!known || seconds <= now.ToUnixTimeSeconds() || seconds > now.ToUnixTimeSeconds() + 3600)
        {
            return false;
        }

        expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    /// <summary>
    /// A fresh challenge for the VC-API exchange of offer <paramref name="offerId"/>: built like a <c>c_nonce</c>, but
    /// bound to the exchange (a c_nonce is no challenge, a challenge of one exchange is none of another's).
    /// </summary>
    public string NewExchangeChallenge(string offerId, DateTimeOffset expires) => NewNonce(ExchangeBinding(offerId), expires);

    /// <summary>Whether <paramref name="challenge"/> was issued by the exchange of offer <paramref name="offerId"/> and is unexpired.</summary>
    public bool TryCheckExchangeChallenge(string challenge, string offerId, DateTimeOffset now, out DateTimeOffset expires) =>
        TryCheckNonce(challenge, ExchangeBinding(offerId), now, out expires);

    // A credential issuer identifier is an https URL, so this binding never equals one.
    private static string ExchangeBinding(string offerId) => "vcapi-exchange\0" + offerId;

    private static void Mac(byte[] key, string credentialIssuer, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        byte[] issuer = Encoding.UTF8.GetBytes(credentialIssuer + "\0");
        byte[] input = new byte[issuer.Length + body.Length];
        issuer.CopyTo(input, 0);
        body.CopyTo(input.AsSpan(issuer.Length));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, input, mac);
        mac[..16].CopyTo(destination);
    }
}
