using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Webhooks;

/// <summary>Signed webhooks (configuration section <c>BadgeIssuer:Webhooks</c>): off unless <see cref="Enabled"/>.</summary>
internal sealed class WebhookOptions
{
    public const string Section = "BadgeIssuer:Webhooks";

    private static readonly int[] s_defaultPorts = [443];

    /// <summary>Register endpoints and send deliveries. Off by default: nothing reaches out unless an operator turns it on.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Development and tests only: accept <c>http://</c> URLs and loopback addresses (127.0.0.0/8, ::1), on any port.
    /// Private, link-local and every other refused range stay refused.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>
    /// The TCP ports a webhook URL may name, checked at registration and on every connection (so deliveries cannot probe
    /// other ports). Empty in configuration means the default, 443 only. Loopback targets under <see cref="AllowLoopback"/>
    /// may use any port.
    /// </summary>
    public List<int> AllowedPorts { get; set; } = [];

    /// <summary>Most endpoints per issuer.</summary>
    public int MaxEndpointsPerIssuer { get; set; } = 10;

    /// <summary>Time allowed for one delivery: connect, send and the response headers.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Most bytes of a response read (and then discarded); a longer body is cut off, the status still counts.</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>Attempts before a delivery fails for good.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>A delivery still pending this long after its event fails for good at its next failed attempt.</summary>
    public int MaxAgeHours { get; set; } = 24;

    /// <summary>The first retry waits about this long; each next one twice as long (±25% jitter), up to <see cref="MaxBackoffSeconds"/>.</summary>
    public int BackoffBaseMilliseconds { get; set; } = 5_000;

    /// <summary>Longest wait between two attempts.</summary>
    public int MaxBackoffSeconds { get; set; } = 3_600;

    /// <summary>How often the sender looks for due deliveries.</summary>
    public int PollIntervalMilliseconds { get; set; } = 1_000;

    /// <summary>Most deliveries in flight at once per instance (each to a different endpoint); a free place is refilled as soon as a delivery ends.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 16;

    /// <summary>
    /// Most deliveries of one issuer in flight at once per instance, so one issuer's slow endpoints cannot hold every
    /// place of <see cref="MaxConcurrentDeliveries"/>.
    /// </summary>
    public int MaxConcurrentDeliveriesPerIssuer { get; set; } = 4;

    /// <summary>A redelivery is refused while the endpoint has this many pending deliveries or more.</summary>
    public int MaxPendingForRedelivery { get; set; } = 100;

    /// <summary>Finished deliveries and their attempts are deleted after this many days.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>The ports a URL may name: <see cref="AllowedPorts"/>, or 443 when none is configured.</summary>
    public IReadOnlyList<int> EffectivePorts => AllowedPorts is { Count: > 0 } ? AllowedPorts : s_defaultPorts;

    /// <summary>A sender's lease on a delivery: the timeout plus a margin, so a live sender always finishes first.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(TimeoutSeconds + 30);
}

internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        Check(options.MaxEndpointsPerIssuer is >= 1 and <= 100, "MaxEndpointsPerIssuer must be between 1 and 100.");
        Check(options.TimeoutSeconds is >= 1 and <= 60, "TimeoutSeconds must be between 1 and 60.");
        Check(options.MaxResponseBytes is >= 0 and <= 1024 * 1024, "MaxResponseBytes must be between 0 and 1 MiB.");
        Check(options.MaxAttempts is >= 1 and <= 50, "MaxAttempts must be between 1 and 50.");
        Check(options.MaxAgeHours is >= 1 and <= 24 * 14, "MaxAgeHours must be between 1 and 336.");
        Check(options.BackoffBaseMilliseconds is >= 1 and <= 3_600_000, "BackoffBaseMilliseconds must be between 1 and 3600000.");
        Check(options.MaxBackoffSeconds is >= 1 and <= 86_400, "MaxBackoffSeconds must be between 1 and 86400.");
        Check(options.PollIntervalMilliseconds is >= 10 and <= 60_000, "PollIntervalMilliseconds must be between 10 and 60000.");
        Check(options.MaxConcurrentDeliveries is >= 1 and <= 256, "MaxConcurrentDeliveries must be between 1 and 256.");
        Check(options.MaxConcurrentDeliveriesPerIssuer is >= 1 and <= 256, "MaxConcurrentDeliveriesPerIssuer must be between 1 and 256.");
        Check(options.MaxPendingForRedelivery is >= 1 and <= 100_000, "MaxPendingForRedelivery must be between 1 and 100000.");
        Check(options.AllowedPorts is not null && options.AllowedPorts.Count <= 32 && options.AllowedPorts.All(p => p is >= 1 and <= 65535),
            "AllowedPorts must hold at most 32 ports, each between 1 and 65535.");
        Check(options.RetentionDays is >= 1 and <= 3650, "RetentionDays must be between 1 and 3650.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add(WebhookOptions.Section + ":" + message);
            }
        }
    }
}
