using System.Text;
using IdNode.Core.Ports;
using IdNode.Core.Services;
using StackExchange.Redis;

namespace IdNode.Cache.Redis;

/// <summary>
/// The batch forms of invalidation: one script call and one bus message per chunk of commits, so a
/// batch of thousands costs Redis, the writer and every subscriber a handful of commands instead of
/// one per identifier.
/// </summary>
public sealed partial class RedisRecordCache
{
    /// <summary>Commits per script call and per bus message: bounds how long one script holds Redis.</summary>
    public const int MaxPerCall = 500;

    // TombstoneScript for KEYS[i] at version ARGV[i]; the ttl follows the versions. Every hash
    // this cache writes has a 'v', so without one there is nothing to delete (most keys of a batch
    // of new identifiers): one command fewer per key.
    private const string TombstoneManyScript = """
        local ttl = ARGV[#KEYS + 1]
        local written = 0
        for i = 1, #KEYS do
          local cur = redis.call('HGET', KEYS[i], 'v')
          if not (cur and tonumber(cur) >= tonumber(ARGV[i])) then
            if cur then redis.call('DEL', KEYS[i]) end
            redis.call('HSET', KEYS[i], 'v', ARGV[i])
            redis.call('PEXPIRE', KEYS[i], ttl)
            written = written + 1
          end
        end
        return written
        """;

    // Keys decoded from bus messages must be what was sent; a message that is not valid UTF-8 is ignored.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async ValueTask<bool> InvalidateManyAsync(IReadOnlyList<RecordCommit> commits, TimeSpan tombstoneTtl)
    {
        if (commits.Count == 0)
            return true;
        if (commits.Count == 1)
            return await InvalidateAsync(commits[0].Key, commits[0].Version, tombstoneTtl).ConfigureAwait(false);
        if (IsCluster())
            return await ISharedRecordCache.InvalidateEachAsync(this, commits, tombstoneTtl).ConfigureAwait(false);
        var ttlMs = (long)tombstoneTtl.TotalMilliseconds;
        if (commits.Count <= MaxPerCall)
            return await TombstoneChunkAsync(commits, 0, commits.Count, ttlMs).ConfigureAwait(false);
        var calls = new Task<bool>[(commits.Count + MaxPerCall - 1) / MaxPerCall];
        for (var c = 0; c < calls.Length; c++)
        {
            var start = c * MaxPerCall;
            calls[c] = TombstoneChunkAsync(commits, start, Math.Min(MaxPerCall, commits.Count - start), ttlMs);
        }
        var all = true;
        foreach (var ok in await Task.WhenAll(calls).ConfigureAwait(false))
            all &= ok;
        return all;
    }

    private async Task<bool> TombstoneChunkAsync(IReadOnlyList<RecordCommit> commits, int start, int count, long ttlMs)
    {
        var keys = new RedisKey[count];
        var args = new RedisValue[count + 1];
        for (var i = 0; i < count; i++)
        {
            keys[i] = Key(commits[start + i].Key);
            args[i] = commits[start + i].Version;
        }
        args[count] = ttlMs;
        try
        {
            await _db.ScriptEvaluateAsync(TombstoneManyScript, keys, args).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Trip();
            return false;
        }
    }

    // In a cluster the keys of one chunk live on different nodes and a multi-key script would be
    // refused, so there each key gets its own script (ISharedRecordCache.InvalidateEachAsync).
    private bool IsCluster()
    {
        foreach (var endpoint in _mux.GetEndPoints())
        {
            if (_mux.GetServer(endpoint).ServerType == ServerType.Cluster)
                return true;
        }
        return false;
    }

    public async ValueTask<bool> PublishManyAsync(IReadOnlyList<RecordCommit> commits)
    {
        if (commits.Count == 0)
            return true;
        // One commit goes out in the single form, which nodes of earlier versions also understand.
        if (commits.Count == 1)
            return await PublishAsync(commits[0].Key, commits[0].Version).ConfigureAwait(false);
        var sends = new Task<bool>[(commits.Count + MaxPerCall - 1) / MaxPerCall];
        for (var c = 0; c < sends.Length; c++)
        {
            var start = c * MaxPerCall;
            sends[c] = PublishChunkAsync(EncodeMany(commits, start, Math.Min(MaxPerCall, commits.Count - start)));
        }
        var all = true;
        foreach (var ok in await Task.WhenAll(sends).ConfigureAwait(false))
            all &= ok;
        return all;
    }

    private async Task<bool> PublishChunkAsync(byte[] message)
    {
        RememberSent(message);
        try
        {
            await _mux.GetSubscriber().PublishAsync(_channel, message).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Trip();
            return false;
        }
    }

