namespace IdNode.Server.Tests.Performance;

/// <summary>
/// CPU time (user + system) from /proc, for per-operation cost figures: this process, and the
/// PostgreSQL cluster test.sh started (the postmaster named by IDNODE_TEST_PG_DATA and its children,
/// i.e. every backend, the WAL writer and the checkpointer).
/// </summary>
internal static class ProcessCpu
{
    public static TimeSpan Self()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }

    /// <summary>Null when the cluster is not known or /proc is not there.</summary>
    public static TimeSpan? Postgres()
    {
        var data = Environment.GetEnvironmentVariable("IDNODE_TEST_PG_DATA");
        if (string.IsNullOrEmpty(data) || !Directory.Exists("/proc"))
            return null;
        try
        {
            var postmaster = File.ReadLines(Path.Combine(data, "postmaster.pid")).First().Trim();
            long ticks = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var pid = Path.GetFileName(dir);
                if (!pid.All(char.IsAsciiDigit))
                    continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    // Fields after the parenthesised command name: state ppid ... utime(14) stime(15)
                    // cutime(16) cstime(17). The postmaster's cutime/cstime hold the backends that
                    // already exited (a pool closing a connection), so none of their time is lost.
                    var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (pid == postmaster)
                        ticks += long.Parse(f[11]) + long.Parse(f[12]) + long.Parse(f[13]) + long.Parse(f[14]);
                    else if (f[1] == postmaster)
                        ticks += long.Parse(f[11]) + long.Parse(f[12]);
                }
                catch (IOException)
                {
                    // The process ended while being read.
                }
            }
            // USER_HZ is 100 on Linux.
            return TimeSpan.FromMilliseconds(ticks * 10.0);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
