using System.Collections.Concurrent;
using IdNode.Core.Ports;
using IdNode.Core.Services;

namespace IdNode.Core.Caching;

/// <summary>
/// Keeps every node's caches in step with the store. Three paths announce a commit:
/// the writing node itself (<see cref="OnCommitted"/>: L1, then an L2 tombstone and a pub/sub
/// message), the bus (every other node drops its L1 copy within milliseconds), and the store's
/// change log, followed by every node (<see cref="PollOnceAsync"/>), which catches what the bus
/// lost. When the follower cannot read and the bus may have lost messages for longer than
/// <see cref="CoherenceOptions.StaleBoundMs"/>, L1 is emptied: being slow is allowed, stale is not.
/// </summary>
public sealed class CacheCoherence : IRecordChangeListener
{
    private readonly Resolver _resolver;
    private readonly IRecordStore _store;
    private readonly CoherenceOptions _options;
    private readonly ISharedRecordCache? _shared;
    private readonly IInvalidationBus? _bus;
    private readonly TimeProvider _time;
    private readonly CacheStats _stats;
    private readonly TimeSpan _tombstoneTtl;

    // L2 invalidations that could not be written; retried before L2 is read again.
    private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);
    private volatile bool _clearShared;

    // Commits announced on the bus: the writer tombstoned L2 before publishing on the same
    // connection, so the follower need not write L2 again. Two generations, swapped every few
    // seconds, bound it without per-entry timestamps.
    private ConcurrentDictionary<string, long> _heard = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, long> _heardOld = new(StringComparer.Ordinal);
    private long _heardSwappedAtMs;

    // Change-log ranges (first, last) this node wrote and settled itself, sorted by first: the
    // follower steps over them instead of reading its own batches back. Sequences are unique, so
    // when every number from the cursor up to `last` is this node's, no other node's change lies
    // in between. Bounded: a range that does not fit is simply read like any other change.
    private readonly List<(long First, long Last)> _own = [];
    private const int MaxOwnRanges = 1024;

    private long _lastSequence = -1;
    private long _lastSyncMs;
    private long _gapsAtSync;

    public CacheCoherence(Resolver resolver, IRecordStore store, CoherenceOptions options, ISharedRecordCache? shared = null,
        IInvalidationBus? bus = null, TimeProvider? time = null)
    {
        _resolver = resolver;
        _store = store;
        _options = options;
        _shared = shared;
        _bus = bus;
        _time = time ?? TimeProvider.System;
        _stats = resolver.Stats;
        _tombstoneTtl = TimeSpan.FromSeconds(options.TombstoneSeconds);
        _lastSyncMs = NowMs;
        resolver.L1.TrustedUntilMs = _lastSyncMs + options.StaleBoundMs;
        bus?.Subscribe(OnMessage);
    }

    public CoherenceOptions Options => _options;

    /// <summary>The last change-log sequence applied (-1 before <see cref="StartAsync"/>).</summary>
    public long LastSequence => Interlocked.Read(ref _lastSequence);

    public int PendingInvalidations => _pending.Count;

    private long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    public void OnCommitted(string key, long version)
    {
        _resolver.InvalidateLocal(key, version);
        if (_shared is null && _bus is null)
            return;
        _ = AnnounceAsync(key, version);
    }

    /// <summary>
    /// The commits of one batch or import chunk. L2 is tombstoned first and awaited, so L1 can then
    /// be told with <see cref="Resolver.InvalidateSettled"/>: no per-key marker for identifiers this
    /// node never cached, which is what keeps a bulk import of millions from filling L1 with markers.
    /// Tombstones and bus messages go out a chunk of <see cref="CoherenceOptions.InvalidationChunk"/>
    /// commits per round trip. The keys of a chunk whose tombstones failed are kept pending (L2 reads
    /// stay off until they are written), so they are settled too; only chunks whose tombstones were
    /// written are published, as in <see cref="OnCommitted"/>.
    /// </summary>
    public async ValueTask OnCommittedManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        if (_shared is null)
        {
            foreach (var c in commits)
                _resolver.InvalidateSettled(c.Key, c.Version);
            RememberOwn(commits);
            return;
        }
        var chunks = Chunk(commits);
        var tombstones = new Task<bool>[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
            tombstones[i] = InvalidateSharedAsync(chunks[i]);
        await Task.WhenAll(tombstones).ConfigureAwait(false);
        foreach (var c in commits)
            _resolver.InvalidateSettled(c.Key, c.Version);
        // L1 is told, and L2 tombstoned or pending retry: nothing is left for the follower to do.
        RememberOwn(commits);
        if (_bus is null)
            return;
        var messages = new List<Task>(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            if (tombstones[i].Result)
                messages.Add(_bus.PublishManyAsync(chunks[i]).AsTask());
        }
        try
        {
            await Task.WhenAll(messages).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // As in AnnounceAsync: a lost message is caught up by every node's change-log follower.
        }
    }

    private void RememberOwn(IReadOnlyList<RecordCommit> commits)
    {
        if (commits.Count == 0)
            return;
        var sequences = new long[commits.Count];
        for (var i = 0; i < sequences.Length; i++)
        {
            sequences[i] = commits[i].Sequence;
            if (sequences[i] <= 0)
                return; // the store did not report sequences: the follower reads these
        }
        Array.Sort(sequences);
        lock (_own)
        {
            var first = sequences[0];
            var last = first;
            for (var i = 1; i <= sequences.Length; i++)
            {
                if (i < sequences.Length && sequences[i] <= last + 1)
                {
                    last = Math.Max(last, sequences[i]);
                    continue;
                }
                if (_own.Count >= MaxOwnRanges)
                    return;
                var at = _own.Count;
                while (at > 0 && _own[at - 1].First > first)
                    at--;
                _own.Insert(at, (first, last));
                if (i < sequences.Length)
                    first = last = sequences[i];
            }
        }
    }

    /// <summary>
    /// Moves the cursor over this node's own settled ranges that start right after it; returns the
    /// first sequence of the next own range further on (<see cref="long.MaxValue"/> when none).
    /// </summary>
    private long SkipOwn()
    {
        lock (_own)
        {
            var cursor = LastSequence;
            if (_own.Count == 0 || cursor < 0)
                return long.MaxValue;
            var skipped = 0L;
            var i = 0;
            for (; i < _own.Count; i++)
            {
                var (first, last) = _own[i];
                if (last <= cursor)
                    continue;
                if (first > cursor + 1)
                    break;
                skipped += last - cursor;
                cursor = last;
            }
            _own.RemoveRange(0, i);
            if (skipped > 0)
            {
                Interlocked.Exchange(ref _lastSequence, cursor);
                _stats.OwnChangesSkippedAdd(skipped);
            }
            return _own.Count > 0 ? _own[0].First : long.MaxValue;
        }
    }

    private IReadOnlyList<IReadOnlyList<RecordCommit>> Chunk(IReadOnlyList<RecordCommit> commits)
    {
        var size = Math.Max(1, _options.InvalidationChunk);
        if (commits.Count <= size)
            return [commits];
        var chunks = new List<IReadOnlyList<RecordCommit>>((commits.Count + size - 1) / size);
        for (var start = 0; start < commits.Count; start += size)
        {
            var chunk = new RecordCommit[Math.Min(size, commits.Count - start)];
            for (var i = 0; i < chunk.Length; i++)
                chunk[i] = commits[start + i];
            chunks.Add(chunk);
        }
        return chunks;
    }

    private async Task AnnounceAsync(string key, long version)
    {
        try
        {
            if (_shared is not null && !await InvalidateSharedAsync([new RecordCommit(key, version)]).ConfigureAwait(false))
                return; // without the tombstone a message would let the follower skip the retry
            if (_bus is not null)
                await _bus.PublishAsync(key, version).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Adapters do not throw; if one does, the change log still carries this commit to every node.
        }
    }

    private void OnMessage(string key, long version)
    {
        _stats.InvalidationReceived();
        // The writer tombstoned L2 before publishing, so no marker is needed for a key this node does not hold.
        _resolver.InvalidateSettled(key, version);
        _heard.AddOrUpdate(key, static (_, v) => v, static (_, old, v) => Math.Max(old, v), version);
    }

    /// <summary>
    /// A first version (a key that never existed: a re-create after a delete continues the
    /// tombstone's versions) needs no L2 tombstone. A tombstone only stops fills of older versions,
    /// there is none, and a "not found" is never put in L2. So a batch of new identifiers costs
    /// Redis nothing but its bus messages, which other nodes still need to drop their L1 "not found".
    /// </summary>
    private static bool NeedsTombstone(long version) => version > 1;

    /// <summary>
    /// Tombstones L2 for <paramref name="commits"/> in one call (a single write is a chunk of one);
    /// on failure the keys stay pending and L2 reads stay off until they are written.
    /// </summary>
    private async Task<bool> InvalidateSharedAsync(IReadOnlyList<RecordCommit> commits)
    {
        var chunk = commits.Where(c => NeedsTombstone(c.Version)).ToArray();
        if (chunk.Length == 0)
            return true;
        try
        {
            if (_shared!.IsAvailable && await _shared.InvalidateManyAsync(chunk, _tombstoneTtl).ConfigureAwait(false))
                return true;
        }
        catch (Exception)
        {
            // Adapters do not throw; if one does, the chunk is retried like any failed write.
        }
        foreach (var c in chunk)
        {
            _stats.L2InvalidationFailed();
            KeepPending(c.Key, c.Version);
        }
        return false;
    }

    private void KeepPending(string key, long version)
    {
        _resolver.SharedReadsEnabled = false;
        if (_clearShared)
            return;
        if (_pending.Count >= _options.MaxPendingInvalidations)
        {
            _clearShared = true;
            _pending.Clear();
            return;
        }
        _pending.AddOrUpdate(key, static (_, v) => v, static (_, old, v) => Math.Max(old, v), version);
    }

    /// <summary>Starts following at the current end of the change log: a starting node has an empty L1.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var end = await FindEndOfLogAsync(_store, cancellationToken).ConfigureAwait(false);
        // Anything cached before the end was known (L2 hits while the store was still unreachable)
        // could predate a change the follower will never read: start from an empty L1.
        _resolver.L1.Clear();
        Interlocked.Exchange(ref _lastSequence, end);
        _lastSyncMs = NowMs;
        _resolver.L1.TrustedUntilMs = _lastSyncMs + _options.StaleBoundMs;
        _gapsAtSync = _bus?.GapCount ?? 0;
        _heardSwappedAtMs = _lastSyncMs;
    }

    /// <summary>
    /// The greatest sequence in the change log, found with O(log n) one-row reads (the store port
    /// has no "last sequence" call; sequences only grow, so "is there a change after s" is monotone).
    /// </summary>
    public static async Task<long> FindEndOfLogAsync(IRecordStore store, CancellationToken cancellationToken)
    {
        var low = 0L; // known: nothing needed below; every change has a sequence > low or none exists
        var first = await store.ReadChangesAsync(0, 1, cancellationToken).ConfigureAwait(false);
        if (first.Count == 0)
            return 0;
        low = first[0].Sequence;
        var step = 1L;
        long high;
        while (true)
        {
            var probe = low + step;
            var next = await store.ReadChangesAsync(probe, 1, cancellationToken).ConfigureAwait(false);
            if (next.Count == 0)
            {
                high = probe;
                break;
            }
            low = next[0].Sequence;
            step = step >= long.MaxValue / 4 ? step : step * 2;
        }
        // Invariant: a change exists at low; none after high (high itself may be one).
        while (low < high)
        {
            var mid = low + (high - low + 1) / 2; // low < mid <= high
            var next = await store.ReadChangesAsync(mid - 1, 1, cancellationToken).ConfigureAwait(false);
            if (next.Count == 0)
                high = mid - 1; // nothing at mid or after
            else
                low = next[0].Sequence; // the first change at mid or after, so low grows
        }
        return low;
    }

    /// <summary>
    /// One follower step: retry missed L2 invalidations, apply every new change, and empty L1 when
    /// coherence can no longer be vouched for. Never throws (a failed read is retried next time).
    /// </summary>
    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var now = NowMs;
        if (now - _heardSwappedAtMs > Math.Max(5_000, 10L * _options.StaleBoundMs))
        {
            _heardOld = _heard;
            _heard = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            _heardSwappedAtMs = now;
        }

        await RetryPendingAsync().ConfigureAwait(false);

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // The log is known complete up to when this read began, not when it returned.
                var readStartedMs = NowMs;
                var gaps = _bus?.GapCount ?? 0;
                // Only what lies between the cursor and this node's next own range is read: under
                // batch load that is another node's few changes, not this node's thousands.
                var nextOwn = SkipOwn();
                var cursor = LastSequence;
                var limit = nextOwn == long.MaxValue ? _options.BatchSize : (int)Math.Min(_options.BatchSize, nextOwn - cursor - 1);
                var changes = await _store.ReadChangesAsync(cursor, limit, cancellationToken).ConfigureAwait(false);
                if (changes.Count > 0)
                    await ApplyAsync(changes).ConfigureAwait(false);
                // Fewer than asked for: the end of the log (as of readStartedMs) was reached.
                if (changes.Count < limit)
                {
                    _lastSyncMs = readStartedMs;
                    _gapsAtSync = gaps;
                    break;
                }
                EnforceBound();
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _stats.FollowerError();
        }
        EnforceBound();
    }

    private async Task ApplyAsync(IReadOnlyList<ChangeEntry> changes)
    {
        List<RecordCommit>? unannounced = null;
        foreach (var change in changes)
        {
            // L1 is told once L2 cannot hand out the old version any more: without L2, when the
            // writer's tombstone is known written (heard on the bus), or after writing it here (a
            // failed write keeps L2 reads off until retried). Then a key this node does not hold
            // needs no marker, and following a bulk import leaves nothing behind in L1.
            if (_shared is null || WasAnnounced(change))
            {
                _resolver.InvalidateSettled(change.Key, change.Version);
                continue;
            }
            (unannounced ??= []).Add(new RecordCommit(change.Key, change.Version));
        }
        if (unannounced is not null)
        {
            var chunks = Chunk(unannounced);
            var writes = new Task<bool>[chunks.Count];
            for (var i = 0; i < chunks.Count; i++)
                writes[i] = InvalidateSharedAsync(chunks[i]);
            await Task.WhenAll(writes).ConfigureAwait(false);
            foreach (var c in unannounced)
                _resolver.InvalidateSettled(c.Key, c.Version);
        }
        _stats.ChangesFollowedAdd(changes.Count);
        Interlocked.Exchange(ref _lastSequence, changes[^1].Sequence);
    }

    private bool WasAnnounced(ChangeEntry change)
        => (_heard.TryGetValue(change.Key, out var v) && v >= change.Version)
           || (_heardOld.TryGetValue(change.Key, out v) && v >= change.Version);

    private async Task RetryPendingAsync()
    {
        if (_shared is null || !_shared.IsAvailable)
            return;
        if (_clearShared)
        {
            if (!await _shared.ClearAsync().ConfigureAwait(false))
                return;
            _clearShared = false;
        }
        var size = Math.Max(1, _options.InvalidationChunk);
        var chunk = new List<RecordCommit>(Math.Min(size, _pending.Count));
        foreach (var (key, version) in _pending)
        {
            chunk.Add(new RecordCommit(key, version));
            if (chunk.Count == size)
            {
                if (!await RetryChunkAsync(chunk).ConfigureAwait(false))
                    return;
                chunk.Clear();
            }
        }
        if (chunk.Count > 0 && !await RetryChunkAsync(chunk).ConfigureAwait(false))
            return;
        if (_pending.IsEmpty && !_clearShared)
            _resolver.SharedReadsEnabled = true;
    }

    private async Task<bool> RetryChunkAsync(List<RecordCommit> chunk)
    {
        if (!await _shared!.InvalidateManyAsync(chunk, _tombstoneTtl).ConfigureAwait(false))
            return false;
        // Only the version retried is removed: a newer failure of the same key stays pending.
        foreach (var c in chunk)
            _pending.TryRemove(new KeyValuePair<string, long>(c.Key, c.Version));
        return true;
    }

    private void EnforceBound()
    {
        var now = NowMs;
        // The bus alone keeps L1 coherent while it has been connected without a gap since the last
        // sync: that is what keeps cached reads alive through a store outage.
        var busWhole = _bus is { IsConnected: true } bus && bus.GapCount == _gapsAtSync;
        _resolver.L1.TrustedUntilMs = (busWhole ? now : _lastSyncMs) + _options.StaleBoundMs;
        if (busWhole || now - _lastSyncMs <= _options.StaleBoundMs)
            return;
        _resolver.L1.Clear();
        _stats.L1Cleared();
    }

    /// <summary>Runs the follower until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (LastSequence < 0)
            {
                try
                {
                    await StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Store unreachable at start: L1 holds only L2 hits, kept as long as the bus is whole; try again.
                    _stats.FollowerError();
                    EnforceBound();
                }
            }
            else
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_options.PollIntervalMs), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
