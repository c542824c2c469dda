using System.Collections.Concurrent;
using IdNode.Core.Caching;
using IdNode.Core.Identifiers;
using IdNode.Core.Json;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Registry;

namespace IdNode.Core.Services;

/// <summary>
/// The read path: L1 → L2 (shared, optional) → store, cache-aside. A hit completes synchronously
/// with the cached bytes; a miss runs one load per key at a time (single flight), encodes the common
/// (unfiltered, public) response once and fills the caches. Fills carry the record version and are
/// refused when a newer version is already known, so a slow reader cannot put back an old record.
/// </summary>
public sealed class Resolver : IRecordChangeListener
{
    private readonly IRecordStore _store;
    private readonly L1Cache _l1;
    private readonly ResolverOptions _options;
    private readonly ISharedRecordCache? _shared;
    private readonly CacheStats _stats;
    private readonly ConcurrentDictionary<string, Task<CacheEntry>> _inflight = new(StringComparer.Ordinal);
    private volatile bool _sharedReadsEnabled = true;
    private int _authoritativeLoads;

    private readonly PrefixGate? _gate;

    public Resolver(IRecordStore store, L1Cache l1, ResolverOptions options, ISharedRecordCache? shared = null, CacheStats? stats = null, PrefixGate? gate = null)
    {
        _gate = gate;
        _store = store;
        _l1 = l1;
        _options = options;
        _shared = shared;
        _stats = stats ?? new CacheStats();
    }

    public L1Cache L1 => _l1;

    public CacheStats Stats => _stats;

    /// <summary>
    /// Off while L2 may hold entries whose invalidation could not be delivered (after a Redis
    /// outage): reads skip L2 until the missed invalidations have been written.
    /// </summary>
    public bool SharedReadsEnabled
    {
        get => _sharedReadsEnabled;
        set => _sharedReadsEnabled = value;
    }

    /// <summary>
    /// The hot paths' lookup (HTTP and gRPC): <paramref name="identifier"/> as the client wrote it,
    /// normalised into a stack buffer, so a hit allocates no key. False for anything that does not
    /// normalise — the slow path parses it again and owns every error message.
    /// </summary>
    public bool TryGetCached(ReadOnlySpan<char> identifier, IdentifierRules rules, out CacheEntry entry)
    {
        entry = null!;
        if (identifier.IsEmpty || identifier.Length > rules.MaxLength)
            return false;
        Span<char> key = stackalloc char[identifier.Length];
        return !IdentifierParser.Normalize(identifier, key, rules, out _).IsError && TryGetCached(key, out entry);
    }

    /// <summary>A cached entry for the fast path; never one under a stopped or self-hosted prefix (the slow path then reports that).</summary>
    public bool TryGetCached(ReadOnlySpan<char> key, out CacheEntry entry)
    {
        if (_gate is { IsEmpty: false } && _gate.FindOfKey(key) is not null)
        {
            entry = null!;
            return false;
        }
        return _l1.TryGet(key, out entry);
    }

    /// <summary>
    /// The current answer for <paramref name="key"/>. <paramref name="authoritative"/> skips the
    /// caches (it reads the store). A store failure on a miss surfaces as the store's exception;
    /// a cached answer never touches the store.
    /// </summary>
    public ValueTask<CacheEntry> ResolveAsync(string key, bool authoritative = false, CancellationToken cancellationToken = default)
    {
        // A stopped enterprise prefix answers rc 401 on every surface until it is resumed; a
        // self-hosted one a referral to the enterprise's node (no outbound call from here).
        if (_gate is { IsEmpty: false } && _gate.FindOfKey(key) is { } gated)
            throw PrefixGate.Refusal(gated, key[..key.IndexOf('/', StringComparison.Ordinal)], key, write: false);
        if (authoritative)
            return new ValueTask<CacheEntry>(LoadFromStoreAsync(key, cancellationToken));
        if (_l1.TryGet(key, out var entry))
            return ValueTask.FromResult(entry);
        return new ValueTask<CacheEntry>(JoinOrLoad(key, cancellationToken));
    }

