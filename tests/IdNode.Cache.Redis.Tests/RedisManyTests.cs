using System.Diagnostics;
using System.Text;
using IdNode.Core.Ports;
using IdNode.Core.Services;
using IdNode.TestSupport;
using StackExchange.Redis;

namespace IdNode.Cache.Redis.Tests;

/// <summary>
/// The batch forms against the real Redis ./test.sh starts: one tombstone script per chunk with the
/// single script's version rules, and multi-commit bus messages that every subscriber splits back
/// into commits.
/// </summary>
public sealed class RedisManyTests : IDisposable
{
    // Keys a Handle identifier may produce that a naive format would split or misread.
    private static readonly string[] OddKeys =
    [
        "88.999/a b:c", "88.999/ 7 8 ", "88.999/*3 1 2 x", "88.999/汉字-标识", "88.999/😀", "88.999/", "0/1 2", "88.999/a\"b'c\\d",
    ];

    private readonly string _prefix = "m-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly RedisRecordCache? _cache;

    public RedisManyTests()
    {
        if (!string.IsNullOrEmpty(TestServers.Redis))
            _cache = new RedisRecordCache(new RedisCacheOptions { Configuration = TestServers.Redis, KeyPrefix = _prefix });
    }

    private RedisRecordCache Cache() => RedisTestCache.Connected(_cache!);

    private static SharedCacheEntry Entry(long version) => RedisTestCache.Entry(version);

    private static Task SetAndWait(RedisRecordCache cache, string key, SharedCacheEntry entry) => RedisTestCache.SetAndWait(cache, key, entry);

    private static async Task<(long Version, bool HasPayload)?> RawAsync(RedisRecordCache cache, string key)
    {
        var values = await cache.Multiplexer.GetDatabase().HashGetAsync(cache.KeyPrefixForTests + key, ["v", "d"]);
        return values[0].IsNull ? null : ((long)values[0], !values[1].IsNull);
    }

    [SkippableFact]
    public async Task Many_tombstones_leave_newer_entries_alone_and_refuse_older_fills_afterwards()
    {
        var cache = Cache();
        await SetAndWait(cache, "older", Entry(3));
        await SetAndWait(cache, "same", Entry(5));
        await SetAndWait(cache, "newer", Entry(9));

        Assert.True(await cache.InvalidateManyAsync(
            [new("older", 5), new("same", 5), new("newer", 5), new("absent", 5)], TimeSpan.FromMinutes(1)));

        Assert.Null(await cache.GetAsync("older"));
        Assert.Equal((5L, false), await RawAsync(cache, "older"));
        Assert.Equal(5, (await cache.GetAsync("same"))!.Version);
        Assert.Equal(9, (await cache.GetAsync("newer"))!.Version);
        Assert.Equal((5L, false), await RawAsync(cache, "absent"));

        await SetAndWait(cache, "older", Entry(4)); // a slow reader of a version before the commit
        await SetAndWait(cache, "absent", Entry(4));
        Assert.Null(await cache.GetAsync("older"));
        Assert.Null(await cache.GetAsync("absent"));
        await SetAndWait(cache, "older", Entry(5)); // the committed version may fill again
        Assert.Equal(5, (await cache.GetAsync("older"))!.Version);

        var ttl = await cache.Multiplexer.GetDatabase().KeyTimeToLiveAsync(cache.KeyPrefixForTests + "absent");
        Assert.InRange(ttl!.Value.TotalSeconds, 1, 60);
    }

    [SkippableFact]
    public async Task Many_tombstones_across_several_script_calls_reach_every_key_including_odd_ones()
    {
        Cache();
        // Its own client with a patient timeout: ~3000 commands in a row must not fail on one VM
        // pause longer than the production 250 ms (which is about failing fast, not what is tested here).
        using var patient = new RedisRecordCache(new RedisCacheOptions { Configuration = TestServers.Redis!, KeyPrefix = _prefix, OperationTimeoutMs = 5000 });
        var cache = RedisTestCache.Connected(patient);
        var commits = Enumerable.Range(0, 2 * RedisRecordCache.MaxPerCall + 37)
            .Select(i => new RecordCommit($"88.999/K-{i}", i + 1))
            .Concat(OddKeys.Select(k => new RecordCommit(k, 77)))
            .ToList();
        foreach (var c in commits)
            await SetAndWait(cache, c.Key, Entry(c.Version - 1));

        Assert.True(await cache.InvalidateManyAsync(commits, TimeSpan.FromMinutes(1)));

        foreach (var c in commits)
            Assert.Equal((c.Version, false), await RawAsync(cache, c.Key));
    }

