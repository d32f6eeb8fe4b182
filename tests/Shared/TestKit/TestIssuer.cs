using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Tests.Shared;

/// <summary>
/// An issuer with a fresh Ed25519 key that signs credentials (eddsa-rdfc-2022 or VC-JWT) and status lists: a
/// self-certifying did:key (<see cref="Create"/>), an https id with a <c>#z6Mk…</c> fragment key
/// (<see cref="CreateHttps"/>) or a did:web with its DID document (<see cref="CreateDidWeb"/>).
/// </summary>
internal sealed class TestIssuer : IDisposable
{
    private TestIssuer(Ed25519KeyPair key, string id, string verificationMethod, DateTimeOffset? signedAt)
    {
        Key = key;
        Id = id;
        VerificationMethod = verificationMethod;
        SignedAt = signedAt ?? TestClock.Now.AddDays(-60);
    }

    public Ed25519KeyPair Key { get; }

    /// <summary>The issuer id (the did:key, the https URL or the did:web).</summary>
    public string Id { get; }

    public string VerificationMethod { get; }

    /// <summary>The proof's <c>created</c> time (default: 60 days before <see cref="TestClock.Now"/>).</summary>
    public DateTimeOffset SignedAt { get; }

    /// <summary>
    /// A did:web issuer's DID document (Multikey, the key as its only assertion method); indented JSON with
    /// <c>"id": "did:web:…"</c> spelled with one space, which some tests edit as text.
    /// </summary>
    public string DidDocument => $$"""
        {
          "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
          "id": "{{Id}}",
          "verificationMethod": [{"id": "{{VerificationMethod}}", "type": "Multikey", "controller": "{{Id}}", "publicKeyMultibase": "{{Key.Ed25519PublicKey.PublicKeyMultibase}}"}],
          "assertionMethod": ["{{VerificationMethod}}"]
        }
        """;

    /// <summary>A self-certifying did:key issuer (of <paramref name="key"/> when given; the issuer then owns it).</summary>
    public static TestIssuer Create(DateTimeOffset? signedAt = null, Ed25519KeyPair? key = null)
    {
        key ??= Ed25519KeyPair.Generate();
        return new TestIssuer(key, DidKey.Create(key.Ed25519PublicKey), DidKey.GetVerificationMethodId(key.Ed25519PublicKey), signedAt);
    }

    /// <summary>An https issuer whose key is named by a <c>#z6Mk…</c> fragment (what the OB examples do).</summary>
    public static TestIssuer CreateHttps(string id, DateTimeOffset? signedAt = null)
    {
        Ed25519KeyPair key = Ed25519KeyPair.Generate();
        return new TestIssuer(key, id, id + "#" + key.Ed25519PublicKey.PublicKeyMultibase, signedAt);
    }

    /// <summary>A did:web issuer on <paramref name="host"/> whose key is <c>did:web:host#keyFragment</c>; see <see cref="DidDocument"/>.</summary>
    public static TestIssuer CreateDidWeb(string host, string keyFragment = "key-1", DateTimeOffset? signedAt = null)
    {
        string did = "did:web:" + host;
        return new TestIssuer(Ed25519KeyPair.Generate(), did, did + "#" + keyFragment, signedAt);
    }

    /// <summary>Signs with eddsa-rdfc-2022 (VC 2.0) or, for VC 1.1 documents, the same suite under data-integrity/v1.</summary>
    public byte[] Sign(JsonNode credential, string? verificationMethod = null, DateTimeOffset? created = null)
        => Sign(credential.ToJsonString(), verificationMethod, created);

    /// <inheritdoc cref="Sign(JsonNode, string?, DateTimeOffset?)"/>
    public byte[] Sign(string credentialJson, string? verificationMethod = null, DateTimeOffset? created = null)
    {
        using JsonDocument doc = JsonDocument.Parse(credentialJson);
        return EddsaRdfc2022.Sign(doc.RootElement, new ProofOptions { Created = created ?? SignedAt, VerificationMethod = verificationMethod ?? VerificationMethod }, Key);
    }

    public JsonNode SignToNode(JsonNode credential) => JsonNode.Parse(Sign(credential))!;

    /// <summary>A compact VC-JWT: <c>kid</c> = <see cref="VerificationMethod"/>, or the public key embedded as <c>jwk</c>.</summary>
    public string SignJwt(JsonNode credential, bool includeJwk = false) => SignJwt(credential.ToJsonString(), includeJwk);

    /// <inheritdoc cref="SignJwt(JsonNode, bool)"/>
    public string SignJwt(string credentialJson, bool includeJwk = false)
    {
        using JsonDocument doc = JsonDocument.Parse(credentialJson);
        var options = new VcJwtSignerOptions { KeyId = includeJwk ? null : VerificationMethod, IncludeJwk = includeJwk };
        return new VcJwtSigner(Key, options).Sign(doc.RootElement);
    }

    /// <summary>A signed BitstringStatusListCredential at <paramref name="url"/>, valid 30 days before <see cref="SignedAt"/>.</summary>
    public byte[] StatusList(string url, StatusPurpose purpose, params long[] set) => StatusList(url, purpose, SignedAt.AddDays(-30), set);

    /// <summary>A signed BitstringStatusListCredential at <paramref name="url"/> with the given indexes set.</summary>
    public byte[] StatusList(string url, StatusPurpose purpose, DateTimeOffset validFrom, params long[] set)
    {
        var list = new BitstringStatusList();
        foreach (long index in set)
        {
            list.Set(index, true);
        }

        byte[] unsigned = BitstringStatusListCredential.Create(url, Id, purpose, list, validFrom).ToUtf8Json();
        return Sign(JsonNode.Parse(unsigned)!);
    }

    public void Dispose() => Key.Dispose();
}
