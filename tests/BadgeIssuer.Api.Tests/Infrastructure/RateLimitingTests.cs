using System.Net;
using System.Text.Json.Nodes;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Infrastructure;

/// <summary>RateLimits:Public per client address, RateLimits:ApiKey per key; rejections are 429 problems with Retry-After.</summary>
public sealed class RateLimitingTests
{
    // Ten quick requests against a burst of 2 refilled at 1/s: some are refused even on a slow machine.
    private const int Attempts = 10;

    private static async Task<List<HttpResponseMessage>> SendAsync(HttpClient client, Func<HttpRequestMessage> request)
    {
        var responses = new List<HttpResponseMessage>();
        for (int i = 0; i < Attempts; i++)
        {
            using HttpRequestMessage message = request();
            responses.Add(await client.SendAsync(message, Ct));
        }

        return responses;
    }

    [Fact]
    public async Task PublicEndpoint_OverTheClientLimit_Returns429ProblemWithRetryAfter()
    {
        using var app = new BadgeIssuerApplication(("RateLimits:Public:PermitsPerSecond", "1"), ("RateLimits:Public:Burst", "2"));
        using HttpClient client = app.CreateClient();

        // Cheap requests (refused by the handler with 415 when admitted), so the test does not race the 1 s refill.
        List<HttpResponseMessage> responses = await SendAsync(client, () => new HttpRequestMessage(HttpMethod.Post, "/credentials/verify") { Content = Body("<x/>", "application/xml") });
        try
        {
            responses[0].StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
            HttpResponseMessage rejected = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            JsonNode problem = await ProblemAsync(rejected, HttpStatusCode.TooManyRequests, "rate-limited");
            ((string)problem["detail"]!).Should().Contain("client address");
            (rejected.Headers.RetryAfter?.Delta is TimeSpan after && after >= TimeSpan.FromSeconds(1)).Should().BeTrue(rejected.Headers.RetryAfter?.ToString());
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Theory]
    [InlineData("GET", "/issuers/default/did.json")]
    [InlineData("GET", "/issuers/default")]
    [InlineData("POST", "/presentations/verify")]
    public async Task PublicLimit_AppliesToDocumentsAndPresentationsToo(string method, string path)
    {
        using var app = new BadgeIssuerApplication(("RateLimits:Public:PermitsPerSecond", "1"), ("RateLimits:Public:Burst", "2"));
        using HttpClient client = app.CreateClient();

        List<HttpResponseMessage> responses = await SendAsync(client, () => new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Body("{}", "application/json") : null });
        try
        {
            responses[0].StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
            responses.Should().Contain(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task ProtectedEndpoint_OverTheKeyLimit_Returns429WhilePublicEndpointsStillAnswer()
    {
        using var app = new BadgeIssuerApplication(("RateLimits:ApiKey:PermitsPerSecond", "1"), ("RateLimits:ApiKey:Burst", "2"));
        using HttpClient client = app.CreateAuthorizedClient();

        List<HttpResponseMessage> responses = await SendAsync(client, () => new HttpRequestMessage(HttpMethod.Get, "/achievements"));
        try
        {
            responses[0].StatusCode.Should().Be(HttpStatusCode.OK);
            HttpResponseMessage rejected = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            JsonNode problem = await ProblemAsync(rejected, HttpStatusCode.TooManyRequests, "rate-limited");
            ((string)problem["detail"]!).Should().Contain("API key");
            rejected.Headers.RetryAfter.Should().NotBeNull();

            // The key's bucket is its own: public documents are counted per client address.
            using HttpResponseMessage profile = await client.GetAsync("/issuers/default", Ct);
            profile.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task HealthEndpoints_AreNotRateLimited()
    {
        using var app = new BadgeIssuerApplication(("RateLimits:Public:PermitsPerSecond", "1"), ("RateLimits:Public:Burst", "1"));
        using HttpClient client = app.CreateClient();

        List<HttpResponseMessage> responses = await SendAsync(client, () => new HttpRequestMessage(HttpMethod.Get, "/healthz"));
        try
        {
            responses.Should().AllSatisfy(r => r.StatusCode.Should().Be(HttpStatusCode.OK));
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Theory]
    [InlineData("RateLimits:Public:PermitsPerSecond", "0")]
    [InlineData("RateLimits:ApiKey:Burst", "1")]
    public void Start_InvalidLimits_FailsValidation(string key, string value)
    {
        using var app = new BadgeIssuerApplication((key, value));

        Exception error = FluentActions.Invoking(() => app.CreateClient()).Should().Throw<Exception>().Which;
        error.ToString().Should().Contain("RateLimits:");
    }
}
