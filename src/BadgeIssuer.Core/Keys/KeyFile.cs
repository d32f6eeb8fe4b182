// Key file format (documented in keys.example/README.md), UTF-8 JSON, one key per file:
//
//   {
//     "type": "Ed25519" | "RSA" | "P-256",     required
//     "id": "<verification method URL>",       optional: JWS kid / Data Integrity verificationMethod
//     "controller": "<issuer id>",             optional: DID or https URL that controls the key
//     "privateKeyJwk": { … },                  required, except Ed25519 may use secretKeyMultibase instead
//     "secretKeyMultibase": "z…",              Ed25519 only; 0x8026 ‖ seed, or ‖ seed ‖ public
//     "publicKeyMultibase": "z6Mk…",           Ed25519 only; optional, checked against the private key
//     "publicKeyJwk": { … },                   optional, checked against the private key
//     "comment": "…"                           optional, free text (e.g. THROWAWAY EXAMPLE marker)
//   }
//
// Any other member is refused (typos in a key file should not pass silently).

using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BadgeIssuer.Core.Keys;

/// <summary>A signing key loaded from (or saved to) a BadgeIssuer key file.</summary>
public sealed class KeyFile : IDisposable
{
    /// <summary>Key files are tiny; anything larger is refused before parsing.</summary>
    public const int MaxFileSize = 64 * 1024;

    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 8, AllowDuplicateProperties = false };

    // A key file is a UTF-8 file, not HTML: keep non-ASCII comments readable.
    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private KeyFile(SigningKey key, string? id, string? controller, string? comment)
    {
        Key = key;
        Id = id;
        Controller = controller;
        Comment = comment;
    }

    /// <summary>The signing key; its <see cref="SigningKey.KeyId"/> is set from <c>id</c>.</summary>
    public SigningKey Key { get; }

    public string? Id { get; }

    public string? Controller { get; }

    public string? Comment { get; }

    /// <summary>Parses a key file. Export stays disabled unless <paramref name="allowExport"/>.</summary>
    public static KeyFile Parse(ReadOnlySpan<byte> utf8Json, bool allowExport = false)
    {
        if (utf8Json.Length > MaxFileSize)
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The key file is larger than 64 KiB.");
        }

        byte[] copy = utf8Json.ToArray();
        try
        {
            using JsonDocument doc = ParseJson(copy);
            return Read(doc.RootElement, allowExport);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    /// <summary>Loads a key file from disk.</summary>
    public static KeyFile Load(string path, bool allowExport = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = ReadBounded(path);
        try
        {
            return Parse(bytes, allowExport);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Loads a key file from disk asynchronously.</summary>
    public static async Task<KeyFile> LoadAsync(string path, bool allowExport = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.Asynchronous });
        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > MaxFileSize)
            {
                throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The key file is larger than 64 KiB.");
            }

            byte[] bytes = new byte[stream.Length];
            try
            {
                await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                return Parse(bytes, allowExport);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
    }

    /// <summary>Serializes an exportable key in the key file format (indented UTF-8 JSON).</summary>
    public static byte[] Serialize(SigningKey key, string? id = null, string? controller = null, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var buffer = new ArrayBufferWriter<byte>(1024);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
            {
                writer.WriteStartObject();
                if (comment is not null)
                {
                    writer.WriteString("comment"u8, comment);
                }

                writer.WriteString("type"u8, TypeName(key.KeyType));
                if ((id ?? key.KeyId) is { } kid)
                {
                    writer.WriteString("id"u8, kid);
                }

                if (controller is not null)
                {
                    writer.WriteString("controller"u8, controller);
                }

                if (key is Ed25519KeyPair ed)
                {
                    writer.WriteString("publicKeyMultibase"u8, ed.Ed25519PublicKey.PublicKeyMultibase);
                }

                writer.WritePropertyName("publicKeyJwk"u8);
                using (JsonDocument publicJwk = JsonDocument.Parse(key.PublicKey.ExportJwk()))
                {
                    publicJwk.RootElement.WriteTo(writer);
                }

                writer.WritePropertyName("privateKeyJwk"u8);
                key.WritePrivateJwk(writer);
                writer.WriteEndObject();
            }

            byte[] result = new byte[buffer.WrittenCount + 1];
            buffer.WrittenSpan.CopyTo(result);
            result[^1] = (byte)'\n';
            return result;
        }
        finally
        {
            buffer.Clear();
        }
    }

    /// <summary>
    /// Writes a new key file (refuses to overwrite). On Unix the file is created with mode 0600.
    /// </summary>
    public static void Save(string path, SigningKey key, string? id = null, string? controller = null, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Serialize(key, id, controller, comment);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            stream.Write(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public void Dispose() => Key.Dispose();

    private static JsonDocument ParseJson(byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes, s_options);
        }
        catch (JsonException ex)
        {
            // JsonException messages quote no values, only positions.
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The key file is not valid JSON: " + ex.Message, ex);
        }
    }

    private static KeyFile Read(JsonElement root, bool allowExport)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The key file must be a JSON object.");
        }

        string? typeName = null, id = null, controller = null, comment = null, secretMultibase = null, publicMultibase = null;
        JsonElement? privateJwk = null, publicJwk = null;
        foreach (JsonProperty member in root.EnumerateObject())
        {
            switch (member.Name)
            {
                case "type": typeName = String(member); break;
                case "id": id = String(member); break;
                case "controller": controller = String(member); break;
                case "comment": comment = String(member); break;
                case "secretKeyMultibase": secretMultibase = String(member); break;
                case "publicKeyMultibase": publicMultibase = String(member); break;
                case "privateKeyJwk": privateJwk = member.Value; break;
                case "publicKeyJwk": publicJwk = member.Value; break;
                default: throw Invalid($"Unknown key file member '{member.Name}'.");
            }
        }

        KeyType type = typeName switch
        {
            "Ed25519" => KeyType.Ed25519,
            "RSA" => KeyType.Rsa,
            "P-256" => KeyType.P256,
            null => throw Invalid("The key file has no 'type'."),
            _ => throw new KeyFormatException(KeyFormatError.UnsupportedKeyType, "Key file 'type' must be Ed25519, RSA or P-256."),
        };

        if (secretMultibase is not null && type != KeyType.Ed25519)
        {
            throw Invalid("'secretKeyMultibase' is only defined for Ed25519 keys.");
        }

        if (publicMultibase is not null && type != KeyType.Ed25519)
        {
            throw Invalid("'publicKeyMultibase' is only defined for Ed25519 keys.");
        }

        SigningKey key;
        if (privateJwk is { } jwk)
        {
            key = Jwk.ImportPrivateKey(jwk, allowExport);
        }
        else if (secretMultibase is not null)
        {
            key = Ed25519KeyPair.ImportSecretKeyMultibase(secretMultibase, allowExport);
        }
        else
        {
            throw Invalid("The key file has neither 'privateKeyJwk' nor 'secretKeyMultibase'.");
        }

        try
        {
            if (key.KeyType != type)
            {
                throw new KeyFormatException(KeyFormatError.UnsupportedKeyType, "The private key does not match the key file 'type'.");
            }

            CheckConsistency(key, privateJwk is null ? null : secretMultibase, publicMultibase, publicJwk);
            key.KeyId = id;
            return new KeyFile(key, id, controller, comment);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static void CheckConsistency(SigningKey key, string? secretMultibase, string? publicMultibase, JsonElement? publicJwk)
    {
        if (publicMultibase is not null)
        {
            var ed = (Ed25519KeyPair)key;
            if (!string.Equals(publicMultibase, ed.Ed25519PublicKey.PublicKeyMultibase, StringComparison.Ordinal))
            {
                throw Mismatch();
            }
        }

        if (secretMultibase is not null)
        {
            using Ed25519KeyPair other = Ed25519KeyPair.ImportSecretKeyMultibase(secretMultibase);
            if (!other.PublicKey.HasSameKey(key.PublicKey))
            {
                throw Mismatch();
            }
        }

        if (publicJwk is { } pj)
        {
            using VerificationKey other = Jwk.ImportPublicKey(pj);
            if (!other.HasSameKey(key.PublicKey))
            {
                throw Mismatch();
            }
        }
    }

    private static string TypeName(KeyType type) => type switch
    {
        KeyType.Ed25519 => "Ed25519",
        KeyType.Rsa => "RSA",
        _ => "P-256",
    };

    private static string String(JsonProperty member)
        => member.Value.ValueKind == JsonValueKind.String
            ? member.Value.GetString()!
            : throw Invalid($"Key file member '{member.Name}' must be a string.");

    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
        if (stream.Length > MaxFileSize)
        {
            throw new KeyFormatException(KeyFormatError.InvalidEncoding, "The key file is larger than 64 KiB.");
        }

        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static KeyFormatException Invalid(string message) => new(KeyFormatError.InvalidEncoding, message);

    private static KeyFormatException Mismatch()
        => new(KeyFormatError.PublicKeyMismatch, "The key file's public key does not match its private key.");
}
