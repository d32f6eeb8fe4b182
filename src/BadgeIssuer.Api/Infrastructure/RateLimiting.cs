using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>One token bucket: a sustained rate and the burst it may spend at once.</summary>
internal sealed class TokenBucketLimit
{
    public int PermitsPerSecond { get; set; }

    public int Burst { get; set; }
}

/// <summary>
/// Request rate limits (configuration section <c>RateLimits</c>). <c>Public</c> applies per client IP address to every
/// endpoint that needs no API key (verify, downloads, status lists, DID and profile documents); <c>ApiKey</c> per API
/// key to the protected endpoints; <c>Token</c> per client IP to <c>POST /oauth/token</c> (client authentication is a
/// database lookup, and secrets should not be guessable at speed). Defaults leave room for a load benchmark from one address.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public TokenBucketLimit Public { get; set; } = new() { PermitsPerSecond = 20_000, Burst = 40_000 };

    public TokenBucketLimit ApiKey { get; set; } = new() { PermitsPerSecond = 10_000, Burst = 20_000 };

    public TokenBucketLimit Token { get; set; } = new() { PermitsPerSecond = 50, Burst = 100 };
}

/// <summary>Marks the OAuth token endpoint, which has its own per-address bucket (<see cref="RateLimitOptions.Token"/>).</summary>
internal sealed class TokenEndpointMetadata;

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    private const int MaxPermits = 1_000_000;

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        Check(options.Public, "Public", failures);
        Check(options.ApiKey, "ApiKey", failures);
        Check(options.Token, "Token", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(TokenBucketLimit? limit, string name, List<string> failures)
    {
        if (limit is null)
        {
            failures.Add($"RateLimits:{name} is missing.");
            return;
        }

        if (limit.PermitsPerSecond is < 1 or > MaxPermits)
        {
            failures.Add($"RateLimits:{name}:PermitsPerSecond must be between 1 and {MaxPermits}.");
        }

        if (limit.Burst < limit.PermitsPerSecond || limit.Burst > 10 * MaxPermits)
        {
            failures.Add($"RateLimits:{name}:Burst must be at least PermitsPerSecond and at most {10 * MaxPermits}.");
        }
    }
}

/// <summary>
/// The built-in rate limiter as one global, partitioned token bucket: requests to endpoints that require an API key
/// are counted per authenticated key; every other request (and an unauthenticated call to a protected endpoint) per
/// client address, IPv6 per /64. A rejection is a 429 problem with <c>Retry-After</c>.
/// </summary>
internal static class RateLimiting
{
    public static readonly ApiProblems.ApiProblem RateLimited = new("rate-limited", StatusCodes.Status429TooManyRequests, "Too many requests.");

    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((options, limits) =>
        {
            TokenBucketRateLimiterOptions publicBucket = Bucket(limits.Value.Public);
            TokenBucketRateLimiterOptions keyBucket = Bucket(limits.Value.ApiKey);
            TokenBucketRateLimiterOptions tokenBucket = Bucket(limits.Value.Token);
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // API keys and the access tokens of their OAuth clients share one bucket per key.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsProtected(context) && context.User.FindFirst(Caller.ClaimKeyId)?.Value is string keyId
                    ? RateLimitPartition.GetTokenBucketLimiter("key:" + keyId, _ => keyBucket)
                    : context.GetEndpoint()?.Metadata.GetMetadata<TokenEndpointMetadata>() is not null
                        ? RateLimitPartition.GetTokenBucketLimiter("token:" + ClientAddress(context), _ => tokenBucket)
                        : RateLimitPartition.GetTokenBucketLimiter("ip:" + ClientAddress(context), _ => publicBucket));
            options.OnRejected = (rejected, _) =>
            {
                TimeSpan retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : TimeSpan.FromSeconds(1);
                int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                HttpContext context = rejected.HttpContext;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                string who = IsProtected(context) && context.User.FindFirst(Caller.ClaimKeyId) is not null ? "this API key" : "this client address";
                return new ValueTask(RateLimited.Result(string.Create(CultureInfo.InvariantCulture, $"Too many requests from {who}; retry after {seconds} s.")).ExecuteAsync(context));
            };
        });
        return services;
    }

    /// <summary>Documents the 429 answer (with <c>Retry-After</c>) on every operation.</summary>
    public static OpenApiOptions AddRateLimitResponses(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AddOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= [];
            operation.Responses.TryAdd("429", new OpenApiResponse
            {
                Description = "Too many requests (rate limited per client address, or per API key on protected endpoints); retry after Retry-After seconds.",
                Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
                {
                    ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
                },
            });
            return Task.CompletedTask;
        });
    }

    private static TokenBucketRateLimiterOptions Bucket(TokenBucketLimit limit) => new()
    {
        TokenLimit = limit.Burst,
        TokensPerPeriod = limit.PermitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static bool IsProtected(HttpContext context)
        => context.GetEndpoint()?.Metadata is { } metadata
            && metadata.GetMetadata<IAuthorizeData>() is not null
            && metadata.GetMetadata<IAllowAnonymous>() is null;

    private static string ClientAddress(HttpContext context)
    {
        IPAddress? address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // One subscriber usually holds a whole /64: count it as one client.
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return new IPAddress(bytes).ToString() + "/64";
        }

        return address.ToString();
    }
}
