namespace BadgeIssuer.Storage;

/// <summary>
/// Files that hold secrets or tenants' data (the SQLite database, the key-encryption key, <c>bootstrap.json</c>) and
/// the data directory, created owner-only from the first byte: on Unix the mode is part of the <c>open</c>/<c>mkdir</c>
/// call (0600, 0700), so there is no moment at which another local user can open them. On Windows files inherit the
/// directory's ACL.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>rw for the owner only (0600).</summary>
    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx for the owner only (0700).</summary>
    public const UnixFileMode DirectoryPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Opens <paramref name="path"/> for writing: <see cref="System.IO.FileMode.CreateNew"/> refuses an existing file,
    /// <see cref="System.IO.FileMode.Create"/> truncates one and narrows its mode to 0600 before anything is written.
    /// </summary>
    public static FileStream Create(string path, System.IO.FileMode mode = System.IO.FileMode.CreateNew)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FilePermissions;
        }

        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                // The create mode applies only when the file is new; a truncated older file keeps its own.
                File.SetUnixFileMode(stream.SafeFileHandle, FilePermissions);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        return stream;
    }

    /// <summary>Creates an empty owner-only file unless <paramref name="path"/> exists (another process may create it at the same moment).</summary>
    public static void EnsureExists(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        try
        {
            Create(path).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created by someone else in the meantime: theirs is used as it is.
        }
    }

    /// <summary>Creates <paramref name="path"/> (and missing parents) with mode 0700; an existing directory is left as it is.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryPermissions);
        }
    }
}
