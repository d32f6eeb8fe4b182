using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Admin;

/// <summary>A backup file written by <c>POST /admin/backup</c>.</summary>
/// <param name="Path">Full path of the file on the service's host.</param>
/// <param name="FileName">The file name: <c>badgeissuer-&lt;UTC time&gt;.db</c>.</param>
/// <param name="Bytes">Size of the file.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file, to check a copy against.</param>
/// <param name="CreatedAt">When the snapshot began: every write acknowledged before this is in the file.</param>
/// <param name="KekId">The id of the current key-encryption key: the one to keep beside the backup's copies (never in the file).</param>
public sealed record BackupResult(string Path, string FileName, long Bytes, string Sha256, DateTimeOffset CreatedAt, string KekId);

/// <summary>
/// Online backups of the SQLite store, one at a time per process: a consistent copy while the service keeps issuing
/// (see <see cref="IOnlineBackup"/>), written under a temporary name, checked, hashed, then renamed into place.
/// </summary>
internal sealed partial class DatabaseBackup(IBadgeStorage storage, KeyVault vault, IOptions<BadgeIssuerOptions> options, DataDirectory dataDirectory, TimeProvider timeProvider, ILogger<DatabaseBackup> logger) : IDisposable
{
    private const int MaxNameAttempts = 100;

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The directory backups are written to.</summary>
    public string BackupDirectory { get; } = options.Value.Backup.Directory is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(dataDirectory.Path, "backups");

    /// <summary>Whether the configured backend supports online backup (SQLite).</summary>
    public bool Supported => storage is IOnlineBackup;

    /// <summary>Takes the one backup slot (tests hold it to see a second request refused); null when a backup is running.</summary>
    internal IDisposable? TryEnter() => _gate.Wait(0) ? new WriteGateRelease(_gate) : null;

