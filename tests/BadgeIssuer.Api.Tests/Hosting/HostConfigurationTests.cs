using System.Net;
using System.Net.Http.Headers;
using BadgeIssuer.Api.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>
/// The published service reads its configuration the same wherever it is started from: <c>appsettings.json</c> beside
/// the binary, in-code defaults below it (so a missing file changes nothing), and relative paths against the working
/// directory. The process tests run a copy of the built output from a different working directory.
/// </summary>
public sealed class HostConfigurationTests
{
    private const string ApiKey = "bik_host-configuration-key-0123456789abcdef";
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void AppSettingsJson_RepeatsTheInCodeDefaultsExactly()
    {
        string file = Path.Combine(Interop.NodeInterop.RepoRoot, "src", "BadgeIssuer.Api", "appsettings.json");
        IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false).Build();
        var fromFile = configuration.AsEnumerable().Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);

        fromFile.OrderBy(e => e.Key, StringComparer.OrdinalIgnoreCase).Select(e => $"{e.Key}={e.Value}").Should().Equal(HostConfiguration.Defaults.Where(e => !string.Equals(e.Key, "Urls", StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.Key, StringComparer.OrdinalIgnoreCase).Select(e => $"{e.Key}={e.Value}"));
    }

    [Fact]
    public void Defaults_AreBelowEveryOtherSource()
    {
        var builder = new ConfigurationManager();
        builder.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Debug", ["urls"] = "http://127.0.0.1:6000" });
        HostConfiguration.AddDefaults(builder);

        builder["Logging:LogLevel:Default"].Should().Be("Debug");
        builder["Urls"].Should().Be("http://127.0.0.1:6000");
        builder["Logging:LogLevel:Microsoft.AspNetCore"].Should().Be("Warning");
    }

    [Fact]
    public async Task PublishedService_ListensWhereAspNetCoreUrlsSays()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs the service as a child process; Linux/macOS only.");
        using var dirs = new TempDirectories();
        int port = ServiceProcess.FreePort();
        using ServiceProcess service = ServiceProcess.Start("dotnet", [ServiceProcess.ServiceDll], dirs.Work,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["ASPNETCORE_URLS"] = ServiceProcess.Url(port), ["BadgeIssuer__Bootstrap__ApiKey"] = ApiKey });
        await service.WaitUntilReadyAsync(ServiceProcess.Url(port), s_readyTimeout, Ct);
    }

    [Fact]
    public async Task PublishedService_StartedFromAnotherDirectory_ReadsTheAppSettingsBesideItsBinary()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs the service as a child process; Linux/macOS only.");
        using var dirs = new TempDirectories();
        string published = dirs.Published();
        // A setting only this file holds: the bootstrap API key (the process gets no BadgeIssuer__ variables).
        File.WriteAllText(Path.Combine(published, "appsettings.json"), $$"""
            { "Logging": { "LogLevel": { "Default": "Warning" } }, "BadgeIssuer": { "Bootstrap": { "ApiKey": "{{ApiKey}}" } } }
            """);
        int port = ServiceProcess.FreePort();

        using ServiceProcess service = ServiceProcess.Start("dotnet", [Path.Combine(published, "BadgeIssuer.Api.dll"), "--urls", ServiceProcess.Url(port)], dirs.Work);
        await service.WaitUntilReadyAsync(ServiceProcess.Url(port), s_readyTimeout, Ct);

        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ServiceProcess.Url(port) + "/achievements"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        (response.StatusCode == HttpStatusCode.OK).Should().BeTrue($"the key from the appsettings.json beside the binary was not taken ({(int)response.StatusCode}):\n{service.Output}");

        // The relative default data directory (./data) is under the working directory, not beside the binary.
        File.Exists(Path.Combine(dirs.Work, "data", "badgeissuer.db")).Should().BeTrue("no ./data/badgeissuer.db in the working directory:\n" + service.Output);
        Directory.Exists(Path.Combine(published, "data")).Should().BeFalse();
    }

    [Fact]
    public async Task PublishedService_WithoutAppSettings_KeepsFrameworkLogsAtWarning()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs the service as a child process; Linux/macOS only.");
        using var dirs = new TempDirectories();
        string published = dirs.Published();
        File.Delete(Path.Combine(published, "appsettings.json"));
        int port = ServiceProcess.FreePort();

        using ServiceProcess service = ServiceProcess.Start("dotnet", [Path.Combine(published, "BadgeIssuer.Api.dll"), "--urls", ServiceProcess.Url(port)], dirs.Work,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["BadgeIssuer__Bootstrap__ApiKey"] = ApiKey });
        await service.WaitUntilReadyAsync(ServiceProcess.Url(port), s_readyTimeout, Ct);
        using var client = new HttpClient();
        for (int i = 0; i < 5; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(ServiceProcess.Url(port) + "/healthz"), Ct);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        service.Stop();
        string output = service.Output;
        // The host's own start-up lines still show (Microsoft.Hosting.Lifetime at Information) ...
        output.Should().Contain("Now listening on");
        // ... but no per-request framework lines (Microsoft.AspNetCore.Hosting.Diagnostics, routing) at Information.
        output.Should().NotContain("info: Microsoft.AspNetCore");
    }

    /// <summary>A copy of the built service ("published") and an unrelated working directory, both removed on dispose.</summary>
    private sealed class TempDirectories : IDisposable
    {
        private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("badgeissuer-host-");

        public TempDirectories() => Directory.CreateDirectory(Work);

        public string Work => Path.Combine(_root.FullName, "work");

        public string Published()
        {
            string target = Path.Combine(_root.FullName, "published");
            Copy(new DirectoryInfo(ServiceProcess.ServiceBinDirectory), target);
            return target;
        }

        private static void Copy(DirectoryInfo source, string target)
        {
            Directory.CreateDirectory(target);
            foreach (FileInfo file in source.GetFiles())
            {
                file.CopyTo(Path.Combine(target, file.Name));
            }

            foreach (DirectoryInfo dir in source.GetDirectories())
            {
                // A data directory a developer's run left beside the binary is not part of the build output.
                if (!string.Equals(dir.Name, "data", StringComparison.Ordinal))
                {
                    Copy(dir, Path.Combine(target, dir.Name));
                }
            }
        }

        public void Dispose()
        {
            try
            {
                _root.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
