using System.Diagnostics;
using System.Net;
using IdNode.TestSupport;
using Xunit.Abstractions;

namespace IdNode.Integration.Tests;

/// <summary>Two node processes sharing one store and one Redis behave as one node.</summary>
[Collection(NodeProcessCollection.Name)]
public sealed class TwoNodeCoherenceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(1000);

    private static Dictionary<string, string> RedisNode(SharedStore store, string redis, string prefix, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>(store.Settings)
        {
            ["IdNode:Cache:Kind"] = "redis",
            ["ConnectionStrings:Redis"] = redis,
            ["IdNode:Cache:RedisKeyPrefix"] = prefix,
        };
        foreach (var (k, v) in extra)
            settings[k] = v;
        return settings;
    }

    private static string NewPrefix() => "it-" + Guid.NewGuid().ToString("N")[..8] + ":";

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Written_via_A_is_served_by_B_and_every_update_reaches_B_within_the_bound(string storeKind)
    {
        var redis = TestServers.Require(TestServers.Redis, "Redis");
        using var store = SharedStore.Create(storeKind);
        var prefix = NewPrefix();
        await using var a = await NodeProcess.StartAsync("A", RedisNode(store, redis, prefix));
        await using var b = await NodeProcess.StartAsync("B", RedisNode(store, redis, prefix));
        const string handle = "88.999/prop-1";

        Assert.Equal(HttpStatusCode.OK, await a.PutAsync(handle, "http://v/0"));
        Assert.Equal("http://v/0", await b.GetUrlAsync(handle));

        const int updates = 1000;
        var times = new List<double>(updates);
        for (var i = 1; i <= updates; i++)
        {
            // B holds the previous version in its L1 (and Redis holds it), so only invalidation makes B change its answer.
            Assert.Equal($"http://v/{i - 1}", await b.GetUrlAsync(handle));
            Assert.Equal(HttpStatusCode.OK, await a.PutAsync(handle, $"http://v/{i}"));
            var took = await b.TimeUntilServedAsync(handle, $"http://v/{i}", Bound + Bound);
            Assert.True(took is not null, $"update {i}: B still served the old version after {2 * Bound.TotalMilliseconds} ms");
            times.Add(took!.Value.TotalMilliseconds);
        }
        var slowest = times.Select((t, i) => (t, i: i + 1)).OrderByDescending(x => x.t).Take(5);
        output.WriteLine("slowest (ms@update): " + string.Join(", ", slowest.Select(x => $"{x.t:F1}@{x.i}")));
        times.Sort();
        var median = times[times.Count / 2];
        var p99 = times[(int)(times.Count * 0.99)];
        var max = times[^1];
        output.WriteLine($"[{storeKind}] propagation A→B over {updates} updates: median {median:F2} ms, p99 {p99:F2} ms, max {max:F2} ms");
        Assert.True(max <= Bound.TotalMilliseconds, $"max propagation {max:F1} ms exceeds the {Bound.TotalMilliseconds} ms bound");
        // The bound above is the guarantee; this checks the bus carried the updates, not only the
        // change-log follower. A writer publishes only after its Redis tombstone is written, and on
        // a loaded machine a few tombstones time out (250 ms), so allow a small share to miss the bus.
        Assert.True(await b.StatAsync("invalidationsReceived") >= updates * 9 / 10);
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task With_Redis_stopped_both_nodes_read_and_write_and_B_sees_A_within_the_bound_then_Redis_is_used_again(string storeKind)
    {
        TestServers.Require(TestServers.Redis, "Redis");
        using var redis = RedisControl.StartNew();
        using var store = SharedStore.Create(storeKind);
        var prefix = NewPrefix();
        await using var a = await NodeProcess.StartAsync("A", RedisNode(store, redis.Configuration, prefix));
        await using var b = await NodeProcess.StartAsync("B", RedisNode(store, redis.Configuration, prefix));

        Assert.Equal(HttpStatusCode.OK, await a.PutAsync("88.999/out-1", "http://v/1"));
        Assert.Equal("http://v/1", await b.GetUrlAsync("88.999/out-1"));
        Assert.Equal("http://v/1", await a.GetUrlAsync("88.999/out-1"));
        Assert.Equal(HttpStatusCode.OK, await b.PutAsync("88.999/out-0", "http://warm")); // B's first credential check (PBKDF2) happens before the timing below

        redis.Stop();

        // Reads of cached and uncached identifiers, writes on both nodes: all keep working, none waits on Redis.
        var sw = Stopwatch.StartNew();
        Assert.Equal("http://v/1", await b.GetUrlAsync("88.999/out-1"));
        var t1 = sw.ElapsedMilliseconds;
        Assert.Equal(HttpStatusCode.OK, await a.PutAsync("88.999/out-1", "http://v/2"));
        var t2 = sw.ElapsedMilliseconds;
        Assert.Equal(HttpStatusCode.OK, await b.PutAsync("88.999/out-2", "http://w/1"));
        var t3 = sw.ElapsedMilliseconds;
        Assert.Equal("http://w/1", await a.GetUrlAsync("88.999/out-2"));
        output.WriteLine($"first requests with Redis down: cached read {t1} ms, write A {t2 - t1} ms, write B {t3 - t2} ms, uncached read A {sw.ElapsedMilliseconds - t3} ms");

        output.WriteLine("B during the outage: " + (await b.StatsAsync()).ToString());

        // The change log carries what pub/sub cannot.
        var seen = await b.TimeUntilServedAsync("88.999/out-1", "http://v/2", Bound + Bound);
        Assert.True(seen is not null, "B never saw the write A made while Redis was down");
        output.WriteLine($"write during Redis outage seen by B after {seen!.Value.TotalMilliseconds:F1} ms");
        Assert.True(seen.Value <= Bound, $"took {seen.Value.TotalMilliseconds} ms");

        for (var i = 3; i < 13; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await b.PutAsync("88.999/out-1", $"http://v/{i}"));
            var t = await a.TimeUntilServedAsync("88.999/out-1", $"http://v/{i}", Bound + Bound);
            Assert.True(t is not null && t.Value <= Bound, $"update {i} during the outage reached A after {t?.TotalMilliseconds} ms");
        }

        redis.Start(); // a fresh, empty Redis on the same port
        foreach (var node in new[] { a, b })
            await WaitForAsync(async () => (await node.StatsAsync()) is var s && s.GetProperty("redisAvailable").GetBoolean() && s.GetProperty("l2ReadsEnabled").GetBoolean(),
                TimeSpan.FromSeconds(20), $"{node.Name} never used Redis again:\n{node.Log}");

        Assert.Equal(HttpStatusCode.OK, await a.PutAsync("88.999/out-3", "http://x/1"));
        Assert.Equal("http://x/1", await a.GetUrlAsync("88.999/out-3")); // A's miss fills Redis
        var hitsBefore = await b.StatAsync("l2Hits");
        Assert.Equal("http://x/1", await b.GetUrlAsync("88.999/out-3")); // B's miss is served from Redis
        Assert.Equal(hitsBefore + 1, await b.StatAsync("l2Hits"));

        // Pub/sub is back too: B hears A's writes. The client re-subscribes on its own subscription
        // connection, which reconnects independently of the command connection checked above, so
        // on a loaded machine the first message after the restart can still be lost: keep writing
        // until one is heard.
        var last = await WriteUntilHeardAsync(a, b, "88.999/out-3", "http://x/", 2, "B heard nothing on the bus after Redis came back");
        Assert.Equal(last, await b.GetUrlAsync("88.999/out-3"));
    }

    [SkippableFact]
    public async Task A_node_started_while_Redis_is_down_serves_and_starts_using_Redis_when_it_appears()
    {
        TestServers.Require(TestServers.Redis, "Redis");
        using var redis = RedisControl.StartNew();
        redis.Stop();
        using var store = SharedStore.Sqlite();
        var prefix = NewPrefix();
        await using var a = await NodeProcess.StartAsync("A", RedisNode(store, redis.Configuration, prefix));

        Assert.Equal(HttpStatusCode.OK, await a.PutAsync("88.999/late-1", "http://v/1"));
        Assert.Equal("http://v/1", await a.GetUrlAsync("88.999/late-1"));

        redis.Start();
        await WaitForAsync(async () => (await a.StatsAsync()).GetProperty("redisAvailable").GetBoolean(), TimeSpan.FromSeconds(20), "A never connected to Redis");

        Assert.Equal(HttpStatusCode.OK, await a.PutAsync("88.999/late-2", "http://v/2"));
        Assert.Equal("http://v/2", await a.GetUrlAsync("88.999/late-2"));
        Assert.Equal("1", redis.Cli("exists", prefix + "r:88.999/late-2").Trim());
        // Each write publishes once its tombstone is written; one write's message may be lost to a
        // Redis timeout on a loaded machine, so keep writing until one comes back through the bus.
        await WriteUntilHeardAsync(a, a, "88.999/late-2", "http://v/", 3, "the subscription was not made after Redis appeared");
    }

    /// <summary>
    /// Writes <paramref name="urlBase"/> + <paramref name="first"/>, + 1, ... to <paramref name="handle"/> through the writer until
    /// the listener's bus counter moves (a single message may be lost while Redis reconnects); returns
    /// the last URL written.
    /// </summary>
    private static async Task<string> WriteUntilHeardAsync(NodeProcess writer, NodeProcess listener, string handle, string urlBase, int first, string message)
    {
        var heard = await listener.StatAsync("invalidationsReceived");
        var next = first;
        var url = "";
        await WaitForAsync(async () =>
        {
            url = urlBase + next++;
            Assert.Equal(HttpStatusCode.OK, await writer.PutAsync(handle, url));
            await Task.Delay(200);
            return await listener.StatAsync("invalidationsReceived") > heard;
        }, TimeSpan.FromSeconds(20), message);
        return url;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit, string message)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            if (await condition())
                return;
            await Task.Delay(100);
        }
        Assert.Fail(message);
    }
}
