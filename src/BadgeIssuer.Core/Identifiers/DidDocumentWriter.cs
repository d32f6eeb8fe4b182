using System.Text.Json;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Identifiers;

internal static class DidDocumentWriter
{
    public const string DidContextV1 = "https://www.w3.org/ns/did/v1";
    public const string MultikeyContextV1 = "https://w3id.org/security/multikey/v1";
    public const string JwkContextV1 = "https://w3id.org/security/jwk/v1";

    public static void WriteMultikey(Utf8JsonWriter writer, string id, string controller, Ed25519PublicKey key)
        => WriteMultikey(writer, id, controller, key.PublicKeyMultibase);

    public static void WriteMultikey(Utf8JsonWriter writer, string id, string controller, string publicKeyMultibase)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("type"u8, "Multikey"u8);
        writer.WriteString("controller"u8, controller);
        writer.WriteString("publicKeyMultibase"u8, publicKeyMultibase);
        writer.WriteEndObject();
    }

    public static void WriteJsonWebKey(Utf8JsonWriter writer, string id, string controller, VerificationKey key)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("type"u8, "JsonWebKey"u8);
        writer.WriteString("controller"u8, controller);
        writer.WritePropertyName("publicKeyJwk"u8);
        key.WriteJwk(writer);
        writer.WriteEndObject();
    }

    public static void WriteRelationships(Utf8JsonWriter writer, IReadOnlyList<(string Id, VerificationRelationships Relationships)> methods)
    {
        Write(writer, "authentication", VerificationRelationships.Authentication, methods);
        Write(writer, "assertionMethod", VerificationRelationships.AssertionMethod, methods);
        Write(writer, "capabilityDelegation", VerificationRelationships.CapabilityDelegation, methods);
        Write(writer, "capabilityInvocation", VerificationRelationships.CapabilityInvocation, methods);
        Write(writer, "keyAgreement", VerificationRelationships.KeyAgreement, methods);
    }

    private static void Write(Utf8JsonWriter writer, string name, VerificationRelationships flag, IReadOnlyList<(string Id, VerificationRelationships Relationships)> methods)
    {
        bool started = false;
        foreach ((string id, VerificationRelationships relationships) in methods)
        {
            if ((relationships & flag) == 0)
            {
                continue;
            }

            if (!started)
            {
                writer.WriteStartArray(name);
                started = true;
            }

            writer.WriteStringValue(id);
        }

        if (started)
        {
            writer.WriteEndArray();
        }
    }

    public static byte[] Build(Action<Utf8JsonWriter> write, bool indented)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Splits <c>base#fragment</c>; fragment is null when there is no '#'.</summary>
    public static void Split(string url, out string baseId, out string? fragment)
    {
        int hash = url.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            baseId = url;
            fragment = null;
        }
        else
        {
            baseId = url[..hash];
            fragment = url[(hash + 1)..];
        }
    }
}
