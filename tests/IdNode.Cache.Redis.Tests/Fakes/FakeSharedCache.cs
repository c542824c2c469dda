using IdNode.Core.Ports;
using IdNode.Core.Services;

namespace IdNode.Cache.Redis.Tests.Fakes;

/// <summary>L2 and bus in memory, with the same version rules as the Redis scripts; can be switched off.</summary>
public sealed class FakeSharedCache : ISharedRecordCache, IInvalidationBus
{
    private readonly Dictionary<string, (long Version, byte[]? Payload)> _map = new(StringComparer.Ordinal);
    private readonly List<Action<string, long>> _handlers = [];

    public bool Up { get; set; } = true;
    public int Sets { get; private set; }
    public int Invalidations { get; private set; }
    public TimeSpan LastTtl { get; private set; }
    public long GapCount { get; set; }

    public bool IsAvailable => Up;
    public bool IsConnected => Up;

    public (long Version, byte[]? Payload)? Raw(string key) => _map.TryGetValue(key, out var e) ? e : null;

    public ValueTask<SharedCacheEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Up && _map.TryGetValue(key, out var e) && e.Payload is { } p ? new SharedCacheEntry(e.Version, p) : null);

    public void Set(string key, SharedCacheEntry entry, TimeSpan ttl)
    {
        if (!Up)
            return;
        Sets++;
        LastTtl = ttl;
        if (_map.TryGetValue(key, out var cur) && cur.Version > entry.Version)
            return;
        _map[key] = (entry.Version, entry.Payload);
    }

    public ValueTask<bool> InvalidateAsync(string key, long version, TimeSpan tombstoneTtl)
    {
        if (!Up)
            return ValueTask.FromResult(false);
        Invalidations++;
        if (!(_map.TryGetValue(key, out var cur) && cur.Version >= version))
            _map[key] = (version, null);
        return ValueTask.FromResult(true);
    }

    /// <summary>Multi-key calls that were written, one per chunk.</summary>
    public int ManyCalls { get; private set; }

    /// <summary>When it returns true for a chunk, that call fails as if Redis had timed out.</summary>
    public Func<IReadOnlyList<RecordCommit>, bool>? FailMany { get; set; }

    public ValueTask<bool> InvalidateManyAsync(IReadOnlyList<RecordCommit> commits, TimeSpan tombstoneTtl)
    {
        if (!Up || FailMany?.Invoke(commits) == true)
            return ValueTask.FromResult(false);
        ManyCalls++;
        foreach (var c in commits)
            _ = InvalidateAsync(c.Key, c.Version, tombstoneTtl);
        return ValueTask.FromResult(true);
    }

    public ValueTask<bool> ClearAsync()
    {
        if (!Up)
            return ValueTask.FromResult(false);
        _map.Clear();
        return ValueTask.FromResult(true);
    }

    public ValueTask<bool> PublishAsync(string key, long version)
    {
        if (!Up)
            return ValueTask.FromResult(false);
        foreach (var h in _handlers)
            h(key, version);
        return ValueTask.FromResult(true);
    }

    public void Subscribe(Action<string, long> handler) => _handlers.Add(handler);

    /// <summary>Delivers a message as if another node had published it.</summary>
    public void Deliver(string key, long version)
    {
        foreach (var h in _handlers)
            h(key, version);
    }
}
