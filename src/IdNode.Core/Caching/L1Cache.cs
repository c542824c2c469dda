using System.Collections.Concurrent;

namespace IdNode.Core.Caching;

/// <summary>
/// The in-process cache, bounded by bytes, with CLOCK (second-chance) eviction. Lookups by span
/// do not allocate. Fills never replace a newer version, and invalidations leave a short-lived
/// marker so a reader that fetched an old version before a write cannot re-insert it afterwards.
/// </summary>
public sealed class L1Cache
{
    private readonly ConcurrentDictionary<string, CacheEntry> _map = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CacheEntry>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly ConcurrentQueue<string> _clock = new();
    private readonly TimeProvider _time;
    private long _bytes;
    private long _generation;
    private long _trustedUntilMs = long.MaxValue;

    public long MaxBytes { get; }

    /// <summary>How long an invalidation marker guards against stale fills (ms).</summary>
    public int MarkerLifetimeMs { get; init; } = 30_000;

    public L1Cache(long maxBytes, TimeProvider? time = null)
    {
        MaxBytes = maxBytes;
        _time = time ?? TimeProvider.System;
        _spanLookup = _map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long Bytes => Interlocked.Read(ref _bytes);
    public int Count => _map.Count;

    public long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    /// <summary>
    /// Until when (ms, <see cref="NowMs"/>) entries may be served at all. The change-log follower keeps
    /// moving it forward while it can vouch that no invalidation was missed; if it stalls, the cache
    /// stops answering on its own instead of serving records older than the stale bound.
    /// Default: no limit (a cache nobody keeps coherent across nodes is a single-node cache).
    /// </summary>
    public long TrustedUntilMs
    {
        get => Volatile.Read(ref _trustedUntilMs);
        set => Volatile.Write(ref _trustedUntilMs, value);
    }

    /// <summary>A live answer for the key (found or not-found), without allocating.</summary>
    public bool TryGet(ReadOnlySpan<char> key, out CacheEntry entry)
    {
        var now = NowMs;
        if (_spanLookup.TryGetValue(key, out entry!) && !entry.IsMarker && entry.ExpiresAtMs > now && now < Volatile.Read(ref _trustedUntilMs))
        {
            if (!entry.Touched)
                entry.Touched = true;
            return true;
        }
        entry = null!;
        return false;
    }

    /// <summary>Inserts unless a newer version (or an invalidation of a newer version) is already there.</summary>
    public bool Set(CacheEntry entry)
    {
        while (true)
        {
            if (_map.TryGetValue(entry.Key, out var current))
            {
                if (current.Version > entry.Version)
                    return false;
                if (_map.TryUpdate(entry.Key, entry, current))
                {
                    Interlocked.Add(ref _bytes, entry.Size - current.Size);
                    break;
                }
            }
            else if (_map.TryAdd(entry.Key, entry))
            {
                Interlocked.Add(ref _bytes, entry.Size);
                _clock.Enqueue(entry.Key);
                break;
            }
        }
        EvictIfNeeded();
        return true;
    }

    /// <summary>
    /// Drops the cached answer for <paramref name="key"/>: version <paramref name="version"/> is now committed.
    /// An entry already at that version (or newer) stays: the same commit is announced up to three
    /// times (local write, pub/sub, change log) and only the first must cost a miss.
    /// </summary>
    public void Invalidate(string key, long version)
    {
        if (_map.TryGetValue(key, out var current) && current.Version >= version)
            return;
        Set(CacheEntry.Marker(key, version, NowMs + MarkerLifetimeMs));
    }

    /// <summary>
    /// <see cref="Invalidate"/> for a key that may not be cached at all: an entry (answer or marker)
    /// older than <paramref name="version"/> becomes a marker, and an absent key stays absent. Only
    /// for callers that know no reader can still bring back an older version: nothing loading the
    /// key, and no L2 entry older than the commit (see <see cref="Services.Resolver.InvalidateSettled"/>).
    /// A bulk import of millions of never-read identifiers then costs L1 nothing.
    /// </summary>
    public void InvalidateCached(string key, long version)
    {
        if (_map.TryGetValue(key, out var current) && current.Version < version)
            Set(CacheEntry.Marker(key, version, NowMs + MarkerLifetimeMs));
    }

    /// <summary>The newest version L1 knows for the key (an answer or an invalidation marker), 0 when none.</summary>
    public long KnownVersion(string key) => _map.TryGetValue(key, out var current) ? current.Version : 0;

    /// <summary>Grows with every <see cref="Clear"/>: a load that began before a clear must not fill afterwards (its marker guard is gone).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Drops every entry (used when invalidations may have been missed for too long).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        foreach (var pair in _map)
            if (_map.TryRemove(pair))
                Interlocked.Add(ref _bytes, -pair.Value.Size);
    }

    private void EvictIfNeeded()
    {
        // Bounded work per insert: the inserting thread pays for the room it takes.
        var budget = 64;
        while (Interlocked.Read(ref _bytes) > MaxBytes && budget-- > 0 && _clock.TryDequeue(out var key))
        {
            if (!_map.TryGetValue(key, out var entry))
                continue;
            if (entry.Touched && !entry.IsMarker)
            {
                entry.Touched = false;
                _clock.Enqueue(key);
                continue;
            }
            if (_map.TryRemove(new KeyValuePair<string, CacheEntry>(key, entry)))
                Interlocked.Add(ref _bytes, -entry.Size);
            else
                _clock.Enqueue(key);
        }
    }
}
