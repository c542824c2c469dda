using System.Collections.Frozen;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;

namespace IdNode.Core.Registry;

/// <summary>
/// The enterprise prefixes this node must not answer for right now, kept in memory so the resolve
/// hot path pays one empty-check when there are none: stopped (or pending delete) prefixes, which
/// refuse everything, and self-hosted prefixes, whose identifiers live on the enterprise's own node
/// and are answered with a referral to it. An entry also covers the prefixes derived from it (the
/// nearest entry wins). Refreshed from the registry by the server.
/// </summary>
public sealed class PrefixGate
{
    /// <summary>What the gate knows of one prefix: its state and, when self-hosted, its enterprise node's site.</summary>
    public readonly record struct Entry(PrefixState State, string? Site)
    {
        public bool IsBlocking => State is PrefixState.Stopped or PrefixState.PendingDelete;
    }

    private readonly Lock _lock = new();
    private volatile FrozenDictionary<string, Entry> _entries = FrozenDictionary<string, Entry>.Empty;

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Replaces the whole set with the enterprises' current states.</summary>
    public void Load(IEnumerable<(string Prefix, PrefixState State)> prefixes) => Load(prefixes.Select(p => (p.Prefix, p.State, (string?)null)));

    /// <summary>Replaces the whole set; <c>Site</c> is the enterprise node of a self-hosted prefix, null when hosted here.</summary>
    public void Load(IEnumerable<(string Prefix, PrefixState State, string? Site)> prefixes)
    {
        lock (_lock)
            _entries = prefixes.Select(p => (p.Prefix, Entry: new Entry(p.State, p.Site))).Where(p => Matters(p.Entry))
                .ToFrozenDictionary(p => p.Prefix, p => p.Entry, StringComparer.Ordinal);
    }

    public void Set(string prefix, PrefixState state, string? site = null)
    {
        lock (_lock)
        {
            var next = new Dictionary<string, Entry>(_entries, StringComparer.Ordinal);
            var entry = new Entry(state, site);
            if (Matters(entry))
                next[prefix] = entry;
            else
                next.Remove(prefix);
            _entries = next.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    /// <summary>The entry of <paramref name="normalizedPrefix"/> or of the nearest prefix it derives from.</summary>
    public Entry? Find(ReadOnlySpan<char> normalizedPrefix)
    {
        var entries = _entries;
        if (entries.Count == 0)
            return null;
        var lookup = entries.GetAlternateLookup<ReadOnlySpan<char>>();
        var p = normalizedPrefix;
        while (true)
        {
            if (lookup.TryGetValue(p, out var entry))
                return entry;
            var dot = p.LastIndexOf('.');
            if (dot <= 0)
                return null;
            p = p[..dot];
        }
    }

    /// <summary>The entry for a normalised identifier key (<c>prefix/suffix</c>).</summary>
    public Entry? FindOfKey(ReadOnlySpan<char> key)
    {
        if (IsEmpty)
            return null;
        var slash = key.IndexOf('/');
        return slash > 0 ? Find(key[..slash]) : null;
    }

    /// <summary>The blocking state of <paramref name="normalizedPrefix"/> or of a prefix it derives from.</summary>
    public PrefixState? BlockedState(ReadOnlySpan<char> normalizedPrefix) => Find(normalizedPrefix) is { IsBlocking: true } e ? e.State : null;

    /// <summary>The blocking state for a normalised identifier key (<c>prefix/suffix</c>).</summary>
    public PrefixState? BlockedStateOfKey(ReadOnlySpan<char> key) => FindOfKey(key) is { IsBlocking: true } e ? e.State : null;

    /// <summary>rc 401 naming the prefix and its state when the identifier's prefix is blocked.</summary>
    public void ThrowIfBlocked(Identifier id)
    {
        if (BlockedState(id.PrefixSpan) is { } state)
            throw Blocked(id, state);
    }

    public static HandleException Blocked(Identifier id, PrefixState state) => Blocked(id.Prefix, id.Display, state);

    public static HandleException Blocked(string prefix, string handle, PrefixState state)
        => new(ResponseCode.InsufficientPermissions, state == PrefixState.Stopped
            ? $"Prefix {prefix} is stopped: {handle} cannot be resolved or written until the node admin resumes it"
            : $"Prefix {prefix} is {state}: {handle} cannot be resolved or written");

    /// <summary>
    /// The refusal for an identifier under a gated prefix: blocked (rc 401), or for a self-hosted one a
    /// referral to the enterprise node — rc 302 (service referral) when resolving, rc 301 (server not
    /// responsible) when writing.
    /// </summary>
    public static HandleException Refusal(Entry entry, string prefix, string handle, bool write)
    {
        if (entry.IsBlocking || entry.Site is not { } site)
            return Blocked(prefix, handle, entry.State);
        var location = EnterpriseSite.ResolutionUrl(site, handle);
        return write
            ? new ReferralException(ResponseCode.ServerNotResponsible,
                $"Server not responsible: prefix {prefix} is self-hosted by its enterprise at {site}; write {handle} there", site, location)
            : new ReferralException(ResponseCode.ServiceReferral,
                $"Service referral: prefix {prefix} is self-hosted by its enterprise; resolve {handle} at {location}", site, location);
    }

    // Self-hosted matters only while the prefix is otherwise usable or blocked; a stopped self-hosted prefix stays stopped.
    private static bool Matters(Entry entry) => entry.IsBlocking || entry.Site is not null && entry.State == PrefixState.Active;
}
