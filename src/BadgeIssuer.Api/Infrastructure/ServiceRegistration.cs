using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

internal static class ServiceRegistration
{
    /// <summary>
    /// The services every feature shares: the validated configuration (<see cref="BadgeIssuerOptions"/>), the data
    /// directory, public URLs, the key vault and the recipient-lookup key. Storage is registered by
    /// <c>AddBadgeStorage</c> (Storage project), the first-start bootstrap by <c>AddBootstrap</c> (Issuers).
    /// </summary>
    public static IServiceCollection AddBadgeIssuerServices(this IServiceCollection services)
    {
        services.AddOptions<BadgeIssuerOptions>().BindConfiguration(BadgeIssuerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BadgeIssuerOptions>, BadgeIssuerOptionsValidator>();
        services.AddSingleton<DataDirectory>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<KeyVault>();
        services.AddSingleton<RecipientLookup>();
        return services;
    }
}
