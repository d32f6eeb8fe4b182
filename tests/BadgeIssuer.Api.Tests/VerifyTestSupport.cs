using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Api.Tests;

/// <summary>A did:key holder that signs presentations: Data Integrity (proofPurpose authentication) or VP-JWT.</summary>
public sealed class TestHolder : IDisposable
{
    private readonly Ed25519KeyPair _key = Ed25519KeyPair.Generate();

    public TestHolder()
    {
        Did = DidKey.Create(_key.Ed25519PublicKey);
        VerificationMethod = DidKey.GetVerificationMethodId(_key.Ed25519PublicKey);
    }

    public string Did { get; }

    public string VerificationMethod { get; }

    /// <summary>An unsigned VC 2.0 presentation of <paramref name="credentials"/> (raw JSON objects or JWT strings as JSON values).</summary>
    public static string Presentation(string? holder, params string[] credentials)
        => $$"""{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],{{(holder is null ? string.Empty : $"\"holder\":\"{holder}\",")}}"verifiableCredential":[{{string.Join(",", credentials)}}]}""";

    /// <summary>Adds an eddsa-rdfc-2022 proof with purpose authentication and the given challenge/domain.</summary>
    public string SignDataIntegrity(string presentation, string? challenge = null, string? domain = null, string proofPurpose = "authentication")
    {
        using JsonDocument document = JsonDocument.Parse(presentation);
        return Encoding.UTF8.GetString(EddsaRdfc2022.Sign(
            document.RootElement,
            new ProofOptions
            {
                Created = BadgeIssuerApplication.Now.AddMinutes(-1),
                VerificationMethod = VerificationMethod,
                ProofPurpose = proofPurpose,
                Challenge = challenge,
                Domain = domain,
            },
            _key));
    }

    /// <summary>A VP-JWT: {"iss", "aud", "nonce", "iat", "exp", "vp"} signed with EdDSA, kid = the did:key method.</summary>
    public string SignJwt(string presentation, string? nonce, string? audience, string? issuer = null)
    {
        var payload = new JsonObject
        {
            ["iss"] = issuer ?? Did,
            ["iat"] = BadgeIssuerApplication.Now.ToUnixTimeSeconds(),
            ["exp"] = BadgeIssuerApplication.Now.AddMinutes(5).ToUnixTimeSeconds(),
            ["vp"] = JsonNode.Parse(presentation),
        };
        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        if (audience is not null)
        {
            payload["aud"] = audience;
        }

        string header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"EdDSA","typ":"JWT","kid":"{{VerificationMethod}}"}"""));
        string body = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        byte[] signature = _key.Sign(Encoding.ASCII.GetBytes(header + "." + body));
        return header + "." + body + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>Assertions shared by the verification endpoint tests.</summary>
internal static class VerifyAssert
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ByteArrayContent Body(string body, string mediaType) => Body(Encoding.UTF8.GetBytes(body), mediaType);

    public static ByteArrayContent Body(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        return content;
    }

    /// <summary>A report (200 or 422 — the credential endpoint's status for a failed credential is not this test's concern).</summary>
    public static async Task<JsonNode> ReportAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonNode problem = JsonNode.Parse(text)!;
        Assert.Equal("urn:badgeissuer:problem:" + code, (string)problem["type"]!);
        Assert.Equal(code, (string)problem["code"]!);
        return problem;
    }

    /// <summary>The status of the check named <paramref name="name"/> (the first one with that name).</summary>
    public static string Check(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["status"]!;

    public static string Message(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["message"]!;
}
