namespace BadgeIssuer.Storage;

/// <summary>
/// A backend that can copy its whole database into one file while the service keeps reading and writing (SQLite).
/// PostgreSQL does not implement it: its backups are <c>pg_dump</c> or WAL archiving, outside the service.
/// </summary>
public interface IOnlineBackup
{
    /// <summary>
    /// Writes a consistent snapshot of the database (every transaction committed before the copy began, none after)
    /// to <paramref name="destinationPath"/>, which must not exist or be an empty file, and checks the copy opens and
    /// passes an integrity check. Writers are not blocked while it runs.
    /// </summary>
    /// <exception cref="BackupFailedException">The copy could not be written or does not pass the check.</exception>
    Task BackupToAsync(string destinationPath, CancellationToken cancellationToken = default);
}

/// <summary>An online backup that could not be written or checked (disk full, directory not writable, failed check).</summary>
public sealed class BackupFailedException : Exception
{
    public BackupFailedException()
    {
    }

    public BackupFailedException(string message) : base(message)
    {
    }

    public BackupFailedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
