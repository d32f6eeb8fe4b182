using Microsoft.Data.Sqlite;

namespace BadgeIssuer.Storage.Sqlite;

public sealed partial class SqliteBadgeStorage : IOnlineBackup
{
    /// <summary>
    /// <c>VACUUM INTO</c>: one read transaction on the live database (WAL mode, so writers carry on) copies every page
    /// it sees into a fresh, compacted file; then the copy is opened on its own and must pass <c>PRAGMA quick_check</c>.
    /// Copying <c>badgeissuer.db</c> with <c>cp</c> instead can miss commits still in <c>-wal</c> or catch a torn page.
    /// </summary>
    public async Task BackupToAsync(string destinationPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        try
        {
            using (SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            using (SqliteCommand vacuum = Command(connection, null, "VACUUM INTO $path;"))
            {
                vacuum.Parameters.AddWithValue("$path", destinationPath);
                await vacuum.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Its own connection, unpooled, so no handle on the copy outlives the check.
            string check = new SqliteConnectionStringBuilder { DataSource = destinationPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
            using var copy = new SqliteConnection(check);
            await copy.OpenAsync(cancellationToken).ConfigureAwait(false);
            using SqliteCommand quickCheck = Command(copy, null, "PRAGMA quick_check;");
            object? result = await quickCheck.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (result is not string ok || !string.Equals(ok, "ok", StringComparison.Ordinal))
            {
                throw new BackupFailedException($"The backup copy does not pass PRAGMA quick_check: {result}");
            }
        }
        catch (SqliteException e)
        {
            throw new BackupFailedException($"SQLite could not write the backup: {e.Message}", e);
        }
    }
}
