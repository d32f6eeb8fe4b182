using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;

namespace BadgeIssuer.Tests.Shared;

/// <summary>A did:key holder that signs presentations: Data Integrity (proofPurpose authentication) or VP-JWT.</summary>
internal sealed class TestHolder : IDisposable
{
    private readonly TestIssuer _key = TestIssuer.Create();

    public string Did => _key.Id;

    public string VerificationMethod => _key.VerificationMethod;

    /// <inheritdoc cref="TestDocuments.Presentation"/>
    public static string Presentation(string? holder, params string[] credentials) => TestDocuments.Presentation(holder, credentials);

    /// <summary>Adds an eddsa-rdfc-2022 proof with purpose authentication and the given challenge/domain.</summary>
    public string SignDataIntegrity(string presentation, string? challenge = null, string? domain = null, string proofPurpose = "authentication")
    {
        using JsonDocument document = JsonDocument.Parse(presentation);
        return Encoding.UTF8.GetString(EddsaRdfc2022.Sign(
            document.RootElement,
            new ProofOptions
            {
                Created = TestClock.Now.AddMinutes(-1),
                VerificationMethod = VerificationMethod,
                ProofPurpose = proofPurpose,
                Challenge = challenge,
                Domain = domain,
            },
            _key.Key));
    }

    /// <summary>A VP-JWT: {"iss", "aud", "nonce", "iat", "exp", "vp"} signed with EdDSA, kid = the did:key method.</summary>
    public string SignJwt(string presentation, string? nonce, string? audience, string? issuer = null)
    {
        var payload = new JsonObject
        {
            ["iss"] = issuer ?? Did,
            ["iat"] = TestClock.Now.ToUnixTimeSeconds(),
            ["exp"] = TestClock.Now.AddMinutes(5).ToUnixTimeSeconds(),
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
        byte[] signature = _key.Key.Sign(Encoding.ASCII.GetBytes(header + "." + body));
        return header + "." + body + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _key.Dispose();
}
