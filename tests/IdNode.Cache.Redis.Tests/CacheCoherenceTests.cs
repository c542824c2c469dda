using IdNode.Cache.Redis.Tests.Fakes;
using IdNode.Core.Caching;
using IdNode.Core.Ports;
using IdNode.Core.Services;

namespace IdNode.Cache.Redis.Tests;

/// <summary>The coherence rules with fakes: the follower, the bus, missed L2 invalidations and the stale bound.</summary>
public sealed class CacheCoherenceTests
{
    private const string Key = "88.999/A";
    private readonly FakeStore _store = new();
    private readonly FakeSharedCache _shared = new();
    private readonly ManualTime _time = new();
    private readonly Resolver _resolver;
    private readonly CacheCoherence _coherence;

    public CacheCoherenceTests()
    {
        _resolver = new Resolver(_store, new L1Cache(1 << 20, _time), new ResolverOptions(), _shared);
        _coherence = new CacheCoherence(_resolver, _store, new CoherenceOptions { StaleBoundMs = 1000, BatchSize = 10 }, _shared, _shared, _time);
    }

    [Fact]
    public async Task A_node_starts_following_at_the_end_of_the_change_log()
    {
        for (var i = 0; i < 37; i++)
            _store.Put("88.999/K" + i, "http://x");
        await _coherence.StartAsync(CancellationToken.None);
        Assert.Equal(37, _coherence.LastSequence);
    }

    /// <summary>Every log length up to 70 from sequence 1: the probe that finds nothing after it can sit on the last change itself.</summary>
    [Fact]
    public async Task The_end_of_the_log_is_its_last_sequence_for_every_length()
    {
        for (var n = 0; n <= 70; n++)
        {
            Assert.Equal(n, await CacheCoherence.FindEndOfLogAsync(_store, CancellationToken.None));
            _store.Put("88.999/N" + n, "http://x");
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(1000, 1)]
    [InlineData(1000, 7)]
    [InlineData(5, 1_000_003)]
    [InlineData(8, 1)]
    [InlineData(10, 1)]
    [InlineData(10, 3)]
    public async Task The_end_of_the_log_is_found_with_gaps_in_the_sequence(int changes, int gap)
    {
        _store.NextSequence = 3;
        for (var i = 0; i < changes; i++)
        {
            _store.Put("88.999/K" + i, "http://x");
            _store.NextSequence += gap - 1;
        }
        var last = changes == 0 ? 0 : (await _store.ReadChangesAsync(0, int.MaxValue))[^1].Sequence;
        Assert.Equal(last, await CacheCoherence.FindEndOfLogAsync(_store, CancellationToken.None));
    }

    [Fact]
    public async Task A_change_missed_by_the_bus_is_applied_from_the_change_log_to_L1_and_L2()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var v1 = _store.Put(Key, "http://v1");
        _shared.Set(Key, SharedEntryCodec.Encode(v1), TimeSpan.FromMinutes(1));
        await _resolver.ResolveAsync(Key);
        Assert.True(_resolver.TryGetCached(Key, out _));

        var v2 = _store.Put(Key, "http://v2"); // written by another node whose message was lost
        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.False(_resolver.TryGetCached(Key, out _));
        Assert.Null(_shared.Raw(Key)!.Value.Payload);
        Assert.Equal(v2.Version, _shared.Raw(Key)!.Value.Version);
        Assert.Equal("http://v2", (await _resolver.ResolveAsync(Key)).Record!.Values[0].Data.Text);
    }

