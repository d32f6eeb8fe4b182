using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Storage;
using BadgeIssuer.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Opens the database (migrations) and, on an empty one, creates the first issuer and admin API key.</summary>
internal sealed class Bootstrap(
    IBadgeStorage storage,
    IssuerService issuers,
    IOptions<BadgeIssuerOptions> options,
    DataDirectory dataDirectory,
    PublicUrls urls,
    TimeProvider timeProvider,
    ILogger<Bootstrap> logger) : IHostedService
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public bool Completed { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        BadgeIssuerOptions o = options.Value;
        if (!urls.IsHttps && o.Bootstrap.IssuerDidMethod == "web")
        {
            Log.BaseUrlNotHttps(logger, urls.Base);
        }

        if (await storage.Issuers.CountAsync(cancellationToken) == 0)
        {
            if (o.Bootstrap.IssuerDidMethod == "web" && !urls.HasDnsHost)
            {
                throw new InvalidOperationException(
                    $"did:web needs a DNS host name, but the public base URL {urls.Base} has an IP address. Set BadgeIssuer__PublicBaseUrl (e.g. http://localhost:5080) or BadgeIssuer__Bootstrap__IssuerDidMethod=key.");
            }

            IssuerRecord issuer = await issuers.CreateAsync(
                o.Bootstrap.IssuerSlug, o.Bootstrap.IssuerDidMethod, new IssuerProfileInput(o.Bootstrap.IssuerName, null, null, "Created on first start.", null), cancellationToken);
            string key = o.Bootstrap.ApiKey ?? ApiKeys.Generate();
            await AddKeyAsync(key, issuer.Id, "bootstrap admin key", cancellationToken);
            string path = Path.Combine(dataDirectory.Path, "bootstrap.json");
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["issuerId"] = issuer.Id,
                ["issuerSlug"] = issuer.Slug,
                ["issuerProfile"] = urls.IssuerProfile(issuer.Slug),
                ["apiKey"] = key,
                ["scopes"] = string.Join(' ', ApiScopes.All),
                ["baseUrl"] = urls.Base,
            }, s_indented), cancellationToken);
            KeyVault.TryRestrictToOwner(path);
            if (o.Bootstrap.ApiKey is null)
            {
                // Printed once, on the first start only; it is also in bootstrap.json (owner-readable) until you delete that file.
                Console.WriteLine($"BadgeIssuer first start: issuer {issuer.Id}; admin API key {key} (also in {path}).");
            }

            Log.Bootstrapped(logger, issuer.Id, path);
        }
        else if (o.Bootstrap.ApiKey is { } configured && await storage.ApiKeys.FindByHashAsync(ApiKeys.Hash(configured), cancellationToken) is null)
        {
            // A configured key that the database does not know yet (e.g. set after the first start): admit it as admin of the first issuer.
            IssuerRecord? first = (await storage.Issuers.GetBySlugAsync(o.Bootstrap.IssuerSlug, cancellationToken));
            await AddKeyAsync(configured, first?.Id, "configured bootstrap key", cancellationToken);
            Log.ConfiguredKeyRegistered(logger);
        }

        Completed = true;
    }

    private Task AddKeyAsync(string key, string? issuerId, string description, CancellationToken cancellationToken) =>
        storage.ApiKeys.CreateAsync(new ApiKeyRecord(
            Guid.NewGuid().ToString("N"), ApiKeys.VisiblePrefix(key), ApiKeys.Hash(key), issuerId, string.Join(' ', ApiScopes.All), description,
            timeProvider.GetUtcNow(), null, null), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static class StorageRegistration
{
    public static IServiceCollection AddBadgeIssuerCore(this IServiceCollection services)
    {
        services.AddOptions<BadgeIssuerOptions>().BindConfiguration(BadgeIssuerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BadgeIssuerOptions>, BadgeIssuerOptionsValidator>();
        services.AddSingleton<DataDirectory>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<KeyVault>();
        services.AddSingleton<IBadgeStorage>(sp =>
        {
            string path = Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "badgeissuer.db");
            return SqliteBadgeStorage.OpenAsync(path, sp.GetRequiredService<TimeProvider>()).GetAwaiter().GetResult();
        });
        services.AddSingleton<Bootstrap>();
        // The build runs the app to write openapi/badgeissuer.json (GetDocument.Insider): no database, keys or data directory then.
        if (!string.Equals(System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name, "GetDocument.Insider", StringComparison.Ordinal))
        {
            services.AddHostedService(sp => sp.GetRequiredService<Bootstrap>());
        }

        return services;
    }
}
