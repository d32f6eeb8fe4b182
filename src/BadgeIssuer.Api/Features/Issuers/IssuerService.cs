using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Issuers;

/// <summary>What an issuer's profile says (OB <c>Profile</c>: name, url, email, description, image).</summary>
internal sealed record IssuerProfileInput(string? Name, string? Url, string? Email, string? Description, string? Image);

/// <summary>
/// An issuer ready to sign: its record, its profile as embedded in credentials, and its current keys (unwrapped
/// once and kept in memory). Rotation or a profile change drops the cached copy.
/// </summary>
internal sealed class IssuerSigning
{
    public required IssuerRecord Record { get; init; }
    public required string Name { get; init; }
    /// <summary>The profile without <c>@context</c>, as UTF-8 JSON, for embedding as a credential's <c>issuer</c>.</summary>
    public required byte[] EmbeddedProfile { get; init; }
    /// <summary>The issuer's key type as created (<see cref="IssuerService.KeyTypeEd25519"/> or <see cref="IssuerService.KeyTypeP256"/>).</summary>
    public required string KeyType { get; init; }
    /// <summary>The Data Integrity key: Ed25519 (eddsa-rdfc-2022) or P-256 (ecdsa-rdfc-2019).</summary>
    public required SigningKey DataIntegrityKey { get; init; }
    public required string DataIntegrityMethodId { get; init; }
    /// <summary>RS256 key for VC-JWT (did:web Ed25519 issuers); null for did:key and P-256 issuers.</summary>
    public SigningKey? Rsa { get; init; }
    public string? RsaMethodId { get; init; }
    /// <summary>The JWT signer of <see cref="DataIntegrityKey"/>: EdDSA for Ed25519, ES256 for P-256.</summary>
    public required VcJwtSigner KeyJwt { get; init; }
    public VcJwtSigner? EdDsaJwt => KeyJwt.Algorithm == JwsAlgorithms.EdDsa ? KeyJwt : null;
    public VcJwtSigner? Es256Jwt => KeyJwt.Algorithm == JwsAlgorithms.ES256 ? KeyJwt : null;
    public VcJwtSigner? Rs256Jwt { get; init; }
    public DateTimeOffset LoadedAt { get; init; }
}

internal sealed class IssuerService(IBadgeStorage storage, KeyVault vault, PublicUrls urls, TimeProvider timeProvider)
{
    public const string KeyTypeEd25519 = "Ed25519";
    public const string KeyTypeP256 = "P-256";
    public const string KeyTypeRsa = "RSA";

    /// <summary>The key types an issuer may choose at creation (<c>keyType</c>): its Data Integrity and JWT key.</summary>
    public static readonly IReadOnlyList<string> IssuerKeyTypes = [KeyTypeEd25519, KeyTypeP256];

    private static readonly TimeSpan s_cacheFor = TimeSpan.FromSeconds(60);
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentDictionary<string, Task<IssuerSigning?>> _signing = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates the issuer and its keys: an Ed25519 key (eddsa-rdfc-2022, EdDSA JWTs) plus, for did:web, an RSA key
    /// (RS256 JWTs); or one P-256 key (ecdsa-rdfc-2019, ES256 JWTs).
    /// </summary>
    public async Task<IssuerRecord> CreateAsync(string slug, string didMethod, string keyType, IssuerProfileInput profile, CancellationToken cancellationToken)
    {
        using SigningKey key = Generate(keyType);
        string id = didMethod == "key" ? DidKey.Create(key.PublicKey) : urls.DidWeb(slug);
        DateTimeOffset now = timeProvider.GetUtcNow();
        var record = new IssuerRecord(id, slug, BuildProfile(id, profile), didMethod, now);
        await storage.Issuers.CreateAsync(record, cancellationToken);
        await AddKeysAsync(record, keyType, key, now, cancellationToken);
        return record;
    }

    /// <summary>
    /// New current keys of the same type as the current ones; the old ones stay in the DID document so credentials
    /// already issued keep verifying.
    /// </summary>
    public async Task<IReadOnlyList<IssuerKeyRecord>> RotateAsync(IssuerRecord issuer, CancellationToken cancellationToken)
    {
        string keyType = (await CurrentKeyAsync(issuer.Id, cancellationToken))?.KeyType ?? KeyTypeEd25519;
        using SigningKey key = Generate(keyType);
        await AddKeysAsync(issuer, keyType, key, timeProvider.GetUtcNow(), cancellationToken);
        Invalidate(issuer.Id);
        return await storage.Issuers.ListKeysAsync(issuer.Id, cancellationToken);
    }

