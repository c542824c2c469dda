using System.Collections.Concurrent;
using System.Globalization;
using IdNode.Core.Ports;
using IdNode.Core.Registry;

namespace IdNode.Core.Auth;

/// <summary>
/// Slows password guessing on every surface that checks a secret (token login, Handle Basic over
/// HTTP and gRPC). <see cref="MaxFailures"/> consecutive failures lock a principal for
/// <see cref="LockDuration"/>; <see cref="MaxSourceFailures"/> failures from one source address
/// within that time lock the address, which stops an attacker spraying many names once each.
/// A locked attempt is refused before any slow hash runs, so guessing costs the attacker time and
/// the node no CPU. Every failure and every refusal is audited with its source.
///
/// Principal state is kept in memory (checked on every attempt at the cost of one dictionary
/// read) and in the registry (shared with other nodes, kept across restarts), which is read only
/// before a slow hash — the path that costs tens of milliseconds anyway. Source state is per node.
/// </summary>
public sealed class LoginThrottle(IRegistryStore? store, AuditLog? audit, TimeProvider? time = null)
{
    public const int MaxFailures = 5;
    public const int MaxSourceFailures = 50;
    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(15);

    // Bounds memory under a flood of made-up names or addresses; see Trim.
    private const int MaxTracked = 100_000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Counter> _principals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> _sources = new(StringComparer.Ordinal);

    private sealed class Counter
    {
        public int Failures;
        public long LastFailureAt;
        public long LockedUntil;
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Throws <see cref="LoginLockedException"/> (audited) when the principal or the source is locked. Memory only: cheap enough for every request.</summary>
    public void ThrowIfLocked(string principal, string? source, string surface)
    {
        var now = Now;
        if (_principals.TryGetValue(principal, out var p) && Volatile.Read(ref p.LockedUntil) > now)
            throw Locked(principal, source, surface, principal, Volatile.Read(ref p.LockedUntil), now);
        if (source is not null && _sources.TryGetValue(source, out var s) && Volatile.Read(ref s.LockedUntil) > now)
            throw Locked(principal, source, surface, "source " + source, Volatile.Read(ref s.LockedUntil), now);
    }

    /// <summary>
    /// Before a slow hash: a lock recorded by another node or an earlier process is honoured too,
    /// and the stored failure count carries on from where it was.
    /// </summary>
    /// <returns>Whether the store holds failures of the principal (a success must then clear them).</returns>
    public async ValueTask<bool> ThrowIfLockedInStoreAsync(string principal, string? source, string surface, CancellationToken cancellationToken)
    {
        ThrowIfLocked(principal, source, surface);
        if (store is null)
            return false;
        var state = await store.GetLoginStateAsync(principal, cancellationToken).ConfigureAwait(false);
        var now = Now;
        if (state == LoginState.Clean)
            return false;
        var c = _principals.GetOrAdd(principal, static _ => new Counter());
        lock (c)
        {
            c.LockedUntil = Math.Max(c.LockedUntil, state.LockedUntil);
            // A lock that has run out starts the count afresh.
            if (state.LockedUntil == 0)
                c.Failures = Math.Max(c.Failures, state.Failures);
        }
        if (state.LockedUntil > now)
            throw Locked(principal, source, surface, principal, state.LockedUntil, now);
        return true;
    }

    /// <summary>Counts a failed attempt against the principal and the source; the attempt that reaches a limit locks it.</summary>
    public async ValueTask RecordFailureAsync(string principal, string? source, string surface, CancellationToken cancellationToken)
    {
        var now = Now;
        var window = (long)LockDuration.TotalSeconds;
        Trim(now);
        var c = _principals.GetOrAdd(principal, static _ => new Counter());
        LoginState state;
        lock (c)
        {
            if (c.LockedUntil != 0 && c.LockedUntil <= now)
                (c.Failures, c.LockedUntil) = (0, 0);
            c.Failures++;
            c.LastFailureAt = now;
            if (c.Failures >= MaxFailures)
                (c.Failures, c.LockedUntil) = (0, now + window);
            state = new LoginState(c.Failures, c.LockedUntil);
        }
        var sourceLocked = false;
        if (source is not null)
        {
            var s = _sources.GetOrAdd(source, static _ => new Counter());
            lock (s)
            {
                // Source failures count within a window, not consecutively: a shared NAT address also sees successes.
                if (s.LockedUntil != 0 && s.LockedUntil <= now || now - s.LastFailureAt > window)
                    (s.Failures, s.LockedUntil) = (0, 0);
                s.Failures++;
                s.LastFailureAt = now;
                if (s.Failures >= MaxSourceFailures && s.LockedUntil == 0)
                {
                    s.LockedUntil = now + window;
                    sourceLocked = true;
                }
            }
        }
        var detail = state.LockedUntil > 0 ? $"wrong credentials; locked for {LockDuration.TotalMinutes} min" : "wrong credentials";
        if (sourceLocked)
            detail += $"; source locked for {LockDuration.TotalMinutes} min after {MaxSourceFailures} failures";
        audit?.Record(principal, surface, principal, null, null, AuditEntry.Denied, WithSource(detail, source));
        if (store is not null)
            await store.SetLoginStateAsync(principal, state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A correct secret clears the principal's failures (a store write only when there were any).</summary>
    public ValueTask RecordSuccessAsync(string principal, bool storeHoldsFailures, CancellationToken cancellationToken)
    {
        // TryGetValue first: it takes no lock, and this runs on every remembered Basic credential.
        var hadFailures = _principals.TryGetValue(principal, out _) && _principals.TryRemove(principal, out _);
        return (hadFailures || storeHoldsFailures) && store is not null
            ? new ValueTask(store.SetLoginStateAsync(principal, LoginState.Clean, cancellationToken))
            : ValueTask.CompletedTask;
    }

    private LoginLockedException Locked(string principal, string? source, string surface, string what, long until, long now)
    {
        var retry = TimeSpan.FromSeconds(Math.Max(1, until - now));
        audit?.Record(principal, surface, principal, null, null, AuditEntry.Denied, WithSource("locked", source));
        return new LoginLockedException(
            $"Too many failed logins: {what} is locked until {DateTimeOffset.FromUnixTimeSeconds(until).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} "
            + $"(retry in {(long)retry.TotalSeconds} s)", retry);
    }

    private static string WithSource(string detail, string? source) => source is null ? detail : $"{detail} (from {source})";

    // Entries whose lock and failure window are over carry nothing worth keeping; dropping them
    // keeps a flood of made-up names bounded. If a distributed flood still fills memory, principal
    // entries go entirely: they only cache the store, which is read again before any slow hash.
    private void Trim(long now)
    {
        if (_principals.Count + _sources.Count < MaxTracked)
            return;
        var window = (long)LockDuration.TotalSeconds;
        foreach (var map in new[] { _principals, _sources })
            foreach (var (key, c) in map)
                if (Volatile.Read(ref c.LockedUntil) <= now && now - Volatile.Read(ref c.LastFailureAt) > window)
                    map.TryRemove(key, out _);
        if (_principals.Count >= MaxTracked)
            _principals.Clear();
    }
}
