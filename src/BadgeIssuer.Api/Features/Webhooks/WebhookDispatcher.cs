using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Webhooks;

/// <summary>
/// Sends the outbox: leases due deliveries (each endpoint's oldest pending one), POSTs each signed message with a
/// bounded time and response size, and records the attempt: 2xx succeeds; anything else is retried with exponential
/// backoff and jitter until <see cref="WebhookOptions.MaxAttempts"/> or <see cref="WebhookOptions.MaxAgeHours"/>, then
/// fails for good (and the endpoint's next delivery goes). A sender stopped mid-delivery records nothing: its lease
/// expires and the delivery is sent again (at least once).
/// <para>
/// A bounded worker loop: up to <see cref="WebhookOptions.MaxConcurrentDeliveries"/> deliveries are in flight, and each
/// place is refilled as soon as its delivery ends (a slow endpoint holds one place, not the round); at most
/// <see cref="WebhookOptions.MaxConcurrentDeliveriesPerIssuer"/> of them belong to one issuer (the claim enforces it).
/// </para>
/// <para>
/// Sends only when webhooks are enabled. Maintenance runs either way, hourly: finished deliveries older than
/// <see cref="WebhookOptions.RetentionDays"/> are deleted, and while webhooks are off, pending deliveries older than
/// <see cref="WebhookOptions.MaxAgeHours"/> are marked failed, so an outbox nothing sends does not grow without bound.
/// </para>
/// </summary>
internal sealed partial class WebhookDispatcher(
    IBadgeStorage storage,
    KeyVault vault,
    IHttpClientFactory clients,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    Bootstrap bootstrap,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string ClientName = "BadgeIssuer.Webhooks";
    internal const string ExpiredWhileOff = "not sent: webhooks are off on this service, and the message is older than MaxAgeHours";
    internal const string ExpiredOld = "not sent: the message is older than MaxAgeHours (endpoint disabled or not answering)";
    private const int MaxErrorLength = 300;
    private static readonly TimeSpan s_maintainEvery = TimeSpan.FromHours(1);

    // Distinct per process start, so a restarted instance never mistakes an old lease for its own.
    private readonly string _owner = "sender-" + Guid.NewGuid().ToString("N");
    private DateTimeOffset _nextMaintenance = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        WebhookOptions o = options.Value;
        while (!bootstrap.Completed && !stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), stoppingToken);
        }

        // The deliveries in flight, by delivery seq.
        var inFlight = new Dictionary<long, Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                int free = o.MaxConcurrentDeliveries - inFlight.Count;
                int started = 0;
                try
                {
                    await MaintainAsync(stoppingToken);
                    if (o.Enabled && free > 0)
                    {
                        started = await ClaimAndStartAsync(free, inFlight, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (IsOutboxError(e))
                {
                    LogSenderError(logger, e.GetType().Name, e.Message);
                }

                // Every free place filled: wait for one to come free. Otherwise nothing more is due now: wait for the
                // poll interval, or less when a delivery ends (its endpoint's next message may be due at once).
                if (free == 0 || started < free)
                {
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    Task poll = Task.Delay(TimeSpan.FromMilliseconds(o.PollIntervalMilliseconds), wake.Token);
                    await Task.WhenAny(inFlight.Values.Append(poll));
                    await wake.CancelAsync();
                }

                foreach (long seq in inFlight.Where(p => p.Value.IsCompleted).Select(p => p.Key).ToList())
                {
                    Task done = inFlight[seq];
                    inFlight.Remove(seq);
                    await done;
                }
            }
        }
        finally
        {
            // Stopping: deliveries in flight see the cancellation and record nothing (or their answer, when it came).
            try
            {
                await Task.WhenAll(inFlight.Values);
            }
            catch (Exception e) when (IsOutboxError(e) || e is OperationCanceledException)
            {
            }
        }
    }

    private static bool IsOutboxError(Exception e) =>
        e is System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException;

    /// <summary>Hourly: deletes old finished deliveries and, while webhooks are off, marks old pending ones failed.</summary>
    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        WebhookOptions o = options.Value;
        DateTimeOffset now = timeProvider.GetUtcNow();
        if (now < _nextMaintenance)
        {
            return;
        }

        _nextMaintenance = now + s_maintainEvery;

        // Whether or not sending is on: a message older than MaxAgeHours that is not being sent now (webhooks off, its
        // endpoint disabled, or an endpoint that never answers) is failed, so no endpoint's backlog grows without bound.
        int expired = await storage.Webhooks.ExpirePendingAsync(now - TimeSpan.FromHours(o.MaxAgeHours), now, o.Enabled ? ExpiredOld : ExpiredWhileOff, stoppingToken);
        if (expired > 0)
        {
            LogExpiredWhileOff(logger, expired, o.MaxAgeHours);
        }

        await storage.Webhooks.PurgeAsync(now - TimeSpan.FromDays(o.RetentionDays), stoppingToken);
    }

    /// <summary>Claims up to <paramref name="free"/> due deliveries and starts sending each; the number started.</summary>
    private async Task<int> ClaimAndStartAsync(int free, Dictionary<long, Task> inFlight, CancellationToken stoppingToken)
    {
        WebhookOptions o = options.Value;
        DateTimeOffset now = timeProvider.GetUtcNow();
        IReadOnlyList<WebhookClaim> claims = await storage.Webhooks.ClaimDueAsync(
            _owner, now, now + o.Lease, free, o.MaxConcurrentDeliveriesPerIssuer, stoppingToken);
        int started = 0;
        foreach (WebhookClaim claim in claims)
        {
            // Only when a lease ran out while its delivery is still in flight here (a clock jump): it is not sent twice.
            if (inFlight.ContainsKey(claim.Delivery.Seq))
            {
                continue;
            }

            inFlight[claim.Delivery.Seq] = DeliverGuardedAsync(claim, stoppingToken);
            started++;
        }

        return started;
    }

    // One delivery; a database error while recording it is logged (the lease runs out and the message goes again).
    private async Task DeliverGuardedAsync(WebhookClaim claim, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await DeliverAsync(claim, stoppingToken);
        }
        catch (Exception e) when (IsOutboxError(e))
        {
            LogSenderError(logger, e.GetType().Name, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else is a bug in one delivery, not a reason to stop the service: log it; the lease runs out and
            // the message goes again.
            LogSenderError(logger, e.GetType().Name, e.Message);
        }
    }

    private async Task DeliverAsync(WebhookClaim claim, CancellationToken stoppingToken)
    {
        WebhookOptions o = options.Value;
        WebhookDeliveryRecord delivery = claim.Delivery;
        WebhookEndpointRecord endpoint = claim.Endpoint;
        DateTimeOffset started = timeProvider.GetUtcNow();
        var clock = Stopwatch.StartNew();
        int? status = null;
        string? error;
        try
        {
            (status, error) = await SendAsync(claim, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: record nothing. The lease expires and the delivery is sent again (at least once).
            return;
        }

        clock.Stop();
        bool ok = error is null && status is >= 200 and < 300;
        int attempts = delivery.Attempts + 1;
        WebhookAttemptOutcome outcome;
        DateTimeOffset? next = null;
        if (ok)
        {
            outcome = WebhookAttemptOutcome.Succeeded;
        }
        else if (attempts >= o.MaxAttempts || started - delivery.CreatedAt >= TimeSpan.FromHours(o.MaxAgeHours))
        {
            outcome = WebhookAttemptOutcome.Failed;
        }
        else
        {
            outcome = WebhookAttemptOutcome.Retry;
            next = timeProvider.GetUtcNow() + Backoff(attempts, o);
        }

        if (!ok)
        {
            LogAttemptFailed(logger, endpoint.Id, delivery.MessageId, attempts, status?.ToString(CultureInfo.InvariantCulture) ?? "-", error ?? "non-2xx answer",
                outcome == WebhookAttemptOutcome.Failed ? "gave up" : "will retry");
        }

        var attempt = new WebhookAttemptRecord(delivery.Seq, started, status, error, (int)Math.Min(clock.ElapsedMilliseconds, int.MaxValue));
        // Recorded even while stopping: the request went out and its answer is known.
        await storage.Webhooks.RecordAttemptAsync(_owner, attempt, outcome, next, CancellationToken.None);
    }

    /// <summary>Exponential backoff with ±25% jitter: base·2^(n−1), capped.</summary>
    internal static TimeSpan Backoff(int attempts, WebhookOptions o)
    {
        double exponent = Math.Min(attempts - 1, 30);
        double ms = Math.Min(o.BackoffBaseMilliseconds * Math.Pow(2, exponent), o.MaxBackoffSeconds * 1000.0);
        double jitter = 0.75 + (RandomNumberGenerator.GetInt32(0, 1001) / 2000.0);
        return TimeSpan.FromMilliseconds(ms * jitter);
    }

    private async Task<(int? Status, string? Error)> SendAsync(WebhookClaim claim, CancellationToken stoppingToken)
    {
        WebhookOptions o = options.Value;
        WebhookEndpointRecord endpoint = claim.Endpoint;
        WebhookDeliveryRecord delivery = claim.Delivery;
        byte[] key;
        try
        {
            key = vault.Unprotect(endpoint.ProtectedSecret.Span, endpoint.IssuerId, WebhookSignature.KeyId(endpoint.Id));
        }
        catch (CryptographicException)
        {
            return (null, "the endpoint's secret cannot be decrypted (key-encryption key not configured?)");
        }

        byte[] body = Encoding.UTF8.GetBytes(delivery.Payload);
        long timestamp = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        string signature;
        try
        {
            signature = WebhookSignature.Sign(key, delivery.MessageId, timestamp, body);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out Uri? url))
        {
            return (null, "the endpoint URL is not valid");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.MessageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", signature);
        request.Headers.UserAgent.ParseAdd("BadgeIssuer-Webhooks/1");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.TimeoutSeconds));
        try
        {
            HttpClient client = clients.CreateClient(ClientName);
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            int code = (int)response.StatusCode;
            await DrainAsync(response, o.MaxResponseBytes, timeout.Token);
            return code is >= 300 and < 400
                ? (code, "redirects are not followed; register the final URL")
                : (code, null);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"no answer within {o.TimeoutSeconds} s"));
        }
        catch (HttpRequestException e)
        {
            return (null, Bounded(Describe(e)));
        }
    }

    private static string Describe(HttpRequestException e)
    {
        Exception? refused = e;
        while (refused is not null and not WebhookAddressRefusedException)
        {
            refused = refused.InnerException;
        }

        // The guard's message is generic (no address, no range): the log is read by the issuer's API callers.
        return refused is not null
            ? "connection refused by the address guard: " + refused.Message
            : "the request failed: " + (e.InnerException?.Message ?? e.Message);
    }

    private static string Bounded(string s) => s.Length <= MaxErrorLength ? s : s[..MaxErrorLength];

    // Reads (and discards) at most maxBytes of the answer, so a huge or endless body costs nothing.
    private static async Task DrainAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        if (maxBytes == 0)
        {
            return;
        }

        try
        {
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using (stream)
            {
                byte[] buffer = new byte[Math.Min(maxBytes, 16 * 1024)];
                int total = 0;
                while (total < maxBytes)
                {
                    int read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxBytes - total)), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                }
            }
        }
        catch (IOException)
        {
            // The status already arrived; a broken body does not change the outcome.
        }
        catch (HttpRequestException)
        {
        }
    }

    [LoggerMessage(120, LogLevel.Warning, "Webhook delivery to endpoint {EndpointId} (message {MessageId}, attempt {Attempt}) failed: status {Status}, {Error}; {Next}.")]
    private static partial void LogAttemptFailed(ILogger logger, string endpointId, string messageId, int attempt, string status, string error, string next);

    [LoggerMessage(121, LogLevel.Error, "The webhook sender could not read or write the outbox ({Type}: {Message}); it tries again.")]
    private static partial void LogSenderError(ILogger logger, string type, string message);

    [LoggerMessage(122, LogLevel.Warning, "{Count} pending webhook deliveries older than {MaxAgeHours} h and not being sent (webhooks off, endpoint disabled or not answering) were marked failed.")]
    private static partial void LogExpiredWhileOff(ILogger logger, int count, int maxAgeHours);
}

internal static class WebhookServices
{
    /// <summary>Options, the address guard, the guarded <see cref="HttpClient"/> (no redirects, no proxy, no request logging) and the sender.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddSingleton<WebhookAddressGuard>();
        services.AddHttpClient(WebhookDispatcher.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                WebhookAddressGuard guard = sp.GetRequiredService<WebhookAddressGuard>();
                WebhookOptions o = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    AutomaticDecompression = DecompressionMethods.None,
                    ConnectTimeout = TimeSpan.FromSeconds(o.TimeoutSeconds),
                    ConnectCallback = guard.ConnectAsync,
                    // Connections are re-resolved and re-checked at least this often.
                    PooledConnectionLifetime = TimeSpan.FromMinutes(1),
                    MaxResponseHeadersLength = 16,
                    MaxConnectionsPerServer = 4,
                };
            })
            // The URL may carry a receiver's token: the factory's request logging would print it.
            .RemoveAllLoggers();
        services.AddSingleton<WebhookDispatcher>();
        if (!string.Equals(System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name, "GetDocument.Insider", StringComparison.Ordinal))
        {
            services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        }

        return services;
    }
}
