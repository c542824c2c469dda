using Grpc.AspNetCore.Server;
using IdNode.Core.Services;
using IdNode.Server.Hosting;

namespace IdNode.Server.Grpc;

/// <summary>Wiring of the <c>idnode.v1</c> gRPC services, the error interceptor, health and reflection.</summary>
public static class GrpcEndpoints
{
    public static IServiceCollection AddIdNodeGrpc(this IServiceCollection services)
    {
        // The error interceptor per service, not globally: ResolverService maps its errors itself
        // so its hot Resolve runs without the interceptor pipeline (see its remarks).
        services.AddGrpc()
            .AddServiceOptions<RegistryService>(o =>
            {
                o.Interceptors.Add<GrpcErrorInterceptor>();
                // A BatchRegister of 2000 records of a few KiB each passes the 4 MiB default.
                o.MaxReceiveMessageSize = 64 * 1024 * 1024;
            })
            .AddServiceOptions<ChangesService>(o => o.Interceptors.Add<GrpcErrorInterceptor>())
            .AddServiceOptions<ManagementService>(o => o.Interceptors.Add<GrpcErrorInterceptor>());
        services.AddGrpcReflection();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        services.AddSingleton<GrpcAuthenticator>();
        // Registered, so Grpc.AspNetCore takes these instances per call instead of constructing
        // them (and resolving their dependencies) for every call; both are stateless.
        services.AddSingleton<GrpcErrorInterceptor>();
        services.AddSingleton<ResolverService>();
        services.AddSingleton<ChangeSignal>();
        services.AddSingleton<IRecordChangeListener>(sp => sp.GetRequiredService<ChangeSignal>());
        return services;
    }

    public static IEndpointRouteBuilder MapIdNodeGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<ResolverService>();
        app.MapGrpcService<RegistryService>();
        app.MapGrpcService<ChangesService>();
        app.MapGrpcService<ManagementService>();
        app.MapGrpcReflectionService();
        return app;
    }
}
