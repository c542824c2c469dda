using IdNode.Server.Http;

namespace IdNode.Server.Hosting;

public static class IdNodeApplicationExtensions
{
    /// <summary>The request pipeline: errors → CORS → resolve hot path → routed endpoints.</summary>
    public static WebApplication UseIdNode(this WebApplication app)
    {
        app.UseMiddleware<ErrorMiddleware>();
        app.UseMiddleware<CorsMiddleware>();
        app.UseMiddleware<ResolveMiddleware>();
        app.MapGet("/alive", () => Results.Text("alive"));
        app.MapHealthChecks("/health");
        app.MapCacheStats();
        app.MapGrpcHealthChecksService();
        app.MapHandleApi();
        app.MapProxy();
        return app;
    }
}
