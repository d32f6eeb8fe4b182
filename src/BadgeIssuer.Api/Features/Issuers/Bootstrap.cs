using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issuers;

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

        // Several instances may start at once on an empty database: the first to store the issuer bootstraps, the
        // others see the conflict and only make sure a configured key is known (which is idempotent as well).
        IssuerRecord? created = null;
        if (await storage.Issuers.CountAsync(cancellationToken) == 0)
        {
            if (o.Bootstrap.IssuerDidMethod == "web" && !urls.HasDnsHost)
            {
                throw new InvalidOperationException(
                    $"did:web needs a DNS host name, but the public base URL {urls.Base} has an IP address. Set BadgeIssuer__PublicBaseUrl (e.g. http://localhost:5080) or BadgeIssuer__Bootstrap__IssuerDidMethod=key.");
            }

            try
            {
                created = await issuers.CreateAsync(
                    o.Bootstrap.IssuerSlug, o.Bootstrap.IssuerDidMethod, o.Bootstrap.IssuerKeyType, new IssuerProfileInput(o.Bootstrap.IssuerName, null, null, "Created on first start.", null), cancellationToken);
            }
            catch (StorageConflictException)
            {
                Log.BootstrappedElsewhere(logger);
            }
        }

        if (created is { } issuer)
        {
            string key = o.Bootstrap.ApiKey ?? ApiKeys.Generate();
            await TryAddKeyAsync(key, issuer.Id, "bootstrap admin key", cancellationToken);
            string path = Path.Combine(dataDirectory.Path, "bootstrap.json");
            // Owner-only from the first byte (it holds the admin key); an older file is truncated and narrowed first.
            await using (FileStream file = OwnerOnlyFiles.Create(path, FileMode.Create))
            {
                await JsonSerializer.SerializeAsync(file, new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["issuerId"] = issuer.Id,
                    ["issuerSlug"] = issuer.Slug,
                    ["issuerProfile"] = urls.IssuerProfile(issuer.Slug),
                    ["apiKey"] = key,
                    ["scopes"] = string.Join(' ', ApiScopes.All),
                    ["baseUrl"] = urls.Base,
                }, s_indented, cancellationToken);
            }

            if (o.Bootstrap.ApiKey is null)
            {
                // Printed once, on the first start only; it is also in bootstrap.json (owner-readable) until you delete that file.
                Console.WriteLine($"BadgeIssuer first start: issuer {issuer.Id}; admin API key {key} (also in {path}).");
            }

            Log.Bootstrapped(logger, issuer.Id, path);
        }
        else if (o.Bootstrap.ApiKey is { } configured)
        {
            await RecoverConfiguredKeyAsync(configured, o.Bootstrap, cancellationToken);
        }

        Completed = true;
    }

    /// <summary>
    /// Admin access from configuration on a database that has its issuers: a configured key the database does not know
    /// (set after the first start, or a new value after the bootstrap key was revoked or lost) becomes an admin key of
    /// the bootstrap issuer; a configured bootstrap key that was revoked stays revoked unless
    /// <see cref="BootstrapOptions.RestoreRevokedApiKey"/> says to restore it. Both recoveries are audited.
    /// </summary>
    private async Task RecoverConfiguredKeyAsync(string configured, BootstrapOptions bootstrap, CancellationToken cancellationToken)
    {
        ApiKeyRecord? existing = await storage.ApiKeys.FindByHashAsync(ApiKeys.Hash(configured), cancellationToken);
        if (existing is null)
        {
            IssuerRecord? first = await storage.Issuers.GetBySlugAsync(bootstrap.IssuerSlug, cancellationToken);
            string keyId = Guid.NewGuid().ToString("N");
            if (await TryAddKeyAsync(configured, first?.Id, "configured bootstrap key", cancellationToken, keyId))
            {
                await storage.Audit.AppendAsync(RecoveryAudit(first?.Id, "apikey.bootstrap", keyId, ApiKeys.VisiblePrefix(configured)), cancellationToken);
                Log.ConfiguredKeyRegistered(logger);
            }

            return;
        }

        if (existing.RevokedAt is null)
        {
            return;
        }

        // Only a key that no other key created and that holds admin is a bootstrap key; an ordinary key's secret put in
        // the configuration is never promoted or restored.
        if (existing.CreatedBy is not null || !ApiScopes.Split(existing.Scopes).Contains(ApiScopes.Admin, StringComparer.Ordinal))
        {
            Log.ConfiguredKeyNotBootstrap(logger, existing.KeyId);
        }
        else if (!bootstrap.RestoreRevokedApiKey)
        {
            Log.ConfiguredKeyRevoked(logger, existing.KeyId);
        }
        else if (await storage.ApiKeys.ReinstateAsync(existing.KeyId, RecoveryAudit(existing.IssuerId, "apikey.restore", existing.KeyId, existing.Prefix), cancellationToken))
        {
            Log.ConfiguredKeyRestored(logger, existing.KeyId);
        }
    }

    private AuditRecord RecoveryAudit(string? issuerId, string action, string keyId, string prefix) =>
        new(0, issuerId, RecoveryActor, action, keyId, timeProvider.GetUtcNow(), null,
            JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal) { ["prefix"] = prefix }, ApiJsonContext.Default.DictionaryStringString));

    /// <summary>The audit actor of keys registered or restored from configuration at start.</summary>
    public const string RecoveryActor = "config:Bootstrap:ApiKey";

    // False when the key is already stored (another instance registered the same configured key a moment ago).
    private async Task<bool> TryAddKeyAsync(string key, string? issuerId, string description, CancellationToken cancellationToken, string? keyId = null)
    {
        try
        {
            await storage.ApiKeys.CreateAsync(new ApiKeyRecord(
                keyId ?? Guid.NewGuid().ToString("N"), ApiKeys.VisiblePrefix(key), ApiKeys.Hash(key), issuerId, string.Join(' ', ApiScopes.All), description,
                timeProvider.GetUtcNow(), null, null), cancellationToken);
            return true;
        }
        catch (StorageConflictException)
        {
            return false;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static class BootstrapRegistration
{
    /// <summary>The first-start bootstrap (<see cref="Bootstrap"/>), a hosted service: register it before any other hosted service, which may rely on it having run.</summary>
    public static IServiceCollection AddBootstrap(this IServiceCollection services)
    {
        services.AddSingleton<Bootstrap>();
        // The build runs the app to write openapi/badgeissuer.json (GetDocument.Insider): no database, keys or data directory then.
        if (!string.Equals(System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name, "GetDocument.Insider", StringComparison.Ordinal))
        {
            services.AddHostedService(sp => sp.GetRequiredService<Bootstrap>());
        }

        return services;
    }
}
