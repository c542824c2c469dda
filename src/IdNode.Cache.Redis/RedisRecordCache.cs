using System.Globalization;
using IdNode.Core.Ports;
using StackExchange.Redis;

namespace IdNode.Cache.Redis;

/// <summary>
/// L2 cache and invalidation bus over one <see cref="ConnectionMultiplexer"/>. An entry is a hash
/// <c>{v: version, d: payload}</c>; a tombstone is the same hash without <c>d</c>. Fills and
/// tombstones are Lua scripts that compare versions on the server, so a slow reader can never
/// overwrite a newer entry or undo an invalidation. Failures never escape: a broken Redis trips a
/// breaker for <see cref="RedisCacheOptions.BreakMs"/> during which every call returns at once as a
/// miss, while the multiplexer reconnects in the background.
/// </summary>
public sealed partial class RedisRecordCache : ISharedRecordCache, IInvalidationBus, IDisposable
{
    // Refuses a fill older than what is cached or tombstoned; an equal version may replace a tombstone.
    private const string SetScript = """
        local cur = redis.call('HGET', KEYS[1], 'v')
        if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    // Leaves an entry at the committed version (or newer) alone; anything older becomes a tombstone.
    private const string TombstoneScript = """
        local cur = redis.call('HGET', KEYS[1], 'v')
        if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'v', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    private static readonly RedisValue[] EntryFields = ["v", "d"];

    private readonly RedisCacheOptions _options;
    private readonly ConnectionMultiplexer _mux;
    private readonly IDatabase _db;
    private readonly RedisChannel _channel;
    private readonly string _keyPrefix;
    private long _downUntil;
    private long _gaps;
    private long _failures;
    private long _breaks;
    private Action<string, long>? _handler;
    private volatile bool _subscribed;
    private volatile bool _disposed;
    private int _subscribing;

