using System.Net;
using System.Net.Http.Headers;

namespace IdNode.Server.Tests.Http;

public class ProxyAndCorsTests : IClassFixture<NodeFactory>
{
    private readonly HttpClient _admin;
    private readonly HttpClient _anon;

    public ProxyAndCorsTests(NodeFactory node)
    {
        _admin = node.Admin();
        _anon = node.Anonymous();
    }

    [Fact]
    public async Task Scanning_an_identifier_redirects_to_its_url()
    {
        await _admin.PutJsonAsync("/api/handles/88.999.50/scan", """[{"index":2,"type":"URL","data":"https://example.cn/second"},{"index":1,"type":"URL","data":"https://example.cn/first"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        var response = await _anon.GetAsync("/88.999.50/scan");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://example.cn/first", response.Headers.Location!.ToString());

        var appended = await _anon.GetAsync("/88.999.50/scan?urlappend=%3Fq%3D1");
        Assert.Equal("https://example.cn/first?q=1", appended.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Noredirect_shows_the_values_as_a_page_or_as_json()
    {
        await _admin.PutJsonAsync("/api/handles/88.999.50/page", """[{"index":1,"type":"URL","data":"https://example.cn/p"},{"index":2,"type":"NAME","data":"<b>泵</b>"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        var html = await _anon.GetAsync("/88.999.50/page?noredirect");
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        var text = await html.Content.ReadAsStringAsync();
        Assert.Contains("&lt;b&gt;泵&lt;/b&gt;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>泵</b>", text, StringComparison.Ordinal);

        var request = new HttpRequestMessage(HttpMethod.Get, "/88.999.50/page?noredirect");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var json = await _anon.SendAsync(request).ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal([1, 2], json.Indexes());
    }

    [Fact]
    public async Task Loc_values_choose_by_locatt_then_weight()
    {
        const string loc = """<locations><location href="https://example.cn/en" weight="0" lang="en"/><location href="https://example.cn/zh" weight="1" lang="zh"/></locations>""";
        await _admin.PutJsonAsync("/api/handles/88.999.50/loc", $$"""[{"index":1,"type":"10320/loc","data":{{System.Text.Json.JsonSerializer.Serialize(loc)}}},{"index":2,"type":"URL","data":"https://example.cn/url"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal("https://example.cn/zh", (await _anon.GetAsync("/88.999.50/loc")).Headers.Location!.ToString());
        Assert.Equal("https://example.cn/en", (await _anon.GetAsync("/88.999.50/loc?locatt=lang:en")).Headers.Location!.ToString());
    }

    [Fact]
    public async Task Unknown_identifiers_and_unsafe_urls_do_not_redirect()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _anon.GetAsync("/88.999.50/nothing")).StatusCode);
        await _admin.PutJsonAsync("/api/handles/88.999.50/js", """[{"index":1,"type":"URL","data":"javascript:alert(1)"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        var response = await _anon.GetAsync("/88.999.50/js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal(HttpStatusCode.BadRequest, (await _anon.GetAsync("/not-an-identifier")).StatusCode);
    }

    [Fact]
    public async Task Cors_preflight_and_simple_requests_echo_the_origin()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/handles/88.999.50/x");
        preflight.Headers.Add("Origin", "https://app.example.cn");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        var response = await _anon.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://app.example.cn", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("PUT", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Contains("authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);

        var get = new HttpRequestMessage(HttpMethod.Get, "/api/handles/88.999/ADMIN");
        get.Headers.Add("Origin", "https://app.example.cn");
        var simple = await _anon.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        Assert.Equal("https://app.example.cn", simple.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var plainOptions = await _anon.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/api/handles/88.999/ADMIN"));
        Assert.Equal(HttpStatusCode.NoContent, plainOptions.StatusCode);
        Assert.Contains("DELETE", plainOptions.Content.Headers.Allow);
    }

    [Fact]
    public async Task Health_and_alive_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _anon.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _anon.GetAsync("/alive")).StatusCode);
    }
}
