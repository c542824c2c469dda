using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using IdNode.Grpc.V1;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace IdNode.Server.Tests.Grpc;

/// <summary>The whole server in memory (its own SQLite folder) with a gRPC channel over the test handler.</summary>
public sealed class GrpcTestServer : WebApplicationFactory<Program>
{
    public const string Prefix = "88.999";
    public const string AdminSecret = "grpc-test-secret";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "idnode-grpc-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _settings;
    private GrpcChannel? _channel;

    public GrpcTestServer() : this(null)
    {
    }

    internal GrpcTestServer(IDictionary<string, string?>? settings)
    {
        _settings = new Dictionary<string, string?>
        {
            ["IdNode:Store:DataDirectory"] = _dataDirectory,
            ["IdNode:Node:Prefix"] = Prefix,
            ["IdNode:Bootstrap:AdminSecret"] = AdminSecret,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            _settings[k] = v;
    }

    /// <summary>Replaces services of the node (e.g. its clock) before it starts.</summary>
    internal Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ReplaceServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(_dataDirectory);
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        if (ReplaceServices is { } services)
            builder.ConfigureTestServices(services);
    }

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
        MaxReceiveMessageSize = 64 * 1024 * 1024,
    });

    public Resolver.ResolverClient Resolver => new(Channel);
    public Registry.RegistryClient Registry => new(Channel);
    public Changes.ChangesClient Changes => new(Channel);
    public Management.ManagementClient Management => new(Channel);

    public static Metadata Basic(string identity, string secret)
        => new() { { "authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(identity) + ":" + secret)) } };

    public static Metadata Admin => Basic($"300:{Prefix}/ADMIN", AdminSecret);

    public static HandleValue Url(string url, int index = 1)
        => new() { Index = index, Type = "URL", Data = new ValueData { Text = url } };

    protected override void Dispose(bool disposing)
    {
        _channel?.Dispose();
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment on some systems; the temp folder is reclaimed anyway.
            }
        }
    }
}
