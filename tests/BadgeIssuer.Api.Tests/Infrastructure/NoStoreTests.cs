using System.Net;
using System.Net.Http.Json;

namespace BadgeIssuer.Api.Tests.Infrastructure;

/// <summary>Responses that carry a new secret (API key, client secret, access token) are never cached: <c>Cache-Control: no-store</c>.</summary>
public sealed class NoStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/issuers/default/api-keys", "apiKey")]
    [InlineData("/issuers/default/clients", "client_secret")]
    public async Task CreatingAKeyOrClient_AnswersNoStore(string path, string secretMember)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage response = await client.PostAsJsonAsync(path, new { description = "no-store", scopes = new[] { "issue" } }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);

        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
        text.Should().Contain($"\"{secretMember}\"");
        AssertNoStore(response);
    }

    [Fact]
    public async Task TokenResponse_AnswersNoStore()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient manager = app.CreateAuthorizedClient();
        (string clientId, string secret) = await OAuthHelper.CreateClientAsync(manager, "default", "issue");
        using HttpClient anonymous = app.CreateClient();

        using HttpResponseMessage response = await OAuthHelper.RequestAsync(anonymous, null, ("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", secret));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        AssertNoStore(response);
    }

    [Fact]
    public async Task ListingKeys_IsNotMarked()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        using HttpResponseMessage response = await client.GetAsync("/issuers/default/api-keys", Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (response.Headers.CacheControl?.NoStore ?? false).Should().BeFalse();
    }

    private static void AssertNoStore(HttpResponseMessage response)
    {
        (response.Headers.CacheControl?.NoStore).Should().BeTrue($"Cache-Control: {response.Headers.CacheControl}");
        response.Headers.Pragma.ToString().Should().Contain("no-cache");
        // The security headers are still there.
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
    }
}
