using System.Net;
using IdNode.Core.Identifiers;
using IdNode.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace IdNode.Server.Tests.Http;

public class WriteTests : IClassFixture<NodeFactory>
{
    private readonly NodeFactory _node;
    private readonly HttpClient _admin;
    private readonly HttpClient _anon;

    public WriteTests(NodeFactory node)
    {
        _node = node;
        _admin = node.Admin();
        _anon = node.Anonymous();
    }

    private const string Url = """{"index":1,"type":"URL","data":"https://example.cn/p"}""";

    [Theory]
    [InlineData("[" + Url + "]")]
    [InlineData("{\"values\":[" + Url + "]}")]
    [InlineData("{\"handle\":\"88.999.2/BODY\",\"values\":[" + Url + "]}")]
    [InlineData(Url)]
    [InlineData("""[{"index":"1","type":"URL","data":{"format":"string","value":"https://example.cn/p"}}]""")]
    public async Task Every_body_shape_real_clients_send_is_accepted(string body)
    {
        var handle = "88.999.2/body";
        if (body.Contains("BODY", StringComparison.Ordinal))
            handle = "88.999.2/BODY";
        else
            handle += Guid.NewGuid().ToString("N");
        await _admin.PutJsonAsync($"/api/handles/{handle}", body).ExpectAsync(HttpStatusCode.OK, 1);
        var resolved = await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal("https://example.cn/p", resolved.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());
    }

    [Fact]
    public async Task The_pyhandle_write_flow_works()
    {
        // fixtures/handle/pyhandle_rest_transcript.txt, with our prefix: GET the admin handle, then PUT with Basic.
        await _anon.GetAsync("/api/handles/88.999/ADMIN").ExpectAsync(HttpStatusCode.OK, 1);
        const string body = """{"values": [{"index": 100, "type": "HS_ADMIN", "data": {"value": {"index": "200", "handle": "0.NA/88.999", "permissions": "011111110011"}, "format": "admin"}}, {"index": 1, "type": "URL", "data": "http://example.org/new1"}]}""";
        var result = await _admin.PutJsonAsync("/api/handles/88.999/new1?overwrite=true", body).ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal("88.999/new1", result.GetProperty("handle").GetString());
        var resolved = await _anon.GetAsync("/api/handles/88.999/new1").ExpectAsync(HttpStatusCode.OK, 1);
        var admin = resolved.GetProperty("values")[0].GetProperty("data");
        Assert.Equal("admin", admin.GetProperty("format").GetString());
        Assert.Equal(200, admin.GetProperty("value").GetProperty("index").GetInt32());
        Assert.Equal("0.NA/88.999", admin.GetProperty("value").GetProperty("handle").GetString());
        Assert.Equal("011111110011", admin.GetProperty("value").GetProperty("permissions").GetString());
    }

