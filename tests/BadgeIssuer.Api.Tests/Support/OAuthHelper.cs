using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace BadgeIssuer.Api.Tests.Support;

/// <summary>Test helpers: OAuth clients, token requests, and access tokens forged with or without the service's key.</summary>
internal static class OAuthHelper
{
    public const string Upsert = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert";
    public const string ReadOnly = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly";
    public const string ProfileUpdate = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update";
    public const string ProfileReadOnly = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<(string ClientId, string Secret)> CreateClientAsync(HttpClient manager, string slug, params string[] scopes)
    {
        using HttpResponseMessage response = await manager.PostAsJsonAsync($"/issuers/{slug}/clients", new { description = "oauth test", scopes }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        JsonNode node = JsonNode.Parse(text)!;
        ((string)node["token_endpoint"]!).Should().Be(BadgeIssuerApplication.BaseUrl + "/oauth/token");
        return ((string)node["client_id"]!, (string)node["client_secret"]!);
    }

    public static async Task<HttpResponseMessage> RequestAsync(HttpClient client, (string Id, string Secret)? basic, params (string Name, string Value)[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        if (basic is { } credentials)
        {
            string pair = Uri.EscapeDataString(credentials.Id) + ":" + Uri.EscapeDataString(credentials.Secret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>A token by client_id/client_secret form fields; asserts success.</summary>
    public static async Task<string> TokenAsync(BadgeIssuerApplication app, string clientId, string secret, string? scope = null)
    {
        using HttpClient anonymous = app.CreateClient();
        var form = new List<(string, string)> { ("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", secret) };
        if (scope is not null)
        {
            form.Add(("scope", scope));
        }

        using HttpResponseMessage response = await RequestAsync(anonymous, null, [.. form]);
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.OK).Should().BeTrue(text);
        return (string)JsonNode.Parse(text)!["access_token"]!;
    }

    public static HttpClient WithBearer(BadgeIssuerApplication app, string credential)
    {
        HttpClient client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        return client;
    }

    /// <summary>The service's token MAC key and kid, derived from the KEK file as the service does (HKDF-SHA256).</summary>
    public static (byte[] Key, string Kid) ServiceKey(BadgeIssuerApplication app)
    {
        byte[] kek = Convert.FromBase64String(File.ReadAllText(Path.Combine(app.DataDirectory, "kek.key")).Trim());
        return (HKDF.DeriveKey(HashAlgorithmName.SHA256, kek, 32, [], Encoding.UTF8.GetBytes("BadgeIssuer OAuth access token HS256 v1")),
            Convert.ToHexStringLower(SHA256.HashData(kek)[..8]));
    }

    public static string Sign(string headerJson, string payloadJson, byte[] key)
    {
        string input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
    }

    public static JsonNode Part(string token, int index) => JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[index]))!;
}
