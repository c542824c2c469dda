using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Grpc;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

/// <summary>Two approved enterprises A and B, and principals of every role.</summary>
public sealed class MatrixFixture : IAsyncLifetime
{
    public GrpcTestServer Server { get; } = new();
    public Onboarding On { get; }
    public string A { get; private set; } = "";
    public string B { get; private set; } = "";
    public Dictionary<string, string?> Tokens { get; } = new();

    public MatrixFixture() => On = new Onboarding(Server);

    public async Task InitializeAsync()
    {
        var admin = await On.AdminTokenAsync();
        var a = await On.EnterpriseAsync(admin, "A Hardware");
        var b = await On.EnterpriseAsync(admin, "B Furniture");
        A = a.Prefix;
        B = b.Prefix;
        Tokens["anonymous"] = null;
        Tokens["nodeAdmin"] = admin;
        Tokens["adminA"] = a.Token;
        Tokens["writerA"] = await On.PrincipalAsync(a.Token, "writer-a", "EnterpriseWriter", A);
        Tokens["partnerA"] = await On.PrincipalAsync(a.Token, "partner-a", "Partner", A);
        Tokens["adminB"] = b.Token;
        Tokens["writerB"] = await On.PrincipalAsync(b.Token, "writer-b", "EnterpriseWriter", B);
        await SendAsync(On.Bearer(admin), HttpMethod.Post, "/identityv2/data", Item($"{A}/seed"));
    }

    public HttpClient Client(string role) => Tokens[role] is { } t ? On.Bearer(t) : On.Anonymous();

