using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Wraps issuer private keys with AES-256-GCM under a key-encryption key (KEK) that never lives in the database:
/// configuration (<c>BadgeIssuer__KeyEncryptionKey</c>), a key file, or — for development — a file generated into
/// the data directory with a warning. Blob: version (1) | KEK id (8) | nonce (12) | tag (16) | ciphertext; the
/// issuer and key ids are the associated data, so a blob cannot be moved to another key row. The KEK id is the first
/// 8 bytes of SHA-256(KEK).
/// <para>
/// Rotation: previous KEKs (<c>BadgeIssuer:PreviousKeyEncryptionKeys</c> / <c>…Files</c>) still unwrap the blobs that
/// name them; <see cref="Protect"/> always wraps with the current one, and <see cref="KekRewrap"/> moves stored blobs
/// over. A blob under a KEK the vault does not know raises <see cref="KeyUnavailableException"/>.
/// </para>
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

    // Current first, then the previous ones in configuration order; keyed by the hex KEK id.
    private readonly Dictionary<string, byte[]> _keks = new(StringComparer.Ordinal);

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

                if (TryCreateKekFile(path))
                {
                    Log.GeneratedDevKek(logger, path);
                    GeneratedKekFile = path;
                }
                else
                {
                    Log.UsingDevKek(logger, path);
                }
            }
            else if (o.KeyEncryptionKeyFile is not { Length: > 0 })
            {
                Log.UsingDevKek(logger, path);
            }

            _kek = ReadKekFile(path);
        }

        _kekId = IdOf(_kek);
        CurrentKekId = Convert.ToHexStringLower(_kekId);
        _keks[CurrentKekId] = _kek;
        foreach (string previous in o.PreviousKeyEncryptionKeys)
        {
            AddPrevious(TryDecodeKek(previous, out byte[]? kek) ? kek : throw new InvalidOperationException("An entry of BadgeIssuer:PreviousKeyEncryptionKeys is not the base64 of 32 bytes."));
        }

        foreach (string file in o.PreviousKeyEncryptionKeyFiles)
        {
            AddPrevious(ReadKekFile(Path.GetFullPath(file)));
        }

        KekIds = [.. _keks.Keys];
    }

    /// <summary>The hex id of the KEK that wraps new keys (also the <c>kid</c> of access tokens signed now).</summary>
    public string CurrentKekId { get; }

    /// <summary>Every KEK id this vault can unwrap: the current one first.</summary>
    public IReadOnlyList<string> KekIds { get; }

    /// <summary>
    /// The development KEK file this start generated because none existed (null otherwise). On a database that
    /// already holds keys (a restore without its KEK) <see cref="Features.Admin.KekStartupCheck"/> removes it again.
    /// </summary>
    public string? GeneratedKekFile { get; }

    private void AddPrevious(byte[] kek)
    {
        // A previous KEK equal to the current one (or listed twice) is harmless: keep the first.
        _keks.TryAdd(Convert.ToHexStringLower(IdOf(kek)), kek);
    }

    private static byte[] IdOf(byte[] kek) => SHA256.HashData(kek)[..KekIdLength];

    private static byte[] ReadKekFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The key-encryption key file '{path}' does not exist.");
        }

        return TryDecodeKek(File.ReadAllText(path).Trim(), out byte[]? kek)
            ? kek
            : throw new InvalidOperationException($"The key-encryption key file '{path}' does not hold the base64 of 32 bytes.");
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

    /// <summary>The hex id of the KEK that wrapped <paramref name="blob"/>, or null when the blob is not in a known format.</summary>
    public static string? KekIdOf(ReadOnlySpan<byte> blob) =>
        blob.Length >= HeaderLength && blob[0] == Version ? Convert.ToHexStringLower(blob.Slice(1, KekIdLength)) : null;

    /// <summary>Whether <paramref name="blob"/> is wrapped under the current KEK.</summary>
    public bool IsCurrent(ReadOnlySpan<byte> blob) => blob.Length >= HeaderLength && blob[0] == Version && blob.Slice(1, KekIdLength).SequenceEqual(_kekId);

    /// <summary>Whether this vault holds the KEK with hex id <paramref name="kekId"/>.</summary>
    public bool Knows(string? kekId) => kekId is not null && _keks.ContainsKey(kekId);

    /// <summary>
    /// A 32-byte key for another purpose, derived from each KEK with HKDF-SHA256 (RFC 5869) under
    /// <paramref name="purpose"/> as the info label: the current KEK's first. The KEK itself never signs or MACs.
    /// </summary>
    public IReadOnlyList<(string KekId, byte[] Key)> DeriveKeys(string purpose)
    {
        byte[] info = Encoding.UTF8.GetBytes(purpose);
        return [.. _keks.Select(pair => (pair.Key, HKDF.DeriveKey(HashAlgorithmName.SHA256, pair.Value, 32, salt: [], info)))];
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
    /// <exception cref="KeyUnavailableException">The blob names a KEK this vault does not hold.</exception>
    public byte[] Unprotect(ReadOnlySpan<byte> blob, string issuerId, string keyId)
    {
        if (blob.Length < HeaderLength || blob[0] != Version)
        {
            throw new CryptographicException("Unknown protected-key format.");
        }

        string kekId = Convert.ToHexStringLower(blob.Slice(1, KekIdLength));
        if (!_keks.TryGetValue(kekId, out byte[]? kek))
        {
            throw new KeyUnavailableException(
                $"Issuer key '{keyId}' is wrapped under key-encryption key {kekId}, which is neither the current KEK ({CurrentKekId}) nor one of BadgeIssuer:PreviousKeyEncryptionKeys.");
        }

        byte[] plaintext = new byte[blob.Length - HeaderLength];
        using var aes = new AesGcm(kek, TagLength);
        aes.Decrypt(blob.Slice(1 + KekIdLength, NonceLength), blob[HeaderLength..], blob.Slice(1 + KekIdLength + NonceLength, TagLength), plaintext, AssociatedData(issuerId, keyId));
        return plaintext;
    }

    /// <summary>The same private key wrapped under the current KEK (a fresh nonce).</summary>
    public byte[] Rewrap(ReadOnlySpan<byte> blob, string issuerId, string keyId)
    {
        byte[] plaintext = Unprotect(blob, issuerId, keyId);
        try
        {
            return Protect(plaintext, issuerId, keyId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] AssociatedData(string issuerId, string keyId) => Encoding.UTF8.GetBytes(issuerId + "\n" + keyId);

    /// <summary>
    /// Writes a fresh development KEK to <paramref name="path"/>, owner-only from the first byte and never over an
    /// existing file; false when another instance sharing the data directory created it first.
    /// </summary>
    private static bool TryCreateKekFile(string path)
    {
        FileStream file;
        try
        {
            file = OwnerOnlyFiles.Create(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }

        byte[] fresh = RandomNumberGenerator.GetBytes(32);
        byte[] text = new byte[Base64.GetMaxEncodedToUtf8Length(fresh.Length) + 1];
        try
        {
            Base64.EncodeToUtf8(fresh, text, out _, out int written);
            text[written] = (byte)'\n';
            using (file)
            {
                file.Write(text, 0, written + 1);
            }

            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fresh);
            CryptographicOperations.ZeroMemory(text);
        }
    }
}

/// <summary>An issuer key is wrapped under a key-encryption key this service was not given (configure it as a previous KEK).</summary>
internal sealed class KeyUnavailableException : CryptographicException
{
    public KeyUnavailableException()
    {
    }

    public KeyUnavailableException(string message) : base(message)
    {
    }

    public KeyUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>The resolved, existing data directory (created owner-only when missing).</summary>
internal sealed class DataDirectory
{
    public DataDirectory(IOptions<BadgeIssuerOptions> options)
    {
        Path = System.IO.Path.GetFullPath(options.Value.DataDirectory);
        // Created 0700 when missing; an existing directory keeps the mode its owner chose.
        OwnerOnlyFiles.CreateDirectory(Path);
    }

    public string Path { get; }
}
