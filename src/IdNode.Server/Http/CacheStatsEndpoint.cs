using IdNode.Cache.Redis;
using IdNode.Core.Caching;
using IdNode.Core.Services;
using IdNode.Server.Options;
using Microsoft.Extensions.Options;

namespace IdNode.Server.Http;

/// <summary><c>GET /metrics/cache</c>: the cache counters as JSON, for operators and the multi-node tests.</summary>
public static class CacheStatsEndpoint
{
    public static IEndpointRouteBuilder MapCacheStats(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics/cache", (Resolver resolver, CacheCoherence coherence, IOptions<CacheOptions> options, IServiceProvider sp) =>
        {
            var s = resolver.Stats;
            var redis = options.Value.Kind == "redis" ? sp.GetRequiredService<RedisRecordCache>() : null;
            return Results.Json(new Dictionary<string, object?>
            {
                ["l1Entries"] = resolver.L1.Count,
                ["l1Bytes"] = resolver.L1.Bytes,
                ["l2Hits"] = s.L2Hits,
                ["l2Misses"] = s.L2Misses,
                ["storeReads"] = s.StoreReads,
                ["coalesced"] = s.Coalesced,
                ["invalidationsReceived"] = s.InvalidationsReceived,
                ["changesFollowed"] = s.ChangesFollowed,
                ["ownChangesSkipped"] = s.OwnChangesSkipped,
                ["lastSequence"] = coherence.LastSequence,
                ["l1Clears"] = s.L1Clears,
                ["l2InvalidationFailures"] = s.L2InvalidationFailures,
                ["pendingL2Invalidations"] = coherence.PendingInvalidations,
                ["followerErrors"] = s.FollowerErrors,
                ["l2ReadsEnabled"] = resolver.SharedReadsEnabled,
                ["redisAvailable"] = redis?.IsAvailable,
                ["redisFailures"] = redis?.Failures,
                ["redisBreaks"] = redis?.Breaks,
            });
        });
        return app;
    }
}
