using IdNode.Cache.Redis.Tests.Fakes;
using IdNode.Core.Caching;
using IdNode.Core.Services;

namespace IdNode.Cache.Redis.Tests;

/// <summary>The read path L1 → L2 → store with fakes: single flight, version guards, negative caching, store failures.</summary>
public sealed class ResolverCacheTests
{
    private const string Key = "88.999/A";
    private readonly FakeStore _store = new();
    private readonly FakeSharedCache _shared = new();

    private Resolver NewResolver(long l1Bytes = 1 << 20, bool withShared = true)
        => new(_store, new L1Cache(l1Bytes), new ResolverOptions { MaxTtlSeconds = 600, NegativeTtlSeconds = 5 }, withShared ? _shared : null);

    private static string Url(CacheEntry e) => e.Record!.Values[0].Data.Text!;

    [Fact]
    public async Task Concurrent_misses_for_one_key_read_the_store_once()
    {
        _store.Put(Key, "http://v1");
        var resolver = NewResolver(withShared: false);
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = Enumerable.Range(0, 50).Select(_ => resolver.ResolveAsync(Key).AsTask()).ToList();
        _store.Gate.SetResult();
        var entries = await Task.WhenAll(waiting);

        Assert.Equal(1, _store.Gets);
        Assert.All(entries, e => Assert.Equal("http://v1", Url(e)));
        Assert.Equal(49, resolver.Stats.Coalesced);
    }

    [Fact]
    public async Task Misses_for_different_keys_do_not_wait_for_each_other()
    {
        _store.Put(Key, "http://a");
        _store.Put("88.999/B", "http://b");
        var resolver = NewResolver(withShared: false);
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = resolver.ResolveAsync(Key).AsTask();
        var b = resolver.ResolveAsync("88.999/B").AsTask();
        _store.Gate.SetResult();
        await Task.WhenAll(a, b);
        Assert.Equal(2, _store.Gets);
    }

    [Fact]
    public async Task A_caller_arriving_after_a_write_does_not_join_a_load_that_read_the_old_version()
    {
        _store.Put(Key, "http://v1");
        var resolver = NewResolver();
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = firstGate;
        var slow = resolver.ResolveAsync(Key).AsTask();
        _store.Gate = null;

        var v2 = _store.Put(Key, "http://v2");
        resolver.OnCommitted(Key, v2.Version);

        var fresh = await resolver.ResolveAsync(Key);
        Assert.Equal("http://v2", Url(fresh));
        Assert.Equal(2, _store.Gets);

        firstGate.SetResult();
        Assert.Equal(1, (await slow).Version);
        Assert.True(resolver.TryGetCached(Key, out var cached));
        Assert.Equal(2, cached.Version);
        Assert.Equal(2, _shared.Raw(Key)!.Value.Version);
    }

    [Fact]
    public async Task A_slow_reader_of_an_old_version_is_refused_by_L1_and_L2()
    {
        _store.Put(Key, "http://v1");
        var resolver = NewResolver();
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = firstGate;
        var slow = resolver.ResolveAsync(Key).AsTask();
        _store.Gate = null;

        var v2 = _store.Put(Key, "http://v2");
        resolver.OnCommitted(Key, v2.Version);
        await _shared.InvalidateAsync(Key, v2.Version, TimeSpan.FromSeconds(60));

        firstGate.SetResult();
        var old = await slow;
        Assert.Equal(1, old.Version); // it began before the write: answering v1 is fine, caching it is not
        Assert.False(resolver.TryGetCached(Key, out _));
        var raw = _shared.Raw(Key)!.Value;
        Assert.Equal(2, raw.Version);
        Assert.Null(raw.Payload);
        Assert.Equal("http://v2", Url(await resolver.ResolveAsync(Key)));
    }

    [Fact]
    public async Task An_L2_hit_is_served_without_touching_the_store_and_fills_L1()
    {
        var row = _store.Put(Key, "http://v1", ttl: 120);
        _shared.Set(Key, SharedEntryCodec.Encode(row), TimeSpan.FromMinutes(1));
        var resolver = NewResolver();

        var entry = await resolver.ResolveAsync(Key);

        Assert.Equal("http://v1", Url(entry));
        Assert.Equal(0, _store.Gets);
        Assert.Equal(1, resolver.Stats.L2Hits);
        Assert.True(resolver.TryGetCached(Key, out var cached));
        Assert.Equal(entry.PublicJson, cached.PublicJson);
    }

