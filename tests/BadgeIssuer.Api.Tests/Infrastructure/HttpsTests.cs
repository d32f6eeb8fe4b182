using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BadgeIssuer.Api.Tests.Infrastructure;

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
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpClient tls = Client(app, Host);
        using HttpResponseMessage secure = await tls.GetAsync("/issuers/default", Ct);
        secure.Headers.Contains("Strict-Transport-Security").Should().BeFalse();
    }

    [Fact]
    public async Task Redirect_PlainHttp_Gets308ToHttps_ButHealthProbesDoNot()
    {
        using var app = new BadgeIssuerApplication(("BadgeIssuer:Https:Redirect", "true"));
        using HttpClient plain = Client(app, "http://badges.example.org");

        using HttpResponseMessage response = await plain.PostAsync("/credentials/verify?x=1", null, Ct);
        response.StatusCode.Should().Be(HttpStatusCode.PermanentRedirect);
        response.Headers.Location.Should().Be(new Uri("https://badges.example.org/credentials/verify?x=1"));

        using HttpResponseMessage health = await plain.GetAsync("/healthz", Ct);
        health.StatusCode.Should().Be(HttpStatusCode.OK);
        using HttpResponseMessage ready = await plain.GetAsync("/readyz", Ct);
        ready.StatusCode.Should().Be(HttpStatusCode.OK);

        using HttpClient tls = Client(app, Host);
        using HttpResponseMessage secure = await tls.GetAsync("/issuers/default", Ct);
        secure.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Hsts_OnHttpsResponsesOnly_WithConfiguredMaxAge()
    {
        using var app = new BadgeIssuerApplication(
            ("BadgeIssuer:Https:Hsts", "true"), ("BadgeIssuer:Https:HstsMaxAgeSeconds", "600"), ("BadgeIssuer:Https:HstsIncludeSubDomains", "true"));
        using HttpClient tls = Client(app, Host);
        using HttpResponseMessage secure = await tls.GetAsync("/issuers/default", Ct);
        string.Join(",", secure.Headers.GetValues("Strict-Transport-Security")).Should().Be("max-age=600; includeSubDomains");

        using HttpClient plain = Client(app, "http://badges.example.org");
        using HttpResponseMessage insecure = await plain.GetAsync("/issuers/default", Ct);
        insecure.Headers.Contains("Strict-Transport-Security").Should().BeFalse();
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
        response.StatusCode.Should().Be(expected);
        response.Headers.Contains("Strict-Transport-Security").Should().Be(expected == HttpStatusCode.OK);
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
        response.StatusCode.Should().Be(HttpStatusCode.OK);
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
        Exception error = FluentActions.Invoking(() => app.CreateClient()).Should().Throw<Exception>().Which;
        error.ToString().Should().Contain(key.Split(':')[1]);
    }
}
