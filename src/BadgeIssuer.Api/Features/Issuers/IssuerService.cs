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
    public required SigningKey Ed25519 { get; init; }
    public required string Ed25519MethodId { get; init; }
    /// <summary>RS256 key for VC-JWT (did:web issuers); null for did:key issuers, whose JWTs use EdDSA.</summary>
    public SigningKey? Rsa { get; init; }
    public string? RsaMethodId { get; init; }
    public required VcJwtSigner EdDsaJwt { get; init; }
    public VcJwtSigner? Rs256Jwt { get; init; }
    public DateTimeOffset LoadedAt { get; init; }
}

internal sealed class IssuerService(IBadgeStorage storage, KeyVault vault, PublicUrls urls, TimeProvider timeProvider)
{
    public const string KeyTypeEd25519 = "Ed25519";
    public const string KeyTypeRsa = "RSA";
    private static readonly TimeSpan s_cacheFor = TimeSpan.FromSeconds(60);
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentDictionary<string, Task<IssuerSigning?>> _signing = new(StringComparer.Ordinal);

    public async Task<IssuerRecord> CreateAsync(string slug, string didMethod, IssuerProfileInput profile, CancellationToken cancellationToken)
    {
        using Ed25519KeyPair ed = Ed25519KeyPair.Generate(allowExport: true);
        string id = didMethod == "key" ? DidKey.Create(ed.Ed25519PublicKey) : urls.DidWeb(slug);
        DateTimeOffset now = timeProvider.GetUtcNow();
        var record = new IssuerRecord(id, slug, BuildProfile(id, profile), didMethod, now);
        await storage.Issuers.CreateAsync(record, cancellationToken);
        await AddKeysAsync(record, ed, now, cancellationToken);
        return record;
    }

    /// <summary>New current keys; the old ones stay in the DID document so credentials already issued keep verifying.</summary>
    public async Task<IReadOnlyList<IssuerKeyRecord>> RotateAsync(IssuerRecord issuer, CancellationToken cancellationToken)
    {
        using Ed25519KeyPair ed = Ed25519KeyPair.Generate(allowExport: true);
        await AddKeysAsync(issuer, ed, timeProvider.GetUtcNow(), cancellationToken);
        Invalidate(issuer.Id);
        return await storage.Issuers.ListKeysAsync(issuer.Id, cancellationToken);
    }

    private async Task AddKeysAsync(IssuerRecord issuer, Ed25519KeyPair ed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string edMethod = issuer.DidMethod == "key" ? DidKey.GetVerificationMethodId(ed.Ed25519PublicKey) : issuer.Id + "#" + ed.Ed25519PublicKey.PublicKeyMultibase;
        await storage.Issuers.AddKeyAsync(Wrap(issuer.Id, edMethod, KeyTypeEd25519, ed, now), cancellationToken);
        if (issuer.DidMethod == "web")
        {
            using RsaKeyPair rsa = RsaKeyPair.Generate(2048, allowExport: true);
            string rsaMethod = issuer.Id + "#" + rsa.PublicKey.ComputeJwkThumbprint();
            await storage.Issuers.AddKeyAsync(Wrap(issuer.Id, rsaMethod, KeyTypeRsa, rsa, now), cancellationToken);
        }
    }

    private IssuerKeyRecord Wrap(string issuerId, string keyId, string keyType, SigningKey key, DateTimeOffset now)
    {
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

        IssuerKeyRecord ed = await storage.Issuers.GetCurrentKeyAsync(issuerId, KeyTypeEd25519, CancellationToken.None)
            ?? throw new InvalidOperationException($"Issuer '{issuerId}' has no current Ed25519 key.");
        IssuerKeyRecord? rsa = await storage.Issuers.GetCurrentKeyAsync(issuerId, KeyTypeRsa, CancellationToken.None);
        SigningKey edKey = Unwrap(ed);
        edKey.KeyId = ed.KeyId;
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
            Ed25519 = edKey,
            Ed25519MethodId = ed.KeyId,
            Rsa = rsaKey,
            RsaMethodId = rsa?.KeyId,
            EdDsaJwt = new VcJwtSigner(edKey, new VcJwtSignerOptions { KeyId = ed.KeyId, IncludeJwk = false }),
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
            if (publicKey is Ed25519PublicKey ed)
            {
                builder.AddMultikey(ed, fragment);
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