    /// <summary>The issuer's current Data Integrity key record (Ed25519 or P-256), or null when it has none.</summary>
    public Task<IssuerKeyRecord?> CurrentKeyAsync(string issuerId, CancellationToken cancellationToken) => CurrentKeyAsync(storage, issuerId, cancellationToken);

    /// <inheritdoc cref="CurrentKeyAsync(string, CancellationToken)"/>
    public static async Task<IssuerKeyRecord?> CurrentKeyAsync(IBadgeStorage storage, string issuerId, CancellationToken cancellationToken)
        => await storage.Issuers.GetCurrentKeyAsync(issuerId, KeyTypeEd25519, cancellationToken)
            ?? await storage.Issuers.GetCurrentKeyAsync(issuerId, KeyTypeP256, cancellationToken);

    /// <summary>
    /// What an issuer signs with, as OpenID4VCI metadata names it: the Data Integrity cryptosuite and the default
    /// VC-JWT <c>alg</c> (P-256: ecdsa-rdfc-2019 and ES256; Ed25519: eddsa-rdfc-2022 and RS256 for did:web, else EdDSA).
    /// </summary>
    public static (string Cryptosuite, string JwtAlgorithm) SigningAlgorithms(IssuerRecord issuer, string keyType) => keyType == KeyTypeP256
        ? ("ecdsa-rdfc-2019", JwsAlgorithms.ES256)
        : ("eddsa-rdfc-2022", issuer.DidMethod == "web" ? JwsAlgorithms.RS256 : JwsAlgorithms.EdDsa);

    private static SigningKey Generate(string keyType) => keyType switch
    {
        KeyTypeEd25519 => Ed25519KeyPair.Generate(allowExport: true),
        KeyTypeP256 => P256KeyPair.Generate(allowExport: true),
        _ => throw new ArgumentOutOfRangeException(nameof(keyType), keyType, "An issuer key is Ed25519 or P-256."),
    };

    private async Task AddKeysAsync(IssuerRecord issuer, string keyType, SigningKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string method = issuer.DidMethod == "key"
            ? DidKey.GetVerificationMethodId(key.PublicKey)
            : issuer.Id + "#" + Multikey.EncodePublicKey(key.PublicKey);
        await storage.Issuers.AddKeyAsync(Wrap(issuer.Id, method, keyType, key, now), cancellationToken);
        if (issuer.DidMethod == "web" && keyType == KeyTypeEd25519)
        {
            // RS256, the OB 3.0 VC-JWT baseline, for Ed25519 did:web issuers; a P-256 issuer's JWTs are ES256.
            using RsaKeyPair rsa = RsaKeyPair.Generate(2048, allowExport: true);
            string rsaMethod = issuer.Id + "#" + rsa.PublicKey.ComputeJwkThumbprint();
            await storage.Issuers.AddKeyAsync(Wrap(issuer.Id, rsaMethod, KeyTypeRsa, rsa, now), cancellationToken);
        }
    }

