using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace BadgeIssuer.Api.Tests.Infrastructure;

/// <summary>Credentials in query strings: refused on protected routes and at the token endpoint, and never logged.</summary>
public sealed class QueryCredentialTests
{
    private const string Secret = "s3cr3t-Query-Value-7f1e";
    private const string KeyShaped = "bik_QueryLeak0123456789abcdefghijklmnopqrstu";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("api_key")]
    [InlineData("access_token")]
    [InlineData("client_secret")]
    [InlineData("key")]
    [InlineData("Api-Key")]
    [InlineData("apiKey")]
    [InlineData("x_auth_token")]
    [InlineData("password")]
    [InlineData("api%5Fkey")]
    public async Task ProtectedRoute_WithCredentialInQuery_Is400Problem_NamingOnlyTheParameter(string name)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage response = await client.GetAsync($"/issuers/default/api-keys?limit=5&{name}={Secret}", Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        ((string?)JsonNode.Parse(text)!["code"]).Should().Be("credential-in-query");
        text.Should().NotContain(Secret);
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
    }

    [Fact]
    public async Task ProtectedRoute_WithoutAuthorization_IsRefusedBeforeTheChallenge()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.PostAsync($"/awards?access_token={Secret}", new StringContent("{}", MediaTypeHeaderValue.Parse("application/json")), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["code"]).Should().Be("credential-in-query");
    }

    [Theory]
    [InlineData("/issuers/default/audit?limit=1&before=9", true)]
    [InlineData("/achievements?issuerId=" + BadgeIssuerApplication.IssuerId, true)]
    [InlineData("/issuers/default?access_token=" + Secret, false)]
    [InlineData("/healthz?api_key=" + Secret, false)]
    public async Task OrdinaryParameters_AndPublicRoutes_AreNotRefused(string path, bool authorized)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = authorized ? app.CreateAuthorizedClient() : app.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(path, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TokenEndpoint_ClientSecretInQuery_IsInvalidRequest()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient manager = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(manager, "default", "issue");
        using HttpClient anonymous = app.CreateClient();

        using var content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", clientId)]);
        using HttpResponseMessage response = await anonymous.PostAsync("/oauth/token?client_secret=" + Uri.EscapeDataString(secret), content, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ((string?)JsonNode.Parse(text)!["error"]).Should().Be("invalid_request");
        text.Should().NotContain(secret);
    }

    /// <summary>
    /// Every level on, the framework's request logs included ("Request starting … ?api_key=…"), and requests that are
    /// refused, answered, not found, or sent to the token endpoint: no entry holds the secret, in its message, its
    /// structured state, its scopes or its exception.
    /// </summary>
    [Fact]
    public async Task SecretsInQueryStrings_NeverReachTheLog()
    {
        var logs = new LogCapture();
        using var app = new BadgeIssuerApplication(("Logging:LogLevel:Default", "Trace"), ("Logging:LogLevel:Microsoft.AspNetCore", "Trace"), ("Logging:LogLevel:Microsoft", "Trace"))
        {
            Logs = logs,
        };
        using HttpClient authorized = app.CreateAuthorizedClient();
        using HttpClient anonymous = app.CreateClient();
        string[] paths =
        [
            $"/issuers/default/api-keys?api_key={Secret}",
            $"/issuers/default/api-keys?limit=1&access_token={Secret}&x=1",
            $"/issuers/default/api-keys?api%5Fkey={Secret}",
            $"/issuers/default?client_secret={Secret}",
            $"/no-such-route?password={Secret}",
            $"/issuers/default?q={KeyShaped}",
        ];
        foreach (string path in paths)
        {
            using HttpResponseMessage response = await authorized.GetAsync(path, Ct);
            using HttpResponseMessage unauthenticated = await anonymous.GetAsync(path, Ct);
        }

        using (var form = new FormUrlEncodedContent([new("grant_type", "client_credentials")]))
        using (HttpResponseMessage token = await anonymous.PostAsync($"/oauth/token?client_secret={Secret}", form, Ct))
        {
            // Refused (TokenEndpoint_ClientSecretInQuery_IsInvalidRequest); here only what reaches the log matters.
        }

        string all = logs.AllText;
        all.Should().NotContain(Secret);
        all.Should().NotContain(KeyShaped);
        all.Should().NotContain(BadgeIssuerApplication.ApiKey);
        // The framework did log the requests, masked (so the assertions above looked at something).
        logs.Entries.Should().Contain(e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.Level == LogLevel.Information
            && e.Message.Contains("api_key=[redacted]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET http://h/p?api_key=abc&limit=2", "GET http://h/p?api_key=[redacted]&limit=2")]
    [InlineData("?limit=2&Access-Token=abc", "?limit=2&Access-Token=[redacted]")]
    [InlineData("?api%5Fkey=abc", "?api%5Fkey=[redacted]")]
    [InlineData("?limit=2&trust=true", "?limit=2&trust=true")]
    [InlineData("a key=value pair", "a key=value pair")]
    [InlineData("bound from \"" + KeyShaped + "\"", "bound from \"[redacted]\"")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl end", "token [redacted] end")]
    [InlineData("prefix bik_abcdefgh listed", "prefix bik_abcdefgh listed")]
    public void Redact_MasksCredentialValues_AndLeavesTheRest(string text, string expected)
    {
        BadgeIssuer.Api.Infrastructure.QueryCredentials.Redact(text).Should().Be(expected);
    }
}