    public RedisRecordCache(RedisCacheOptions options)
    {
        _options = options;
        _keyPrefix = options.KeyPrefix + "r:";
        _channel = RedisChannel.Literal(options.KeyPrefix + "inv");
        var config = ConfigurationOptions.Parse(options.Configuration);
        // The node must start and serve without Redis, and never park requests behind a dead socket.
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = Math.Max(config.ConnectTimeout > 0 ? Math.Min(config.ConnectTimeout, 2000) : 1000, 200);
        config.SyncTimeout = options.OperationTimeoutMs;
        config.AsyncTimeout = options.OperationTimeoutMs;
        // Timeouts are only checked on heartbeats; the 1 s default would let a hung Redis stall misses for a second.
        config.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Max(100, options.OperationTimeoutMs));
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ReconnectRetryPolicy = new LinearRetry(500);
        _mux = ConnectionMultiplexer.Connect(config);
        _mux.ConnectionFailed += (_, _) => Interlocked.Increment(ref _gaps);
        _mux.ConnectionRestored += (_, _) =>
        {
            if (!_subscribed && _handler is { } handler)
                _ = SubscribeAsync(handler);
        };
        _db = _mux.GetDatabase();
    }

    public ConnectionMultiplexer Multiplexer => _mux;

    /// <summary>The prefix of entry keys (tests look at the raw keys).</summary>
    public string KeyPrefixForTests => _keyPrefix;

    /// <summary>Commands that failed or timed out.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Times the breaker opened.</summary>
    public long Breaks => Interlocked.Read(ref _breaks);

    public bool IsAvailable => Environment.TickCount64 >= Volatile.Read(ref _downUntil) && _mux.IsConnected;

    /// <summary>Connected and subscribed: this node currently receives invalidations.</summary>
    public bool IsConnected => _subscribed && _mux.IsConnected;

    public long GapCount => Interlocked.Read(ref _gaps);

    private RedisKey Key(string key) => _keyPrefix + key;

    private void Trip()
    {
        Interlocked.Increment(ref _failures);
        var until = Environment.TickCount64 + _options.BreakMs;
        if (Interlocked.Exchange(ref _downUntil, until) < Environment.TickCount64)
            Interlocked.Increment(ref _breaks);
    }

    public async ValueTask<SharedCacheEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!IsAvailable)
            return null;
        try
        {
            var values = await _db.HashGetAsync(Key(key), EntryFields).ConfigureAwait(false);
            if (values.Length != 2 || values[1].IsNull || !values[0].TryParse(out long version))
                return null;
            return new SharedCacheEntry(version, (byte[])values[1]!);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Trip();
            return null;
        }
    }

    public void Set(string key, SharedCacheEntry entry, TimeSpan ttl)
    {
        if (!IsAvailable)
            return;
        try
        {
            _db.ScriptEvaluate(SetScript, [Key(key)],
                [entry.Version, entry.Payload, (long)ttl.TotalMilliseconds], CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Trip();
        }
    }

    public async ValueTask<bool> InvalidateAsync(string key, long version, TimeSpan tombstoneTtl)
    {
        try
        {
            await _db.ScriptEvaluateAsync(TombstoneScript, [Key(key)], [version, (long)tombstoneTtl.TotalMilliseconds]).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Trip();
            return false;
        }
    }

    public async ValueTask<bool> ClearAsync()
    {
        try
        {
            foreach (var endpoint in _mux.GetEndPoints())
            {
                var server = _mux.GetServer(endpoint);
                if (server.IsReplica)
                    continue;
                var batch = new List<RedisKey>(1000);
                await foreach (var k in server.KeysAsync(_db.Database, _keyPrefix + "*", 1000).ConfigureAwait(false))
                {
                    batch.Add(k);
                    if (batch.Count == 1000)
                    {
                        await _db.KeyDeleteAsync(batch.ToArray()).ConfigureAwait(false);
                        batch.Clear();
                    }
                }
                if (batch.Count > 0)
                    await _db.KeyDeleteAsync(batch.ToArray()).ConfigureAwait(false);
            }
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Trip();
            return false;
        }
    }

    public async ValueTask<bool> PublishAsync(string key, long version)
    {
        try
        {
            // "version key": the key is last so it may contain any character.
            await _mux.GetSubscriber().PublishAsync(_channel, version.ToString(CultureInfo.InvariantCulture) + " " + key).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Trip();
            return false;
        }
    }

    public void Subscribe(Action<string, long> handler)
    {
        // Once made, the multiplexer renews the subscription after every reconnect. Until it is made
        // (Redis down or still connecting at start) it is retried, so a node that starts before Redis
        // is reachable still ends up receiving invalidations.
        _handler = handler;
        _ = SubscribeAsync(handler);
    }

    private async Task SubscribeAsync(Action<string, long> handler)
    {
        if (Interlocked.Exchange(ref _subscribing, 1) == 1)
            return;
        try
        {
            while (!_subscribed && !_disposed)
            {
                try
                {
                    await _mux.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
                    {
                        if (message.IsNull)
                            return;
                        var bytes = ((ReadOnlyMemory<byte>)message).Span;
                        if (bytes.Length > 0 && bytes[0] == (byte)'*')
                        {
                            if (!IsOwnEcho(bytes) && DecodeMany(bytes) is { } commits)
                            {
                                foreach (var (k, v) in commits)
                                    handler(k, v);
                            }
                            return;
                        }
                        var text = (string?)message;
                        if (text is null)
                            return;
                        var space = text.IndexOf(' ', StringComparison.Ordinal);
                        if (space > 0 && long.TryParse(text.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                            handler(text[(space + 1)..], version);
                    }).ConfigureAwait(false);
                    // Messages published before this point never reached us: count it as a gap so
                    // coherence does not trust the bus until the change log has been read again.
                    Interlocked.Increment(ref _gaps);
                    _subscribed = true;
                }
                catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
                {
                    Interlocked.Increment(ref _failures);
                    await Task.Delay(_options.SubscribeRetryMs).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _subscribing, 0);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _mux.Dispose();
    }
}
