using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BadgeIssuer.Api.Tests;

/// <summary>
/// BadgeIssuer:Https (redirect, HSTS) and BadgeIssuer:ForwardedHeaders: off by default; when on, plain HTTP is
/// redirected (health probes excepted), HSTS goes out over https only, and X-Forwarded-Proto counts only from a
/// known proxy.
/// </summary>
public sealed class HttpsTests
{
    private const string Host = "https://badges.example.org";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient Client(BadgeIssuerApplication app, string baseAddress) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(baseAddress) });

    [Fact]
    public async Task Defaults_NoRedirectAndNoHsts()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient plain = Client(app, "http://badges.example.org");
        using HttpResponseMessage response = await plain.GetAsync("/issuers/default", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using HttpClient tls = Client(app, Host);
        using HttpResponseMessage secure = await tls.GetAsync("/issuers/default", Ct);
        Assert.False(secure.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Redirect_PlainHttp_Gets308ToHttps_ButHealthProbesDoNot()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Https:Redirect", "true"));
        using HttpClient plain = Client(app, "http://badges.example.org");

        using HttpResponseMessage response = await plain.PostAsync("/credentials/verify?x=1", null, Ct);
        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(new Uri("https://badges.example.org/credentials/verify?x=1"), response.Headers.Location);

        using HttpResponseMessage health = await plain.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using HttpResponseMessage ready = await plain.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        using HttpClient tls = Client(app, Host);
        using HttpResponseMessage secure = await tls.GetAsync("/issuers/default", Ct);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
    }

    [Fact]
    public async Task Hsts_OnHttpsResponsesOnly_WithConfiguredMaxAge()
    {
        using var app = new BadgeIssuerApplication(
            ("BadgeIssuer:Https:Hsts", "true"), ("BadgeIssuer:Https:HstsMaxAgeSeconds", "600"), ("BadgeIssuer:Https:HstsIncludeSubDomains", "true"));
        using HttpClient tls = Client(app, Host);
        using HttpResponseMessage secure = await tls.GetAsync("/issuers/default", Ct);
        Assert.Equal("max-age=600; includeSubDomains", string.Join(",", secure.Headers.GetValues("Strict-Transport-Security")));

        using HttpClient plain = Client(app, "http://badges.example.org");
        using HttpResponseMessage insecure = await plain.GetAsync("/issuers/default", Ct);
        Assert.False(insecure.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData(true, "127.0.0.1", HttpStatusCode.OK)]              // the loopback proxy is believed by default
    [InlineData(true, "203.0.113.9", HttpStatusCode.PermanentRedirect)] // an unknown peer's header is ignored
    [InlineData(false, "127.0.0.1", HttpStatusCode.PermanentRedirect)]  // forwarded headers off: ignored
    public async Task ForwardedProto_CountsOnlyFromAKnownProxy(bool enabled, string peer, HttpStatusCode expected)
    {
        using var app = new BadgeIssuerApplication(
            ("BadgeIssuer:Https:Redirect", "true"), ("BadgeIssuer:Https:Hsts", "true"), ("BadgeIssuer:ForwardedHeaders:Enabled", enabled ? "true" : "false"))
        {
            RemoteAddress = IPAddress.Parse(peer),
        };
        using HttpClient plain = Client(app, "http://badges.example.org");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/issuers/default");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using HttpResponseMessage response = await plain.SendAsync(request, Ct);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK, response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task ForwardedHeaders_KnownNetwork_IsBelieved()
    {
        using var app = new BadgeIssuerApplication(
            ("BadgeIssuer:Https:Redirect", "true"), ("BadgeIssuer:ForwardedHeaders:Enabled", "true"), ("BadgeIssuer:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/8"))
        {
            RemoteAddress = IPAddress.Parse("10.1.2.3"),
        };
        using HttpClient plain = Client(app, "http://badges.example.org");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/issuers/default");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using HttpResponseMessage response = await plain.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("BadgeIssuer:ForwardedHeaders:KnownProxies:0", "not-an-ip")]
    [InlineData("BadgeIssuer:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99")]
    [InlineData("BadgeIssuer:Https:Port", "0")]
    [InlineData("BadgeIssuer:OAuth:AccessTokenLifetimeSeconds", "5")]
    [InlineData("BadgeIssuer:PreviousKeyEncryptionKeys:0", "c2hvcnQ=")]
    public void InvalidSettings_FailAtStart(string key, string value)
    {
        using var app = new BadgeIssuerApplication((key, value));
        Exception error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(key.Split(':')[1], error.ToString(), StringComparison.Ordinal);
    }
}
