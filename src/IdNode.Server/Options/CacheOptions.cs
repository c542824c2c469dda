using System.ComponentModel.DataAnnotations;

namespace IdNode.Server.Options;

/// <summary><c>IdNode:Cache</c> — the resolve caches.</summary>
public sealed class CacheOptions
{
    public const string Section = "IdNode:Cache";

    /// <summary><c>memory</c> (default: in-process only) or <c>redis</c>.</summary>
    public string Kind { get; set; } = "memory";

    /// <summary>Bytes the in-process L1 cache may hold (default 256 MiB).</summary>
    [Range(0, long.MaxValue)]
    public long L1MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Cap on a found record's cache lifetime, seconds (default 3600).</summary>
    [Range(0, 86400 * 7)]
    public int MaxTtlSeconds { get; set; } = 3600;

    /// <summary>How long "not found" is cached, seconds (default 5).</summary>
    [Range(0, 3600)]
    public int NegativeTtlSeconds { get; set; } = 5;

    /// <summary>
    /// Longest time a node may serve a record after a newer version committed on any node, ms
    /// (default 1000). Past it without news from the change log or the bus, L1 is emptied.
    /// </summary>
    [Range(100, 3_600_000)]
    public int StaleBoundMs { get; set; } = 1000;

    /// <summary>How often each node reads the store's change log, ms (default 200; kept below the stale bound).</summary>
    [Range(10, 60_000)]
    public int ChangePollMs { get; set; } = 200;

    /// <summary>Prefix of Redis keys and of the invalidation channel (default <c>idnode:</c>); nodes sharing it share the cache.</summary>
    public string RedisKeyPrefix { get; set; } = "idnode:";

    /// <summary>Longest wait for one Redis command, ms (default 250); slower counts as Redis down.</summary>
    [Range(10, 10_000)]
    public int RedisTimeoutMs { get; set; } = 250;

    /// <summary>After a Redis failure, how long Redis is skipped before it is tried again, ms (default 1000).</summary>
    [Range(0, 60_000)]
    public int RedisBreakMs { get; set; } = 1000;
}
