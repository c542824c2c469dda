using System.Diagnostics;
using IdNode.Core.Ports;
using IdNode.TestSupport;

namespace IdNode.Cache.Redis.Tests;

/// <summary>What the tests against a real Redis share: waiting for the connection, entries, fills that have landed.</summary>
internal static class RedisTestCache
{
    /// <summary>The cache once connected: commands fail fast while the multiplexer is still connecting (slow CI machines).</summary>
    public static RedisRecordCache Connected(RedisRecordCache cache)
    {
        TestServers.Require(TestServers.Redis, "Redis");
        var deadline = Stopwatch.StartNew();
        while (!cache.Multiplexer.IsConnected && deadline.Elapsed < TimeSpan.FromSeconds(15))
            Thread.Sleep(20);
        return cache;
    }

    public static SharedCacheEntry Entry(long version) => new(version, [1, 2, (byte)version]);

    /// <summary>A fill, then a PING on the same connection, so the fire-and-forget fill has run.</summary>
    public static async Task SetAndWait(RedisRecordCache cache, string key, SharedCacheEntry entry)
    {
        cache.Set(key, entry, TimeSpan.FromMinutes(1));
        await cache.Multiplexer.GetDatabase().PingAsync();
    }
}
