using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IdNode.TestSupport;

/// <summary>
/// A redis-server a test owns, so it can stop and restart it without disturbing other tests that
/// use the shared one started by ./test.sh. Stopping is <c>redis-cli shutdown nosave</c> (what an
/// operator does); starting launches a fresh, empty server on the same port.
/// </summary>
public sealed class RedisControl : IDisposable
{
    private Process? _process;

    private RedisControl(int port) => Port = port;

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free loopback port. Call after <see cref="TestServers.Require"/> for Redis.</summary>
    public static RedisControl StartNew()
    {
        var control = new RedisControl(FreePort());
        control.Start();
        return control;
    }

    /// <summary>Picks a free loopback port without starting anything there yet (a Redis that comes up late).</summary>
    public static RedisControl OnFreePort() => new(FreePort());

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Start()
    {
        if (IsRunning)
            return;
        var psi = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Path.GetTempPath() })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (Cli("ping").Trim() == "PONG")
                return;
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"redis-server on port {Port} did not answer PING");
    }

    /// <summary>Stops the server the way an operator would, discarding its data.</summary>
    public void Stop()
    {
        if (!IsRunning)
            return;
        Cli("shutdown", "nosave");
        if (!_process!.WaitForExit(10_000))
            _process.Kill();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Runs redis-cli against this server and returns its output.</summary>
    public string Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-p");
        psi.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit(10_000);
        return output;
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (Exception)
        {
            // Best effort: kill below.
        }
        if (_process is { HasExited: false } p)
            p.Kill();
        _process?.Dispose();
        _process = null;
    }
}