    [Fact]
    public void A_multi_message_round_trips_odd_keys()
    {
        var commits = OddKeys.Select((k, i) => new RecordCommit(k, long.MaxValue - i)).Append(new RecordCommit("88.999/x", 1)).ToList();

        var decoded = RedisRecordCache.DecodeMany(RedisRecordCache.EncodeMany(commits, 0, commits.Count));

        Assert.Equal(commits.Select(c => (c.Key, c.Version)), decoded!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("*0")]
    [InlineData("*1")]
    [InlineData("*1 5 3 abc ")] // trailing bytes
    [InlineData("*2 5 3 abc")] // fewer commits than announced
    [InlineData("*1 5 4 abc")] // key shorter than its length
    [InlineData("*1 5 3 abcd")] // key longer than its length
    [InlineData("*1 -5 3 abc")]
    [InlineData("*1 5 -3 abc")]
    [InlineData("*1 5  3 abc")]
    [InlineData("*1 x 3 abc")]
    [InlineData("*1 99999999999999999999 3 abc")] // overflows a long
    [InlineData("*1 5 99999999999999999999 abc")]
    [InlineData("*999999999 5 3 abc")]
    [InlineData("5 88.999/a")] // the single form is not a multi message
    public void A_malformed_multi_message_decodes_to_nothing(string text)
        => Assert.Null(RedisRecordCache.DecodeMany(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_multi_message_with_a_key_that_is_not_UTF8_decodes_to_nothing()
        => Assert.Null(RedisRecordCache.DecodeMany([.. "*1 5 2 "u8, 0xC3, 0x28]));

    [SkippableFact]
    public async Task Multi_messages_reach_subscribers_as_single_commits_and_a_malformed_one_is_ignored()
    {
        var cache = Cache();
        var many = Enumerable.Range(0, RedisRecordCache.MaxPerCall + 3).Select(i => new RecordCommit($"88.999/M-{i}", i + 1))
            .Concat(OddKeys.Select(k => new RecordCommit(k, 8))).ToList();
        var expected = many.Count + 2;
        var received = new List<(string Key, long Version)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.Subscribe((k, v) =>
        {
            lock (received)
            {
                received.Add((k, v));
                if (received.Count >= expected)
                    done.TrySetResult();
            }
        });
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !cache.IsConnected)
            await Task.Delay(20);
        Assert.True(cache.IsConnected, "the invalidation subscription was not made within 15 s");

        var channel = RedisChannel.Literal(_prefix + "inv");
        var subscriber = cache.Multiplexer.GetSubscriber();
        await subscriber.PublishAsync(channel, Encoding.UTF8.GetBytes("*2 5 3 abc")); // malformed: ignored as a whole
        await subscriber.PublishAsync(channel, new byte[] { (byte)'*', 0xFF, 0x00 });
        // Another node publishes: a cache skips the echo of its own multi messages.
        using var publisher = new RedisRecordCache(new RedisCacheOptions { Configuration = TestServers.Redis!, KeyPrefix = _prefix });
        Assert.True(await publisher.PublishManyAsync(many));
        Assert.True(await publisher.PublishManyAsync([new RecordCommit("88.999/single", 4)]));
        Assert.True(await publisher.PublishAsync("88.999/last", 1));

        Assert.Same(done.Task, await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(20))));
        await Task.Delay(200); // time for anything extra (from the malformed messages) to show up
        lock (received)
        {
            // The multi messages (split at MaxPerCall) arrive as single commits; nothing of the
            // malformed ones is handed out, and the subscription still works after them.
            var want = many.Select(c => (c.Key, c.Version)).Append(("88.999/single", 4L)).Append(("88.999/last", 1L)).Order().ToList();
            Assert.Equal(want, received.Order().ToList());
        }
    }

