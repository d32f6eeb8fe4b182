using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BadgeIssuer.Api.Tests.Infrastructure;

public sealed class ErrorHandlingTests
{
    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task UnhandledException_ReturnsProblemWithoutStackTrace(string environment)
    {
        using var credentials = new SignedCredentials();
        using var app = new BrokenClockApplication(environment);
        using HttpClient client = app.CreateClient();
        app.Clock.Broken = true;
        using var content = new ByteArrayContent(credentials.DataIntegrity);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vc+ld+json");

        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", content, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        text.Should().NotContain(BrokenClock.Secret);
        text.Should().NotContain("   at ");
        // The exception handler clears the response before writing its problem; the security headers survive.
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'none'");
    }

    // A clock that throws stands in for any bug below the endpoint.
    private sealed class BrokenClockApplication(string environment) : WebApplicationFactory<Program>
    {
        private readonly string _data = Directory.CreateTempSubdirectory("badgeissuer-test-").FullName;

        public BrokenClock Clock { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("BadgeIssuer:DataDirectory", _data);
            builder.UseSetting("BadgeIssuer:PublicBaseUrl", "http://localhost");
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // Works while the service starts (bootstrap stamps its rows), then breaks.
    private sealed class BrokenClock : TimeProvider
    {
        public const string Secret = "internal detail that must not leak";

        public bool Broken { get; set; }

        public override DateTimeOffset GetUtcNow() => Broken ? throw new InvalidOperationException(Secret) : TimeProvider.System.GetUtcNow();
    }
}

public sealed class SecurityHeaderTests
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/issuers/default")]
    [InlineData("/no-such-thing")]
    public async Task AnyResponse_CarriesSecurityHeaders(string path)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
        response.Headers.GetValues("Referrer-Policy").Single().Should().Be("no-referrer");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'none'");
    }

    [Fact]
    public async Task DocsUi_GetsAPolicyThatLetsItsOwnAssetsRun()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.GetAsync("/docs/", TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'");
    }
}
