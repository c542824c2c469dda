using System.Net;
using System.Text.Json;
using Grpc.Core;
using IdNode.Grpc.V1;
using IdNode.Server.Tests.Grpc;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

/// <summary>
/// A self-hosted enterprise prefix is answered with a referral to the enterprise's node (rc 302,
/// HTTP 300 + Location; the proxy form redirects), writes here are refused (rc 301), and switching
/// back to hosted restores normal resolution. The state survives a restart.
/// </summary>
public sealed class SelfHostedTests : IDisposable
{
    private const string Site = "https://idnode.guzhen-lamps.example.cn:8443";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "idnode-selfhosted-" + Guid.NewGuid().ToString("N"));
    private GrpcTestServer _server;
    private Onboarding _on;

    public SelfHostedTests()
    {
        _server = NewServer();
        _on = new Onboarding(_server);
    }

    private GrpcTestServer NewServer() => new(new Dictionary<string, string?> { ["IdNode:Store:DataDirectory"] = _data });

    public void Dispose()
    {
        _server.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<(string Admin, string Prefix, string Token, long Id)> EnterpriseWithRecordAsync()
    {
        var admin = await _on.AdminTokenAsync();
        var (prefix, token, id) = await _on.EnterpriseAsync(admin, "Guzhen Lamps");
        var (_, created) = await SendAsync(_on.Bearer(token), HttpMethod.Post, "/identityv2/data", Item($"{prefix}/lamp-1"));
        Assert.Equal(1, created.GetProperty("status").GetInt32());
        // Warm the cache: the referral must win over a cached answer.
        Assert.Equal(HttpStatusCode.OK, (await _on.Anonymous().GetAsync($"/api/handles/{prefix}/lamp-1")).StatusCode);
        return (admin, prefix, token, id);
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> SetHostingAsync(string admin, long id, object body)
        => SendAsync(_on.Bearer(admin), HttpMethod.Post, $"/api/admin/enterprises/{id}/hosting", body);

    [Fact]
    public async Task Resolution_answers_a_referral_on_every_surface_and_writes_are_refused()
    {
        var (admin, prefix, token, id) = await EnterpriseWithRecordAsync();
        var (_, set) = await SetHostingAsync(admin, id, new { hosting = 1, site = Site + "/" });
        Assert.Equal(1, set.GetProperty("status").GetInt32());
        Assert.Equal(1, set.GetProperty("data").GetProperty("hosting").GetInt32());
        Assert.Equal(Site, set.GetProperty("data").GetProperty("site").GetString());
        var location = $"{Site}/api/handles/{prefix}/lamp-1";

        // Handle REST: rc 302 service referral, HTTP 300, the site and the URL in the body and Location.
        foreach (var client in new[] { _on.Anonymous(), _on.Bearer(token) })
        {
            using var rest = await client.GetAsync($"/api/handles/{prefix}/lamp-1");
            Assert.Equal(HttpStatusCode.MultipleChoices, rest.StatusCode);
            Assert.Equal(location, rest.Headers.Location?.ToString());
            using var doc = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
            Assert.Equal(302, doc.RootElement.GetProperty("responseCode").GetInt32());
            Assert.Equal(Site, doc.RootElement.GetProperty("site").GetString());
            Assert.Equal(location, doc.RootElement.GetProperty("location").GetString());
            Assert.Contains("self-hosted", doc.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        // Derived prefixes follow their parent.
        using (var derived = await _on.Anonymous().GetAsync($"/api/handles/{prefix}.7/x"))
            Assert.Equal(HttpStatusCode.MultipleChoices, derived.StatusCode);

        // Proxy form: a plain GET redirects to the enterprise node's proxy URL, query kept; ?noredirect shows the referral.
        using (var proxy = await _on.Anonymous().GetAsync($"/{prefix}/lamp-1?urlappend=%3Fa%3D1"))
        {
            Assert.Equal(HttpStatusCode.Found, proxy.StatusCode);
            Assert.Equal($"{Site}/{prefix}/lamp-1?urlappend=%3Fa%3D1", proxy.Headers.Location?.ToString());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/{prefix}/lamp-1?noredirect"))
        {
            request.Headers.Accept.ParseAdd("application/json");
            using var noredirect = await _on.Anonymous().SendAsync(request);
            Assert.Equal(HttpStatusCode.MultipleChoices, noredirect.StatusCode);
            using var doc = JsonDocument.Parse(await noredirect.Content.ReadAsStringAsync());
            Assert.Equal(302, doc.RootElement.GetProperty("responseCode").GetInt32());
            Assert.Equal(location, doc.RootElement.GetProperty("location").GetString());
        }

        // gRPC: FAILED_PRECONDITION, rc 302 and the referral in trailers; per item in a batch.
        var e = await GrpcAssert.FailsWith(StatusCode.FailedPrecondition,
            () => _server.Resolver.ResolveAsync(new ResolveRequest { Handle = $"{prefix}/lamp-1" }).ResponseAsync, responseCode: 302);
        Assert.Equal(Site, e.Trailers.GetValue("idnode-referral-site"));
        Assert.Equal(location, e.Trailers.GetValue("idnode-referral-location"));
        var batch = await _server.Resolver.BatchResolveAsync(new BatchResolveRequest { Handles = { $"{prefix}/lamp-1" } });
        Assert.Equal(302, batch.Results[0].Status.ResponseCode);
        Assert.Contains(location, batch.Results[0].Status.Message, StringComparison.Ordinal);

        // SNMS detail: a business status naming the referral in data.
        var (_, detail) = await SendAsync(_on.Bearer(token), HttpMethod.Get, $"/identityv2/data/detail?handle={prefix}/lamp-1", null);
        Assert.Equal(-2, detail.GetProperty("status").GetInt32());
        Assert.Equal(302, detail.GetProperty("data").GetProperty("responseCode").GetInt32());
        Assert.Equal(location, detail.GetProperty("data").GetProperty("location").GetString());

        // Writes on every surface: rc 301 naming the site; nothing stored.
        var (_, snmsWrite) = await SendAsync(_on.Bearer(token), HttpMethod.Post, "/identityv2/data", Item($"{prefix}/lamp-2"));
        Assert.Equal(-3, snmsWrite.GetProperty("status").GetInt32());
        Assert.Contains(Site, snmsWrite.GetProperty("message").GetString(), StringComparison.Ordinal);
        var (restStatus, restWrite) = await SendAsync(_on.Bearer(token), HttpMethod.Put, $"/api/handles/{prefix}/lamp-2",
            new[] { new { index = 1, type = "URL", data = "https://example.cn/x" } });
        Assert.Equal(HttpStatusCode.BadRequest, restStatus);
        Assert.Equal(301, restWrite.GetProperty("responseCode").GetInt32());
        Assert.Equal(Site, restWrite.GetProperty("site").GetString());
        await GrpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _server.Registry.CreateAsync(
            new CreateRequest { Handle = $"{prefix}/lamp-2", Values = { GrpcTestServer.Url("https://example.cn/x") } }, Onboarding.GrpcBearer(token)).ResponseAsync, responseCode: 301);

        // The change is audited.
        var audit = await _on.AuditAsync(admin, $"target={id}");
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "enterprise.hosting" && a.GetProperty("detail").GetString()!.Contains(Site, StringComparison.Ordinal));

        // Back to hosted: normal resolution and writes again; lamp-2 was never stored.
        var (_, hosted) = await SetHostingAsync(admin, id, new { hosting = 4 });
        Assert.Equal(4, hosted.GetProperty("data").GetProperty("hosting").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await _on.Anonymous().GetAsync($"/api/handles/{prefix}/lamp-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _on.Anonymous().GetAsync($"/api/handles/{prefix}/lamp-2")).StatusCode);
        var (_, again) = await SendAsync(_on.Bearer(token), HttpMethod.Post, "/identityv2/data", Item($"{prefix}/lamp-2"));
        Assert.Equal(1, again.GetProperty("status").GetInt32());
        Assert.NotNull((await _server.Resolver.ResolveAsync(new ResolveRequest { Handle = $"{prefix}/lamp-1" })).Values);
    }

    [Fact]
    public async Task A_restart_keeps_the_self_hosted_state()
    {
        var (admin, prefix, _, id) = await EnterpriseWithRecordAsync();
        Assert.Equal(1, (await SetHostingAsync(admin, id, new { hosting = 1, site = "ent-node.example.cn:8000" })).Body.GetProperty("status").GetInt32());

        _server.Dispose();
        _server = NewServer();
        _on = new Onboarding(_server);

        using var rest = await _on.Anonymous().GetAsync($"/api/handles/{prefix}/lamp-1");
        Assert.Equal(HttpStatusCode.MultipleChoices, rest.StatusCode);
        Assert.Equal($"http://ent-node.example.cn:8000/api/handles/{prefix}/lamp-1", rest.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData(1, null, "site is required")]
    [InlineData(1, "ftp://ent.example.cn", "http or https")]
    [InlineData(1, "javascript:alert(1)", "host:port")]
    [InlineData(1, "ent.example.cn", "host:port")]
    [InlineData(1, "ent.example.cn:70000", "port from 1 to 65535")]
    [InlineData(1, "https://user:pw@ent.example.cn", "user info")]
    [InlineData(1, "https://ent.example.cn/?x=1", "query")]
    [InlineData(1, "https://ent.example.cn/a b", "spaces")]
    [InlineData(2, "https://ent.example.cn", "hosting must be")]
    public async Task A_bad_hosting_change_is_refused_and_changes_nothing(int hosting, string? site, string expected)
    {
        var (admin, prefix, _, id) = await EnterpriseWithRecordAsync();
        var (_, body) = await SetHostingAsync(admin, id, new { hosting, site });
        Assert.Equal(-2, body.GetProperty("status").GetInt32());
        Assert.Contains(expected, body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _on.Anonymous().GetAsync($"/api/handles/{prefix}/lamp-1")).StatusCode);
    }

    [Fact]
    public async Task An_over_long_site_is_refused_and_only_the_node_admin_changes_hosting()
    {
        var (admin, _, token, id) = await EnterpriseWithRecordAsync();
        var (_, tooLong) = await SetHostingAsync(admin, id, new { hosting = 1, site = "https://e.example.cn/" + new string('a', 300) });
        Assert.Contains("at most 255", tooLong.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (status, denied) = await SetHostingAsync(token, id, new { hosting = 1, site = Site });
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(-3, denied.GetProperty("status").GetInt32());
        var audit = await _on.AuditAsync(admin, $"target={id}&outcome=denied");
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "enterprise.hosting");
    }
}