    private Task<CacheEntry> JoinOrLoad(string key, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_inflight.TryGetValue(key, out var running))
            {
                _stats.Coalesce();
                return running.WaitAsync(cancellationToken);
            }
            var load = new TaskCompletionSource<CacheEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_inflight.TryAdd(key, load.Task))
                continue;
            // The shared load is not cancelled by its first caller: others may be waiting on it.
            _ = RunLoadAsync(key, load);
            return load.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task RunLoadAsync(string key, TaskCompletionSource<CacheEntry> load)
    {
        try
        {
            load.SetResult(await LoadAsync(key).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            load.SetException(e);
            // Every waiter sees the failure; mark it observed so a load nobody waits for any more stays quiet.
            _ = load.Task.Exception;
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<string, Task<CacheEntry>>(key, load.Task));
        }
    }

    private async Task<CacheEntry> LoadAsync(string key)
    {
        var generation = _l1.Generation;
        if (_shared is { IsAvailable: true } shared && _sharedReadsEnabled)
        {
            var hit = await shared.GetAsync(key).ConfigureAwait(false);
            // An L2 entry older than a version this node has seen invalidated is stale: go to the store.
            if (hit is not null && hit.Version >= _l1.KnownVersion(key) && SharedEntryCodec.Decode(key, hit) is { } cached)
            {
                var entry = BuildEntry(key, cached, _l1.NowMs);
                if (entry.IsFound)
                {
                    _stats.L2Hit();
                    if (_l1.Generation == generation)
                        _l1.Set(entry);
                    return entry;
                }
            }
            _stats.L2Miss();
        }
        return await LoadFromStoreAsync(key, generation, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<CacheEntry> LoadFromStoreAsync(string key, CancellationToken cancellationToken)
    {
        // Authoritative loads are not in _inflight; InvalidateSettled must still see that one may be filling L1.
        Interlocked.Increment(ref _authoritativeLoads);
        try
        {
            return await LoadFromStoreAsync(key, _l1.Generation, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _authoritativeLoads);
        }
    }

    private async Task<CacheEntry> LoadFromStoreAsync(string key, long generation, CancellationToken cancellationToken)
    {
        _stats.StoreRead();
        var stored = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var entry = BuildEntry(key, stored, _l1.NowMs);
        // A refused fill means a newer version committed while we read: keep it out of L2 as well.
        // After an L1 clear the markers that would refuse it are gone, so a load older than the clear does not fill at all.
        if (_l1.Generation == generation && _l1.Set(entry) && entry.IsFound && _shared is { IsAvailable: true } shared)
        {
            // Not-found stays in L1 only: a short per-node negative entry costs one store read per node
            // per NegativeTtl, while negatives in Redis would let a scan of random identifiers fill the
            // shared memory every node depends on.
            var ttl = TtlSeconds(entry.Record!);
            if (ttl > 0)
                shared.Set(key, SharedEntryCodec.Encode(stored!), TimeSpan.FromSeconds(ttl));
        }
        return entry;
    }

    public CacheEntry BuildEntry(string key, StoredRecord? stored, long nowMs)
    {
        var record = RecordService.Decode(stored);
        if (record is null)
            return CacheEntry.NotFound(key, stored?.Version ?? 0, nowMs + _options.NegativeTtlSeconds * 1000L);
        var json = HandleJsonWriter.ResolveResponse(record.Handle, record.Values, static v => v.IsPublicRead);
        return CacheEntry.Found(key, record, json, nowMs + TtlSeconds(record) * 1000L);
    }

    private int TtlSeconds(HandleRecord record) => Math.Max(0, Math.Min(record.MinTtl(), _options.MaxTtlSeconds));

    /// <summary>
    /// Drops this node's cached answer: <paramref name="version"/> of <paramref name="key"/> is committed.
    /// A load already running may have read the old version, so new callers no longer join it.
    /// </summary>
    public void InvalidateLocal(string key, long version)
    {
        _l1.Invalidate(key, version);
        if (_inflight.TryGetValue(key, out var running))
            _inflight.TryRemove(new KeyValuePair<string, Task<CacheEntry>>(key, running));
    }

    /// <summary>
    /// <see cref="InvalidateLocal"/> without leaving a marker for a key L1 does not hold and nobody
    /// is loading. The caller vouches that L2 cannot hand out an older version any more (no L2, or
    /// its tombstone is written). Then a marker guards nothing: a load that starts later reads the
    /// new version, and one already running is in <c>_inflight</c> (or counted as authoritative),
    /// which is checked before L1 because a load fills L1 before it leaves <c>_inflight</c>.
    /// </summary>
    public void InvalidateSettled(string key, long version)
    {
        if (Volatile.Read(ref _authoritativeLoads) > 0 || _inflight.ContainsKey(key))
            InvalidateLocal(key, version);
        else
            _l1.InvalidateCached(key, version);
    }

    public void OnCommitted(string key, long version) => InvalidateLocal(key, version);

    public ValueTask OnCommittedManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        foreach (var c in commits)
        {
            if (_shared is null)
                InvalidateSettled(c.Key, c.Version);
            else
                InvalidateLocal(c.Key, c.Version);
        }
        return ValueTask.CompletedTask;
    }
}
