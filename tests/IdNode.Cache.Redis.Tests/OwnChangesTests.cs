using IdNode.Cache.Redis.Tests.Fakes;
using IdNode.Core.Caching;
using IdNode.Core.Ports;
using IdNode.Core.Services;

namespace IdNode.Cache.Redis.Tests;

/// <summary>
/// The follower steps over change-log ranges this node wrote and settled itself (its batches), and
/// still reads and applies every change of other nodes, wherever it falls between them.
/// </summary>
public sealed class OwnChangesTests
{
    private readonly FakeStore _store = new();
    private readonly FakeSharedCache _shared = new();
    private readonly ManualTime _time = new();
    private readonly Resolver _resolver;
    private readonly CacheCoherence _coherence;

    public OwnChangesTests()
    {
        _resolver = new Resolver(_store, new L1Cache(1 << 20, _time), new ResolverOptions(), _shared);
        _coherence = new CacheCoherence(_resolver, _store, new CoherenceOptions { StaleBoundMs = 1000, BatchSize = 10, InvalidationChunk = 10 }, _shared, _shared, _time);
    }

    private static string K(int i) => $"88.999/OWN-{i}";

    // This node's batch: committed with the change-log sequences the store reported.
    private List<RecordCommit> Own(int from, int count, string url = "http://own")
        => Enumerable.Range(from, count).Select(i =>
        {
            var row = _store.Put(K(i), url);
            return new RecordCommit(K(i), row.Version, _store.NextSequence - 1);
        }).ToList();

    [Fact]
    public async Task Own_settled_batches_are_stepped_over_without_reading_them()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var read = _store.ChangesRead;

        await _coherence.OnCommittedManyAsync(Own(0, 25));
        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal(25, _coherence.LastSequence);
        Assert.Equal(read, _store.ChangesRead);
        Assert.Equal(25, _resolver.Stats.OwnChangesSkipped);
    }

    [Fact]
    public async Task Another_nodes_change_between_own_batches_is_read_and_applied_and_only_it()
    {
        await _coherence.StartAsync(CancellationToken.None);
        _store.Put(K(100), "http://v1");
        await _coherence.PollOnceAsync(CancellationToken.None);
        await _resolver.ResolveAsync(K(100));
        Assert.True(_resolver.TryGetCached(K(100), out _));
        var read = _store.ChangesRead;

        var first = Own(0, 12);
        var other = _store.Put(K(100), "http://v2"); // another node's write; its message was lost
        var second = Own(12, 12);
        await _coherence.OnCommittedManyAsync(second); // settled out of order
        await _coherence.OnCommittedManyAsync(first);
        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal(second[^1].Sequence, _coherence.LastSequence);
        Assert.Equal(read + 1, _store.ChangesRead);
        Assert.Equal(24, _resolver.Stats.OwnChangesSkipped);
        Assert.False(_resolver.TryGetCached(K(100), out _));
        Assert.Equal((other.Version, (byte[]?)null), _shared.Raw(K(100)));
        Assert.Equal("http://v2", (await _resolver.ResolveAsync(K(100))).Record!.Values[0].Data.Text);
    }

    [Fact]
    public async Task A_change_of_another_node_after_the_last_own_batch_is_read()
    {
        _store.Put(K(100), "http://first"); // so the other node's change replaces a version and needs a tombstone
        await _coherence.StartAsync(CancellationToken.None);
        await _coherence.OnCommittedManyAsync(Own(0, 5));
        var other = _store.Put(K(100), "http://other");
        var read = _store.ChangesRead;

        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal(7, _coherence.LastSequence);
        Assert.Equal(read + 1, _store.ChangesRead);
        Assert.Equal((other.Version, (byte[]?)null), _shared.Raw(K(100)));
    }

    [Fact]
    public async Task Own_changes_the_follower_read_before_they_were_settled_are_not_counted_again()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var early = Own(0, 10);
        await _coherence.PollOnceAsync(CancellationToken.None); // read before the batch was announced
        var read = _store.ChangesRead;
        await _coherence.OnCommittedManyAsync(early);
        await _coherence.OnCommittedManyAsync(Own(10, 5));

        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal(15, _coherence.LastSequence);
        Assert.Equal(read, _store.ChangesRead);
        Assert.Equal(5, _resolver.Stats.OwnChangesSkipped);
    }

    [Fact]
    public async Task Commits_without_a_sequence_are_read_from_the_change_log()
    {
        await _coherence.StartAsync(CancellationToken.None);
        var commits = Own(0, 10).Select(c => c with { Sequence = 0 }).ToList(); // the bulk path reports none
        await _coherence.OnCommittedManyAsync(commits);
        var read = _store.ChangesRead;

        await _coherence.PollOnceAsync(CancellationToken.None);

        Assert.Equal(10, _coherence.LastSequence);
        Assert.Equal(read + 10, _store.ChangesRead);
        Assert.Equal(0, _resolver.Stats.OwnChangesSkipped);
    }

    [Fact]
    public async Task An_own_batch_whose_tombstones_failed_is_stepped_over_and_its_keys_stay_pending_until_written()
    {
        for (var i = 0; i < 10; i++)
            _store.Put(K(i), "http://v0"); // so the batch replaces versions: only those need tombstones
        await _coherence.StartAsync(CancellationToken.None);
        var commits = Own(0, 10);
        _shared.Up = false;
        await _coherence.OnCommittedManyAsync(commits);

        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.Equal(20, _coherence.LastSequence);
        Assert.Equal(10, _coherence.PendingInvalidations);
        Assert.False(_resolver.SharedReadsEnabled);

        _shared.Up = true;
        await _coherence.PollOnceAsync(CancellationToken.None);
        Assert.Equal(0, _coherence.PendingInvalidations);
        Assert.True(_resolver.SharedReadsEnabled);
        Assert.All(commits, c => Assert.Equal((c.Version, (byte[]?)null), _shared.Raw(c.Key)));
    }
}
