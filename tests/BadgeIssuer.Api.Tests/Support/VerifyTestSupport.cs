using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Api.Tests.Support;

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

/// <summary>A did:web issuer on another host (<see cref="Host"/>), served to the service only through a fake handler.</summary>
public sealed class RemoteIssuer : IDisposable
{
    public const string Host = "issuer.example";
    public const string Did = "did:web:" + Host;
    public const string DidDocumentUrl = "https://" + Host + "/.well-known/did.json";
    public const string StatusListUrl = "https://" + Host + "/status/1";
    public const string VerificationMethod = Did + "#key-1";

    private readonly Ed25519KeyPair _key = Ed25519KeyPair.Generate();

    public string DidDocument => $$"""
        {
          "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
          "id": "{{Did}}",
          "verificationMethod": [{"id": "{{VerificationMethod}}", "type": "Multikey", "controller": "{{Did}}", "publicKeyMultibase": "{{_key.Ed25519PublicKey.PublicKeyMultibase}}"}],
          "assertionMethod": ["{{VerificationMethod}}"]
        }
        """;

    /// <summary>An OpenBadgeCredential of this issuer, optionally with a revocation entry in <see cref="StatusListUrl"/>.</summary>
    public byte[] Credential(int? statusIndex = null)
    {
        string status = statusIndex is int index
            ? $$$""","credentialStatus": {"id": "{{{StatusListUrl}}}#{{{index}}}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "{{{index}}}", "statusListCredential": "{{{StatusListUrl}}}"}"""
            : string.Empty;
        string unsigned = $$$"""
            {
              "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
              "id": "urn:uuid:7d0e2c1a-5b3f-4e6d-9a8c-1f2e3d4c5b6a",
              "type": ["VerifiableCredential", "OpenBadgeCredential"],
              "issuer": {"id": "{{{Did}}}", "type": ["Profile"], "name": "Remote issuer"},
              "validFrom": "2026-01-01T00:00:00Z",
              "credentialSubject": {
                "type": ["AchievementSubject"], "id": "did:example:learner",
                "achievement": {"id": "urn:uuid:3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d", "type": ["Achievement"], "name": "Remote badge", "description": "B", "criteria": {"narrative": "C"}}
              }{{{status}}}
            }
            """;
        return Sign(unsigned);
    }

    /// <summary>This issuer's signed status list credential with <paramref name="revoked"/> set.</summary>
    public byte[] StatusList(params int[] revoked)
    {
        var list = new BitstringStatusList();
        foreach (int index in revoked)
        {
            list.Set(index, true);
        }

        byte[] unsigned = BitstringStatusListCredential.Create(StatusListUrl, Did, StatusPurpose.Revocation, list, BadgeIssuerApplication.Now.AddDays(-1)).ToUtf8Json();
        return Sign(Encoding.UTF8.GetString(unsigned));
    }

    private byte[] Sign(string unsigned)
    {
        using JsonDocument document = JsonDocument.Parse(unsigned);
        return EddsaRdfc2022.Sign(document.RootElement, new ProofOptions { Created = BadgeIssuerApplication.Now.AddDays(-2), VerificationMethod = VerificationMethod }, _key);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>Stands in for the network: answers by URL and records every request (no request leaves the process).</summary>
public sealed class FakeRemoteHandler : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task<HttpResponseMessage>>> _routes = new(StringComparer.Ordinal);

    public ConcurrentQueue<Uri> Requests { get; } = new();

    public FakeRemoteHandler Json(string url, string json) => Json(url, Encoding.UTF8.GetBytes(json));

    public FakeRemoteHandler Json(string url, byte[] json)
    {
        _routes[url] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } });
        return this;
    }

    public FakeRemoteHandler Redirect(string url, string location)
    {
        _routes[url] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri(location) } });
        return this;
    }

    /// <summary>Never answers; gives up only when the caller cancels.</summary>
    public FakeRemoteHandler Hang(string url)
    {
        _routes[url] = async cancellationToken =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        };
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request.RequestUri!);
        return _routes.TryGetValue(request.RequestUri!.AbsoluteUri, out Func<CancellationToken, Task<HttpResponseMessage>>? route)
            ? route(cancellationToken)
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
    }
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
        (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity).Should().BeTrue($"{(int)response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/json");
        return JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (status == response.StatusCode).Should().BeTrue($"{(int)response.StatusCode}: {text}");
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code);
        ((string)problem["code"]!).Should().Be(code);
        return problem;
    }

    /// <summary>The status of the check named <paramref name="name"/> (the first one with that name).</summary>
    public static string Check(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["status"]!;

    public static string Message(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["message"]!;
}