    private IssuerKeyRecord Wrap(string issuerId, string keyId, string keyType, SigningKey key, DateTimeOffset now)
    {
        // The wrapped blob is the PKCS#8 PEM, which names its algorithm (and curve) itself.
        byte[] pem = Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem());
        try
        {
            string jwk = Encoding.UTF8.GetString(WriteJson(w => key.PublicKey.WriteJwk(w)));
            return new IssuerKeyRecord(issuerId, keyId, keyType, jwk, vault.Protect(pem, issuerId, keyId), IsCurrent: true, now);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pem);
        }
    }

    public async Task<bool> UpdateProfileAsync(IssuerRecord issuer, IssuerProfileInput profile, CancellationToken cancellationToken)
    {
        bool updated = await storage.Issuers.UpdateProfileAsync(issuer.Id, BuildProfile(issuer.Id, profile), cancellationToken);
        Invalidate(issuer.Id);
        return updated;
    }

    public void Invalidate(string issuerId) => _signing.TryRemove(issuerId, out _);

    /// <summary>The issuer with its current keys, or null when there is no such issuer.</summary>
    public async Task<IssuerSigning?> GetSigningAsync(string issuerId, CancellationToken cancellationToken)
    {
        Task<IssuerSigning?> task = _signing.GetOrAdd(issuerId, id => LoadAsync(id));
        IssuerSigning? signing;
        try
        {
            signing = await task.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _signing.TryRemove(new KeyValuePair<string, Task<IssuerSigning?>>(issuerId, task));
            throw;
        }

        if (signing is null || timeProvider.GetUtcNow() - signing.LoadedAt > s_cacheFor)
        {
            // Unknown issuers are not cached (one may be created next); loaded ones refresh now and then so a
            // rotation or profile change made by another instance is picked up.
            _signing.TryRemove(new KeyValuePair<string, Task<IssuerSigning?>>(issuerId, task));
        }

        return signing;
    }

    private async Task<IssuerSigning?> LoadAsync(string issuerId)
    {
        IssuerRecord? record = await storage.Issuers.GetAsync(issuerId, CancellationToken.None);
        if (record is null)
        {
            return null;
        }

        IssuerKeyRecord current = await CurrentKeyAsync(issuerId, CancellationToken.None)
            ?? throw new InvalidOperationException($"Issuer '{issuerId}' has no current Ed25519 or P-256 key.");
        IssuerKeyRecord? rsa = await storage.Issuers.GetCurrentKeyAsync(issuerId, KeyTypeRsa, CancellationToken.None);
        SigningKey key = Unwrap(current);
        key.KeyId = current.KeyId;
        SigningKey? rsaKey = null;
        if (rsa is not null)
        {
            rsaKey = Unwrap(rsa);
            rsaKey.KeyId = rsa.KeyId;
        }

        using JsonDocument profile = JsonDocument.Parse(record.ProfileJson);
        return new IssuerSigning
        {
            Record = record,
            Name = profile.RootElement.TryGetProperty("name", out JsonElement name) ? name.GetString() ?? record.Slug : record.Slug,
            EmbeddedProfile = CredentialJson.WithoutContext(profile.RootElement),
            KeyType = current.KeyType,
            DataIntegrityKey = key,
            DataIntegrityMethodId = current.KeyId,
            Rsa = rsaKey,
            RsaMethodId = rsa?.KeyId,
            KeyJwt = new VcJwtSigner(key, new VcJwtSignerOptions { KeyId = current.KeyId, IncludeJwk = false }),
            Rs256Jwt = rsaKey is null ? null : new VcJwtSigner(rsaKey, new VcJwtSignerOptions { KeyId = rsa!.KeyId, IncludeJwk = false }),
            LoadedAt = timeProvider.GetUtcNow(),
        };
    }

    private SigningKey Unwrap(IssuerKeyRecord key)
    {
        byte[] pem = vault.Unprotect(key.ProtectedPrivateKey.Span, key.IssuerId, key.KeyId);
        try
        {
            return KeyPem.ImportPrivateKey(Encoding.UTF8.GetString(pem));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pem);
        }
    }

    /// <summary>The DID document of a did:web issuer: every key it ever had, for assertionMethod and authentication.</summary>
    public async Task<byte[]?> BuildDidDocumentAsync(IssuerRecord issuer, CancellationToken cancellationToken)
    {
        if (issuer.DidMethod != "web")
        {
            return null;
        }

        var builder = new DidWebDocumentBuilder(issuer.Id);
        foreach (IssuerKeyRecord key in await storage.Issuers.ListKeysAsync(issuer.Id, cancellationToken))
        {
            string fragment = key.KeyId[(key.KeyId.IndexOf('#', StringComparison.Ordinal) + 1)..];
            VerificationKey publicKey = Jwk.ImportPublicKey(Encoding.UTF8.GetBytes(key.PublicJwk));
            if (publicKey is Ed25519PublicKey or P256PublicKey)
            {
                // Multikey: "z6Mk…" (Ed25519) or "zDn…" (P-256, multicodec p256-pub, compressed point).
                builder.AddMultikey(publicKey, fragment);
            }
            else
            {
                builder.AddJsonWebKey(publicKey, fragment);
            }
        }

        return builder.Build(indented: true);
    }

    /// <summary>The OB Profile document (JSON-LD) of an issuer, written by Core's <see cref="ProfileJson"/>.</summary>
    public static string BuildProfile(string id, IssuerProfileInput input)
        => Encoding.UTF8.GetString(ProfileJson.Build(new Profile
        {
            Id = id,
            Name = input.Name,
            Url = NullIfBlank(input.Url),
            Email = NullIfBlank(input.Email),
            Description = NullIfBlank(input.Description),
            Image = NullIfBlank(input.Image) is { } image ? new Image(image) : null,
        }));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    internal static byte[] WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, s_writer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
