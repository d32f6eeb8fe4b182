using System.Security.Cryptography;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Admin;

/// <summary>A key that could not be re-wrapped: its issuer, id, the KEK it is under and why.</summary>
public sealed record RewrapFailure(string IssuerId, string KeyId, string? KekId, string Reason);

/// <summary>The outcome of a re-wrap pass over every issuer key and webhook signing secret (counted as keys; a secret's key id is <c>webhook:{endpointId}</c>).</summary>
public sealed record RewrapReport(string CurrentKekId, IReadOnlyList<string> KnownKekIds, int Keys, int Rewrapped, int AlreadyCurrent, IReadOnlyList<RewrapFailure> Failed);

/// <summary>
/// Moves every stored issuer private key and webhook signing secret under the current key-encryption key: unwrap with the KEK its blob names
/// (current or previous), wrap with the current one, and swap the blob only if nobody changed it meanwhile. Several
/// instances may run this at once. Keys under a KEK this service does not hold are reported, never fatal.
/// </summary>
internal sealed class KekRewrap(IBadgeStorage storage, KeyVault vault, ILogger<KekRewrap> logger)
{
    public async Task<RewrapReport> RewrapAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<IssuerKeyRecord> keys = await storage.Issuers.ListAllKeysAsync(cancellationToken);
        int rewrapped = 0, current = 0;
        var failed = new List<RewrapFailure>();
        foreach (IssuerKeyRecord key in keys)
        {
            ReadOnlyMemory<byte> blob = key.ProtectedPrivateKey;
            string? kekId = KeyVault.KekIdOf(blob.Span);
            if (vault.IsCurrent(blob.Span))
            {
                current++;
                continue;
            }

            if (!vault.Knows(kekId))
            {
                failed.Add(new RewrapFailure(key.IssuerId, key.KeyId, kekId, kekId is null ? "unknown blob format" : "wrapped under a key-encryption key this service does not hold"));
                continue;
            }

            byte[] replacement;
            try
            {
                replacement = vault.Rewrap(blob.Span, key.IssuerId, key.KeyId);
            }
            catch (CryptographicException)
            {
                failed.Add(new RewrapFailure(key.IssuerId, key.KeyId, kekId, "does not decrypt under its key-encryption key (corrupt or moved blob)"));
                continue;
            }

            if (await storage.Issuers.ReplaceProtectedKeyAsync(key.IssuerId, key.KeyId, blob, replacement, cancellationToken))
            {
                rewrapped++;
            }
            else
            {
                // Another instance re-wrapped it first (or it changed): it is no longer this pass's business.
                current++;
            }
        }

        // Webhook signing secrets are wrapped the same way (key id "webhook:{endpoint}"), so they move with the keys.
        IReadOnlyList<WebhookEndpointRecord> endpoints = await storage.Webhooks.ListAllEndpointsAsync(cancellationToken);
        foreach (WebhookEndpointRecord endpoint in endpoints)
        {
            ReadOnlyMemory<byte> blob = endpoint.ProtectedSecret;
            string keyId = Webhooks.WebhookSignature.KeyId(endpoint.Id);
            string? kekId = KeyVault.KekIdOf(blob.Span);
            if (vault.IsCurrent(blob.Span))
            {
                current++;
                continue;
            }

            if (!vault.Knows(kekId))
            {
                failed.Add(new RewrapFailure(endpoint.IssuerId, keyId, kekId, kekId is null ? "unknown blob format" : "wrapped under a key-encryption key this service does not hold"));
                continue;
            }

            byte[] replacement;
            try
            {
                replacement = vault.Rewrap(blob.Span, endpoint.IssuerId, keyId);
            }
            catch (CryptographicException)
            {
                failed.Add(new RewrapFailure(endpoint.IssuerId, keyId, kekId, "does not decrypt under its key-encryption key (corrupt or moved blob)"));
                continue;
            }

            if (await storage.Webhooks.ReplaceProtectedSecretAsync(endpoint.Id, blob, replacement, cancellationToken))
            {
                rewrapped++;
            }
            else
            {
                // Rotated, re-wrapped by another instance or deleted meanwhile.
                current++;
            }
        }

