using IdNode.Server.Grpc;
using IdNode.Server.Admin;
using IdNode.Server.Http;
using IdNode.Server.Snms;

namespace IdNode.Server.Hosting;

public static class IdNodeApplicationExtensions
{
    /// <summary>
    /// Kestrel limits: request lines up to 64 KiB so an over-long identifier reaches the API and
    /// gets a Handle error body (rc 102) instead of a bare 414; the identifier limit itself is
    /// enforced by the parser. Endpoints come from configuration (Kestrel:Endpoints:Http / Grpc).
    /// </summary>
    public static IWebHostBuilder ConfigureIdNodeKestrel(this IWebHostBuilder builder)
        => builder.ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestLineSize = 64 * 1024;
            options.Limits.MaxRequestBufferSize = 1024 * 1024;
        });

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
        app.MapCacheStats();
        app.MapGrpcHealthChecksService();
        app.MapIdNodeGrpc();
        app.MapHandleApi();
        app.MapSnms();
        app.MapAdminApi();
        app.MapImport();
        app.MapProxy();
        return app;
    }
}
