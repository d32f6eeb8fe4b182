using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>
/// A public key that checks signatures for one JWS algorithm. Subclasses are sealed:
/// <see cref="Ed25519PublicKey"/>, <see cref="RsaPublicKey"/>, <see cref="P256PublicKey"/>.
/// </summary>
public abstract class VerificationKey : IDisposable
{
    private byte[]? _jwk;
    private SecurityKey? _securityKey;

    private protected VerificationKey()
    {
    }

    public abstract KeyType KeyType { get; }

    /// <summary>The only JWS <c>alg</c> this key verifies (no algorithm confusion).</summary>
    public string JwsAlgorithm => JwsAlgorithms.For(KeyType);

    /// <summary>The exact signature length this key accepts (RSA: modulus length).</summary>
    public abstract int SignatureSize { get; }

    /// <summary>
    /// The public JWK as UTF-8 JSON with only the RFC 7638 required members in lexicographic
    /// order, so it doubles as the thumbprint input. Never contains private members.
    /// </summary>
    internal ReadOnlySpan<byte> JwkUtf8 => _jwk ??= BuildJwk();

    /// <summary>This key for Microsoft.IdentityModel (JWT validation), made once per key.</summary>
    internal SecurityKey SecurityKey => _securityKey ??= CreateSecurityKey();

    /// <summary>JWT validation parameters bound to this key alone (filled in by the Jwt namespace, once per key).</summary>
    internal TokenValidationParameters? JwtValidationParameters { get; set; }

    /// <summary>Checks a signature; wrong lengths return <see langword="false"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return signature.Length == SignatureSize && VerifyCore(data, signature);
    }

    /// <summary>The public key as a JWK (RFC 7517) JSON object, UTF-8.</summary>
    public byte[] ExportJwk() => JwkUtf8.ToArray();

    /// <summary>Writes the public JWK object to <paramref name="writer"/>.</summary>
    public void WriteJwk(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(JwkUtf8, skipInputValidation: true);
    }

    /// <summary>RFC 7638 JWK thumbprint (SHA-256, base64url), usable as a key id.</summary>
    public string ComputeJwkThumbprint()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(JwkUtf8, hash);
        return Base64Url.EncodeToString(hash);
    }

    /// <summary>True when both objects hold the same public key.</summary>
    public bool HasSameKey(VerificationKey other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.KeyType == KeyType && other.JwkUtf8.SequenceEqual(JwkUtf8);
    }

    /// <summary>DER SubjectPublicKeyInfo (RFC 5280).</summary>
    public abstract byte[] ExportSubjectPublicKeyInfo();

    /// <summary>PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo).</summary>
    public string ExportSubjectPublicKeyInfoPem()
        => new string(PemEncoding.Write("PUBLIC KEY", ExportSubjectPublicKeyInfo()));

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    private protected bool IsDisposed { get; private set; }

    protected virtual void Dispose(bool disposing)
    {
        IsDisposed = true;
    }

    private protected abstract SecurityKey CreateSecurityKey();

    private protected abstract bool VerifyCore(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    /// <summary>Writes the RFC 7638 required members, in lexicographic order.</summary>
    private protected abstract void WriteJwkMembers(Utf8JsonWriter writer);

    private byte[] BuildJwk()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteJwkMembers(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static void WriteBase64Url(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> value)
    {
        int length = Base64Url.GetEncodedLength(value.Length);
        byte[]? rented = null;
        Span<byte> encoded = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int written = Base64Url.EncodeToUtf8(value, encoded);
            writer.WriteString(name, encoded[..written]);
        }
        finally
        {
            // The same helper writes private members (d, p, q, …).
            CryptographicOperations.ZeroMemory(encoded[..length]);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
