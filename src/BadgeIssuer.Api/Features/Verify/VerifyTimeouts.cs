using BadgeIssuer.Api.Infrastructure;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>The time bound of the verify endpoints (configuration <c>Verify:RequestTimeoutSeconds</c>).</summary>
internal sealed class VerifyTimeoutOptions
{
    /// <summary>Whole request, body reading, remote resolution and proof checks included.</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;
}

internal sealed class VerifyTimeoutOptionsValidator : IValidateOptions<VerifyTimeoutOptions>
{
    public ValidateOptionsResult Validate(string? name, VerifyTimeoutOptions options)
        => options.RequestTimeoutSeconds is >= 1 and <= 300
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Verify:RequestTimeoutSeconds must be between 1 and 300.");
}

/// <summary>
/// A verification that runs out of time (a slow remote document, a pathological input) is cancelled and answered with
/// a 504 problem instead of holding a worker.
/// </summary>
internal static class VerifyTimeouts
{
    public const string Policy = "verify";

    public static readonly ApiProblems.ApiProblem TimedOut = new("verification-timeout", StatusCodes.Status504GatewayTimeout, "Verification did not finish in time.");

    public static IServiceCollection AddVerifyTimeouts(this IServiceCollection services)
    {
        services.AddOptions<VerifyTimeoutOptions>().BindConfiguration(VerifyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VerifyTimeoutOptions>, VerifyTimeoutOptionsValidator>();
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<VerifyTimeoutOptions>>((options, verify) =>
        {
            int seconds = verify.Value.RequestTimeoutSeconds;
            options.AddPolicy(Policy, new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(seconds),
                TimeoutStatusCode = TimedOut.Status,
                WriteTimeoutResponse = context => TimedOut.Result($"Verification was stopped after {seconds} s; nothing was decided. Retry later, or send a smaller input.").ExecuteAsync(context),
            });
        });
        return services;
    }
}
