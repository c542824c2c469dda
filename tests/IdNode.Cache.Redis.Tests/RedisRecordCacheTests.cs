using System.Diagnostics;
using IdNode.Core.Ports;
using IdNode.TestSupport;

namespace IdNode.Cache.Redis.Tests;

/// <summary>The Redis adapter against the real server ./test.sh starts; each test has its own key space.</summary>
public sealed class RedisRecordCacheTests : IDisposable
{
    private readonly RedisRecordCache? _cache;

    public RedisRecordCacheTests()
    {
        if (!string.IsNullOrEmpty(TestServers.Redis))
            _cache = new RedisRecordCache(new RedisCacheOptions { Configuration = TestServers.Redis, KeyPrefix = "t-" + Guid.NewGuid().ToString("N")[..8] + ":" });
    }

    private RedisRecordCache Cache() => RedisTestCache.Connected(_cache!);

    private static SharedCacheEntry Entry(long version) => RedisTestCache.Entry(version);

    private static Task SetAndWait(RedisRecordCache cache, string key, SharedCacheEntry entry) => RedisTestCache.SetAndWait(cache, key, entry);

    [SkippableFact]
    public async Task A_fill_never_replaces_a_newer_version()
    {
        var cache = Cache();
        await SetAndWait(cache, "k", Entry(5));
        await SetAndWait(cache, "k", Entry(4));
        Assert.Equal(5, (await cache.GetAsync("k"))!.Version);
        await SetAndWait(cache, "k", Entry(6));
        Assert.Equal(6, (await cache.GetAsync("k"))!.Version);
        Assert.Equal(new byte[] { 1, 2, 6 }, (await cache.GetAsync("k"))!.Payload);
    }

    [SkippableFact]
    public async Task A_tombstone_hides_the_entry_and_refuses_older_fills_but_accepts_the_committed_version()
    {
        var cache = Cache();
        await SetAndWait(cache, "k", Entry(1));
        Assert.True(await cache.InvalidateAsync("k", 2, TimeSpan.FromMinutes(1)));
        Assert.Null(await cache.GetAsync("k"));

        await SetAndWait(cache, "k", Entry(1)); // a slow reader of the old version
        Assert.Null(await cache.GetAsync("k"));

        await SetAndWait(cache, "k", Entry(2));
        Assert.Equal(2, (await cache.GetAsync("k"))!.Version);

        // A late tombstone of an older commit leaves the newer entry alone.
        Assert.True(await cache.InvalidateAsync("k", 1, TimeSpan.FromMinutes(1)));
        Assert.Equal(2, (await cache.GetAsync("k"))!.Version);
    }

    [SkippableFact]
    public async Task Entries_and_tombstones_carry_their_ttl()
    {
        var cache = Cache();
        await SetAndWait(cache, "k", Entry(1)); // one minute
        var db = cache.Multiplexer.GetDatabase();
        StackExchange.Redis.RedisKey key = cache.KeyPrefixForTests + "k";
        var ttl = await db.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value.TotalSeconds, 1, 60);

        Assert.True(await cache.InvalidateAsync("k", 2, TimeSpan.FromSeconds(5)));
        ttl = await db.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value.TotalSeconds, 0.1, 5);
    }

    [SkippableFact]
    public async Task Published_invalidations_reach_subscribers_with_odd_keys_intact()
    {
        var cache = Cache();
        var received = new TaskCompletionSource<(string, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.Subscribe((k, v) => received.TrySetResult((k, v)));
        // The multiplexer may still be connecting on a loaded machine: the subscription is retried
        // until it is made, and only then does the bus report itself connected.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !cache.IsConnected)
            await Task.Delay(20);
        Assert.True(cache.IsConnected, "the invalidation subscription was not made within 15 s");
        while (deadline.Elapsed < TimeSpan.FromSeconds(20) && !received.Task.IsCompleted)
        {
            await cache.PublishAsync("88.999/a b:c", 42);
            await Task.WhenAny(received.Task, Task.Delay(100));
        }
        Assert.True(received.Task.IsCompleted, "no invalidation arrived within 20 s");
        Assert.Equal(("88.999/a b:c", 42L), await received.Task);
    }

    [SkippableFact]
    public async Task A_subscription_asked_for_before_Redis_is_up_is_made_once_it_is()
    {
        TestServers.Require(TestServers.Redis, "Redis");
        using var redis = RedisControl.OnFreePort();
        using var cache = new RedisRecordCache(new RedisCacheOptions { Configuration = redis.Configuration, SubscribeRetryMs = 100 });
        var received = new TaskCompletionSource<(string, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.Subscribe((k, v) => received.TrySetResult((k, v)));
        await Task.Delay(300);
        Assert.False(cache.IsConnected);
        var gapsWhileDown = cache.GapCount;

        redis.Start();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !cache.IsConnected)
            await Task.Delay(20);
        Assert.True(cache.IsConnected, "the subscription was not made after Redis came up");
        // Whatever was published before the subscription is lost: that must read as a gap.
        Assert.True(cache.GapCount > gapsWhileDown);
        while (deadline.Elapsed < TimeSpan.FromSeconds(20) && !received.Task.IsCompleted)
        {
            await cache.PublishAsync("88.999/late", 7);
            await Task.WhenAny(received.Task, Task.Delay(100));
        }
        Assert.Equal(("88.999/late", 7L), await received.Task);
    }

    [SkippableFact]
    public async Task Clear_drops_only_this_key_space()
    {
        var cache = Cache();
        using var other = new RedisRecordCache(new RedisCacheOptions { Configuration = TestServers.Redis!, KeyPrefix = "o-" + Guid.NewGuid().ToString("N")[..8] + ":" });
        await SetAndWait(cache, "k1", Entry(1));
        await SetAndWait(other, "k1", Entry(1));
        Assert.True(await cache.ClearAsync());
        Assert.Null(await cache.GetAsync("k1"));
        Assert.NotNull(await other.GetAsync("k1"));
    }

    [SkippableFact]
    public async Task An_unreachable_Redis_answers_at_once_as_a_miss_and_a_failed_invalidation()
    {
        TestServers.Require(TestServers.Redis, "Redis");
        var port = RedisControl.FreePort(); // nothing listens there
        var sw = Stopwatch.StartNew();
        using var cache = new RedisRecordCache(new RedisCacheOptions { Configuration = $"127.0.0.1:{port},connectTimeout=300" });
        Assert.False(cache.IsAvailable);
        sw.Restart();
        Assert.Null(await cache.GetAsync("k"));
        cache.Set("k", Entry(1), TimeSpan.FromMinutes(1));
        Assert.False(await cache.InvalidateAsync("k", 1, TimeSpan.FromMinutes(1)));
        Assert.False(await cache.PublishAsync("k", 1));
        Assert.True(sw.ElapsedMilliseconds < 1000, $"calls against a dead Redis took {sw.ElapsedMilliseconds} ms");
    }

    public void Dispose() => _cache?.Dispose();
}
