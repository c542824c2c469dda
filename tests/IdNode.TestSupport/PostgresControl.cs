using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IdNode.TestSupport;

/// <summary>
/// Stops and starts a PostgreSQL server for outage tests. Two kinds:
/// <list type="bullet">
/// <item><see cref="StartPrivateAsync"/>: a throwaway cluster of the test's own (initdb in a temp
/// folder, a free port). Prefer it: `dotnet test IdNode.sln` runs test assemblies in parallel, so
/// stopping the shared server would break other assemblies' tests at random.</item>
/// <item><see cref="Shared"/>: the server ./test.sh started (IDNODE_TEST_PG_BIN/_DATA/_PORT), started
/// again with the same options. Only for a test that must stop exactly that server and runs alone.</item>
/// </list>
/// When running as root the pg_ctl/initdb commands run as the postgres user, as test.sh does.
/// </summary>
public sealed class PostgresControl : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _options;
    private readonly bool _owned;

    public string DataDirectory { get; }
    public int Port { get; }
    public string LogFile { get; }

    /// <summary>Superuser connection string to the <c>postgres</c> database over TCP on loopback.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

    private PostgresControl(string bin, string dataDirectory, int port, string socketDirectory, string logFile, string extraOptions, bool owned)
    {
        _bin = bin;
        DataDirectory = dataDirectory;
        Port = port;
        LogFile = logFile;
        _owned = owned;
        _options = $"-p {port} -k {socketDirectory} -c listen_addresses=127.0.0.1 -c fsync=off {extraOptions}";
    }

    /// <summary>PostgreSQL binaries (IDNODE_TEST_PG_BIN, set by ./test.sh).</summary>
    public static string? BinDirectory => Environment.GetEnvironmentVariable("IDNODE_TEST_PG_BIN");

    /// <summary>The server ./test.sh started, or null when not running under it.</summary>
    public static PostgresControl? Shared
    {
        get
        {
            var bin = BinDirectory;
            var data = Environment.GetEnvironmentVariable("IDNODE_TEST_PG_DATA");
            var port = Environment.GetEnvironmentVariable("IDNODE_TEST_PG_PORT");
            if (string.IsNullOrEmpty(bin) || string.IsNullOrEmpty(data) || !int.TryParse(port, out var p))
                return null;
            var work = Path.GetDirectoryName(Path.GetFullPath(data))!;
            return new PostgresControl(bin, data, p, work, Path.Combine(work, "pg.log"),
                "-c max_connections=300 -c shared_buffers=256MB", owned: false);
        }
    }

    /// <summary>
    /// Creates and starts a throwaway cluster; disposing stops it and deletes its folder. Skips
    /// (locally) or fails (CI) when the PostgreSQL binaries are not available.
    /// </summary>
    public static async Task<PostgresControl> StartPrivateAsync(CancellationToken cancellationToken = default)
    {
        var bin = TestServers.Require(BinDirectory, "PostgreSQL binaries (IDNODE_TEST_PG_BIN)");
        var root = Path.Combine(Path.GetTempPath(), "idnode-pg-" + Guid.NewGuid().ToString("N")[..12]);
        // Created by the user that will own the cluster: initdb refuses a folder it does not own.
        await RunAsync(["mkdir", "-p", root], asPostgres: true, cancellationToken);
        var data = Path.Combine(root, "data");
        await RunAsync([Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], asPostgres: true, cancellationToken);
        var control = new PostgresControl(bin, data, FreePort(), root, Path.Combine(root, "pg.log"),
            "-c max_connections=60 -c shared_buffers=32MB", owned: true);
        await control.StartAsync(cancellationToken);
        return control;
    }

    /// <summary>Fast shutdown: open sessions are told "terminating connection due to administrator command".</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
        => RunAsync([Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], asPostgres: true, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken = default)
        => RunAsync([Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", _options, "start"], asPostgres: true, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_owned)
            return;
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunAsync([Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop"], asPostgres: true, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the folder goes anyway.
            }
        }
        try
        {
            Directory.Delete(Path.GetDirectoryName(DataDirectory)!, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string[] command, bool asPostgres, CancellationToken cancellationToken)
    {
        var asRoot = Environment.UserName == "root";
        var psi = new ProcessStartInfo(asPostgres && asRoot ? "runuser" : command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // pg_ctl is started from a folder the postgres user can read.
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres && asRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--" })
                psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(command[0]);
        }
        foreach (var a in command.Skip(1))
            psi.ArgumentList.Add(a);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}: {await stderr}{await stdout}");
    }
}
