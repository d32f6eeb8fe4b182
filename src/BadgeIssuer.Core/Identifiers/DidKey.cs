// did:key for Ed25519 (W3C CCG did:key spec; KEY-2), and for P-256 / P-384 public keys ("zDn…", "z82…", the
// ecdsa-rdfc-2019 issuers' DIDs). The method-specific id is the Multikey publicKeyMultibase ("z6Mk…"); the document
// is derived locally, so resolution works offline.
// Document shape: contexts did/v1 + multikey/v1 (the spec's newer default is did/v1.1, which is not
// final and not bundled); one Multikey VM "<did>#<msid>" under authentication, assertionMethod,
// capabilityDelegation, capabilityInvocation. The optional derived X25519 keyAgreement key is omitted
// (an issuer never needs it).

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>did:key (Ed25519; P-256 and P-384 too) creation, parsing and local resolution.</summary>
public static class DidKey
{
    public const string Prefix = "did:key:";

    internal const VerificationRelationships Relationships =
        VerificationRelationships.Authentication | VerificationRelationships.AssertionMethod
        | VerificationRelationships.CapabilityDelegation | VerificationRelationships.CapabilityInvocation;

    /// <summary><c>did:key:z6Mk…</c> for a public key.</summary>
    public static string Create(Ed25519PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Prefix + publicKey.PublicKeyMultibase;
    }

    /// <summary>The verification method id <c>did:key:z6Mk…#z6Mk…</c>.</summary>
    public static string GetVerificationMethodId(Ed25519PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Prefix + publicKey.PublicKeyMultibase + "#" + publicKey.PublicKeyMultibase;
    }

    /// <summary><c>did:key:z…</c> for an Ed25519, P-256 or P-384 public key.</summary>
    /// <exception cref="ArgumentException">The key has no Multikey form (RSA).</exception>
    public static string Create(VerificationKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Prefix + MultibaseOf(publicKey);
    }

    /// <summary>The verification method id <c>did:key:z…#z…</c> of an Ed25519, P-256 or P-384 public key.</summary>
    public static string GetVerificationMethodId(VerificationKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        string msid = MultibaseOf(publicKey);
        return Prefix + msid + "#" + msid;
    }

    /// <summary>
    /// Parses a did:key DID (or a DID URL whose fragment is the method-specific id) of any supported key type:
    /// Ed25519, P-256 or P-384. False for anything else, never an exception.
    /// </summary>
    public static bool TryParsePublicKey(string? did, [NotNullWhen(true)] out VerificationKey? publicKey)
    {
        publicKey = null;
        return did is not null && MethodSpecificId(did) is { } msid && Multikey.TryDecodePublicKey(msid, out publicKey) == KeyFormatError.None;
    }

    /// <summary>Parses a did:key DID, or a DID URL whose fragment is the method-specific id.</summary>
    /// <exception cref="FormatException">Not a did:key; <see cref="KeyFormatException"/> for a bad key.</exception>
    public static Ed25519PublicKey Parse(string did)
    {
        ArgumentNullException.ThrowIfNull(did);
        string msid = MethodSpecificId(did) ?? throw new FormatException("Not a did:key DID (or its fragment is not the key).");
        return Ed25519PublicKey.ImportMultibase(msid);
    }

    public static bool TryParse(string? did, [NotNullWhen(true)] out Ed25519PublicKey? publicKey)
    {
        publicKey = null;
        return did is not null && MethodSpecificId(did) is { } msid && Ed25519PublicKey.TryImportMultibase(msid, out publicKey);
    }

    /// <summary>The DID document, UTF-8 JSON.</summary>
    public static byte[] CreateDocument(string did, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(did);
        string msid = MethodSpecificId(did) ?? throw new FormatException("Not a did:key DID (or its fragment is not the key).");
        KeyFormatError error = Multikey.TryDecodePublicKey(msid, out VerificationKey? key);
        if (error != KeyFormatError.None)
        {
            throw Multikey.Error(error, "did:key");
        }

        using (key)
        {
            return DidDocumentWriter.Build(w => WriteDocument(w, key!), indented);
        }
    }

    /// <summary>Writes the DID document of <paramref name="publicKey"/>.</summary>
    public static void WriteDocument(Utf8JsonWriter writer, Ed25519PublicKey publicKey) => WriteDocument(writer, (VerificationKey)publicKey);

    /// <summary>Writes the DID document of an Ed25519, P-256 or P-384 <paramref name="publicKey"/>: one Multikey method.</summary>
    public static void WriteDocument(Utf8JsonWriter writer, VerificationKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(publicKey);
        string msid = MultibaseOf(publicKey);
        string did = Prefix + msid;
        string vm = did + "#" + msid;
        writer.WriteStartObject();
        writer.WriteStartArray("@context"u8);
        writer.WriteStringValue(DidDocumentWriter.DidContextV1);
        writer.WriteStringValue(DidDocumentWriter.MultikeyContextV1);
        writer.WriteEndArray();
        writer.WriteString("id"u8, did);
        writer.WriteStartArray("verificationMethod"u8);
        DidDocumentWriter.WriteMultikey(writer, vm, did, msid);
        writer.WriteEndArray();
        DidDocumentWriter.WriteRelationships(writer, [(vm, Relationships)]);
        writer.WriteEndObject();
    }

    private static string MultibaseOf(VerificationKey key)
        => Multikey.EncodePublicKey(key) ?? throw new ArgumentException($"A {key.KeyType} key has no did:key form here (Ed25519, P-256 and P-384 have).", nameof(key));

    /// <summary>The z6Mk… part, or null when the DID (URL) is not a did:key or its fragment differs.</summary>
    internal static string? MethodSpecificId(string didUrl)
    {
        if (!didUrl.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        DidDocumentWriter.Split(didUrl, out string did, out string? fragment);
        string msid = did[Prefix.Length..];
        if (msid.Length == 0 || msid.AsSpan().IndexOfAny(":/?") >= 0 || (fragment is not null && !string.Equals(fragment, msid, StringComparison.Ordinal)))
        {
            return null;
        }

        return msid;
    }
}
