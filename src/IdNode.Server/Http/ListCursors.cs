using System.Collections.Concurrent;

namespace IdNode.Server.Http;

/// <summary>
/// Remembers the last key of recently served list pages, so page N+1 of a prefix is a seek
/// (<c>key &gt; last</c>) instead of an OFFSET over N pages. Handle.Net scans the whole prefix for
/// every page; with this, a client walking a million-handle prefix page by page does O(page) work
/// per request. Random access to a far page falls back to the nearest remembered page plus OFFSET.
/// </summary>
public sealed class ListCursors
{
    private const int MaxEntries = 10_000;
    private const int LookBack = 64;
    private readonly ConcurrentDictionary<(string Prefix, int PageSize, int Page), string> _lastKeys = new();

    /// <summary>Where to start page <paramref name="page"/>: after a known key, then skip rows.</summary>
    public (string? AfterKey, int Skip) StartOf(string prefix, int pageSize, int page)
    {
        for (var k = page - 1; k >= Math.Max(0, page - LookBack); k--)
            if (_lastKeys.TryGetValue((prefix, pageSize, k), out var key))
                return (key, (page - 1 - k) * pageSize);
        return (null, checked(page * pageSize));
    }

    public void Remember(string prefix, int pageSize, int page, string lastKey)
    {
        if (_lastKeys.Count >= MaxEntries)
            _lastKeys.Clear();
        _lastKeys[(prefix, pageSize, page)] = lastKey;
    }
}
