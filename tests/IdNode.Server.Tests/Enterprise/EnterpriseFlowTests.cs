using System.Net;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Grpc;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

public sealed class EnterpriseFlowTests : IDisposable
{
    private readonly GrpcTestServer _server = new();
    private readonly Onboarding _on;

    public EnterpriseFlowTests() => _on = new Onboarding(_server);

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Apply_approve_login_register_2000_then_a_partner_resolves_them_on_every_surface()
    {
        var admin = await _on.AdminTokenAsync();
        var id = await _on.ApplyAsync("Guzhen Lighting Ltd", requestedPrefix: "88.999.1001");
        var (_, pending) = await SendAsync(_on.Bearer(admin), HttpMethod.Get, "/api/admin/enterprises?state=4", null);
        Assert.Contains(pending.GetProperty("data").EnumerateArray(), e => e.GetProperty("id").GetInt64() == id);

        var (prefix, user, password) = await _on.ApproveAsync(admin, id);
        Assert.Equal("88.999.1001", prefix);
        var enterprise = await _on.LoginAsync(user, password);

        var items = Enumerable.Range(0, 2000).Select(i => Item($"{prefix}/LAMP-{i:D4}", "lamp " + i)).ToArray();
        var (_, created) = await SendAsync(_on.Bearer(enterprise), HttpMethod.Post, "/identityv2/data/batchCreate", items);
        Assert.Equal(1, created.GetProperty("status").GetInt32());

        var partner = await _on.PrincipalAsync(enterprise, "retailer-1", "Partner", prefix);
        // Handle REST: the partner sees the authorised-only value (2002), an anonymous caller does not.
        var rest = await _on.Bearer(partner).GetAsync($"/api/handles/{prefix}/LAMP-1999");
        using (var doc = JsonDocument.Parse(await rest.Content.ReadAsStringAsync()))
            Assert.Equal([1001, 2001, 2002], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));
        var anonymous = await _on.Anonymous().GetAsync($"/api/handles/{prefix}/LAMP-1999");
        using (var doc = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()))
            Assert.Equal([1001, 2001], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));

        var batch = new BatchResolveRequest();
        batch.Handles.AddRange(Enumerable.Range(0, 2000).Select(i => $"{prefix}/LAMP-{i:D4}"));
        var resolved = await _server.Resolver.BatchResolveAsync(batch, GrpcBearer(partner));
        Assert.Equal(2000, resolved.Results.Count(r => r.Status.Code == 0 && r.Record.Values.Any(v => v.Index == 2002)));

        var (_, detail) = await SendAsync(_on.Bearer(partner), HttpMethod.Get, $"/identityv2/data/detail?handle={prefix}/LAMP-0007", null);
        Assert.Equal("lamp 7", detail.GetProperty("data").GetProperty("value")[0].GetProperty("data").GetProperty("value").GetString());

        // A partner never writes.
        var (_, write) = await SendAsync(_on.Bearer(partner), HttpMethod.Post, "/identityv2/data", Item($"{prefix}/by-partner"));
        Assert.Equal(-3, write.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Allocation_takes_the_requested_number_if_free_else_the_next_and_never_reuses()
    {
        var admin = await _on.AdminTokenAsync();
        var a = await _on.EnterpriseAsync(admin, "A", "3");
        var b = await _on.EnterpriseAsync(admin, "B", "3");
        var c = await _on.EnterpriseAsync(admin, "C", "88.999.4");
        var d = await _on.EnterpriseAsync(admin, "D");
        Assert.Equal(["88.999.3", "88.999.4", "88.999.5", "88.999.1"], new[] { a.Prefix, b.Prefix, c.Prefix, d.Prefix });

        var rejected = await _on.ApplyAsync("E", "2");
        await SendAsync(_on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{rejected}/reject", new { reason = "duplicate application" });
        var f = await _on.EnterpriseAsync(admin, "F", "2");
        Assert.Equal("88.999.2", f.Prefix);
    }

    [Fact]
    public async Task A_rejected_application_gets_no_prefix_and_cannot_be_approved_later()
    {
        var admin = await _on.AdminTokenAsync();
        var id = await _on.ApplyAsync("Rejected Co");
        var (_, missingReason) = await SendAsync(_on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/reject", new { });
        Assert.Equal(-2, missingReason.GetProperty("status").GetInt32());
        var (_, rejected) = await SendAsync(_on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/reject", new { reason = "credit code belongs to another company" });
        var data = rejected.GetProperty("data");
        Assert.Equal(3, data.GetProperty("state").GetInt32());
        Assert.Equal(3, data.GetProperty("hosting").GetInt32());
        Assert.Equal("credit code belongs to another company", data.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("prefix").ValueKind);

        var (_, approve) = await SendAsync(_on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/approve", new { });
        Assert.Equal(-2, approve.GetProperty("status").GetInt32());
        Assert.Empty(await _server.Services.GetRequiredService<Core.Ports.IRegistryStore>().AllocatedNumbersAsync());
    }

    [Fact]
    public async Task A_stopped_prefix_refuses_writes_and_resolves_to_403_until_resumed()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, token, id) = await _on.EnterpriseAsync(admin, "Stop Co");
        await SendAsync(_on.Bearer(token), HttpMethod.Post, "/identityv2/data", Item($"{prefix}/s1"));
        Assert.Equal(HttpStatusCode.OK, (await _on.Anonymous().GetAsync($"/api/handles/{prefix}/s1")).StatusCode);

        var (_, stopped) = await SendAsync(_on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/stop", new { reason = "fees unpaid" });
        Assert.Equal(0, stopped.GetProperty("data").GetProperty("state").GetInt32());

        var resolve = await _on.Anonymous().GetAsync($"/api/handles/{prefix}/s1");
        Assert.Equal(HttpStatusCode.Forbidden, resolve.StatusCode);
        using (var doc = JsonDocument.Parse(await resolve.Content.ReadAsStringAsync()))
        {
            Assert.Equal(401, doc.RootElement.GetProperty("responseCode").GetInt32());
            Assert.Contains("stopped", doc.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        var (_, write) = await SendAsync(_on.Bearer(token), HttpMethod.Post, "/identityv2/data", Item($"{prefix}/s2"));
        Assert.Equal(-3, write.GetProperty("status").GetInt32());
        await GrpcAssert.FailsWith(StatusCode.PermissionDenied,
            () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = $"{prefix}/s1" }).ResponseAsync, responseCode: 401);

        var (_, resumed) = await SendAsync(_on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/resume", null);
        Assert.Equal(1, resumed.GetProperty("data").GetProperty("state").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await _on.Anonymous().GetAsync($"/api/handles/{prefix}/s1")).StatusCode);
        var (_, again) = await SendAsync(_on.Bearer(token), HttpMethod.Post, "/identityv2/data", Item($"{prefix}/s2"));
        Assert.Equal(1, again.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("creditCode", "91350100M000100Y44", "check character")]
    [InlineData("creditCode", "9135", "18 characters")]
    [InlineData("industry", "C/38/386/3851", "GB/T 4754")]
    [InlineData("industry", "3851", "GB/T 4754")]
    [InlineData("name", "", "name is required")]
    [InlineData("requestedPrefix", "86.100.5", "directly under")]
    [InlineData("requestedPrefix", "007", "leading zeros")]
    public async Task Invalid_applications_are_refused_naming_the_field(string field, string value, string expected)
    {
        var application = new Dictionary<string, string>
        {
            ["name"] = "Bad Co", ["creditCode"] = ValidCreditCode, ["contact"] = "x@y.cn", ["industry"] = "C/38/385/3851", ["town"] = "Guzhen", ["cluster"] = "lighting",
        };
        application[field] = value;
        var (_, body) = await SendAsync(_on.Anonymous(), HttpMethod.Post, "/api/admin/enterprises", application);
        Assert.Equal(-2, body.GetProperty("status").GetInt32());
        Assert.Contains(expected, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_returns_every_version_with_its_actor()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, token, _) = await _on.EnterpriseAsync(admin, "History Co");
        var client = _on.Bearer(token);
        await SendAsync(client, HttpMethod.Post, "/identityv2/data", Item($"{prefix}/h", "v1"));
        await SendAsync(client, HttpMethod.Put, "/identityv2/data", Item($"{prefix}/h", "v2"));
        await SendAsync(client, HttpMethod.Delete, $"/identityv2/data?handle={prefix}/h", null);
        var (_, history) = await SendAsync(client, HttpMethod.Get, $"/api/admin/history?handle={prefix}/h", null);
        var versions = history.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(["Create", "Update", "Delete"], versions.Select(v => v.GetProperty("kind").GetString()));
        Assert.Equal("v1", versions[0].GetProperty("values").EnumerateArray().Single(v => v.GetProperty("index").GetInt32() == 2001).GetProperty("data").GetProperty("value").GetString());
        Assert.All(versions, v => Assert.Equal("admin@" + prefix, v.GetProperty("actor").GetString()));

        var other = (await _on.EnterpriseAsync(admin, "Nosy Co")).Token;
        var (status, denied) = await SendAsync(_on.Bearer(other), HttpMethod.Get, $"/api/admin/history?handle={prefix}/h", null);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(-3, denied.GetProperty("status").GetInt32());
    }
}