    [Fact]
    public async Task Overwrite_defaults_to_true_and_false_creates_with_201_or_conflicts_with_409()
    {
        var handle = "88.999.2/ow-" + Guid.NewGuid().ToString("N");
        await _admin.PutJsonAsync($"/api/handles/{handle}?overwrite=false", "[" + Url + "]").ExpectAsync(HttpStatusCode.Created, 1);
        await _admin.PutJsonAsync($"/api/handles/{handle}?overwrite=false", "[" + Url + "]").ExpectAsync(HttpStatusCode.Conflict, 101);
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":7,"type":"NOTE","data":"replaced"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        var resolved = await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal([7], resolved.Indexes());
        // overwrite=true on a new handle is a plain 200.
        await _admin.PutJsonAsync($"/api/handles/{handle}-2?overwrite=true", "[" + Url + "]").ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task Index_parameters_add_or_replace_only_those_values()
    {
        var handle = "88.999.2/idx-" + Guid.NewGuid().ToString("N");
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://a"},{"index":2,"type":"EMAIL","data":"a@b"}]""").ExpectAsync(HttpStatusCode.OK, 1);

        await _admin.PutJsonAsync($"/api/handles/{handle}?index=2", """[{"index":2,"type":"EMAIL","data":"new@b"},{"index":3,"type":"X","data":"ignored"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        var body = await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal([1, 2], body.Indexes());
        Assert.Equal("new@b", body.GetProperty("values")[1].GetProperty("data").GetProperty("value").GetString());

        await _admin.PutJsonAsync($"/api/handles/{handle}?index=various", """[{"index":3,"type":"PHONE","data":"123"},{"index":1,"type":"URL","data":"https://z"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        body = await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal([1, 2, 3], body.Indexes());
        Assert.Equal("https://z", body.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());

        // Adding an existing index with overwrite=false conflicts; a new one is a 201 add.
        await _admin.PutJsonAsync($"/api/handles/{handle}?index=various&overwrite=false", """[{"index":3,"type":"PHONE","data":"9"}]""").ExpectAsync(HttpStatusCode.Conflict, 201);
        await _admin.PutJsonAsync($"/api/handles/{handle}?index=4&overwrite=false", """[{"index":4,"type":"FAX","data":"9"}]""").ExpectAsync(HttpStatusCode.Created, 1);
        // index=N with no such value in the body, and partial updates of a missing handle.
        await _admin.PutJsonAsync($"/api/handles/{handle}?index=9", """[{"index":4,"type":"FAX","data":"9"}]""").ExpectAsync(HttpStatusCode.BadRequest, 202);
        await _admin.PutJsonAsync($"/api/handles/88.999.2/missing-{Guid.NewGuid():N}?index=various", """[{"index":4,"type":"FAX","data":"9"}]""").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Mint_new_suffix_creates_a_unique_identifier_under_the_prefix()
    {
        var first = await _admin.PutJsonAsync("/api/handles/88.999.2/?mintNewSuffix=true", "[" + Url + "]").ExpectAsync(HttpStatusCode.Created, 1);
        var second = await _admin.PutJsonAsync("/api/handles/88.999.2/?mintNewSuffix=true", "[" + Url + "]").ExpectAsync(HttpStatusCode.Created, 1);
        var a = first.GetProperty("handle").GetString()!;
        var b = second.GetProperty("handle").GetString()!;
        Assert.StartsWith("88.999.2/", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        await _anon.GetAsync($"/api/handles/{a}").ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Theory]
    [InlineData("""[{"index":1,"type":"URL","data":"x"},{"index":1,"type":"URL","data":"y"}]""", HttpStatusCode.Conflict, 201)]
    [InlineData("""[{"index":1,"type":"B","data":{"format":"base64","value":"not base64!"}}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"B","data":{"format":"hex","value":"abc"}}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":0,"type":"URL","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":-3,"type":"URL","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"type":"URL","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"URL"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1.5,"type":"URL","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"URL","data":42}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"string","value":7}}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"weird","value":"x"}}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"URL","data":"x","permissions":"11"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":1,"type":"URL","data":"x","ttl":"soon"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":100,"type":"URL","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":5,"type":"HS_ADMIN","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"88.999/ADMIN","index":300,"permissions":"12"}}}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[{"index":300,"type":"URL","data":"x"}]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""[]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""{"values":{}}""", HttpStatusCode.BadRequest, 4)]
    [InlineData("""[1,2]""", HttpStatusCode.BadRequest, 202)]
    [InlineData("""{"values":[{"index":1,"type":"URL","data":"x"}],"handle":"88.999.2/other"}""", HttpStatusCode.BadRequest, 102)]
    [InlineData("""[{"index":1,"type":"URL","data":"x"}""", HttpStatusCode.BadRequest, 4)]
    [InlineData("""not json""", HttpStatusCode.BadRequest, 4)]
    [InlineData("""42""", HttpStatusCode.BadRequest, 4)]
    public async Task Bad_values_are_refused_and_nothing_is_stored(string body, HttpStatusCode status, int rc)
    {
        var handle = "88.999.2/bad-" + Guid.NewGuid().ToString("N");
        var error = await _admin.PutJsonAsync($"/api/handles/{handle}", body).ExpectAsync(status, rc);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task The_body_must_be_json()
    {
        var handle = "88.999.2/ct-" + Guid.NewGuid().ToString("N");
        var response = await _admin.PutAsync($"/api/handles/{handle}", new StringContent("[" + Url + "]", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(4, (await response.JsonAsync()).GetProperty("responseCode").GetInt32());
        await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Writes_outside_the_node_prefix_are_not_this_servers_responsibility()
    {
        var body = await _admin.PutJsonAsync("/api/handles/88.188.1001/x", "[" + Url + "]").ExpectAsync(HttpStatusCode.BadRequest, 301);
        Assert.Contains("88.999", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        await _admin.PutJsonAsync("/api/handles/88.9991/x", "[" + Url + "]").ExpectAsync(HttpStatusCode.BadRequest, 301);
        await _admin.DeleteAsync("/api/handles/88.188.1001/x").ExpectAsync(HttpStatusCode.BadRequest, 301);
    }

    [Fact]
    public async Task Delete_removes_the_handle_or_only_the_given_values()
    {
        var handle = "88.999.2/del-" + Guid.NewGuid().ToString("N");
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://a"},{"index":2,"type":"EMAIL","data":"a@b"},{"index":3,"type":"X","data":"c"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        await _admin.DeleteAsync($"/api/handles/{handle}?index=2&index=3").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(new[] { 1 }, (await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1)).Indexes());
        await _admin.DeleteAsync($"/api/handles/{handle}?index=9").ExpectAsync(HttpStatusCode.BadRequest, 200);

        var deleted = await _admin.DeleteAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(handle, deleted.GetProperty("handle").GetString());
        await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.NotFound, 100);
        await _admin.DeleteAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Every_version_is_kept_in_history_across_overwrite_delete_and_recreate()
    {
        var handle = "88.999.2/hist-" + Guid.NewGuid().ToString("N");
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://v1"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://v2"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        // An identical overwrite is acknowledged without a new version.
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://v2"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        await _admin.DeleteAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://v3"}]""").ExpectAsync(HttpStatusCode.OK, 1);

        var store = _node.Services.GetRequiredService<IRecordStore>();
        var history = await store.GetHistoryAsync(Identifier.Parse(handle).Key);
        Assert.Equal([1L, 2L, 3L, 4L], history.Select(h => h.Version));
        Assert.Equal([ChangeKind.Create, ChangeKind.Update, ChangeKind.Delete, ChangeKind.Create], history.Select(h => h.Kind));
        Assert.Contains("https://v1", System.Text.Encoding.UTF8.GetString(history[0].Data!), StringComparison.Ordinal);
        Assert.Contains("https://v2", System.Text.Encoding.UTF8.GetString(history[1].Data!), StringComparison.Ordinal);
        Assert.Null(history[2].Data);
        Assert.All(history, h => Assert.Equal("300:88.999/ADMIN", h.Actor));
    }

    [Fact]
    public async Task Post_and_patch_are_not_supported()
    {
        var response = await _admin.PostAsync("/api/handles/88.999.2/x", new StringContent("[]", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal(5, (await response.JsonAsync()).GetProperty("responseCode").GetInt32());
    }
}
