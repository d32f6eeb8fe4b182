using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BadgeIssuer.Tests.Shared;

/// <summary>
/// The PostgreSQL server the PostgreSQL tests use, found once per test process:
/// <list type="number">
/// <item><c>BADGEISSUER_TEST_POSTGRES</c> when set (an admin connection string; <c>.ci/run</c> starts a server and sets it);</item>
/// <item>else a throwaway cluster this process starts itself when <c>initdb</c> and <c>pg_ctl</c> are on the machine
/// (as <c>.ci/run</c> does: a temp directory, a free loopback port, durability off), stopped and removed when the process
/// exits; <c>BADGEISSUER_TEST_POSTGRES_AUTOSTART=0</c> turns this off;</item>
/// <item>else none: the tests skip with <see cref="SkipReason"/>, which the test summary prints once.</item>
/// </list>
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "BADGEISSUER_TEST_POSTGRES";
    public const string AutoStartVariable = "BADGEISSUER_TEST_POSTGRES_AUTOSTART";
    private const string DirectoryPrefix = "badgeissuer-test-pg.";

    private static readonly Lazy<(string? ConnectionString, string SkipReason)> s_server = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>An admin connection string (database <c>postgres</c>), or null when no server could be had.</summary>
    public static string? AdminConnectionString => s_server.Value.ConnectionString;

    /// <summary>Why the PostgreSQL tests are skipped (empty when a server is available).</summary>
    public static string SkipReason => s_server.Value.SkipReason;

    private static (string?, string) Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return (configured, "");
        }

        const string Hint = " Install PostgreSQL (e.g. apt-get install postgresql) for the tests to start a throwaway server, or set "
            + Variable + " to an admin connection string (e.g. Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres).";
        if (string.Equals(Environment.GetEnvironmentVariable(AutoStartVariable), "0", StringComparison.Ordinal))
        {
            return (null, $"PostgreSQL tests skipped: {Variable} is not set and {AutoStartVariable}=0." + Hint);
        }

        if (OperatingSystem.IsWindows())
        {
            return (null, $"PostgreSQL tests skipped: {Variable} is not set (a throwaway server is started on Linux/macOS only)." + Hint);
        }

        if (FindBinaries() is not { } bin)
        {
            return (null, $"PostgreSQL tests skipped: {Variable} is not set and initdb/pg_ctl were not found (/usr/lib/postgresql/*/bin or PATH)." + Hint);
        }

        try
        {
            return (Start(bin), "");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            return (null, $"PostgreSQL tests skipped: {Variable} is not set and a throwaway server in {bin} could not be started: {e.Message}" + Hint);
        }
    }

    private static string? FindBinaries()
    {
        const string Debian = "/usr/lib/postgresql";
        if (Directory.Exists(Debian))
        {
            // Newest major version first.
            foreach (string dir in Directory.GetDirectories(Debian)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : -1))
            {
                string bin = Path.Combine(dir, "bin");
                if (File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                {
                    return bin;
                }
            }
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }

        return null;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string Start(string bin)
    {
        // initdb refuses to run as root: then the cluster belongs to the postgres user the Debian package creates,
        // and lives under /tmp, which that user can reach whatever TMPDIR says.
        bool root = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        string[] asUser = root ? ["runuser", "-u", "postgres", "--"] : [];
        string tempRoot = root ? "/tmp" : Path.GetTempPath();
        RemoveAbandoned(tempRoot, bin, asUser);

        string dir = Path.Combine(tempRoot, DirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            if (root)
            {
                Run(["chown", "postgres:", dir], "chown");
            }

            Run([.. asUser, Path.Combine(bin, "initdb"), "-D", Path.Combine(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"], "initdb");
            int port = FreePort();
            string options = $"-c listen_addresses=127.0.0.1 -p {port} -k {dir} -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            Run([.. asUser, Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60", "-o", options, "start"], "pg_ctl start");
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(dir, bin, asUser);
            return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        }
        catch
        {
            Stop(dir, bin, asUser);
            throw;
        }
    }

    /// <summary>Clusters left by test processes that were killed before they could stop theirs.</summary>
    private static void RemoveAbandoned(string tempRoot, string bin, string[] asUser)
    {
        foreach (string dir in Directory.GetDirectories(tempRoot, DirectoryPrefix + "*"))
        {
            try
            {
                if (int.TryParse(File.ReadAllText(Path.Combine(dir, "owner.pid")), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && IsRunning(pid))
                {
                    continue;
                }

                Stop(dir, bin, asUser);
            }
            catch (IOException)
            {
                // Another process is setting it up or removing it.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Stop(string dir, string bin, string[] asUser)
    {
        if (Directory.Exists(Path.Combine(dir, "data")))
        {
            try
            {
                Run([.. asUser, Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-m", "immediate", "-w", "stop"], "pg_ctl stop");
            }
            catch (InvalidOperationException)
            {
                // Not running.
            }
        }

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void Run(string[] command, string what)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{what} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{what} did not finish within 90 s.");
        }

        if (process.ExitCode != 0)
        {
            string text = (error.Result + output.Result).Trim();
            throw new InvalidOperationException($"{what} exited with {process.ExitCode}: {(text.Length > 400 ? text[^400..] : text)}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
