using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IdNode.TestSupport;
using Xunit.Abstractions;

namespace IdNode.Integration.Tests;

/// <summary>
/// Two nodes on a PostgreSQL cluster of the test's own (so stopping it disturbs no other test) and
/// the shared Redis: cached reads outlive the store, writes are refused with 503 / rc 3, and both
/// recover without restarting the nodes, losing no acknowledged write.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task With_PostgreSQL_stopped_cached_reads_succeed_writes_get_503_and_all_recovers_without_restart()
    {
        var redis = TestServers.Require(TestServers.Redis, "Redis");
        TestServers.Require(TestServers.Postgres, "PostgreSQL");
        await using var pg = await PostgresControl.StartPrivateAsync();
        var prefix = "pgout-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var settings = new Dictionary<string, string>
        {
            ["IdNode:Store:Kind"] = "postgres",
            ["ConnectionStrings:Postgres"] = pg.ConnectionString,
            ["IdNode:Cache:Kind"] = "redis",
            ["ConnectionStrings:Redis"] = redis,
            ["IdNode:Cache:RedisKeyPrefix"] = prefix,
        };
        await using var a = await NodeProcess.StartAsync("A", settings);
        await using var b = await NodeProcess.StartAsync("B", settings);

        var acknowledged = new Dictionary<string, string>();
        for (var i = 0; i < 20; i++)
        {
            var handle = $"88.999/pg-{i}";
            Assert.Equal(HttpStatusCode.OK, await a.PutAsync(handle, $"http://v/{i}"));
            acknowledged[handle] = $"http://v/{i}";
        }
        foreach (var (handle, url) in acknowledged)
        {
            Assert.Equal(url, await a.GetUrlAsync(handle));
            Assert.Equal(url, await b.GetUrlAsync(handle));
        }

        // A writer keeps going through the outage; only what it was told succeeded must survive.
        using var stopWriter = new CancellationTokenSource();
        var writerStatuses = new Dictionary<HttpStatusCode, int>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stopWriter.IsCancellationRequested; i++)
            {
                var handle = $"88.999/pgw-{i}";
                var status = await b.PutAsync(handle, $"http://w/{i}");
                lock (acknowledged)
                {
                    writerStatuses[status] = writerStatuses.GetValueOrDefault(status) + 1;
                    if (status == HttpStatusCode.OK)
                        acknowledged[handle] = $"http://w/{i}";
                }
                await Task.Delay(20);
            }
        });

        await Task.Delay(300);
        await pg.StopAsync();
        output.WriteLine("PostgreSQL stopped");

        // Longer than the stale bound: the caches must not give up their entries while the bus is whole.
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal($"http://v/{i}", await a.GetUrlAsync($"88.999/pg-{i}"));
                Assert.Equal($"http://v/{i}", await b.GetUrlAsync($"88.999/pg-{i}"));
            }
        }

        using (var put = new HttpRequestMessage(HttpMethod.Put, "api/handles/88.999/pg-0") { Content = new StringContent(NodeProcess.Body("http://v/new")) })
        {
            put.Headers.Authorization = a.Admin;
            using var response = await a.Http.SendAsync(put);
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"write during outage: {(int)response.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var doc = JsonDocument.Parse(body);
            Assert.Equal(3, doc.RootElement.GetProperty("responseCode").GetInt32());
        }
        using (var miss = await b.Http.GetAsync("api/handles/88.999/never-cached"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, miss.StatusCode);

        await pg.StartAsync();
        output.WriteLine("PostgreSQL started again");
        var recovered = Stopwatch.StartNew();
        HttpStatusCode status = default;
        while (recovered.Elapsed < TimeSpan.FromSeconds(30))
        {
            status = await a.PutAsync("88.999/pg-0", "http://v/after");
            if (status == HttpStatusCode.OK)
                break;
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, status);
        output.WriteLine($"writes succeeded again {recovered.ElapsedMilliseconds} ms after PostgreSQL was back");
        acknowledged["88.999/pg-0"] = "http://v/after";
        await Task.Delay(500);
        await stopWriter.CancelAsync();
        await writer;
        Assert.Equal(HttpStatusCode.OK, await b.PutAsync("88.999/pg-after", "http://after"));
        acknowledged["88.999/pg-after"] = "http://after";

        lock (acknowledged)
            output.WriteLine("writer statuses: " + string.Join(", ", writerStatuses.Select(p => $"{(int)p.Key}×{p.Value}")));
        Assert.True(writerStatuses.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0, "the writer never hit the outage");

        // Every acknowledged write is in the store (authoritative reads skip the caches) and served by both nodes.
        foreach (var (handle, url) in acknowledged)
        {
            Assert.Equal(url, await a.GetUrlAsync(handle + "?auth=true"));
            Assert.Equal(url, await b.GetUrlAsync(handle));
        }
    }
}
