using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using IdNode.Server.Tests.Grpc;
using static IdNode.Server.Tests.Enterprise.Onboarding;

namespace IdNode.Server.Tests.Enterprise;

public sealed class SnmsTests : IAsyncLifetime
{
    private readonly GrpcTestServer _server = new();
    private readonly Onboarding _on;
    private string _prefix = "";
    private string _token = "";

    public SnmsTests() => _on = new Onboarding(_server);

    public async Task InitializeAsync()
    {
        var admin = await _on.AdminTokenAsync();
        (_prefix, _token, _) = await _on.EnterpriseAsync(admin, "Snms Lighting");
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    private object[] Batch(int n, string tag = "b") => Enumerable.Range(0, n).Select(i => Item($"{_prefix}/{tag}-{i:D5}", "lamp " + i)).ToArray();

    [Fact]
    public async Task BatchCreate_of_2000_succeeds_item_by_item_and_an_identical_retry_succeeds_too()
    {
        var client = _on.Bearer(_token);
        var (status, body) = await SendAsync(client, HttpMethod.Post, "/identityv2/data/batchCreate", Batch(2000));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("status").GetInt32());
        var items = body.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(2000, items.Length);
        Assert.All(items, i => Assert.Equal(1, i.GetProperty("code").GetInt32()));
        Assert.Equal($"{_prefix}/b-01999", items[1999].GetProperty("handle").GetString());

        var (_, retry) = await SendAsync(client, HttpMethod.Post, "/identityv2/data/batchCreate", Batch(2000));
        Assert.Equal(1, retry.GetProperty("status").GetInt32());
        Assert.All(retry.GetProperty("data").EnumerateArray(), i => Assert.Contains("same content", i.GetProperty("msg").GetString(), StringComparison.Ordinal));
        Assert.Equal(2000, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(_prefix));
    }

    [Fact]
    public async Task A_batch_of_2001_is_refused_naming_the_limit_and_nothing_is_stored()
    {
        var (status, body) = await SendAsync(_on.Bearer(_token), HttpMethod.Post, "/identityv2/data/batchCreate", Batch(2001));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(-2, body.GetProperty("status").GetInt32());
        Assert.Contains("2000", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(_prefix));
    }

