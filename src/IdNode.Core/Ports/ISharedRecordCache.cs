using IdNode.Core.Services;

namespace IdNode.Core.Ports;

/// <summary>
/// L2: a record cache shared by every node (Redis in production). An entry is opaque bytes at one
/// record version. Implementations never throw and never make a caller wait long: an unreachable
/// cache behaves as a miss or a failed write, so resolution keeps going from L1 and the store.
/// </summary>
public interface ISharedRecordCache
{
    /// <summary>False while the cache is known to be unreachable (callers skip it instead of waiting on timeouts).</summary>
    bool IsAvailable { get; }

    /// <summary>The entry for <paramref name="key"/>; null when absent, invalidated, or unreachable.</summary>
    ValueTask<SharedCacheEntry?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the entry unless the cache holds, or was invalidated at, a newer version. Best effort
    /// and not awaited: a lost fill only costs a later miss.
    /// </summary>
    void Set(string key, SharedCacheEntry entry, TimeSpan ttl);

    /// <summary>
    /// Replaces what is cached for <paramref name="key"/> with a tombstone saying <paramref name="version"/>
    /// is committed; for <paramref name="tombstoneTtl"/> fills of older versions are refused (a plain
    /// delete could be undone by a reader that fetched the old version just before the write).
    /// False when the cache could not be reached: the caller must retry.
    /// </summary>
    ValueTask<bool> InvalidateAsync(string key, long version, TimeSpan tombstoneTtl);

    /// <summary>
    /// <see cref="InvalidateAsync"/> for every commit, in as few round trips as the cache allows
    /// (a batch of thousands would otherwise cost one command per identifier). True when every
    /// tombstone was written; false when any may not have been, and the caller must retry them all
    /// (writing a tombstone again is harmless). Callers keep lists to a few hundred commits, so
    /// that a failure leaves only that many to retry.
    /// </summary>
    ValueTask<bool> InvalidateManyAsync(IReadOnlyList<RecordCommit> commits, TimeSpan tombstoneTtl)
        => InvalidateEachAsync(this, commits, tombstoneTtl);

    /// <summary>One <see cref="InvalidateAsync"/> per commit, all in flight at once; true when every one was written.</summary>
    public static async ValueTask<bool> InvalidateEachAsync(ISharedRecordCache cache, IReadOnlyList<RecordCommit> commits, TimeSpan tombstoneTtl)
    {
        var writes = new Task<bool>[commits.Count];
        for (var i = 0; i < commits.Count; i++)
            writes[i] = cache.InvalidateAsync(commits[i].Key, commits[i].Version, tombstoneTtl).AsTask();
        var all = true;
        foreach (var ok in await Task.WhenAll(writes).ConfigureAwait(false))
            all &= ok;
        return all;
    }

    /// <summary>Drops every entry of this node's key space (after invalidations were lost in bulk). False when unreachable.</summary>
    ValueTask<bool> ClearAsync();
}
