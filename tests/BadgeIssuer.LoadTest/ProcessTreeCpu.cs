using System.Globalization;

namespace BadgeIssuer.LoadTest;

/// <summary>
/// CPU time of a process and everything under it, from Linux <c>/proc</c>: for a database server (the PostgreSQL
/// postmaster) whose work happens in child processes (one backend per connection, plus background workers).
/// The total is the root's own time, the time of the children it has already reaped (<c>cutime</c>/<c>cstime</c>:
/// a backend that ends during the measurement still counts) and the time of every live descendant.
/// </summary>
public static class ProcessTreeCpu
{
    // /proc/[pid]/stat counts in USER_HZ clock ticks, which the kernel ABI fixes at 100 per second on Linux.
    private const double TicksPerSecond = 100;

    /// <summary>The tree's CPU time so far; null when the root is gone or there is no /proc (not Linux).</summary>
    public static TimeSpan? Read(int rootPid)
    {
        Dictionary<int, Stat> all = [];
        try
        {
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                    && TryReadStat(pid) is Stat stat)
                {
                    all[pid] = stat;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (!all.TryGetValue(rootPid, out Stat root))
        {
            return null;
        }

        ILookup<int, int> children = all.ToLookup(kv => kv.Value.ParentPid, kv => kv.Key);
        long ticks = root.Own + root.Reaped;
        Stack<int> pending = new(children[rootPid]);
        while (pending.TryPop(out int pid))
        {
            ticks += all[pid].Own;
            foreach (int child in children[pid])
            {
                pending.Push(child);
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private static Stat? TryReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // exited meanwhile
        }

        // "pid (comm) state ppid ... utime stime cutime cstime ...": comm may hold spaces and parentheses, so split
        // after the last ')'. Counting from state as 0: ppid 1, utime 11, stime 12, cutime 13, cstime 14.
        int close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        string[] f = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 15)
        {
            return null;
        }

        long[] n = new long[15];
        for (int i = 1; i < n.Length; i++)
        {
            if (!long.TryParse(f[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n[i]))
            {
                return null;
            }
        }

        return new Stat((int)n[1], n[11] + n[12], n[13] + n[14]);
    }

    private readonly record struct Stat(int ParentPid, long Own, long Reaped);
}
