using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BadgeIssuer.Api.Tests;

/// <summary>
/// The service in memory with a fixed clock, its own data directory (SQLite, key-encryption key, bootstrap.json),
/// a known admin API key and optional configuration overrides; each test creates its own.
/// </summary>
public sealed class BadgeIssuerApplication(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    public const string ApiKey = "bik_test-admin-key-0123456789abcdefghij";
    public const string BaseUrl = "http://localhost";
    public const string IssuerId = "did:web:localhost:issuers:default";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("badgeissuer-test-").FullName;

    public MutableTimeProvider Clock { get; } = new(Now);

    /// <summary>A client that sends the admin API key.</summary>
    public HttpClient CreateAuthorizedClient()
    {
        HttpClient client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("BadgeIssuer:DataDirectory", DataDirectory);
        builder.UseSetting("BadgeIssuer:PublicBaseUrl", BaseUrl);
        builder.UseSetting("BadgeIssuer:Bootstrap:ApiKey", ApiKey);
        foreach ((string key, string value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may linger a moment; the OS temp directory is cleaned eventually.
        }
    }
}

/// <summary>A clock tests can move.</summary>
public sealed class MutableTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
