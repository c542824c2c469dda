using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace IdNode.Server.Tests;

/// <summary>An in-memory node on a throwaway data folder, prefix 88.999, a known admin secret.</summary>
public class NodeFactory : WebApplicationFactory<Program>
{
    public const string Prefix = "88.999";
    public const string AdminSecret = "test-admin-secret";
    public const string AdminUser = "300%3A88.999/ADMIN";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "idnode-tests", Guid.NewGuid().ToString("N"));

    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("IdNode:Node:Prefix", Prefix),
        new("IdNode:Bootstrap:AdminSecret", AdminSecret),
        new("IdNode:Store:DataDirectory", DataDirectory),
        new("IdNode:Store:SyncEveryCommit", "false"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(Settings()));
    }

    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public HttpClient Admin() => WithBasic(AdminUser, AdminSecret);

    public HttpClient WithBasic(string user, string secret)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}")));
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
