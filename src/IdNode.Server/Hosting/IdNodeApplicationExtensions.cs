using IdNode.Server.Http;

namespace IdNode.Server.Hosting;

public static class IdNodeApplicationExtensions
{
    /// <summary>The request pipeline: errors → CORS → resolve hot path → routing → endpoints.</summary>
    public static WebApplication UseIdNode(this WebApplication app)
    {
        app.UseMiddleware<ErrorMiddleware>();
        app.UseMiddleware<CorsMiddleware>();
        app.UseMiddleware<ResolveMiddleware>();
        // Explicit, so routing runs after the hot path: without this call WebApplication puts
        // UseRouting first, and every resolve would pay for endpoint matching it never uses.
        app.UseRouting();
        app.MapGet("/alive", () => Results.Text("alive"));
        app.MapHealthChecks("/health");
        app.MapGrpcHealthChecksService();
        app.MapHandleApi();
        app.MapProxy();
        return app;
    }
}
