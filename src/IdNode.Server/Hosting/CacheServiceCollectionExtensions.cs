using IdNode.Cache.Redis;
using IdNode.Core.Caching;
using IdNode.Core.Ports;
using IdNode.Core.Services;
using IdNode.Server.Options;
using Microsoft.Extensions.Options;

namespace IdNode.Server.Hosting;

/// <summary>The resolve caches: L1 always, Redis (L2 + invalidation bus) when <c>IdNode:Cache:Kind=redis</c>, and the change-log follower.</summary>
public static class CacheServiceCollectionExtensions
{
    public static IServiceCollection AddIdNodeCaches(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CacheStats>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            return new RedisRecordCache(new RedisCacheOptions
            {
                Configuration = configuration.GetConnectionString("Redis")!,
                KeyPrefix = o.RedisKeyPrefix,
                OperationTimeoutMs = o.RedisTimeoutMs,
                BreakMs = o.RedisBreakMs,
            });
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            return new Resolver(sp.GetRequiredService<IRecordStore>(), sp.GetRequiredService<L1Cache>(),
                new ResolverOptions { MaxTtlSeconds = o.MaxTtlSeconds, NegativeTtlSeconds = o.NegativeTtlSeconds },
                SharedCache(sp), sp.GetRequiredService<CacheStats>(), sp.GetRequiredService<Core.Registry.PrefixGate>());
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            return new CacheCoherence(sp.GetRequiredService<Resolver>(), sp.GetRequiredService<IRecordStore>(),
                new CoherenceOptions { StaleBoundMs = o.StaleBoundMs, PollIntervalMs = o.ChangePollMs },
                SharedCache(sp), SharedCache(sp), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IRecordChangeListener>(sp => sp.GetRequiredService<CacheCoherence>());
        services.AddHostedService<CacheCoherenceService>();
        return services;
    }

    private static RedisRecordCache? SharedCache(IServiceProvider sp)
        => sp.GetRequiredService<IOptions<CacheOptions>>().Value.Kind == "redis" ? sp.GetRequiredService<RedisRecordCache>() : null;
}
