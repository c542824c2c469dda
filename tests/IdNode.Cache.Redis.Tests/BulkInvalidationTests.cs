using IdNode.Cache.Redis.Tests.Fakes;
using IdNode.Core.Caching;
using IdNode.Core.Services;

namespace IdNode.Cache.Redis.Tests;

/// <summary>
/// Import chunks and followed changes tell L1 only once L2 cannot hand out the old version, so
/// identifiers this node never cached leave no marker behind (a bulk import of millions would
/// otherwise fill L1 with them), while read-your-writes and the slow-reader guard still hold.
/// </summary>
public sealed class BulkInvalidationTests
{
    private readonly FakeStore _store = new();
    private readonly FakeSharedCache _shared = new();
    private readonly ManualTime _time = new();
    private readonly Resolver _resolver;
    private readonly CacheCoherence _coherence;

    public BulkInvalidationTests()
    {
        _resolver = new Resolver(_store, new L1Cache(1 << 20, _time), new ResolverOptions(), _shared);
        _coherence = new CacheCoherence(_resolver, _store, new CoherenceOptions { StaleBoundMs = 1000, BatchSize = 10, InvalidationChunk = 10 }, _shared, _shared, _time);
    }

    private static string K(int i) => $"88.999/IMP-{i}";

    // Each key gets an earlier version first: only a version that replaces another needs an L2
    // tombstone (see the first-version tests at the end).
    private List<RecordCommit> Commit(int count, string url)
        => Enumerable.Range(0, count).Select(i =>
        {
            _store.Put(K(i), "http://v0");
            return new RecordCommit(K(i), _store.Put(K(i), url).Version);
        }).ToList();

    [Fact]
    public async Task First_versions_are_published_without_an_L2_tombstone()
    {
        var heard = new List<(string, long)>();
        _shared.Subscribe((k, v) => heard.Add((k, v)));
        var commits = Enumerable.Range(0, 25).Select(i => new RecordCommit(K(i), _store.Put(K(i), "http://v1").Version)).ToList();
        Assert.All(commits, c => Assert.Equal(1, c.Version));

        await _coherence.OnCommittedManyAsync(commits);
        _coherence.OnCommitted(K(99), _store.Put(K(99), "http://v1").Version);
        await Task.Delay(50);

        Assert.Equal(0, _shared.ManyCalls);
        Assert.Equal(0, _shared.Invalidations);
        Assert.All(commits, c => Assert.Null(_shared.Raw(c.Key)));
        Assert.Equal(commits.Select(c => (c.Key, c.Version)).Append((K(99), 1L)), heard);
        Assert.Equal(0, _coherence.PendingInvalidations);
        // The new records are served from the store, and L2 is filled with them as usual.
        Assert.Equal("http://v1", (await _resolver.ResolveAsync(K(3))).Record!.Values[0].Data.Text);
        Assert.Equal(1, _shared.Raw(K(3))!.Value.Version);
    }

    [Fact]
    public async Task A_chunk_mixing_first_versions_and_replacements_tombstones_only_the_replacements()
    {
        var fresh = Enumerable.Range(0, 6).Select(i => new RecordCommit(K(i), _store.Put(K(i), "http://v1").Version)).ToList();
        var stale = _store.Put(K(50), "http://old");
        _shared.Set(K(50), SharedEntryCodec.Encode(stale), TimeSpan.FromMinutes(1)); // cached by another node
        var replaced = new RecordCommit(K(50), _store.Put(K(50), "http://new").Version);
        _shared.FailMany = chunk => chunk.Any(c => c.Version == 1); // a first version must never be sent

        await _coherence.OnCommittedManyAsync([.. fresh.Take(3), replaced, .. fresh.Skip(3)]);

        Assert.Equal(1, _shared.ManyCalls);
        Assert.Equal(0, _coherence.PendingInvalidations);
        Assert.Equal((replaced.Version, (byte[]?)null), _shared.Raw(K(50)));
        Assert.Equal("http://new", (await _resolver.ResolveAsync(K(50))).Record!.Values[0].Data.Text);
    }

