using Microsoft.Extensions.Configuration.Memory;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Where the service reads its configuration from, independent of the directory it is started from:
/// <c>appsettings.json</c> beside the binary (the content root is <see cref="AppContext.BaseDirectory"/>), and the
/// defaults that matter in production (log levels, listening address, host filtering) also in code, below every file,
/// so a missing or partial file changes nothing. Relative paths in configuration (<c>BadgeIssuer:DataDirectory</c>,
/// key files, <c>Verify:KnownIssuersFile</c>) resolve against the working directory, the directory the command was
/// started from.
/// </summary>
internal static class HostConfiguration
{
    /// <summary>
    /// The in-code defaults; <c>appsettings.json</c> repeats them except <c>Urls</c> (a test keeps the two equal), and
    /// every other source (ASPNETCORE_ variables, appsettings.{Environment}.json, environment variables, command line)
    /// overrides them. <c>Urls</c> is kept out of the file because a file's <c>Urls</c> would override
    /// <c>ASPNETCORE_URLS</c>, which the host reads before the files.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        ["Urls"] = "http://127.0.0.1:5080",
        ["AllowedHosts"] = "*",
        // Framework categories log warnings and errors only: at Information, Microsoft.AspNetCore writes two lines per request.
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:System"] = "Warning",
        ["Verify:MaxJsonBytes"] = "1048576",
        ["Verify:MaxImageBytes"] = "16777216",
        ["Verify:ClockSkewSeconds"] = "60",
    };

    /// <summary>The builder options: content root beside the binary, configuration files not watched.</summary>
    public static WebApplicationOptions Options(string[] args) => new()
    {
        // Options are validated once at start, so configuration files are not watched: a recursive watch on the
        // content root would also see every write of a data directory placed under it.
        Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    };

    /// <summary>Puts <see cref="Defaults"/> below every other configuration source.</summary>
    public static void AddDefaults(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
}
