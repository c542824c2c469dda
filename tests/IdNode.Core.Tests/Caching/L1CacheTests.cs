using IdNode.Core.Caching;
using IdNode.Core.Records;

namespace IdNode.Core.Tests.Caching;

public class L1CacheTests
{
    private static CacheEntry Found(string key, long version, int bytes = 100, long expires = long.MaxValue)
        => CacheEntry.Found(key, new HandleRecord(key, version, []), new byte[bytes], expires);

    [Fact]
    public void A_span_lookup_finds_the_entry()
    {
        var cache = new L1Cache(1 << 20);
        cache.Set(Found("88.999/a", 1));
        Assert.True(cache.TryGet("88.999/a".AsSpan(), out var entry));
        Assert.Equal(1, entry.Version);
        Assert.False(cache.TryGet("88.999/b".AsSpan(), out _));
    }

    [Fact]
    public void An_older_version_never_replaces_a_newer_one()
    {
        var cache = new L1Cache(1 << 20);
        Assert.True(cache.Set(Found("k/1", 5)));
        Assert.False(cache.Set(Found("k/1", 4)));
        Assert.True(cache.TryGet("k/1", out var entry));
        Assert.Equal(5, entry.Version);
        Assert.True(cache.Set(Found("k/1", 6)));
    }

    [Fact]
    public void An_invalidation_blocks_a_slow_reader_that_fetched_the_old_version()
    {
        var cache = new L1Cache(1 << 20);
        cache.Set(Found("k/1", 1));
        // A reader fetched version 1 from the store; meanwhile version 2 commits and invalidates.
        cache.Invalidate("k/1", 2);
        Assert.False(cache.TryGet("k/1", out _));
        Assert.False(cache.Set(Found("k/1", 1)));
        Assert.False(cache.TryGet("k/1", out _));
        Assert.True(cache.Set(Found("k/1", 2)));
        Assert.True(cache.TryGet("k/1", out _));
    }

    [Fact]
    public void Not_found_entries_are_answers_until_a_create_invalidates_them()
    {
        var cache = new L1Cache(1 << 20);
        cache.Set(CacheEntry.NotFound("k/1", 0, long.MaxValue));
        Assert.True(cache.TryGet("k/1", out var negative));
        Assert.False(negative.IsFound);
        cache.Invalidate("k/1", 1);
        Assert.False(cache.TryGet("k/1", out _));
    }

    [Fact]
    public void Expired_entries_are_not_served()
    {
        var time = new ManualTime();
        var cache = new L1Cache(1 << 20, time);
        cache.Set(Found("k/1", 1, expires: cache.NowMs + 1000));
        Assert.True(cache.TryGet("k/1", out _));
        time.AdvanceMs(1001);
        Assert.False(cache.TryGet("k/1", out _));
    }

    [Fact]
    public void The_byte_bound_holds_and_recently_used_entries_survive()
    {
        var cache = new L1Cache(200_000);
        cache.Set(Found("hot/1", 1, bytes: 1000));
        for (var i = 0; i < 2000; i++)
        {
            Assert.True(cache.TryGet("hot/1", out _), $"hot entry evicted at {i}");
            cache.Set(Found($"cold/{i}", 1, bytes: 1000));
        }
        Assert.True(cache.Bytes <= 200_000 + 4000, $"{cache.Bytes} bytes");
        Assert.True(cache.Count < 2001);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;
        public override long GetTimestamp() => _ticks;
        public override long TimestampFrequency => 1000;
        public void AdvanceMs(long ms) => _ticks += ms;
    }
}
