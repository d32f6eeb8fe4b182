using System.Buffers;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Keys;

/// <summary>
/// A private key that signs for one JWS algorithm. Subclasses are sealed:
/// <see cref="Ed25519KeyPair"/>, <see cref="RsaKeyPair"/>, <see cref="P256KeyPair"/>.
/// Private key export is refused unless the key was created or imported with
/// <c>allowExport: true</c> (meant for CLI key generation only).
/// </summary>
public abstract class SigningKey : IDisposable
{
    private protected SigningKey(bool allowExport)
    {
        CanExportPrivateKey = allowExport;
    }

    public abstract KeyType KeyType { get; }

    /// <summary>The only JWS <c>alg</c> this key signs with.</summary>
    public string JwsAlgorithm => JwsAlgorithms.For(KeyType);

    /// <summary>The public half.</summary>
    public abstract VerificationKey PublicKey { get; }

    /// <summary>
    /// Optional key id: a verification method URL (DID URL or https URL with fragment); used as
    /// the JWS <c>kid</c> and as a Data Integrity <c>verificationMethod</c>.
    /// </summary>
    public string? KeyId { get; set; }

    public bool CanExportPrivateKey { get; }

    /// <summary>This key for Microsoft.IdentityModel (JWS signing), made once per key.</summary>
    internal SecurityKey SecurityKey => field ??= CreateSecurityKey();

    /// <summary>Maximum signature length in bytes (exact for all supported algorithms).</summary>
    public int SignatureSize => PublicKey.SignatureSize;

    /// <summary>Signs <paramref name="data"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (destination.Length < SignatureSize)
        {
            throw new ArgumentException("Destination is shorter than the signature size.", nameof(destination));
        }

        return SignCore(data, destination);
    }

    /// <summary>Signs <paramref name="data"/>; returns a new signature array.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        byte[] signature = new byte[SignatureSize];
        int written = SignCore(data, signature);
        return written == signature.Length ? signature : signature[..written];
    }

    /// <summary>The private key as a JWK JSON object (UTF-8). Requires an exportable key.</summary>
    public byte[] ExportPrivateJwk()
    {
        EnsureExportable();
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WritePrivateJwk(writer);
        }

        byte[] result = buffer.WrittenSpan.ToArray();

        // ArrayBufferWriter.Clear zeroes the written bytes (the JSON held the secret).
        buffer.Clear();
        return result;
    }

    /// <summary>Writes the private key as a JWK object. Requires an exportable key.</summary>
    public void WritePrivateJwk(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        EnsureExportable();
        writer.WriteStartObject();
        WritePrivateJwkMembers(writer);
        writer.WriteEndObject();
    }

    /// <summary>PEM <c>PRIVATE KEY</c> (PKCS#8). Requires an exportable key.</summary>
    public string ExportPkcs8PrivateKeyPem()
    {
        EnsureExportable();
        return ExportPkcs8PemCore();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    private protected bool IsDisposed { get; private set; }

    internal bool IsDisposedKey => IsDisposed;

    protected virtual void Dispose(bool disposing)
    {
        IsDisposed = true;
    }

    private protected abstract SecurityKey CreateSecurityKey();

    private protected abstract int SignCore(ReadOnlySpan<byte> data, Span<byte> destination);

    private protected abstract void WritePrivateJwkMembers(Utf8JsonWriter writer);

    private protected abstract string ExportPkcs8PemCore();

    private protected void EnsureExportable()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (!CanExportPrivateKey)
        {
            throw new InvalidOperationException(
                "This private key was created without export permission; create it with allowExport: true (CLI key generation only).");
        }
    }
}