    [Fact]
    public async Task An_L2_entry_older_than_an_invalidated_version_is_skipped()
    {
        var v1 = _store.Put(Key, "http://v1");
        _shared.Set(Key, SharedEntryCodec.Encode(v1), TimeSpan.FromMinutes(1));
        var v2 = _store.Put(Key, "http://v2");
        var resolver = NewResolver();
        resolver.InvalidateLocal(Key, v2.Version); // heard about v2 (bus or change log), L2 not yet tombstoned

        var entry = await resolver.ResolveAsync(Key);

        Assert.Equal("http://v2", Url(entry));
        Assert.Equal(1, _store.Gets);
        Assert.Equal(0, resolver.Stats.L2Hits);
    }

    [Fact]
    public async Task A_store_read_fills_L2_with_the_version_and_the_record_TTL_capped_by_configuration()
    {
        _store.Put(Key, "http://v1", ttl: 30);
        _store.Put("88.999/LONG", "http://long", ttl: 86400);
        var resolver = NewResolver();

        await resolver.ResolveAsync(Key);
        Assert.Equal(TimeSpan.FromSeconds(30), _shared.LastTtl);
        Assert.Equal(1, _shared.Raw(Key)!.Value.Version);

        await resolver.ResolveAsync("88.999/LONG");
        Assert.Equal(TimeSpan.FromSeconds(600), _shared.LastTtl);
    }

    [Fact]
    public async Task Not_found_is_cached_in_L1_only_and_dropped_when_the_identifier_is_created()
    {
        var resolver = NewResolver();
        var missing = await resolver.ResolveAsync(Key);
        Assert.False(missing.IsFound);
        Assert.Null(_shared.Raw(Key));
        Assert.Equal(0, _shared.Sets);

        await resolver.ResolveAsync(Key);
        Assert.Equal(1, _store.Gets); // second answer came from the negative L1 entry

        var created = _store.Put(Key, "http://new");
        resolver.OnCommitted(Key, created.Version);
        Assert.Equal("http://new", Url(await resolver.ResolveAsync(Key)));
    }

    [Fact]
    public async Task When_the_store_fails_cached_reads_still_succeed_and_a_miss_surfaces_the_failure()
    {
        _store.Put(Key, "http://v1");
        var other = _store.Put("88.999/L2ONLY", "http://l2");
        _shared.Set(other.Key, SharedEntryCodec.Encode(other), TimeSpan.FromMinutes(1));
        var resolver = NewResolver();
        await resolver.ResolveAsync(Key);
        var before = _store.Gets;

        var failure = new InvalidOperationException("store down");
        _store.Failure = failure;

        Assert.Equal("http://v1", Url(await resolver.ResolveAsync(Key)));
        Assert.Equal("http://l2", Url(await resolver.ResolveAsync("88.999/L2ONLY")));
        Assert.Equal(before, _store.Gets);
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => resolver.ResolveAsync("88.999/UNCACHED").AsTask());
        Assert.Same(failure, thrown);
    }

    [Fact]
    public async Task With_L2_unavailable_reads_go_to_the_store()
    {
        var row = _store.Put(Key, "http://v1");
        _shared.Set(Key, SharedEntryCodec.Encode(row), TimeSpan.FromMinutes(1));
        _shared.Up = false;
        var resolver = NewResolver();
        Assert.Equal("http://v1", Url(await resolver.ResolveAsync(Key)));
        Assert.Equal(1, _store.Gets);
    }

    [Fact]
    public async Task Authoritative_reads_skip_both_caches()
    {
        var row = _store.Put(Key, "http://v1");
        var resolver = NewResolver();
        await resolver.ResolveAsync(Key);
        await resolver.ResolveAsync(Key, authoritative: true);
        Assert.Equal(2, _store.Gets);
        _ = row;
    }

    [Fact]
    public async Task A_load_that_began_before_L1_was_cleared_does_not_fill_it()
    {
        _store.Put(Key, "http://v1");
        var resolver = NewResolver(withShared: false);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate;
        var slow = resolver.ResolveAsync(Key).AsTask();
        _store.Gate = null;

        resolver.L1.Clear(); // invalidations may have been lost: the markers that guard this load are gone too
        gate.SetResult();
        await slow;

        Assert.False(resolver.TryGetCached(Key, out _));
    }
}