    [Fact]
    public async Task A_change_announced_on_the_bus_is_not_written_to_L2_again_by_the_follower()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var v1 = _store.Put(Key, "http://v1");
        await _resolver.ResolveAsync(Key);
        _shared.Deliver(Key, v1.Version);
        var before = _shared.Invalidations;

        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal(before, _shared.Invalidations);
        Assert.Equal(1, _resolver.Stats.InvalidationsReceived);
    }

    [Fact]
    public async Task A_local_commit_invalidates_L1_tombstones_L2_and_publishes()
    {
        var heard = new List<(string, long)>();
        _shared.Subscribe((k, v) => heard.Add((k, v)));
        var v1 = _store.Put(Key, "http://v1");
        await _resolver.ResolveAsync(Key);
        var v2 = _store.Put(Key, "http://v2");

        _coherence.OnCommitted(Key, v2.Version);

        Assert.False(_resolver.TryGetCached(Key, out _));
        Assert.Equal((v2.Version, (byte[]?)null), _shared.Raw(Key));
        Assert.Contains((Key, v2.Version), heard);
        _ = v1;
    }

    [Fact]
    public async Task L2_invalidations_lost_during_an_outage_are_written_before_L2_is_read_again()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var v1 = _store.Put(Key, "http://v1");
        _shared.Set(Key, SharedEntryCodec.Encode(v1), TimeSpan.FromMinutes(1));

        _shared.Up = false;
        var v2 = _store.Put(Key, "http://v2");
        _coherence.OnCommitted(Key, v2.Version);
        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.Equal(1, _coherence.PendingInvalidations);
        Assert.False(_resolver.SharedReadsEnabled);

        _shared.Up = true; // Redis back, still holding v1
        Assert.Equal("http://v2", (await _resolver.ResolveAsync(Key)).Record!.Values[0].Data.Text);
        Assert.Equal(0, _resolver.Stats.L2Hits);

        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.Equal(0, _coherence.PendingInvalidations);
        Assert.True(_resolver.SharedReadsEnabled);
        Assert.Equal(v2.Version, _shared.Raw(Key)!.Value.Version);
    }

    [Fact]
    public async Task When_the_follower_cannot_read_and_the_bus_had_a_gap_L1_is_emptied_after_the_bound()
    {
        await _coherence.StartAsync(CancellationToken.None);
        _store.Put(Key, "http://v1");
        await _resolver.ResolveAsync(Key);
        _store.Failure = new InvalidOperationException("store unreachable");
        _shared.GapCount++;

        _time.Advance(900);
        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.True(_resolver.TryGetCached(Key, out _));

        _time.Advance(200);
        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.False(_resolver.TryGetCached(Key, out _));
        Assert.Equal(1, _resolver.Stats.L1Clears);
    }

    [Fact]
    public async Task When_only_the_store_is_down_and_the_bus_is_whole_cached_reads_survive_past_the_bound()
    {
        await _coherence.StartAsync(CancellationToken.None);
        _store.Put(Key, "http://v1");
        await _resolver.ResolveAsync(Key);
        _store.Failure = new InvalidOperationException("store unreachable");

        _time.Advance(5000);
        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.True(_resolver.TryGetCached(Key, out _));
        Assert.Equal(0, _resolver.Stats.L1Clears);
    }

    [Fact]
    public async Task Without_a_bus_a_follower_that_cannot_read_empties_L1_after_the_bound()
    {
        var resolver = new Resolver(_store, new L1Cache(1 << 20, _time), new ResolverOptions());
        var coherence = new CacheCoherence(resolver, _store, new CoherenceOptions { StaleBoundMs = 1000 }, time: _time);
        await coherence.StartAsync(CancellationToken.None);
        _store.Put(Key, "http://v1");
        await resolver.ResolveAsync(Key);
        _store.Failure = new InvalidOperationException("store unreachable");

        _time.Advance(1500);
        await coherence.PollOnceAsync(CancellationToken.None);

        Assert.False(resolver.TryGetCached(Key, out _));
    }

    [Fact]
    public async Task The_follower_catches_up_over_many_batches()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var keys = Enumerable.Range(0, 95).Select(i => "88.999/K" + i).ToList();
        foreach (var k in keys)
        {
            _store.Put(k, "http://v1");
            await _resolver.ResolveAsync(k);
        }
        foreach (var k in keys)
            _store.Put(k, "http://v2");

        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.All(keys, k => Assert.False(_resolver.TryGetCached(k, out _)));
        Assert.Equal(190, _coherence.LastSequence);
        Assert.Equal(ChangeKind.Update, (await _store.ReadChangesAsync(189, 1))[0].Kind);
    }

    [Fact]
    public async Task If_the_follower_stalls_L1_stops_answering_at_the_bound_on_its_own()
    {
        await _coherence.StartAsync(CancellationToken.None);
        _store.Put(Key, "http://v1");
        await _resolver.ResolveAsync(Key);
        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.True(_resolver.TryGetCached(Key, out _));

        _time.Advance(1100); // no poll ran: nobody vouches for L1 any more
        Assert.False(_resolver.TryGetCached(Key, out _));

        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.True(_resolver.TryGetCached(Key, out _));
    }
}