    [SkippableFact]
    public async Task A_publisher_skips_the_echo_of_its_own_multi_messages_while_other_subscribers_get_every_commit()
    {
        var writer = Cache();
        using var otherCache = new RedisRecordCache(new RedisCacheOptions { Configuration = TestServers.Redis!, KeyPrefix = _prefix });
        var other = RedisTestCache.Connected(otherCache);
        var heardByWriter = new List<(string Key, long Version)>();
        var heardByOther = new List<(string Key, long Version)>();
        var otherDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var own = Enumerable.Range(0, 3).Select(i => new RecordCommit($"88.999/OWN-{i}", 2)).ToList();
        writer.Subscribe((k, v) =>
        {
            lock (heardByWriter)
            {
                heardByWriter.Add((k, v));
                if (k == "88.999/from-other")
                    writerDone.TrySetResult();
            }
        });
        other.Subscribe((k, v) =>
        {
            lock (heardByOther)
            {
                heardByOther.Add((k, v));
                if (heardByOther.Count >= own.Count)
                    otherDone.TrySetResult();
            }
        });
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !(writer.IsConnected && other.IsConnected))
            await Task.Delay(20);
        Assert.True(writer.IsConnected && other.IsConnected, "the invalidation subscriptions were not made within 15 s");

        Assert.True(await writer.PublishManyAsync(own));
        Assert.Same(otherDone.Task, await Task.WhenAny(otherDone.Task, Task.Delay(TimeSpan.FromSeconds(20))));
        // Redis delivers in publish order: once the writer hears a later message, its own echo has come and gone.
        Assert.True(await other.PublishAsync("88.999/from-other", 7));
        Assert.Same(writerDone.Task, await Task.WhenAny(writerDone.Task, Task.Delay(TimeSpan.FromSeconds(20))));

        lock (heardByOther)
            Assert.Equal(own.Select(c => (c.Key, c.Version)), heardByOther.Take(own.Count));
        lock (heardByWriter)
            Assert.Equal([("88.999/from-other", 7L)], heardByWriter);
    }

    [SkippableFact]
    public async Task With_Redis_down_the_batch_forms_fail_open_the_breaker_and_work_again_once_it_is_back()
    {
        TestServers.Require(TestServers.Redis, "Redis");
        using var redis = RedisControl.OnFreePort();
        redis.Start();
        using var cache = new RedisRecordCache(new RedisCacheOptions { Configuration = redis.Configuration, BreakMs = 200 });
        var deadline = Stopwatch.StartNew();
        while (!cache.IsAvailable && deadline.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(20);
        List<RecordCommit> commits = [.. Enumerable.Range(0, RedisRecordCache.MaxPerCall + 1).Select(i => new RecordCommit($"88.999/D-{i}", 2))];
        Assert.True(await cache.InvalidateManyAsync(commits, TimeSpan.FromMinutes(1)));

        redis.Stop();
        Assert.False(await cache.InvalidateManyAsync(commits, TimeSpan.FromMinutes(1)));
        Assert.False(await cache.PublishManyAsync(commits));
        Assert.False(cache.IsAvailable);
        Assert.True(cache.Failures > 0);
        Assert.True(cache.Breaks >= 1);

        redis.Start();
        deadline.Restart();
        while (!cache.IsAvailable && deadline.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(20);
        Assert.True(cache.IsAvailable, "the breaker did not close after Redis came back");
        var breaks = cache.Breaks;
        Assert.True(await cache.InvalidateManyAsync(commits, TimeSpan.FromMinutes(1)));
        Assert.True(await cache.PublishManyAsync(commits));
        Assert.Equal(breaks, cache.Breaks);
        Assert.Equal((2L, false), await RawAsync(cache, "88.999/D-0"));
    }

    public void Dispose() => _cache?.Dispose();
}