    /// <summary>
    /// Writes one backup; null when another is running (nothing is written). Not cancelled by the caller going away:
    /// a half-written file is removed either way.
    /// </summary>
    /// <exception cref="BackupFailedException">The file could not be written or checked.</exception>
    public async Task<BackupResult?> TryRunAsync()
    {
        if (storage is not IOnlineBackup backup)
        {
            throw new InvalidOperationException("The storage backend has no online backup.");
        }

        using IDisposable? slot = TryEnter();
        if (slot is null)
        {
            return null;
        }

        DateTimeOffset createdAt = timeProvider.GetUtcNow();
        string partial = "";
        var clock = Stopwatch.StartNew();
        try
        {
            OwnerOnlyFiles.CreateDirectory(BackupDirectory);
            (string finalPath, partial) = ReserveNames(createdAt);
            // SQLite writes into the empty owner-only file created here, so the copy is never readable by others.
            await backup.BackupToAsync(partial, CancellationToken.None);
            (long bytes, string sha256) = await HashAndSyncAsync(partial);
            File.Move(partial, finalPath);
            partial = "";
            Prune(finalPath);
            Log.BackupWritten(logger, finalPath, bytes, sha256, clock.ElapsedMilliseconds);
            return new BackupResult(finalPath, Path.GetFileName(finalPath), bytes, sha256, createdAt, vault.CurrentKekId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BackupFailedException)
        {
            Log.BackupFailed(logger, BackupDirectory, e);
            throw e as BackupFailedException ?? new BackupFailedException(e.Message, e);
        }
        finally
        {
            if (partial.Length > 0)
            {
                TryDelete(partial);
            }
        }
    }

    // Exactly the names this service gives its backups (badgeissuer-<UTC time>[-n].db): nothing else in the directory,
    // such as an operator's badgeissuer-before-upgrade.db, is ever pruned.
    [System.Text.RegularExpressions.GeneratedRegex(@"^badgeissuer-(\d{8}T\d{6}Z)(?:-(\d{1,3}))?\.db$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex BackupName();

    // Keeps the newest Backup:Keep backups, newest by the time in their name (then the -n suffix); never the one just
    // written, never a link (File.Delete would remove only the link, but a link is not ours to count). A failure to
    // delete is logged: the new backup is already in place.
    private void Prune(string justWritten)
    {
        try
        {
            var backups = new List<(string Path, string Time, int Suffix)>();
            foreach (string file in System.IO.Directory.GetFiles(BackupDirectory, "badgeissuer-*.db"))
            {
                System.Text.RegularExpressions.Match match = BackupName().Match(Path.GetFileName(file));
                if (match.Success && !File.GetAttributes(file).HasFlag(FileAttributes.ReparsePoint))
                {
                    backups.Add((file, match.Groups[1].Value, match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 1));
                }
            }

            foreach ((string old, _, _) in backups.OrderByDescending(b => b.Time, StringComparer.Ordinal).ThenByDescending(b => b.Suffix).Skip(options.Value.Backup.Keep))
            {
                if (!string.Equals(old, justWritten, StringComparison.Ordinal))
                {
                    File.Delete(old);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.BackupPruneFailed(logger, BackupDirectory, e);
        }
    }

    // badgeissuer-20261101T120000Z.db, then -2, -3 … when a backup of the same second exists; the empty temporary file
    // is created (CreateNew) as the reservation, so two processes sharing the directory never pick the same name.
    private (string Final, string Partial) ReserveNames(DateTimeOffset createdAt)
    {
        string stem = "badgeissuer-" + createdAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (int attempt = 1; attempt <= MaxNameAttempts; attempt++)
        {
            string name = attempt == 1 ? stem : stem + "-" + attempt.ToString(CultureInfo.InvariantCulture);
            string finalPath = Path.Combine(BackupDirectory, name + ".db");
            string partialPath = Path.Combine(BackupDirectory, "." + name + ".db.partial");
            if (File.Exists(finalPath))
            {
                continue;
            }

            try
            {
                OwnerOnlyFiles.Create(partialPath).Dispose();
                return (finalPath, partialPath);
            }
            catch (IOException) when (File.Exists(partialPath))
            {
                // Another backup of the same second is being written under this name.
            }
        }

        throw new BackupFailedException($"{MaxNameAttempts} backups named {stem} already exist in {BackupDirectory}.");
    }

    private static async Task<(long Bytes, string Sha256)> HashAndSyncAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        byte[] hash = await SHA256.HashDataAsync(file);
        // On disk before it gets its final name: a crash leaves a .partial file, never a truncated .db.
        file.Flush(flushToDisk: true);
        return (file.Length, Convert.ToHexStringLower(hash));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind as .partial; the next backup picks another name.
        }
    }

    public void Dispose() => _gate.Dispose();

    private sealed class WriteGateRelease(SemaphoreSlim gate) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}

/// <summary><c>POST /admin/backup</c> (admin): a consistent copy of the SQLite database while the service runs.</summary>
internal static class BackupApi
{
    public static readonly ApiProblems.ApiProblem BackupInProgress = new("backup-in-progress", StatusCodes.Status409Conflict, "A backup is already running.");
    public static readonly ApiProblems.ApiProblem BackupNotSupported = new("backup-not-supported", StatusCodes.Status409Conflict, "This storage backend is not backed up by the service.");
    public static readonly ApiProblems.ApiProblem BackupFailed = new("backup-failed", StatusCodes.Status500InternalServerError, "The backup could not be written.");

    public static IServiceCollection AddBackup(this IServiceCollection services)
    {
        services.AddSingleton<DatabaseBackup>();
        return services;
    }

    public static IEndpointRouteBuilder MapBackup(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/admin/backup", Backup)
            .WithTags("Admin")
            .WithName("BackupDatabase")
            .WithSummary("Write a consistent backup of the SQLite database while the service runs (admin)")
            .WithDescription("Copies the whole database (VACUUM INTO, one read transaction: every write acknowledged before the request is in the copy) into "
                + "BadgeIssuer:Backup:Directory (default <DataDirectory>/backups) as badgeissuer-<UTC time>.db, checks it, and answers its path, size and SHA-256. "
                + "Issuing continues meanwhile. One backup at a time (409 backup-in-progress). The key-encryption key is not in the copy: keep it separately, "
                + "it is needed to restore. On PostgreSQL the answer is 409 backup-not-supported: use pg_dump or WAL archiving (docs/backup.md).")
            .RequireAuthorization(ApiScopes.Admin)
            .ProducesProblems(ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.Conflict, ProblemStatus.InternalServerError);
        return routes;
    }

    internal static async Task<Results<Ok<BackupResult>, ProblemHttpResult>> Backup(HttpContext context, DatabaseBackup backups, AuditLog audit)
    {
        if (!backups.Supported)
        {
            return BackupNotSupported.Result(
                "The service stores its data in PostgreSQL, which it does not copy itself: back it up with pg_dump (logical) or base backups with WAL archiving "
                + "(point-in-time recovery), and keep the key-encryption key apart from those backups. See docs/backup.md.");
        }

        BackupResult? result;
        try
        {
            result = await backups.TryRunAsync();
        }
        catch (BackupFailedException e)
        {
            return BackupFailed.Result("The backup could not be written: " + e.Message);
        }

        if (result is null)
        {
            context.Response.Headers.RetryAfter = "5";
            return BackupInProgress.Result("Another backup is being written; retry when it has finished.");
        }

        await audit.AppendAsync(context, Caller.From(context.User).IssuerId, "database.backup", result.FileName,
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["bytes"] = result.Bytes.ToString(CultureInfo.InvariantCulture),
                ["sha256"] = result.Sha256,
            }, ApiJsonContext.Default.DictionaryStringString));
        return TypedResults.Ok(result);
    }
}
