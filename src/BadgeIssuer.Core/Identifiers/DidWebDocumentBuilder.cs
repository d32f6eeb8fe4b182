// Builds an issuer's controller document: a did:web DID document, or (KEY-4) the document served at
// an https issuer id. Several verification methods may be listed so keys can be rotated: add the new
// key, keep the old one while credentials signed with it must still verify.
// Contexts: did/v1, plus multikey/v1 and/or jwk/v1 for the VM types used.

using System.Text.Json;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>Builds a controller (DID) document with Multikey (Ed25519, P-256, P-384) and JsonWebKey verification methods.</summary>
public sealed class DidWebDocumentBuilder
{
    private readonly List<Entry> _methods = [];

    /// <summary>
    /// <paramref name="id"/> is a did:web DID or an https URL (an OB issuer id that doubles as
    /// controller document, KEY-4).
    /// </summary>
    public DidWebDocumentBuilder(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        bool valid = id.StartsWith(DidWeb.Prefix, StringComparison.Ordinal)
            ? DidWeb.TryToDocumentUrl(id, out _)
            : Uri.TryCreate(id, UriKind.Absolute, out Uri? uri) && string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) && uri.Fragment.Length == 0;
        if (!valid)
        {
            throw new ArgumentException("The controller id must be a did:web DID or an https URL without fragment.", nameof(id));
        }

        Id = id;
    }

    public string Id { get; }

    /// <summary>Absolute ids of the verification methods added so far.</summary>
    public IReadOnlyList<string> VerificationMethodIds => _methods.ConvertAll(m => m.Id);

    /// <summary>Adds a Multikey VM; the fragment defaults to the key's <c>z6Mk…</c> value.</summary>
    public DidWebDocumentBuilder AddMultikey(
        Ed25519PublicKey publicKey, string? fragment = null,
        VerificationRelationships relationships = VerificationRelationships.AssertionMethod)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Add(new Entry(MakeId(fragment ?? publicKey.PublicKeyMultibase), publicKey, Multikey: true, relationships));
    }

    /// <summary>
    /// Adds a Multikey VM for an Ed25519, P-256 (<c>zDn…</c>, multicodec p256-pub 0x1200, compressed point) or P-384
    /// public key; the fragment defaults to the key's <c>publicKeyMultibase</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The key type has no Multikey form here (RSA: use <see cref="AddJsonWebKey"/>).</exception>
    public DidWebDocumentBuilder AddMultikey(
        VerificationKey publicKey, string? fragment = null,
        VerificationRelationships relationships = VerificationRelationships.AssertionMethod)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        string multibase = Multikey.EncodePublicKey(publicKey)
            ?? throw new ArgumentException($"A {publicKey.KeyType} key has no Multikey form here (Ed25519, P-256 and P-384 have).", nameof(publicKey));
        return Add(new Entry(MakeId(fragment ?? multibase), publicKey, Multikey: true, relationships));
    }

    /// <summary>Adds a JsonWebKey VM; the fragment defaults to the RFC 7638 thumbprint.</summary>
    public DidWebDocumentBuilder AddJsonWebKey(
        VerificationKey publicKey, string? fragment = null,
        VerificationRelationships relationships = VerificationRelationships.AssertionMethod)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Add(new Entry(MakeId(fragment ?? publicKey.ComputeJwkThumbprint()), publicKey, Multikey: false, relationships));
    }

    /// <summary>The document as UTF-8 JSON.</summary>
    public byte[] Build(bool indented = false) => DidDocumentWriter.Build(WriteTo, indented);

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartArray("@context"u8);
        writer.WriteStringValue(DidDocumentWriter.DidContextV1);
        if (_methods.Exists(m => m.Multikey))
        {
            writer.WriteStringValue(DidDocumentWriter.MultikeyContextV1);
        }

        if (_methods.Exists(m => !m.Multikey))
        {
            writer.WriteStringValue(DidDocumentWriter.JwkContextV1);
        }

        writer.WriteEndArray();
        writer.WriteString("id"u8, Id);
        writer.WriteStartArray("verificationMethod"u8);
        foreach (Entry m in _methods)
        {
            if (m.Multikey)
            {
                DidDocumentWriter.WriteMultikey(writer, m.Id, Id, Multikey.EncodePublicKey(m.Key)!);
            }
            else
            {
                DidDocumentWriter.WriteJsonWebKey(writer, m.Id, Id, m.Key);
            }
        }

        writer.WriteEndArray();
        DidDocumentWriter.WriteRelationships(writer, _methods.ConvertAll(m => (m.Id, m.Relationships)));
        writer.WriteEndObject();
    }

    private string MakeId(string fragment)
    {
        if (fragment.Length == 0 || fragment.AsSpan().IndexOfAny("#/?: ") >= 0)
        {
            throw new ArgumentException("A fragment must be non-empty and contain no '#', '/', '?', ':' or space.", nameof(fragment));
        }

        return Id + "#" + fragment;
    }

    private DidWebDocumentBuilder Add(Entry entry)
    {
        if (_methods.Exists(m => string.Equals(m.Id, entry.Id, StringComparison.Ordinal)))
        {
            throw new ArgumentException("A verification method with this id was already added.", nameof(entry));
        }

        _methods.Add(entry);
        return this;
    }

    private sealed record Entry(string Id, VerificationKey Key, bool Multikey, VerificationRelationships Relationships);
}
