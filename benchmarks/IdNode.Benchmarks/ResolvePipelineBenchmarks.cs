using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using IdNode.Core.Auth;
using IdNode.Core.Caching;
using IdNode.Core.Services;
using IdNode.Server.Grpc;
using IdNode.Server.Hosting;
using IdNode.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IdNode.Benchmarks;

/// <summary>
/// A resolve of a cached identifier in process. <see cref="MiddlewareHit"/> runs the real
/// <see cref="ResolveMiddleware"/> on a reused context (what the node itself adds on a hit);
/// <see cref="TestServerHit"/> sends a request through the whole pipeline (error, CORS, resolve)
/// of a node on TestServer with the embedded store, through HttpClient — no sockets.
/// </summary>
[MemoryDiagnoser]
[IterationTime(250)] // half the default: keeps `--job short --filter *` under 5 minutes on 2 busy cores
public class ResolvePipelineBenchmarks
{
    private ResolveMiddleware _middleware = null!;
    private DefaultHttpContext _context = null!;
    private DiscardResponseBody _body = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _dataDir = null!;
    private string _hotUrl = null!;

    [GlobalSetup(Target = nameof(MiddlewareHit))]
    public void SetupMiddleware()
    {
        var resolver = SampleRecords.CachedResolver(1000, out _);
        var node = SampleRecords.Node;
        var store = new UnreachableStore();
        _middleware = new ResolveMiddleware(_ => throw new InvalidOperationException("The hit path fell through to routing."),
            resolver, node, new HttpAuthenticator(new CredentialVerifier(store, node)), new WriteAuthorizer(node));

        var path = ResolveMiddleware.ApiPrefix + SampleRecords.Handle(123);
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { Method = "GET", Path = path, RawTarget = path, Protocol = "HTTP/1.1", Scheme = "http" });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        _body = new DiscardResponseBody();
        features.Set<IHttpResponseBodyFeature>(_body);
        _context = new DefaultHttpContext(features);
        MiddlewareHit().GetAwaiter().GetResult();
        if (_body.Written == 0 || _context.Response.StatusCode != 200)
            throw new InvalidOperationException("The middleware did not answer the cached identifier.");
    }

    [Benchmark]
    public Task MiddlewareHit() => _middleware.InvokeAsync(_context);

    [GlobalSetup(Target = nameof(TestServerHit))]
    public void SetupTestServer()
    {
        _dataDir = Directory.CreateTempSubdirectory("idnode-bench-").FullName;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.ConfigureIdNodeKestrel();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IdNode:Store:DataDirectory"] = _dataDir,
            ["IdNode:Store:SyncEveryCommit"] = "false",
            ["IdNode:Bootstrap:AdminSecret"] = "bench-secret",
        });
        // Mirrors Program.cs: the same services and the same pipeline, on an in-memory server.
        builder.Services.AddIdNode(builder.Configuration);
        builder.Services.AddGrpc();
        builder.Services.AddIdNodeGrpc();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddHealthChecks();
        _app = builder.Build();
        _app.UseIdNode();
        _app.StartAsync().GetAwaiter().GetResult();
        _client = _app.GetTestClient();

        var handle = SampleRecords.Handle(123);
        _hotUrl = ResolveMiddleware.ApiPrefix + handle;
        using var put = new HttpRequestMessage(HttpMethod.Put, _hotUrl) { Content = new ByteArrayContent(SampleRecords.PutBody(123)) };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        put.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("300%3A88.999/ADMIN:bench-secret")));
        using var created = _client.SendAsync(put).GetAwaiter().GetResult();
        if (!created.IsSuccessStatusCode)
            throw new InvalidOperationException($"Registering the benchmark identifier failed: {(int)created.StatusCode} {created.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        TestServerHit().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<int> TestServerHit()
    {
        using var response = await _client.GetAsync(_hotUrl);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? bytes.Length : throw new InvalidOperationException($"Resolve failed: {(int)response.StatusCode}");
    }

    [GlobalCleanup(Target = nameof(TestServerHit))]
    public void CleanupTestServer()
    {
        _client.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }
}
