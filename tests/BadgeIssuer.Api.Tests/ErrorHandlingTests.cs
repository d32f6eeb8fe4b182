using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BadgeIssuer.Api.Tests;

public sealed class ErrorHandlingTests
{
    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task UnhandledException_ReturnsProblemWithoutStackTrace(string environment)
    {
        using var credentials = new TestCredentials();
        using var app = new BrokenClockApplication(environment);
        using HttpClient client = app.CreateClient();
        using var content = new ByteArrayContent(credentials.DataIntegrity);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vc+ld+json");

        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", content, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(BrokenClock.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    // A clock that throws stands in for any bug below the endpoint.
    private sealed class BrokenClockApplication(string environment) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new BrokenClock())));
        }
    }

    private sealed class BrokenClock : TimeProvider
    {
        public const string Secret = "internal detail that must not leak";

        public override DateTimeOffset GetUtcNow() => throw new InvalidOperationException(Secret);
    }
}
