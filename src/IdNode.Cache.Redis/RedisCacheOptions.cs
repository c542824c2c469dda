namespace IdNode.Cache.Redis;

public sealed class RedisCacheOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public required string Configuration { get; init; }

    /// <summary>Prefix of every key and of the invalidation channel (default <c>idnode:</c>): nodes sharing it share the cache.</summary>
    public string KeyPrefix { get; init; } = "idnode:";

    /// <summary>Longest wait for one Redis command before it counts as a failure, ms (default 250).</summary>
    public int OperationTimeoutMs { get; init; } = 250;

    /// <summary>After a failure, Redis is skipped for this long before it is tried again, ms (default 1000).</summary>
    public int BreakMs { get; init; } = 1000;

    /// <summary>Pause between attempts to subscribe to invalidations while Redis cannot be reached, ms (default 500).</summary>
    public int SubscribeRetryMs { get; init; } = 500;
}
