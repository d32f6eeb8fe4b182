using System.Security.Cryptography;
using System.Text;

namespace BadgeIssuer.Api.Features.Webhooks;

/// <summary>
/// Standard Webhooks signatures (https://www.standardwebhooks.com/): the secret is <c>whsec_</c> + base64 of random
/// bytes; <c>webhook-signature</c> is <c>v1,</c> + base64(HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{body}")).
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const int SecretBytes = 32;

    /// <summary>A fresh secret: the raw key (to encrypt and store; the caller wipes it) and its <c>whsec_</c> form (shown once).</summary>
    public static (byte[] Key, string Secret) NewSecret()
    {
        byte[] key = RandomNumberGenerator.GetBytes(SecretBytes);
        return (key, SecretPrefix + Convert.ToBase64String(key));
    }

    /// <summary>The <c>webhook-signature</c> header value for one message.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        byte[] prefix = Encoding.UTF8.GetBytes(messageId + "." + timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        byte[] signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>The associated data that binds an encrypted secret to its endpoint (the KEK wraps it as it wraps issuer keys).</summary>
    public static string KeyId(string endpointId) => "webhook:" + endpointId;
}