    [Fact]
    public async Task An_import_chunk_tombstones_L2_publishes_and_leaves_no_L1_entry_for_keys_never_cached()
    {
        var heard = new List<(string, long)>();
        _shared.Subscribe((k, v) => heard.Add((k, v)));
        var commits = Commit(100, "http://v1");

        await _coherence.OnCommittedManyAsync(commits);

        Assert.Equal(0, _resolver.L1.Count);
        Assert.All(commits, c => Assert.Equal((c.Version, (byte[]?)null), _shared.Raw(c.Key)));
        Assert.Equal(commits.Select(c => (c.Key, c.Version)), heard);
    }

    [Fact]
    public async Task A_batch_is_tombstoned_with_one_L2_call_per_chunk()
    {
        var heard = new List<(string, long)>();
        _shared.Subscribe((k, v) => heard.Add((k, v)));
        var commits = Commit(25, "http://v1");

        await _coherence.OnCommittedManyAsync(commits);

        Assert.Equal(3, _shared.ManyCalls);
        Assert.All(commits, c => Assert.Equal((c.Version, (byte[]?)null), _shared.Raw(c.Key)));
        Assert.Equal(commits.Select(c => (c.Key, c.Version)), heard);
        Assert.Equal(0, _coherence.PendingInvalidations);
    }

    [Fact]
    public async Task A_failed_chunk_keeps_its_keys_pending_and_only_tombstoned_chunks_are_published()
    {
        var heard = new List<(string Key, long Version)>();
        _shared.Subscribe((k, v) => heard.Add((k, v)));
        var commits = Commit(25, "http://v1");
        var failing = commits.Skip(10).Take(10).Select(c => c.Key).ToHashSet();
        _shared.FailMany = chunk => chunk.Any(c => failing.Contains(c.Key));

        await _coherence.OnCommittedManyAsync(commits);

        Assert.Equal(10, _coherence.PendingInvalidations);
        Assert.Equal(10, _resolver.Stats.L2InvalidationFailures);
        Assert.False(_resolver.SharedReadsEnabled);
        Assert.Equal(commits.Where(c => !failing.Contains(c.Key)).Select(c => (c.Key, c.Version)), heard);
        Assert.All(failing, k => Assert.Null(_shared.Raw(k)));
        Assert.Equal(0, _resolver.L1.Count);

        _shared.FailMany = null;
        await _coherence.PollOnceAsync(CancellationToken.None); // retries the pending chunk first

        Assert.Equal(0, _coherence.PendingInvalidations);
        Assert.True(_resolver.SharedReadsEnabled);
        Assert.All(commits, c => Assert.Equal(c.Version, _shared.Raw(c.Key)!.Value.Version));
    }

    [Fact]
    public async Task A_failed_chunk_does_not_let_a_stale_L2_entry_be_served_once_L2_answers_again()
    {
        var v1 = _store.Put(K(0), "http://v1");
        _shared.Set(K(0), SharedEntryCodec.Encode(v1), TimeSpan.FromMinutes(1)); // cached by another node
        var commits = Commit(15, "http://v2"); // K(0) is in the first chunk
        _shared.FailMany = chunk => chunk.Any(c => c.Key == K(0));

        await _coherence.OnCommittedManyAsync(commits);
        _shared.FailMany = null; // L2 answers again, still holding v1 for K(0)

        Assert.Equal("http://v2", (await _resolver.ResolveAsync(K(0))).Record!.Values[0].Data.Text);
        Assert.Equal(0, _resolver.Stats.L2Hits);
    }

    [Fact]
    public async Task The_follower_tombstones_changes_missed_by_the_bus_one_L2_call_per_chunk()
    {
        for (var i = 0; i < 10; i++)
            _store.Put(K(i), "http://v0");
        await _coherence.StartAsync(CancellationToken.None);
        // Another node's writes, each replacing a version; their messages were lost.
        var commits = Enumerable.Range(0, 10).Select(i => new RecordCommit(K(i), _store.Put(K(i), "http://v1").Version)).ToList();
        Assert.Equal(10, _coherence.LastSequence);
        var before = _shared.ManyCalls;

        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.Equal(20, _coherence.LastSequence);
        Assert.Equal(0, before);

        Assert.Equal(1, _shared.ManyCalls);
        Assert.All(commits, c => Assert.Equal((c.Version, (byte[]?)null), _shared.Raw(c.Key)));
    }

