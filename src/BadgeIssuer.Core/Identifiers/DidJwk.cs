// did:jwk (https://github.com/quartzjer/did-jwk): "did:jwk:" + base64url(UTF-8 JSON of a public JWK).
// The document has one VM "<did>#0". Decision: type "JsonWebKey" with context
// https://w3id.org/security/jwk/v1 (bundled; the method spec's older example uses JsonWebKey2020 with
// the unbundled jws-2020 context). Relationships per the spec: no "use" → all five; "sig" → all but
// keyAgreement; "enc" is refused (this library only handles signing keys).

using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>did:jwk creation, parsing and local resolution.</summary>
public static class DidJwk
{
    public const string Prefix = "did:jwk:";

    private const int MaxJwkBytes = 4096;

    /// <summary><c>did:jwk:…</c> of the key's public JWK (RFC 7638 member set and order).</summary>
    public static string Create(VerificationKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Prefix + Base64Url.EncodeToString(publicKey.JwkUtf8);
    }

    /// <summary>Parses a did:jwk DID (or the DID URL <c>…#0</c>).</summary>
    public static VerificationKey Parse(string did)
    {
        ArgumentNullException.ThrowIfNull(did);
        byte[] jwk = DecodeJwk(did, out _) ?? throw new FormatException("Not a did:jwk DID.");
        return Jwk.ImportPublicKey(jwk);
    }

    public static bool TryParse(string? did, [NotNullWhen(true)] out VerificationKey? publicKey)
    {
        publicKey = null;
        return TryParse(did, out publicKey, out _, out _);
    }

    internal static bool TryParse(string? did, [NotNullWhen(true)] out VerificationKey? publicKey, out VerificationRelationships relationships, out ResolutionError error)
    {
        publicKey = null;
        relationships = VerificationRelationships.None;
        byte[]? jwk = did is null ? null : DecodeJwk(did, out _);
        if (jwk is null)
        {
            error = ResolutionError.InvalidIdentifier;
            return false;
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(jwk, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            JsonElement root = doc.RootElement;
            relationships = DidKey.Relationships | VerificationRelationships.KeyAgreement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("use"u8, out JsonElement use))
            {
                if (!use.ValueEquals("sig"u8))
                {
                    error = ResolutionError.UnsupportedVerificationMethod;
                    return false;
                }

                relationships = DidKey.Relationships;
            }

            if (!Jwk.TryImportPublicKey(root, out publicKey, out _))
            {
                error = ResolutionError.InvalidKey;
                return false;
            }

            error = ResolutionError.None;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = ResolutionError.InvalidIdentifier;
            return false;
        }
    }

    /// <summary>The DID document, UTF-8 JSON.</summary>
    public static byte[] CreateDocument(string did, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(did);
        if (!TryParse(did, out VerificationKey? key, out VerificationRelationships relationships, out _))
        {
            throw new FormatException("Not a valid did:jwk DID.");
        }

        using (key)
        {
            DidDocumentWriter.Split(did, out string baseDid, out _);
            return DidDocumentWriter.Build(w => WriteDocument(w, baseDid, key, relationships), indented);
        }
    }

    private static void WriteDocument(Utf8JsonWriter writer, string did, VerificationKey key, VerificationRelationships relationships)
    {
        string vm = did + "#0";
        writer.WriteStartObject();
        writer.WriteStartArray("@context"u8);
        writer.WriteStringValue(DidDocumentWriter.DidContextV1);
        writer.WriteStringValue(DidDocumentWriter.JwkContextV1);
        writer.WriteEndArray();
        writer.WriteString("id"u8, did);
        writer.WriteStartArray("verificationMethod"u8);
        DidDocumentWriter.WriteJsonWebKey(writer, vm, did, key);
        writer.WriteEndArray();
        DidDocumentWriter.WriteRelationships(writer, [(vm, relationships)]);
        writer.WriteEndObject();
    }

    private static byte[]? DecodeJwk(string didUrl, out string did)
    {
        did = string.Empty;
        if (!didUrl.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        DidDocumentWriter.Split(didUrl, out did, out string? fragment);
        if (fragment is not null && !string.Equals(fragment, "0", StringComparison.Ordinal))
        {
            return null;
        }

        return Base64UrlStrict.TryDecodeToArray(did.AsSpan(Prefix.Length), MaxJwkBytes);
    }
}
