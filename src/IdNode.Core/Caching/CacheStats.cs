namespace IdNode.Core.Caching;

/// <summary>
/// Counters of the resolve caches and their coherence, for operators and tests. Only the miss and
/// invalidation paths count; the L1 hit path stays free of shared writes.
/// </summary>
public sealed class CacheStats
{
    private long _l2Hits;
    private long _l2Misses;
    private long _storeReads;
    private long _coalesced;
    private long _invalidationsReceived;
    private long _changesFollowed;
    private long _l1Clears;
    private long _l2InvalidationFailures;
    private long _followerErrors;
    private long _ownChangesSkipped;

    public long L2Hits => Interlocked.Read(ref _l2Hits);
    public long L2Misses => Interlocked.Read(ref _l2Misses);
    public long StoreReads => Interlocked.Read(ref _storeReads);
    /// <summary>Misses that waited for a load already running for the same key instead of reading the store again.</summary>
    public long Coalesced => Interlocked.Read(ref _coalesced);
    public long InvalidationsReceived => Interlocked.Read(ref _invalidationsReceived);
    public long ChangesFollowed => Interlocked.Read(ref _changesFollowed);
    /// <summary>Times L1 was emptied because invalidations may have been missed for longer than the bound.</summary>
    public long L1Clears => Interlocked.Read(ref _l1Clears);
    public long L2InvalidationFailures => Interlocked.Read(ref _l2InvalidationFailures);
    public long FollowerErrors => Interlocked.Read(ref _followerErrors);
    /// <summary>Change-log entries the follower stepped over because this node wrote and settled them itself.</summary>
    public long OwnChangesSkipped => Interlocked.Read(ref _ownChangesSkipped);

    internal void L2Hit() => Interlocked.Increment(ref _l2Hits);
    internal void L2Miss() => Interlocked.Increment(ref _l2Misses);
    internal void StoreRead() => Interlocked.Increment(ref _storeReads);
    internal void Coalesce() => Interlocked.Increment(ref _coalesced);
    internal void InvalidationReceived() => Interlocked.Increment(ref _invalidationsReceived);
    internal void ChangesFollowedAdd(int n) => Interlocked.Add(ref _changesFollowed, n);
    internal void L1Cleared() => Interlocked.Increment(ref _l1Clears);
    internal void L2InvalidationFailed() => Interlocked.Increment(ref _l2InvalidationFailures);
    internal void FollowerError() => Interlocked.Increment(ref _followerErrors);
    internal void OwnChangesSkippedAdd(long n) => Interlocked.Add(ref _ownChangesSkipped, n);
}
