using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Wraps issuer private keys with AES-256-GCM under a key-encryption key (KEK) that never lives in the database:
/// configuration (<c>BadgeIssuer__KeyEncryptionKey</c>), a key file, or — for development — a file generated into
/// the data directory with a warning. Blob: version (1) | KEK id (8) | nonce (12) | tag (16) | ciphertext; the
/// issuer and key ids are the associated data, so a blob cannot be moved to another key row.
/// </summary>
internal sealed class KeyVault
{
    private const byte Version = 1;
    private const int KekIdLength = 8;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + KekIdLength + NonceLength + TagLength;

    private readonly byte[] _kek;
    private readonly byte[] _kekId;

    public KeyVault(IOptions<BadgeIssuerOptions> options, DataDirectory dataDirectory, ILogger<KeyVault> logger)
    {
        BadgeIssuerOptions o = options.Value;
        if (o.KeyEncryptionKey is { Length: > 0 } configured)
        {
            _kek = TryDecodeKek(configured, out byte[]? kek) ? kek : throw new InvalidOperationException("BadgeIssuer:KeyEncryptionKey is not the base64 of 32 bytes.");
        }
        else
        {
            string path = o.KeyEncryptionKeyFile is { Length: > 0 } file ? Path.GetFullPath(file) : Path.Combine(dataDirectory.Path, "kek.key");
            if (!File.Exists(path))
            {
                if (o.KeyEncryptionKeyFile is { Length: > 0 })
                {
                    throw new InvalidOperationException($"The key-encryption key file '{path}' does not exist.");
                }

                byte[] fresh = RandomNumberGenerator.GetBytes(32);
                File.WriteAllText(path, Convert.ToBase64String(fresh) + "\n");
                TryRestrictToOwner(path);
                CryptographicOperations.ZeroMemory(fresh);
                Log.GeneratedDevKek(logger, path);
            }
            else if (o.KeyEncryptionKeyFile is not { Length: > 0 })
            {
                Log.UsingDevKek(logger, path);
            }

            _kek = TryDecodeKek(File.ReadAllText(path).Trim(), out byte[]? fromFile)
                ? fromFile
                : throw new InvalidOperationException($"The key-encryption key file '{path}' does not hold the base64 of 32 bytes.");
        }

        _kekId = SHA256.HashData(_kek)[..KekIdLength];
    }

    public static bool TryDecodeKek(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? kek)
    {
        kek = new byte[32];
        if (Convert.TryFromBase64String(value.Trim(), kek, out int written) && written == 32)
        {
            return true;
        }

        kek = null;
        return false;
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string issuerId, string keyId)
    {
        byte[] blob = new byte[HeaderLength + plaintext.Length];
        blob[0] = Version;
        _kekId.CopyTo(blob.AsSpan(1));
        Span<byte> nonce = blob.AsSpan(1 + KekIdLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_kek, TagLength);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(HeaderLength), blob.AsSpan(1 + KekIdLength + NonceLength, TagLength), AssociatedData(issuerId, keyId));
        return blob;
    }

    /// <summary>The plaintext; the caller wipes it after use.</summary>
    public byte[] Unprotect(ReadOnlySpan<byte> blob, string issuerId, string keyId)
    {
        if (blob.Length < HeaderLength || blob[0] != Version)
        {
            throw new CryptographicException("Unknown protected-key format.");
        }

        if (!blob.Slice(1, KekIdLength).SequenceEqual(_kekId))
        {
            throw new CryptographicException("The key was wrapped under a different key-encryption key.");
        }

        byte[] plaintext = new byte[blob.Length - HeaderLength];
        using var aes = new AesGcm(_kek, TagLength);
        aes.Decrypt(blob.Slice(1 + KekIdLength, NonceLength), blob[HeaderLength..], blob.Slice(1 + KekIdLength + NonceLength, TagLength), plaintext, AssociatedData(issuerId, keyId));
        return plaintext;
    }

    private static byte[] AssociatedData(string issuerId, string keyId) => Encoding.UTF8.GetBytes(issuerId + "\n" + keyId);

    internal static void TryRestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}

/// <summary>The resolved, existing data directory.</summary>
internal sealed class DataDirectory
{
    public DataDirectory(IOptions<BadgeIssuerOptions> options)
    {
        Path = System.IO.Path.GetFullPath(options.Value.DataDirectory);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
}
