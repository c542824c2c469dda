using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdNode.TestSupport;

namespace IdNode.Integration.Tests;

/// <summary>
/// One IdNode.Server running as a child process (<c>dotnet IdNode.Server.dll</c>) on loopback
/// ports of its own, configured through environment variables the way an operator would.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public const string AdminSecret = "integration-secret";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private NodeProcess(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        Admin = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("300%3A88.999/ADMIN:" + AdminSecret)));
    }

    public string Name { get; }
    public int Port { get; }
    public HttpClient Http { get; }
    public AuthenticationHeaderValue Admin { get; }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static string ServerDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IdNode.sln")))
            dir = dir.Parent;
        if (dir is null)
            throw new InvalidOperationException("IdNode.sln not found above " + AppContext.BaseDirectory);
        var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(dir.FullName, "src", "IdNode.Server", "bin", configuration, "net10.0", "IdNode.Server.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build IdNode.Server first", dll);
    }

    /// <summary>Starts a node with the given configuration (keys as in appsettings, e.g. <c>IdNode:Cache:Kind</c>) and waits until it serves.</summary>
    public static async Task<NodeProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var port = RedisControl.FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.ArgumentList.Add(ServerDll());
        var env = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{port}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{RedisControl.FreePort()}",
            ["IdNode:Bootstrap:AdminSecret"] = AdminSecret,
            ["IdNode:Store:SyncEveryCommit"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (k, v) in settings)
            env[k] = v;
        foreach (var (k, v) in env)
            psi.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        psi.Environment["DOTNET_gcServer"] = "0"; // several nodes share two cores in tests

        var process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        var node = new NodeProcess(name, port, process);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"node {name} exited with {process.ExitCode}:\n{node.Log}");
            try
            {
                using var r = await node.Http.GetAsync("alive");
                if (r.IsSuccessStatusCode)
                    return node;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await node.DisposeAsync();
        throw new TimeoutException($"node {name} did not start:\n{node.Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            if (_log.Length < 200_000)
                _log.AppendLine(line);
        }
    }

    public static string Body(string url, int ttl = 86400)
        => $$"""[{"index":1,"type":"URL","data":{"format":"string","value":"{{url}}"},"ttl":{{ttl}}}]""";

    /// <summary>PUT as the node admin; returns the HTTP status.</summary>
    public async Task<HttpStatusCode> PutAsync(string handle, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "api/handles/" + handle)
        {
            Content = new StringContent(Body(url), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = Admin;
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Anonymous resolve; the URL value, or null when not found.</summary>
    public async Task<string?> GetUrlAsync(string handle)
    {
        using var response = await Http.GetAsync("api/handles/" + handle);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{Name}: GET {handle} → {(int)response.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        foreach (var v in doc.RootElement.GetProperty("values").EnumerateArray())
            if (v.GetProperty("index").GetInt32() == 1)
                return v.GetProperty("data").GetProperty("value").GetString();
        return null;
    }

    public async Task<JsonElement> StatsAsync()
    {
        var text = await Http.GetStringAsync("metrics/cache");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public async Task<long> StatAsync(string name) => (await StatsAsync()).GetProperty(name).GetInt64();

    /// <summary>Polls until <paramref name="handle"/> resolves to <paramref name="url"/>; the time it took, or null past <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> TimeUntilServedAsync(string handle, string url, TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            if (await GetUrlAsync(handle) == url)
                return sw.Elapsed;
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public override string ToString() => Name + ":" + Port.ToString(CultureInfo.InvariantCulture);
}
