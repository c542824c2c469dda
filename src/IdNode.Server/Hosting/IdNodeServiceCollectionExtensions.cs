using IdNode.Core.Auth;
using IdNode.Core.Caching;
using IdNode.Core.Identifiers;
using IdNode.Core.Node;
using IdNode.Core.Ports;
using IdNode.Core.Records;
using IdNode.Core.Registry;
using IdNode.Core.Services;
using IdNode.Server.Http;
using IdNode.Server.Options;
using IdNode.Storage.Postgres;
using IdNode.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace IdNode.Server.Hosting;

/// <summary>The composition root: options, the store and cache picked from configuration, the domain services.</summary>
public static class IdNodeServiceCollectionExtensions
{
    private const string ConfiguredStore = "configured";

    public static IServiceCollection AddIdNode(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section).ValidateDataAnnotations()
            .Validate(o => IdentifierParser.TryNormalizePrefix(o.Prefix, out _, out _), "IdNode:Node:Prefix must be dot-separated segments of letters, digits, '-' or '_' (e.g. 88.999)")
            .ValidateOnStart();
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section);
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section)
            .Validate(o => o.Kind is "sqlite" or "postgres", "IdNode:Store:Kind must be 'sqlite' or 'postgres'")
            .Validate(o => o.Kind is not "postgres" || !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres")),
                "IdNode:Store:Kind is 'postgres' but ConnectionStrings:Postgres (env ConnectionStrings__Postgres) is not set")
            .ValidateOnStart();
        services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Kind is "memory" or "redis", "IdNode:Cache:Kind must be 'memory' or 'redis'")
            .Validate(o => o.Kind is not "redis" || !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")),
                "IdNode:Cache:Kind=redis needs ConnectionStrings:Redis (env ConnectionStrings__Redis), e.g. 127.0.0.1:6379")
            .Validate(o => o.ChangePollMs < o.StaleBoundMs, "IdNode:Cache:ChangePollMs must be below IdNode:Cache:StaleBoundMs")
            .ValidateOnStart();
        services.AddOptions<HttpApiOptions>().BindConfiguration(HttpApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // With any logger enabled for this category, hosting opens a logging scope (an allocation and
        // an AsyncLocal write) on every request, to decorate request logs this node does not write:
        // the request start/stop lines are Information, below the Warning default. Errors are logged
        // by ErrorMiddleware and Kestrel under their own categories.
        services.AddLogging(b => b.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            return new NodeSettings(o.Prefix, new IdentifierRules(o.MaxIdentifierLength, o.SuffixCaseSensitive),
                new RecordLimits { MaxRecordBytes = o.MaxRecordBytes, MaxValues = o.MaxValues });
        });
        services.AddKeyedSingleton<IRecordStore>(ConfiguredStore, (sp, _) =>
        {
            var o = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
            if (o.Kind == "postgres")
                return new PostgresRecordStore(new PostgresStoreOptions { ConnectionString = configuration.GetConnectionString("Postgres")! }, sp.GetRequiredService<TimeProvider>());
            return new SqliteRecordStore(new SqliteStoreOptions
            {
                Path = Path.Combine(o.DataDirectory, "idnode.db"),
                SyncEveryCommit = o.SyncEveryCommit,
            });
        });
        services.AddSingleton(sp => sp.GetRequiredKeyedService<IRecordStore>(ConfiguredStore));
        services.AddSingleton(sp => new L1Cache(sp.GetRequiredService<IOptions<CacheOptions>>().Value.L1MaxBytes, sp.GetRequiredService<TimeProvider>()));
        services.AddIdNodeCaches(configuration);
        // Both stores keep the registry (principals, tokens, enterprises, audit) in their own database.
        // A wrapped record store (tests put fault injectors in front) keeps the configured store's registry.
        services.AddSingleton(sp => sp.GetRequiredService<IRecordStore>() as IRegistryStore ?? (IRegistryStore)sp.GetRequiredKeyedService<IRecordStore>(ConfiguredStore));
        services.AddSingleton<PrefixGate>();
        services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<IRegistryStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new WriteAuthorizer(sp.GetRequiredService<NodeSettings>(), sp.GetRequiredService<PrefixGate>(), sp.GetRequiredService<AuditLog>()));
        services.AddSingleton(sp => new TokenService(sp.GetRequiredService<IRegistryStore>(), sp.GetRequiredService<CredentialVerifier>(), sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RegistryService(sp.GetRequiredService<IRegistryStore>(), sp.GetRequiredService<NodeSettings>(), sp.GetRequiredService<PrefixGate>(),
            sp.GetRequiredService<AuditLog>(), sp.GetRequiredService<TokenService>(), sp.GetRequiredService<TimeProvider>()));
        // PostgreSQL imports use binary COPY (IBulkRecordWriter); SQLite has no faster path than its batch.
        services.AddSingleton(sp =>
        {
            var store = sp.GetRequiredService<IRecordStore>();
            return new RecordService(store, sp.GetRequiredService<NodeSettings>(), sp.GetRequiredService<WriteAuthorizer>(), sp.GetServices<IRecordChangeListener>(),
                sp.GetRequiredService<TimeProvider>(), store as IBulkRecordWriter);
        });
        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton(sp => new HttpAuthenticator(sp.GetRequiredService<TokenService>()));
        services.AddSingleton<ListCursors>();
        services.AddHostedService<BootstrapService>();
        services.AddHostedService<RegistryWorker>();
        return services;
    }
}
