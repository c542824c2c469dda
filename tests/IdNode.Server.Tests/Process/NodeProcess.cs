using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace IdNode.Server.Tests.Process;

/// <summary>The real server as a child process (`dotnet IdNode.Server.dll`) on loopback ports, for crash and socket-level tests.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _output = new();

    public int HttpPort { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    private NodeProcess(System.Diagnostics.Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
    }

    public static async Task<NodeProcess> StartAsync(string dataDirectory, IDictionary<string, string>? extra = null)
    {
        var httpPort = FreePort();
        var grpcPort = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "IdNode.Server.dll");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["IdNode__Node__Prefix"] = "88.999";
        info.Environment["IdNode__Bootstrap__AdminSecret"] = NodeFactory.AdminSecret;
        info.Environment["IdNode__Store__DataDirectory"] = dataDirectory;
        info.Environment["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{httpPort}";
        info.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
            info.Environment[k] = v;

        var process = System.Diagnostics.Process.Start(info)!;
        var node = new NodeProcess(process, httpPort);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"node exited with {process.ExitCode}: {node.Output}");
            try
            {
                if ((await probe.GetAsync(new Uri(node.BaseAddress, "/alive"))).IsSuccessStatusCode)
                    return node;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        await node.DisposeAsync();
        throw new TimeoutException("node did not start: " + node.Output);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    public HttpClient Client(bool admin)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 }) { BaseAddress = BaseAddress };
        if (admin)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{NodeFactory.AdminUser}:{NodeFactory.AdminSecret}")));
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a crash or the OOM killer does.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>Sends raw bytes and returns the raw response (for requests HttpClient would normalise).</summary>
    public async Task<string> RawAsync(string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, HttpPort);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request));
        // Read until the server closes (Connection: close) or goes quiet; no half-close, which Kestrel treats as an abort.
        var buffer = new byte[256 * 1024];
        var total = 0;
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer.AsMemory(total), quiet.Token)) > 0)
                total += n;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            KillHard();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
