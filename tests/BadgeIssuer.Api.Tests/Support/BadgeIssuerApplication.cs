using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace BadgeIssuer.Api.Tests.Support;

/// <summary>
/// The service in memory with a fixed clock, its own data directory (SQLite, key-encryption key, bootstrap.json),
/// a known admin API key and optional configuration overrides; each test creates its own.
/// </summary>
public sealed class BadgeIssuerApplication(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Now = TestClock.Now;
    public const string ApiKey = "bik_test-admin-key-0123456789abcdefghij";
    public const string BaseUrl = "http://localhost";
    public const string IssuerId = "did:web:localhost:issuers:default";

    private string? _dataDirectory;

    /// <summary>A fresh temporary directory unless set (a restart test points several instances at one directory).</summary>
    public string DataDirectory
    {
        get => _dataDirectory ??= Directory.CreateTempSubdirectory("badgeissuer-test-").FullName;
        init => _dataDirectory = value;
    }

    /// <summary>Leave the data directory behind on dispose (the test deletes it after its last instance).</summary>
    public bool KeepDataDirectory { get; init; }

    /// <summary>The client address requests appear to come from (the test server otherwise reports none).</summary>
    public System.Net.IPAddress? RemoteAddress { get; init; }

    public MutableTimeProvider Clock { get; } = new(Now);

    /// <summary>When set, runs after the service's own registrations (a test replaces a service, e.g. an internal seam).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>When set, every log entry of the service is kept here as well (at the levels configuration enables).</summary>
    public LogCapture? Logs { get; init; }

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

        if (Logs is { } logs)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }

        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            if (RemoteAddress is { } address)
            {
                services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(address));
            }
        });
        if (TestServices is { } testServices)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (KeepDataDirectory || _dataDirectory is null)
        {
            return;
        }

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

/// <summary>Sets the connection's remote address before the service's own middleware runs.</summary>
internal sealed class RemoteAddressFilter(System.Net.IPAddress address) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = address;
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>A clock tests can move.</summary>
public sealed class MutableTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
