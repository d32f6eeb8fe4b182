using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// Deployment behind TLS (all off by default): forwarded headers from known proxies (client address and scheme),
/// a 308 redirect of plain-HTTP requests to https, and HSTS on https responses. Health probes are never redirected,
/// so a load balancer may probe over plain HTTP.
/// </summary>
internal static class HttpsHardening
{
    public static IServiceCollection AddHttpsHardening(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<BadgeIssuerOptions>>((forwarded, options) =>
        {
            ForwardedHeadersSettings settings = options.Value.ForwardedHeaders;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = 1;
            // Without a list, only a proxy on the loopback interface is believed (the framework default).
            foreach (string proxy in settings.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (string network in settings.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        services.AddHttpsRedirection(_ => { });
        services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<BadgeIssuerOptions>>((redirect, options) =>
        {
            redirect.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            redirect.HttpsPort = options.Value.Https.Port;
        });
        services.AddHsts(_ => { });
        services.AddOptions<HstsOptions>().Configure<IOptions<BadgeIssuerOptions>>((hsts, options) =>
        {
            hsts.MaxAge = TimeSpan.FromSeconds(options.Value.Https.HstsMaxAgeSeconds);
            hsts.IncludeSubDomains = options.Value.Https.HstsIncludeSubDomains;
            hsts.Preload = options.Value.Https.HstsPreload;
        });
        return services;
    }

    /// <summary>Forwarded headers first, so the rate limiter, redirection, HSTS and logs see the client's address and scheme.</summary>
    public static IApplicationBuilder UseForwardedHeadersIfEnabled(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<BadgeIssuerOptions>>().Value.ForwardedHeaders.Enabled)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    public static IApplicationBuilder UseHttpsHardening(this WebApplication app)
    {
        HttpsOptions https = app.Services.GetRequiredService<IOptions<BadgeIssuerOptions>>().Value.Https;
        if (https.Hsts)
        {
            // HSTS only reaches browsers over https; the middleware skips plain HTTP and localhost by itself.
            app.UseHsts();
        }

        if (https.Redirect)
        {
            app.UseWhen(context => !IsHealthProbe(context.Request.Path), branch => branch.UseHttpsRedirection());
        }

        return app;
    }

    private static bool IsHealthProbe(PathString path) =>
        path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) || path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);
}
