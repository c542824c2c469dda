using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace IdNode.Server.Hosting;

public static class ConfigurationFallback
{
    /// <summary>
    /// appsettings.json ships beside the binary. When the node is started from another working
    /// directory (<c>dotnet /opt/idnode/IdNode.Server.dll</c>) the content root holds none, and the
    /// node would silently lose its endpoint defaults — the h2c gRPC port would fall back to
    /// HTTP/1.1. Then the copy beside the binary is read, at the same precedence (environment
    /// variables and the command line still override it).
    /// </summary>
    public static WebApplicationBuilder UseBinaryDirectorySettings(this WebApplicationBuilder builder)
    {
        if (File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json"))
            || !File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")))
            return builder;
        var sources = ((IConfigurationBuilder)builder.Configuration).Sources;
        var at = 0;
        for (var i = 0; i < sources.Count; i++)
            if (sources[i] is JsonConfigurationSource { Path: "appsettings.json" })
                at = i + 1;
        sources.Insert(at, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });
        return builder;
    }
}
