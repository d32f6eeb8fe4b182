using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// An <c>EnvelopedVerifiableCredential</c> in a VC-API request (VCDM 2.0 §4.13): its <c>id</c> is a <c>data:</c> URL
/// (RFC 2397) holding the secured credential. <c>application/vc+jwt</c> is handed to the verifier as sent (Core opens
/// the envelope and reports the format as <c>json+enveloped</c>); <c>application/vc+ld+json</c> (percent-encoded or
/// <c>;base64</c>) is decoded to the credential JSON it carries.
/// </summary>
internal static class EnvelopedCredential
{
    private const string Type = "EnvelopedVerifiableCredential";
    private const string JwtMediaType = "application/vc+jwt";
    private const string JsonLdMediaType = "application/vc+ld+json";

    public static bool IsEnveloped(JsonElement credential)
    {
        try
        {
            return credential.ValueKind == JsonValueKind.Object
                && credential.TryGetProperty("type", out JsonElement type)
                && (type.ValueKind == JsonValueKind.String
                    ? type.ValueEquals(Type)
                    : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals(Type)));
        }
        catch (InvalidOperationException)
        {
            // A name or value with an unpaired surrogate escape cannot be compared: not an envelope; the verifier's
            // parse step reports the unreadable string.
            return false;
        }
    }

    /// <summary>The bytes to verify for an enveloped credential, or the problem that explains why there are none.</summary>
    public static ProblemHttpResult? Open(JsonElement envelope, int maxDepth, out byte[] credential)
    {
        credential = [];
        try
        {
            return OpenCore(envelope, maxDepth, out credential);
        }
        catch (InvalidOperationException)
        {
            return ApiProblems.MalformedBody.Result("The envelope has a string that is not valid UTF-8 or holds an unpaired surrogate escape.");
        }
    }

    private static ProblemHttpResult? OpenCore(JsonElement envelope, int maxDepth, out byte[] credential)
    {
        credential = [];
        string? id = envelope.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        int comma = id?.IndexOf(',', StringComparison.Ordinal) ?? -1;
        if (id is null || !id.StartsWith("data:", StringComparison.Ordinal) || comma < 0)
        {
            return ApiProblems.UnsupportedRequest.Result("An EnvelopedVerifiableCredential needs an id that is a data: URL (data:application/vc+jwt,<jwt>).");
        }

        string[] header = id[5..comma].Split(';');
        string mediaType = header[0];
        bool base64 = header.Skip(1).Any(p => string.Equals(p, "base64", StringComparison.OrdinalIgnoreCase));
        if (string.Equals(mediaType, JwtMediaType, StringComparison.OrdinalIgnoreCase) && !base64)
        {
            credential = Encoding.UTF8.GetBytes(envelope.GetRawText());
            return null;
        }

        if (!string.Equals(mediaType, JsonLdMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblems.UnsupportedRequest.Result($"An EnvelopedVerifiableCredential of type '{mediaType}' is not supported; use {JwtMediaType} or {JsonLdMediaType}.");
        }

        string data = id[(comma + 1)..];
        try
        {
            credential = base64 ? Convert.FromBase64String(Uri.UnescapeDataString(data)) : Encoding.UTF8.GetBytes(Uri.UnescapeDataString(data));
            using JsonDocument document = JsonDocument.Parse(credential, new JsonDocumentOptions { MaxDepth = maxDepth });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return null;
            }
        }
        catch (FormatException)
        {
            return ApiProblems.UnsupportedRequest.Result("The enveloped credential's data: URL is not valid base64.");
        }
        catch (JsonException)
        {
            // Answered below.
        }

        credential = [];
        return ApiProblems.UnsupportedRequest.Result($"The {JsonLdMediaType} data: URL does not hold a credential JSON object.");
    }
}
