using System.Security.Cryptography;
using BadgeIssuer.Api.Features.Issuers;
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
        var tally = new Tally();
        IReadOnlyList<IssuerKeyRecord> keys = await storage.Issuers.ListAllKeysAsync(cancellationToken);
        foreach (IssuerKeyRecord key in keys)
        {
            // A failed swap: another instance re-wrapped it first (or it changed): no longer this pass's business.
            await RewrapOneAsync(key.ProtectedPrivateKey, key.IssuerId, key.KeyId, tally,
                replacement => storage.Issuers.ReplaceProtectedKeyAsync(key.IssuerId, key.KeyId, key.ProtectedPrivateKey, replacement, cancellationToken));
        }

        // Webhook signing secrets are wrapped the same way (key id "webhook:{endpoint}"), so they move with the keys; a
        // failed swap means rotated, re-wrapped by another instance, or deleted meanwhile.
        IReadOnlyList<WebhookEndpointRecord> endpoints = await storage.Webhooks.ListAllEndpointsAsync(cancellationToken);
        foreach (WebhookEndpointRecord endpoint in endpoints)
        {
            await RewrapOneAsync(endpoint.ProtectedSecret, endpoint.IssuerId, Webhooks.WebhookSignature.KeyId(endpoint.Id), tally,
                replacement => storage.Webhooks.ReplaceProtectedSecretAsync(endpoint.Id, endpoint.ProtectedSecret, replacement, cancellationToken));
        }

        var report = new RewrapReport(vault.CurrentKekId, vault.KekIds, keys.Count + endpoints.Count, tally.Rewrapped, tally.Current, tally.Failed);
        Log.KeysRewrapped(logger, report.Keys, report.Rewrapped, report.AlreadyCurrent, report.Failed.Count, vault.CurrentKekId);
        foreach (RewrapFailure failure in report.Failed)
        {
            Log.KeyNotRewrapped(logger, failure.IssuerId, failure.KeyId, failure.KekId ?? "?", failure.Reason);
        }

        return report;
    }

    /// <summary>
    /// One wrapped blob: counted current when it already is, a failure when its KEK is unknown or it does not decrypt,
    /// else re-wrapped and swapped in by <paramref name="replace"/> (compare-and-swap; false: someone else changed it).
    /// </summary>
    private async Task RewrapOneAsync(ReadOnlyMemory<byte> blob, string issuerId, string keyId, Tally tally, Func<byte[], Task<bool>> replace)
    {
        string? kekId = KeyVault.KekIdOf(blob.Span);
        if (vault.IsCurrent(blob.Span))
        {
            tally.Current++;
            return;
        }

        if (!vault.Knows(kekId))
        {
            tally.Failed.Add(new RewrapFailure(issuerId, keyId, kekId, kekId is null ? "unknown blob format" : "wrapped under a key-encryption key this service does not hold"));
            return;
        }

        byte[] replacement;
        try
        {
            replacement = vault.Rewrap(blob.Span, issuerId, keyId);
        }
        catch (CryptographicException)
        {
            tally.Failed.Add(new RewrapFailure(issuerId, keyId, kekId, "does not decrypt under its key-encryption key (corrupt or moved blob)"));
            return;
        }

        if (await replace(replacement))
        {
            tally.Rewrapped++;
        }
        else
        {
            tally.Current++;
        }
    }

    private sealed class Tally
    {
        public int Rewrapped { get; set; }

        public int Current { get; set; }

        public List<RewrapFailure> Failed { get; } = [];
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
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden);
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