        var report = new RewrapReport(vault.CurrentKekId, vault.KekIds, keys.Count + endpoints.Count, rewrapped, current, failed);
        Log.KeysRewrapped(logger, report.Keys, report.Rewrapped, report.AlreadyCurrent, report.Failed.Count, vault.CurrentKekId);
        foreach (RewrapFailure failure in failed)
        {
            Log.KeyNotRewrapped(logger, failure.IssuerId, failure.KeyId, failure.KekId ?? "?", failure.Reason);
        }

        return report;
    }
}

/// <summary>Re-wraps keys once after start, in the background; a failure is logged and never stops the service.</summary>
internal sealed class KekRewrapAtStart(KekRewrap rewrap, Bootstrap bootstrap, IOptions<BadgeIssuerOptions> options, ILogger<KekRewrapAtStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RewrapKeysAtStart)
        {
            return;
        }

        // Hosted services start in order, so bootstrap has run; still, never race a half-created first issuer.
        while (!bootstrap.Completed && !stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), stoppingToken);
        }

        try
        {
            await rewrap.RewrapAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
#pragma warning disable CA1031 // The service must keep running whatever the re-wrap meets; the operator can retry via POST /admin/kek/rewrap.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.RewrapFailed(logger, e);
        }
    }
}

/// <summary>
/// A request that needs an issuer key wrapped under a KEK this service does not hold answers 503 with a stable problem
/// type (and the operator gets the KEK id in the log), instead of a bare 500; other issuers keep working.
/// </summary>
internal sealed class KeyUnavailableExceptionHandler(ILogger<KeyUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not KeyUnavailableException unavailable)
        {
            return false;
        }

        Log.KeyUnavailable(logger, unavailable.Message);
        await KekApi.KeyUnavailable.Result("The issuer's signing key is wrapped under a key-encryption key this service was not given; an operator must configure it as a previous key-encryption key.")
            .ExecuteAsync(httpContext);
        return true;
    }
}

/// <summary>KEK administration: <c>POST /admin/kek/rewrap</c> (admin) re-wraps every issuer key under the current KEK.</summary>
internal static class KekApi
{
    public static readonly ApiProblems.ApiProblem KeyUnavailable = new("signing-key-unavailable", StatusCodes.Status503ServiceUnavailable, "The issuer's signing key is unavailable.");

    public static IServiceCollection AddKekAdministration(this IServiceCollection services)
    {
        services.AddSingleton<KekRewrap>();
        services.AddExceptionHandler<KeyUnavailableExceptionHandler>();
        // The build runs the app to write the OpenAPI document: no database then.
        if (!string.Equals(System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name, "GetDocument.Insider", StringComparison.Ordinal))
        {
            // Before the re-wrap: a restore without its KEK stops here with a message saying what to put back.
            services.AddHostedService<KekStartupCheck>();
            services.AddHostedService<KekRewrapAtStart>();
        }

        return services;
    }

    public static IEndpointRouteBuilder MapKekAdministration(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/admin/kek/rewrap", Rewrap)
            .WithTags("Admin")
            .WithName("RewrapIssuerKeys")
            .WithSummary("Re-wrap every issuer private key under the current key-encryption key (admin)")
            .WithDescription("Run after configuring a new BadgeIssuer:KeyEncryptionKey with the old one in BadgeIssuer:PreviousKeyEncryptionKeys (the service also does this once at start). "
                + "When the report lists no failures and no key under another KEK remains, the previous KEK can be removed from the configuration.")
            .RequireAuthorization(ApiScopes.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return routes;
    }

    internal static async Task<Ok<RewrapReport>> Rewrap(HttpContext context, KekRewrap rewrap, AuditLog audit, CancellationToken cancellationToken)
    {
        RewrapReport report = await rewrap.RewrapAsync(cancellationToken);
        await audit.AppendAsync(context, null, "kek.rewrap", report.CurrentKekId,
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["rewrapped"] = report.Rewrapped.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["failed"] = report.Failed.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, ApiJsonContext.Default.DictionaryStringString));
        return TypedResults.Ok(report);
    }
}
