using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Issuance;

/// <summary>A VC 2.0 <c>EnvelopedVerifiableCredential</c> (VCDM 2.0 §4.13) carrying a VC-JWT, as VC-API answers with one.</summary>
public static class EnvelopedCredentialJson
{
    /// <summary>Writes <c>{"@context":[credentials/v2],"id":"data:application/vc+jwt,&lt;jwt&gt;","type":"EnvelopedVerifiableCredential"}</c>.</summary>
    public static void Write(Utf8JsonWriter writer, string jwt)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrEmpty(jwt);
        writer.WriteStartObject();
        writer.WriteStartArray("@context");
        writer.WriteStringValue(ContextUrls.CredentialsV2);
        writer.WriteEndArray();
        writer.WriteString("id", "data:application/vc+jwt," + jwt);
        writer.WriteString("type", "EnvelopedVerifiableCredential");
        writer.WriteEndObject();
    }
}
