using System.Security.Cryptography;
using BadgeIssuer.Api.Features.Issue;
using BadgeIssuer.Storage;
using BadgeIssuer.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>
/// The service on SQLite (its data directory) or on a fresh PostgreSQL database (<see cref="TestPostgres"/>; the test is
/// skipped without a server), dropped on dispose; optionally with <see cref="PathwayAwarder"/>'s seam replaced.
/// </summary>
internal sealed class PathwayBackend : IAsyncDisposable
{
    private readonly string? _admin;
    private readonly string? _database;

    private PathwayBackend(BadgeIssuerApplication app, string? admin, string? database)
    {
        App = app;
        _admin = admin;
        _database = database;
    }

    public BadgeIssuerApplication App { get; }

    public static async Task<PathwayBackend> StartAsync(string backend, PathwayAwardSeam? seam = null)
    {
        Action<IServiceCollection>? services = seam is null ? null : s => s.Replace(ServiceDescriptor.Singleton(seam));
        if (backend == "sqlite")
        {
            return new PathwayBackend(new BadgeIssuerApplication { TestServices = services }, null, null);
        }

        string? admin = TestPostgres.AdminConnectionString;
        Assert.SkipWhen(string.IsNullOrEmpty(admin), TestPostgres.SkipReason);
        string database = "badgeissuer_pathways_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database};", connection);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        string connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 20 }.ConnectionString;
        var app = new BadgeIssuerApplication(
            ("ConnectionStrings:Postgres", connectionString),
            ("BadgeIssuer:KeyEncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))))
        { TestServices = services };
        return new PathwayBackend(app, admin, database);
    }

    public async ValueTask DisposeAsync()
    {
        App.Dispose();
        if (_admin is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE);", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A <see cref="PathwayAwardSeam"/> that runs the test's callback once the parts of a composite are counted.</summary>
internal sealed class CallbackSeam : PathwayAwardSeam
{
    public Func<PathwayRecord, IReadOnlyList<CredentialRecord>, Task>? OnPartsCounted { get; set; }

    public override Task PartsCountedAsync(PathwayRecord pathway, IReadOnlyList<CredentialRecord> counted, CancellationToken cancellationToken) =>
        OnPartsCounted?.Invoke(pathway, counted) ?? Task.CompletedTask;
}
