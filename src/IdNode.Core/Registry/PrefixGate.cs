using System.Collections.Frozen;
using IdNode.Core.Handles;
using IdNode.Core.Identifiers;

namespace IdNode.Core.Registry;

/// <summary>
/// The enterprise prefixes that must not be used right now (stopped or pending delete), kept in
/// memory so the resolve hot path pays one empty-check when nothing is stopped. A stopped prefix
/// also blocks the prefixes derived from it. Refreshed from the registry by the server.
/// </summary>
public sealed class PrefixGate
{
    private readonly Lock _lock = new();
    private volatile FrozenDictionary<string, PrefixState> _blocked = FrozenDictionary<string, PrefixState>.Empty;

    public bool IsEmpty => _blocked.Count == 0;

    /// <summary>Replaces the whole set with the enterprises' current states.</summary>
    public void Load(IEnumerable<(string Prefix, PrefixState State)> prefixes)
    {
        lock (_lock)
            _blocked = prefixes.Where(p => IsBlocking(p.State)).ToFrozenDictionary(p => p.Prefix, p => p.State, StringComparer.Ordinal);
    }

    public void Set(string prefix, PrefixState state)
    {
        lock (_lock)
        {
            var next = new Dictionary<string, PrefixState>(_blocked, StringComparer.Ordinal);
            if (IsBlocking(state))
                next[prefix] = state;
            else
                next.Remove(prefix);
            _blocked = next.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    /// <summary>The blocking state of <paramref name="normalizedPrefix"/> or of a prefix it derives from.</summary>
    public PrefixState? BlockedState(ReadOnlySpan<char> normalizedPrefix)
    {
        var blocked = _blocked;
        if (blocked.Count == 0)
            return null;
        var lookup = blocked.GetAlternateLookup<ReadOnlySpan<char>>();
        var p = normalizedPrefix;
        while (true)
        {
            if (lookup.TryGetValue(p, out var state))
                return state;
            var dot = p.LastIndexOf('.');
            if (dot <= 0)
                return null;
            p = p[..dot];
        }
    }

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

    /// <summary>The blocking state for a normalised identifier key (<c>prefix/suffix</c>).</summary>
    public PrefixState? BlockedStateOfKey(ReadOnlySpan<char> key)
    {
        if (IsEmpty)
            return null;
        var slash = key.IndexOf('/');
        return slash > 0 ? BlockedState(key[..slash]) : null;
    }

    private static bool IsBlocking(PrefixState state) => state is PrefixState.Stopped or PrefixState.PendingDelete;
}