    [Fact]
    public async Task After_an_import_chunk_a_stale_L2_entry_is_not_served_on_the_writing_node()
    {
        var v1 = _store.Put(K(0), "http://v1");
        _shared.Set(K(0), SharedEntryCodec.Encode(v1), TimeSpan.FromMinutes(1)); // cached by another node; not in this L1
        var v2 = _store.Put(K(0), "http://v2");

        await _coherence.OnCommittedManyAsync([new RecordCommit(K(0), v2.Version)]);

        Assert.Equal("http://v2", (await _resolver.ResolveAsync(K(0))).Record!.Values[0].Data.Text);
    }

    [Fact]
    public async Task When_L2_is_down_the_chunk_tombstones_stay_pending_and_L2_is_not_read_until_written()
    {
        var v1 = _store.Put(K(0), "http://v1");
        _shared.Set(K(0), SharedEntryCodec.Encode(v1), TimeSpan.FromMinutes(1));
        var v2 = _store.Put(K(0), "http://v2");
        _shared.Up = false;

        await _coherence.OnCommittedManyAsync([new RecordCommit(K(0), v2.Version)]);
        Assert.Equal(1, _coherence.PendingInvalidations);
        _shared.Up = true; // back, still holding v1

        Assert.Equal("http://v2", (await _resolver.ResolveAsync(K(0))).Record!.Values[0].Data.Text);
        Assert.Equal(0, _resolver.Stats.L2Hits);
    }

    [Fact]
    public async Task A_load_running_during_a_chunk_cannot_put_the_old_version_back()
    {
        _store.Put(K(0), "http://v1");
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = _resolver.ResolveAsync(K(0)).AsTask(); // has read v1, held at the gate
        var v2 = _store.Put(K(0), "http://v2");

        await _coherence.OnCommittedManyAsync([new RecordCommit(K(0), v2.Version)]);
        _store.Gate.SetResult();
        await slow;
        _store.Gate = null;

        Assert.False(_resolver.TryGetCached(K(0), out _));
        Assert.Equal("http://v2", (await _resolver.ResolveAsync(K(0))).Record!.Values[0].Data.Text);
    }

    [Fact]
    public async Task An_authoritative_read_running_during_a_chunk_cannot_put_the_old_version_back()
    {
        _store.Put(K(0), "http://v1");
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = _resolver.ResolveAsync(K(0), authoritative: true).AsTask();
        var v2 = _store.Put(K(0), "http://v2");

        await _coherence.OnCommittedManyAsync([new RecordCommit(K(0), v2.Version)]);
        _store.Gate.SetResult();
        await slow;
        _store.Gate = null;

        Assert.Equal("http://v2", (await _resolver.ResolveAsync(K(0))).Record!.Values[0].Data.Text);
    }

    [Fact]
    public async Task Messages_and_followed_changes_for_keys_never_cached_leave_nothing_in_L1()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var commits = Commit(40, "http://v1");
        foreach (var c in commits.Take(20))
            _shared.Deliver(c.Key, c.Version); // announced by the writer (which tombstoned L2 first)

        await _coherence.PollOnceAsync(CancellationToken.None); // the other 20 were missed by the bus

        Assert.Equal(0, _resolver.L1.Count);
        Assert.All(commits.Skip(20), c => Assert.Equal(c.Version, _shared.Raw(c.Key)!.Value.Version));
    }

    [Fact]
    public async Task A_change_missed_by_the_bus_is_not_served_from_a_stale_L2_entry_after_the_follower_applied_it()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var v1 = _store.Put(K(0), "http://v1");
        _shared.Set(K(0), SharedEntryCodec.Encode(v1), TimeSpan.FromMinutes(1));
        await _coherence.PollOnceAsync(CancellationToken.None);
        var v2 = _store.Put(K(0), "http://v2"); // another node's write; its message was lost

        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal("http://v2", (await _resolver.ResolveAsync(K(0))).Record!.Values[0].Data.Text);
        _ = v2;
    }
}
