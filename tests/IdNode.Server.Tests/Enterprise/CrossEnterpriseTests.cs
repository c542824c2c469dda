using System.Net;
using System.Text;
using Grpc.Core;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Grpc;
using Microsoft.Extensions.DependencyInjection;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

/// <summary>Enterprise B trying to write enterprise A's identifiers, by every surface and every spelling trick.</summary>
public sealed class CrossEnterpriseTests : IAsyncLifetime
{
    private readonly GrpcTestServer _server = new();
    private readonly Onboarding _on;
    private string _admin = "";
    private string _a = "";
    private string _b = "";
    private string _bToken = "";

    public CrossEnterpriseTests() => _on = new Onboarding(_server);

    public async Task InitializeAsync()
    {
        _admin = await _on.AdminTokenAsync();
        _a = (await _on.EnterpriseAsync(_admin, "Victim A")).Prefix;
        (_b, _bToken, _) = await _on.EnterpriseAsync(_admin, "Attacker B");
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    private Task<long> CountA() => _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(_a);

    private async Task<HttpStatusCode> RestPutAsync(string rawPath)
    {
        var response = await _on.Bearer(_bToken).PutAsync("/api/handles/" + rawPath,
            new StringContent("""[{"index":1,"type":"URL","data":"https://evil.example"}]""", Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    private async Task<StatusCode> GrpcCreateAsync(string handle)
    {
        try
        {
            await _server.Registry.CreateAsync(new CreateRequest { Handle = handle, Values = { GrpcTestServer.Url("https://evil.example") } }, GrpcBearer(_bToken));
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    private async Task<int> SnmsCreateAsync(string handle)
    {
        var (_, body) = await SendAsync(_on.Bearer(_bToken), HttpMethod.Post, "/identityv2/data", Item(handle));
        return body.GetProperty("status").GetInt32();
    }

    [Fact]
    public async Task Direct_writes_to_another_enterprise_are_denied_on_every_surface_and_audited()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await RestPutAsync($"{_a}/rest"));
        Assert.Equal(HttpStatusCode.Forbidden, await RestPutAsync($"{_a}%2Frest-encoded"));
        Assert.Equal(StatusCode.PermissionDenied, await GrpcCreateAsync($"{_a}/grpc"));
        Assert.Equal(-3, await SnmsCreateAsync($"{_a}/snms"));
        var (_, batch) = await SendAsync(_on.Bearer(_bToken), HttpMethod.Post, "/identityv2/data/batchCreate", new[] { Item($"{_a}/batch"), Item($"{_b}/own") });
        Assert.Equal([-3, 1], batch.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("code").GetInt32()));
        var (_, del) = await SendAsync(_on.Bearer(_bToken), HttpMethod.Delete, "/identityv2/data/batchDelete", new[] { $"{_a}/seed" });
        Assert.Equal(-3, del.GetProperty("data")[0].GetProperty("code").GetInt32());
        Assert.Equal(0, await CountA());

        var denied = await _on.AuditAsync(_admin, $"actor={Uri.EscapeDataString("admin@" + _b)}&outcome=denied&limit=1000");
        var targets = denied.Select(d => d.GetProperty("target").GetString()).ToHashSet();
        foreach (var suffix in new[] { "rest", "rest-encoded", "grpc", "snms", "batch", "seed" })
            Assert.Contains($"{_a}/{suffix}", targets);
        Assert.All(denied, d => Assert.Equal(_a, d.GetProperty("prefix").GetString()));
    }

    [Fact]
    public async Task Spelling_tricks_never_reach_the_other_enterprise()
    {
        var n = _a[(_a.LastIndexOf('.') + 1)..];
        string[] invalid =
        [
            $"{_a}./trailing-dot",
            $"８８.999.{n}/fullwidth",
            $"88.999.{n}\u0430/cyrillic",
            $"88.999.{n}./x",
            $"{_a}/" + new string('x', 300),
        ];
        foreach (var handle in invalid)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await RestPutAsync(Uri.EscapeDataString(handle).Replace("%2F", "/", StringComparison.Ordinal)));
            Assert.Equal(StatusCode.InvalidArgument, await GrpcCreateAsync(handle));
            Assert.Equal(-2, await SnmsCreateAsync(handle));
        }
        string[] foreign = [$"88.999.0{n}/leading-zero", $"{_a}.7/derived", $"{_a}/../{_b}/up"];
        foreach (var handle in foreign)
        {
            Assert.Equal(StatusCode.PermissionDenied, await GrpcCreateAsync(handle));
            Assert.Equal(-3, await SnmsCreateAsync(handle));
        }
        // ".." inside a suffix is just text: written under B's own prefix, it names a B identifier.
        Assert.Equal(StatusCode.OK, await GrpcCreateAsync($"{_b}/../{_a}/x"));
        Assert.Equal(HttpStatusCode.NotFound, (await _on.Anonymous().GetAsync($"/api/handles/{_a}/x")).StatusCode);
        Assert.Equal(0, await CountA());
    }

    [Fact]
    public async Task Prefix_case_does_not_matter_for_the_owner_and_does_not_help_an_attacker()
    {
        foreach (var (user, prefix) in new[] { ("acme-writer", "88.999.Acme"), ("other-writer", "88.999.other") })
        {
            var (_, created) = await SendAsync(_on.Bearer(_admin), HttpMethod.Post, "/api/admin/principals",
                new { username = user, password = "password-" + user, role = "EnterpriseWriter", enterpriseId = 99, prefixes = new[] { prefix } });
            Assert.Equal(1, created.GetProperty("status").GetInt32());
        }
        var owner = await _on.LoginAsync("acme-writer", "password-acme-writer");
        var attacker = await _on.LoginAsync("other-writer", "password-other-writer");
        // Grants are stored normalised.
        var (_, owned) = await SendAsync(_on.Bearer(owner), HttpMethod.Post, "/identityv2/data", Item("88.999.ACME/mixed-case"));
        Assert.Equal(1, owned.GetProperty("status").GetInt32());
        foreach (var spelling in new[] { "88.999.acme/a1", "88.999.ACME/a2", "88.999.AcMe/a3" })
        {
            var (_, body) = await SendAsync(_on.Bearer(attacker), HttpMethod.Post, "/identityv2/data", Item(spelling));
            Assert.Equal(-3, body.GetProperty("status").GetInt32());
        }
        var (_, cyrillic) = await SendAsync(_on.Bearer(attacker), HttpMethod.Post, "/identityv2/data", Item("88.999.\u0430cme/a4"));
        Assert.Equal(-2, cyrillic.GetProperty("status").GetInt32());
        Assert.Equal(1, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync("88.999.acme"));
    }
}
