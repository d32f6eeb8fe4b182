using System.Data.Common;
using BadgeIssuer.Storage.Postgres;
using BadgeIssuer.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BadgeIssuer.Storage;

/// <summary>Registers the service's storage (<see cref="IBadgeStorage"/>).</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary><c>ConnectionStrings:Postgres</c> (environment <c>ConnectionStrings__Postgres</c>).</summary>
    public const string PostgresConnectionName = "Postgres";

    /// <summary>The SQLite database's file name in the data directory.</summary>
    public const string SqliteFileName = "badgeissuer.db";

    /// <summary>
    /// Registers <see cref="IBadgeStorage"/> as a singleton opened (and migrated) on first use: PostgreSQL when the
    /// service's <see cref="IConfiguration"/> has <c>ConnectionStrings:Postgres</c> (several instances may share the
    /// database), else SQLite in <see cref="SqliteFileName"/> under the directory <paramref name="dataDirectory"/> names.
    /// Both take the service's <see cref="TimeProvider"/>. A connection string that does not parse or a database that
    /// cannot be opened fails that first resolution with an <see cref="InvalidOperationException"/> that names the
    /// setting (never the string, which may hold a password).
    /// </summary>
    public static IServiceCollection AddBadgeStorage(this IServiceCollection services, Func<IServiceProvider, string> dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        services.AddSingleton<IBadgeStorage>(sp =>
        {
            TimeProvider timeProvider = sp.GetRequiredService<TimeProvider>();
            if (sp.GetRequiredService<IConfiguration>().GetConnectionString(PostgresConnectionName) is { Length: > 0 } postgres)
            {
                return OpenPostgres(postgres, timeProvider);
            }

            string path = Path.Combine(dataDirectory(sp), SqliteFileName);
            return SqliteBadgeStorage.OpenAsync(path, timeProvider).GetAwaiter().GetResult();
        });
        return services;
    }

    private static PostgresBadgeStorage OpenPostgres(string connectionString, TimeProvider timeProvider)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            // The message names the offending keyword, never the string (it may hold a password).
            throw new InvalidOperationException($"ConnectionStrings:{PostgresConnectionName} is not a valid PostgreSQL connection string: {e.Message}", e);
        }

        try
        {
            return PostgresBadgeStorage.OpenAsync(connectionString, timeProvider).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is DbException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"Could not open the PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port} (ConnectionStrings:{PostgresConnectionName}): {e.Message}", e);
        }
    }
}