    // Multi-form messages this cache published whose echo has not come back yet. Redis hands every
    // message to every subscriber, the publisher included, and the publisher's own commits were
    // already applied to its L1 before it published (and are skipped by its change-log follower):
    // decoding its own 500-key messages back into strings and invalidating each key again cost
    // the writing node ~7 % of its CPU in the BatchRegister profile, plus lock contention in the
    // subscription's ordered delivery. A byte-identical message from another node would carry the
    // same (key, version) pairs, i.e. these very commits, so skipping it loses nothing. Bounded: an
    // echo that never comes (Redis lost it) is overwritten, and an overwritten entry's echo is
    // merely processed like any other message.
    private readonly byte[]?[] _sent = new byte[]?[SentCapacity];
    private int _sentNext;
    private const int SentCapacity = 64;

    private void RememberSent(byte[] message)
    {
        lock (_sent)
        {
            _sent[_sentNext] = message;
            _sentNext = (_sentNext + 1) % SentCapacity;
        }
    }

    /// <summary>True (once) when <paramref name="message"/> is one this cache published and has not yet heard back.</summary>
    private bool IsOwnEcho(ReadOnlySpan<byte> message)
    {
        lock (_sent)
        {
            for (var i = 0; i < _sent.Length; i++)
            {
                if (_sent[i] is { } sent && sent.Length == message.Length && message.SequenceEqual(sent))
                {
                    _sent[i] = null;
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// The multi form of a bus message: <c>*count</c>, then per commit <c> version length key</c>
    /// with the key's length in UTF-8 bytes, so a key may hold any character. The leading <c>*</c>
    /// tells it from the single form <c>version key</c> (which starts with a digit); nodes that only
    /// know the single form ignore it and catch up from the change log.
    /// </summary>
    public static byte[] EncodeMany(IReadOnlyList<RecordCommit> commits, int start, int count)
    {
        var size = 1 + Digits(count);
        for (var i = start; i < start + count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(commits[i].Version);
            var keyBytes = Encoding.UTF8.GetByteCount(commits[i].Key);
            size += 3 + Digits(commits[i].Version) + Digits(keyBytes) + keyBytes;
        }
        var message = new byte[size];
        var span = message.AsSpan();
        span[0] = (byte)'*';
        var at = 1 + WriteNumber(span[1..], count);
        for (var i = start; i < start + count; i++)
        {
            var key = commits[i].Key;
            span[at++] = (byte)' ';
            at += WriteNumber(span[at..], commits[i].Version);
            span[at++] = (byte)' ';
            at += WriteNumber(span[at..], Encoding.UTF8.GetByteCount(key));
            span[at++] = (byte)' ';
            at += Encoding.UTF8.GetBytes(key, span[at..]);
        }
        return message;
    }

    /// <summary>
    /// Parses a multi-form message completely before handing out any commit; null when it is
    /// malformed in any way (a message from a newer or broken node is ignored, and the change log
    /// carries its commits instead).
    /// </summary>
    public static (string Key, long Version)[]? DecodeMany(ReadOnlySpan<byte> message)
    {
        if (message.Length < 2 || message[0] != (byte)'*')
            return null;
        var at = 1;
        if (!TryReadNumber(message, ref at, out var count) || count < 1 || count > (message.Length - 1) / 5)
            return null;
        var entries = new (string, long)[count];
        for (var i = 0; i < entries.Length; i++)
        {
            if (!TrySkipSpace(message, ref at) || !TryReadNumber(message, ref at, out var version)
                || !TrySkipSpace(message, ref at) || !TryReadNumber(message, ref at, out var length)
                || !TrySkipSpace(message, ref at) || length > message.Length - at)
                return null;
            try
            {
                entries[i] = (StrictUtf8.GetString(message.Slice(at, (int)length)), version);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
            at += (int)length;
        }
        return at == message.Length ? entries : null;
    }

    private static bool TrySkipSpace(ReadOnlySpan<byte> message, ref int at)
    {
        if (at >= message.Length || message[at] != (byte)' ')
            return false;
        at++;
        return true;
    }

    // Plain decimal digits: no sign, no overflow.
    private static bool TryReadNumber(ReadOnlySpan<byte> message, ref int at, out long value)
    {
        value = 0;
        var start = at;
        while (at < message.Length && message[at] is >= (byte)'0' and <= (byte)'9')
        {
            var digit = message[at] - '0';
            if (value > (long.MaxValue - digit) / 10)
                return false;
            value = value * 10 + digit;
            at++;
        }
        return at > start;
    }

    private static int WriteNumber(Span<byte> destination, long value)
    {
        var n = Digits(value);
        for (var i = n - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
        return n;
    }

    private static int Digits(long value)
    {
        var n = 1;
        while (value >= 10)
        {
            value /= 10;
            n++;
        }
        return n;
    }
}