    [Fact]
    public async Task Creating_an_existing_identifier_with_different_content_fails_that_item_only()
    {
        var client = _on.Bearer(_token);
        await SendAsync(client, HttpMethod.Post, "/identityv2/data", Item($"{_prefix}/dup", "first"));
        var (_, body) = await SendAsync(client, HttpMethod.Post, "/identityv2/data/batchCreate",
            new { data = new[] { Item($"{_prefix}/dup", "second"), Item($"{_prefix}/fresh") } });
        Assert.Equal(-2, body.GetProperty("status").GetInt32());
        var items = body.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(-2, items[0].GetProperty("code").GetInt32());
        Assert.Contains("already exists", items[0].GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, items[1].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Detail_returns_the_snms_shape_and_hides_authorised_values_from_other_enterprises()
    {
        var client = _on.Bearer(_token);
        await SendAsync(client, HttpMethod.Post, "/identityv2/data", Item($"{_prefix}/abc", "pump"));
        var (_, detail) = await SendAsync(client, HttpMethod.Get, $"/identityv2/data/detail?handle={_prefix}/abc", null);
        Assert.Equal(1, detail.GetProperty("status").GetInt32());
        var data = detail.GetProperty("data");
        Assert.Equal(_prefix, data.GetProperty("prefix").GetString());
        Assert.Equal($"{_prefix}/abc", data.GetProperty("handle").GetString());
        Assert.Equal("1.0", data.GetProperty("templateVersion").GetString());
        var values = data.GetProperty("value").EnumerateArray().ToArray();
        Assert.Equal([2001, 2002], values.Select(v => v.GetProperty("index").GetInt32()));
        Assert.Equal("pump", values[0].GetProperty("data").GetProperty("value").GetString());
        Assert.Equal("string", values[0].GetProperty("data").GetProperty("format").GetString());
        Assert.Equal("1", values[1].GetProperty("auth").GetString());

        var other = (await _on.EnterpriseAsync(await _on.AdminTokenAsync(), "Other Co")).Token;
        var (_, seen) = await SendAsync(_on.Bearer(other), HttpMethod.Get, $"/identityv2/data/detail?handle={_prefix}/abc", null);
        Assert.Equal([2001], seen.GetProperty("data").GetProperty("value").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));

        // The same record through the Handle REST API: template version at 1001, private value hidden from anonymous callers.
        var rest = await _on.Anonymous().GetAsync($"/api/handles/{_prefix}/abc");
        using var doc = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
        Assert.Equal([1001, 2001], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task Update_replaces_the_template_items_and_keeps_other_values()
    {
        var client = _on.Bearer(_token);
        await SendAsync(client, HttpMethod.Post, "/identityv2/data", Item($"{_prefix}/u", "v1"));
        await client.PutAsync($"/api/handles/{_prefix}/u?index=1", new StringContent($$"""[{"index":1,"type":"URL","data":"https://e.cn/u"}]""", System.Text.Encoding.UTF8, "application/json"));
        var (_, updated) = await SendAsync(client, HttpMethod.Put, "/identityv2/data",
            new { handle = $"{_prefix}/u", value = new[] { new { index = 2005, type = "colour", auth = "0", data = new { format = "string", value = "red" } } } });
        Assert.Equal(1, updated.GetProperty("status").GetInt32());
        var rest = await client.GetAsync($"/api/handles/{_prefix}/u");
        using var doc = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
        Assert.Equal([1, 1001, 2005], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));

        var (_, missing) = await SendAsync(client, HttpMethod.Put, "/identityv2/data/batchUpdate", new[] { Item($"{_prefix}/nope") });
        Assert.Equal(-2, missing.GetProperty("data")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task BatchUpdate_replaces_the_template_items_of_each_record_keeps_its_other_values_and_reports_missing_ones()
    {
        var client = _on.Bearer(_token);
        await SendAsync(client, HttpMethod.Post, "/identityv2/data/batchCreate", Batch(2, "bu"));
        await client.PutAsync($"/api/handles/{_prefix}/bu-00001?index=1", new StringContent($$"""[{"index":1,"type":"URL","data":"https://e.cn/bu"}]""", System.Text.Encoding.UTF8, "application/json"));

        var (_, body) = await SendAsync(client, HttpMethod.Put, "/identityv2/data/batchUpdate", new[]
        {
            new { handle = $"{_prefix}/bu-00000", value = new[] { new { index = 2005, type = "colour", auth = "0", data = new { format = "string", value = "red" } } } },
            new { handle = $"{_prefix}/bu-00001", value = new[] { new { index = 2001, type = "productName", auth = "0", data = new { format = "string", value = "lamp two" } } } },
            new { handle = $"{_prefix}/bu-nope", value = new[] { new { index = 2001, type = "productName", auth = "0", data = new { format = "string", value = "x" } } } },
        });

        var items = body.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal([1, 1, -2], items.Select(i => i.GetProperty("code").GetInt32()));
        Assert.Contains("not found", items[2].GetProperty("msg").GetString(), StringComparison.OrdinalIgnoreCase);
        async Task<int[]> Indexes(string handle)
        {
            using var doc = JsonDocument.Parse(await (await client.GetAsync($"/api/handles/{handle}")).Content.ReadAsStringAsync());
            return doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()).ToArray();
        }
        var first = await Indexes($"{_prefix}/bu-00000");
        var second = await Indexes($"{_prefix}/bu-00001");
        Assert.Equal([1001, 2005], first);
        Assert.Equal([1, 1001, 2001], second);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/handles/{_prefix}/bu-nope")).StatusCode);
    }

    [Fact]
    public async Task BatchDelete_deletes_and_a_resent_delete_still_succeeds()
    {
        var client = _on.Bearer(_token);
        await SendAsync(client, HttpMethod.Post, "/identityv2/data/batchCreate", Batch(3, "d"));
        var handles = new[] { $"{_prefix}/d-00000", $"{_prefix}/d-00001" };
        var (_, first) = await SendAsync(client, HttpMethod.Delete, "/identityv2/data/batchDelete", handles);
        Assert.Equal(1, first.GetProperty("status").GetInt32());
        var (_, again) = await SendAsync(client, HttpMethod.Delete, "/identityv2/data/batchDelete", handles);
        Assert.Equal(1, again.GetProperty("status").GetInt32());
        var (_, never) = await SendAsync(client, HttpMethod.Delete, "/identityv2/data/batchDelete", new[] { $"{_prefix}/never-existed" });
        Assert.Equal(-2, never.GetProperty("data")[0].GetProperty("code").GetInt32());
        Assert.Equal(1, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(_prefix));
    }

    [Theory]
    [InlineData("""{"handle":"P/x","value":[{"index":1,"type":"URL","data":{"format":"string","value":"u"}}]}""", "≥ 2000")]
    [InlineData("""{"handle":"P/x","value":[{"index":2001,"type":"t","data":{"format":"hex","value":"00"}}]}""", "format")]
    [InlineData("""{"handle":"P/x","value":[{"index":2001,"type":"t","auth":"yes","data":"v"}]}""", "auth")]
    [InlineData("""{"handle":"P/x","value":[{"index":2001,"type":"t","data":"a"},{"index":2001,"type":"t","data":"b"}]}""", "2001")]
    [InlineData("""{"handle":"P/x","value":[]}""", "at least one")]
    [InlineData("""{"handle":"P/x","templateVersion":"","value":[]}""", "templateVersion")]
    [InlineData("""{"value":[]}""", "handle is required")]
    [InlineData("""not json""", "Malformed JSON")]
    public async Task Bad_items_are_business_errors_naming_the_rule(string json, string expected)
    {
        var (status, body) = await SendAsync(_on.Bearer(_token), HttpMethod.Post, "/identityv2/data", json.Replace("P/", _prefix + "/", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(-2, body.GetProperty("status").GetInt32());
        Assert.Contains(expected, body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await _server.Services.GetRequiredService<Core.Ports.IRecordStore>().CountAsync(_prefix));
    }

    [Fact]
    public async Task An_over_long_type_is_refused()
    {
        var item = new { handle = $"{_prefix}/long", value = new[] { new { index = 2001, type = new string('t', 129), data = "v" } } };
        var (_, body) = await SendAsync(_on.Bearer(_token), HttpMethod.Post, "/identityv2/data", item);
        Assert.Equal(-2, body.GetProperty("status").GetInt32());
        Assert.Contains("128", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