    public Metadata Grpc(string role) => Tokens[role] is { } t ? GrpcBearer(t) : new Metadata();

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class AuthorizationMatrixTests(MatrixFixture f) : IClassFixture<MatrixFixture>
{
    private static int _n;
    private static string Unique(string role) => $"m-{role}-{Interlocked.Increment(ref _n)}";

    [Theory]
    [InlineData("anonymous", false)]
    [InlineData("nodeAdmin", true)]
    [InlineData("adminA", true)]
    [InlineData("writerA", true)]
    [InlineData("partnerA", false)]
    [InlineData("adminB", false)]
    [InlineData("writerB", false)]
    public async Task Handle_rest_write(string role, bool allowed)
    {
        var response = await f.Client(role).PutAsync($"/api/handles/{f.A}/{Unique(role)}",
            new StringContent("""[{"index":1,"type":"URL","data":"https://e.cn"}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(allowed, response.IsSuccessStatusCode);
        if (!allowed)
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
    }

    [Theory]
    [InlineData("anonymous", false)]
    [InlineData("nodeAdmin", true)]
    [InlineData("adminA", true)]
    [InlineData("writerA", true)]
    [InlineData("partnerA", true)]
    [InlineData("adminB", false)]
    public async Task Handle_rest_private_read(string role, bool sees)
    {
        var response = await f.Client(role).GetAsync($"/api/handles/{f.A}/seed");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(sees, doc.RootElement.GetProperty("values").EnumerateArray().Any(v => v.GetProperty("index").GetInt32() == 2002));
    }

    [Theory]
    [InlineData("anonymous", false)]
    [InlineData("nodeAdmin", true)]
    [InlineData("adminA", true)]
    [InlineData("writerA", true)]
    [InlineData("partnerA", false)]
    [InlineData("adminB", false)]
    [InlineData("writerB", false)]
    public async Task Grpc_write(string role, bool allowed)
    {
        var call = () => f.Server.Registry.CreateAsync(new CreateRequest { Handle = $"{f.A}/{Unique(role)}", Values = { GrpcTestServer.Url("https://e.cn") } }, f.Grpc(role)).ResponseAsync;
        if (allowed)
            Assert.True((await call()).Created);
        else
            await GrpcAssert.FailsWith(role == "anonymous" ? StatusCode.Unauthenticated : StatusCode.PermissionDenied, call);
    }

    [Theory]
    [InlineData("anonymous", false)]
    [InlineData("nodeAdmin", true)]
    [InlineData("partnerA", true)]
    [InlineData("writerB", false)]
    public async Task Grpc_private_read(string role, bool sees)
    {
        var response = await f.Server.Resolver.ResolveAsync(new ResolveRequest { Handle = $"{f.A}/seed" }, f.Grpc(role));
        Assert.Equal(sees, response.Values.Any(v => v.Index == 2002));
    }

    [Theory]
    [InlineData("anonymous", -1)]
    [InlineData("nodeAdmin", 1)]
    [InlineData("adminA", 1)]
    [InlineData("writerA", 1)]
    [InlineData("partnerA", -3)]
    [InlineData("adminB", -3)]
    [InlineData("writerB", -3)]
    public async Task Snms_write(string role, int status)
    {
        var (_, body) = await SendAsync(f.Client(role), HttpMethod.Post, "/identityv2/data", Item($"{f.A}/{Unique(role)}"));
        Assert.Equal(status, body.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("nodeAdmin", true)]
    [InlineData("partnerA", true)]
    [InlineData("writerA", true)]
    [InlineData("adminB", false)]
    public async Task Snms_private_read(string role, bool sees)
    {
        var (_, body) = await SendAsync(f.Client(role), HttpMethod.Get, $"/identityv2/data/detail?handle={f.A}/seed", null);
        Assert.Equal(sees, body.GetProperty("data").GetProperty("value").EnumerateArray().Any(v => v.GetProperty("index").GetInt32() == 2002));
    }

    [Theory]
    [InlineData("anonymous", -1)]
    [InlineData("nodeAdmin", 1)]
    [InlineData("adminA", 1)]
    [InlineData("writerA", -3)]
    [InlineData("partnerA", -3)]
    public async Task Management_list_enterprises(string role, int status)
    {
        var (_, body) = await SendAsync(f.Client(role), HttpMethod.Get, "/api/admin/enterprises", null);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        if (role == "adminA")
            Assert.Equal([f.A], body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("prefix").GetString()));
    }

    [Theory]
    [InlineData("nodeAdmin", 1)]
    [InlineData("adminA", -3)]
    [InlineData("writerA", -3)]
    [InlineData("partnerA", -3)]
    public async Task Management_approve(string role, int status)
    {
        var id = await f.On.ApplyAsync("Applicant " + Unique(role));
        var (_, body) = await SendAsync(f.Client(role), HttpMethod.Post, $"/api/admin/enterprises/{id}/approve", new { });
        Assert.Equal(status, body.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("nodeAdmin", "EnterpriseWriter", "A", 1)]
    [InlineData("adminA", "EnterpriseWriter", "A", 1)]
    [InlineData("adminA", "Partner", "A", 1)]
    [InlineData("adminA", "EnterpriseAdmin", "A", -3)]
    [InlineData("adminA", "EnterpriseWriter", "B", -3)]
    [InlineData("adminB", "EnterpriseWriter", "A", -3)]
    [InlineData("writerA", "EnterpriseWriter", "A", -3)]
    [InlineData("partnerA", "Partner", "A", -3)]
    public async Task Management_create_principal(string role, string newRole, string which, int status)
    {
        var prefix = which == "A" ? f.A : f.B;
        var (_, body) = await SendAsync(f.Client(role), HttpMethod.Post, "/api/admin/principals",
            new { username = Unique(role), password = "long-enough-pw", role = newRole, enterpriseId = role == "nodeAdmin" ? 1 : (long?)null, prefixes = new[] { prefix } });
        Assert.Equal(status, body.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("nodeAdmin", 1)]
    [InlineData("adminA", 1)]
    [InlineData("writerA", -3)]
    [InlineData("partnerA", -3)]
    public async Task Management_audit(string role, int status)
    {
        var (_, body) = await SendAsync(f.Client(role), HttpMethod.Get, "/api/admin/audit", null);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        if (role == "adminA")
            Assert.DoesNotContain(body.GetProperty("data").EnumerateArray(), e => e.GetProperty("actor").GetString() == "writer-b");
    }
}
