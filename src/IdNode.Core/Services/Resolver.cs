using IdNode.Core.Caching;
using IdNode.Core.Json;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Registry;

namespace IdNode.Core.Services;

/// <summary>
/// The read path: L1 → store. A hit completes synchronously with the cached bytes; a miss reads
/// the store, encodes the common (unfiltered, public) response once and caches it.
/// </summary>
public sealed class Resolver : IRecordChangeListener
{
    private readonly IRecordStore _store;
    private readonly L1Cache _l1;
    private readonly ResolverOptions _options;
    private readonly PrefixGate? _gate;

    public Resolver(IRecordStore store, L1Cache l1, ResolverOptions options, PrefixGate? gate = null)
    {
        _store = store;
        _l1 = l1;
        _options = options;
        _gate = gate;
    }

    public L1Cache L1 => _l1;

    /// <summary>A cached entry for the fast path; never one under a stopped prefix (the slow path then reports that).</summary>
    public bool TryGetCached(ReadOnlySpan<char> key, out CacheEntry entry)
    {
        if (_gate is { IsEmpty: false } && _gate.BlockedStateOfKey(key) is not null)
        {
            entry = null!;
            return false;
        }
        return _l1.TryGet(key, out entry);
    }

    /// <summary>The entry for <paramref name="key"/>; rc 401 (HandleException) when its prefix is stopped.</summary>
    public ValueTask<CacheEntry> ResolveAsync(string key, bool authoritative = false, CancellationToken cancellationToken = default)
    {
        if (_gate is { IsEmpty: false } && _gate.BlockedStateOfKey(key) is { } state)
            throw PrefixGate.Blocked(key[..key.IndexOf('/', StringComparison.Ordinal)], key, state);
        if (!authoritative && _l1.TryGet(key, out var entry))
            return ValueTask.FromResult(entry);
        return new ValueTask<CacheEntry>(LoadAsync(key, cancellationToken));
    }

    private async Task<CacheEntry> LoadAsync(string key, CancellationToken cancellationToken)
    {
        var stored = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var entry = BuildEntry(key, stored, _l1.NowMs);
        _l1.Set(entry);
        return entry;
    }

    public CacheEntry BuildEntry(string key, StoredRecord? stored, long nowMs)
    {
        var record = RecordService.Decode(stored);
        if (record is null)
            return CacheEntry.NotFound(key, stored?.Version ?? 0, nowMs + _options.NegativeTtlSeconds * 1000L);
        var json = HandleJsonWriter.ResolveResponse(record.Handle, record.Values, static v => v.IsPublicRead);
        var ttl = Math.Min(record.MinTtl(), _options.MaxTtlSeconds);
        return CacheEntry.Found(key, record, json, nowMs + ttl * 1000L);
    }

    public void OnCommitted(string key, long version) => _l1.Invalidate(key, version);
}
