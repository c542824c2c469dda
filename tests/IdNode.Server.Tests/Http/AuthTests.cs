using System.Net;
using System.Net.Http.Headers;

namespace IdNode.Server.Tests.Http;

public class AuthTests : IClassFixture<NodeFactory>
{
    private readonly NodeFactory _node;
    private readonly HttpClient _admin;
    private readonly HttpClient _anon;

    public AuthTests(NodeFactory node)
    {
        _node = node;
        _admin = node.Admin();
        _anon = node.Anonymous();
    }

    private const string Url = """[{"index":1,"type":"URL","data":"https://example.cn/p"}]""";

    private async Task CreateIdentityAsync(string handle, string secret, string? extra = null)
    {
        var body = $$"""[{"index":300,"type":"HS_SECKEY","data":"{{secret}}","permissions":"1100"}{{extra}}]""";
        await _admin.PutJsonAsync($"/api/handles/{handle}", body).ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task A_write_without_credentials_is_401_rc_402_with_a_basic_challenge()
    {
        var response = await _anon.PutJsonAsync("/api/handles/88.999.3/anon", Url);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(402, (await response.JsonAsync()).GetProperty("responseCode").GetInt32());
        Assert.Equal("Basic realm=\"handle\"", response.Headers.WwwAuthenticate.ToString());
        await _anon.GetAsync("/api/handles/88.999.3/anon").ExpectAsync(HttpStatusCode.NotFound, 100);
        await _anon.DeleteAsync("/api/handles/88.999/ADMIN").ExpectAsync(HttpStatusCode.Unauthorized, 402);
        await _anon.GetAsync("/api/handles/88.999/ADMIN").ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task Scripts_asking_with_xhr_get_no_browser_challenge()
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/handles/88.999.3/xhr") { Content = new StringContent(Url, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        var response = await _anon.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task A_wrong_secret_is_403_rc_403_and_stores_nothing()
    {
        var client = _node.WithBasic(NodeFactory.AdminUser, "wrong");
        await client.PutJsonAsync("/api/handles/88.999.3/wrong", Url).ExpectAsync(HttpStatusCode.Forbidden, 403);
        await _anon.GetAsync("/api/handles/88.999.3/wrong").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Theory]
    [InlineData("300%3A88.999/NOBODY", "x")]
    [InlineData("301%3A88.999/ADMIN", NodeFactory.AdminSecret)]
    [InlineData("300%3A88.188/ADMIN", "x")]
    [InlineData("abc%3A88.999/ADMIN", NodeFactory.AdminSecret)]
    [InlineData("88.999/ADMIN", NodeFactory.AdminSecret)]
    public async Task Unknown_or_malformed_identities_are_403_rc_404(string user, string secret)
    {
        var client = _node.WithBasic(user, secret);
        await client.PutJsonAsync("/api/handles/88.999.3/ident", Url).ExpectAsync(HttpStatusCode.Forbidden, 404);
    }

    [Fact]
    public async Task Garbage_authorization_headers_are_refused_cleanly()
    {
        foreach (var header in new[] { "Basic !!!notbase64", "Basic " + Convert.ToBase64String([0xff, 0xfe, 0x3a]), "Bearer abc", "Basic" })
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/api/handles/88.999.3/garbage") { Content = new StringContent(Url, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", header);
            var response = await _anon.SendAsync(request);
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{header}: {response.StatusCode}");
            var rc = (await response.JsonAsync()).GetProperty("responseCode").GetInt32();
            Assert.Contains(rc, new[] { 402, 403, 404 });
        }
        await _anon.GetAsync("/api/handles/88.999.3/garbage").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task The_unencoded_colon_form_also_authenticates()
    {
        var client = _node.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("300:88.999/ADMIN:" + NodeFactory.AdminSecret)));
        await client.PutJsonAsync("/api/handles/88.999.3/raw-colon", Url).ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task An_enterprise_identity_administers_its_prefix_and_derived_ones_only()
    {
        await CreateIdentityAsync("88.999.30/ADMIN", "ent-secret");
        var enterprise = _node.WithBasic("300%3A88.999.30/ADMIN", "ent-secret");
        await enterprise.PutJsonAsync("/api/handles/88.999.30/p1", Url).ExpectAsync(HttpStatusCode.OK, 1);
        await enterprise.PutJsonAsync("/api/handles/88.999.30.7/p1", Url).ExpectAsync(HttpStatusCode.OK, 1);
        await enterprise.PutJsonAsync("/api/handles/88.999.30/p2", Url).ExpectAsync(HttpStatusCode.OK, 1);

        await enterprise.PutJsonAsync("/api/handles/88.999.31/p1", Url).ExpectAsync(HttpStatusCode.Forbidden, 401);
        await enterprise.PutJsonAsync("/api/handles/88.999.301/p1", Url).ExpectAsync(HttpStatusCode.Forbidden, 401);
        await enterprise.PutJsonAsync("/api/handles/88.999/p1", Url).ExpectAsync(HttpStatusCode.Forbidden, 401);
        await enterprise.DeleteAsync("/api/handles/88.999/ADMIN").ExpectAsync(HttpStatusCode.Forbidden, 401);
        await _anon.GetAsync("/api/handles/88.999.31/p1").ExpectAsync(HttpStatusCode.NotFound, 100);

        // Its private values are readable by it, not by others.
        await enterprise.PutJsonAsync("/api/handles/88.999.30/priv", """[{"index":1,"type":"NOTE","data":"x","permissions":"1100"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(new[] { 1 }, (await enterprise.GetAsync("/api/handles/88.999.30/priv").ExpectAsync(HttpStatusCode.OK, 1)).Indexes());
        await CreateIdentityAsync("88.999.32/ADMIN", "other-secret");
        var other = _node.WithBasic("300%3A88.999.32/ADMIN", "other-secret");
        Assert.Empty((await other.GetAsync("/api/handles/88.999.30/priv").ExpectAsync(HttpStatusCode.OK, 1)).Indexes());
    }

    [Fact]
    public async Task An_identity_named_in_HS_ADMIN_may_modify_that_handle()
    {
        await CreateIdentityAsync("88.999.33/ADMIN", "listed-secret");
        var listed = _node.WithBasic("300%3A88.999.33/ADMIN", "listed-secret");
        const string withAdmin = """[{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"88.999.33/ADMIN","index":300,"permissions":"011111110001"}}},{"index":1,"type":"URL","data":"https://v1"}]""";
        await _admin.PutJsonAsync("/api/handles/88.999.34/shared", withAdmin).ExpectAsync(HttpStatusCode.OK, 1);
        await listed.PutJsonAsync("/api/handles/88.999.34/shared?index=1", """[{"index":1,"type":"URL","data":"https://v2"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        // The permission bits say no delete_handle (bit 10 is 0).
        await listed.DeleteAsync("/api/handles/88.999.34/shared").ExpectAsync(HttpStatusCode.Forbidden, 401);
        await listed.PutJsonAsync("/api/handles/88.999.34/not-shared", Url).ExpectAsync(HttpStatusCode.Forbidden, 401);
    }

    [Fact]
    public async Task Secrets_are_stored_hashed_and_changing_one_takes_effect()
    {
        await CreateIdentityAsync("88.999.35/ADMIN", "first");
        var first = _node.WithBasic("300%3A88.999.35/ADMIN", "first");
        await first.PutJsonAsync("/api/handles/88.999.35/a", Url).ExpectAsync(HttpStatusCode.OK, 1);

        var stored = await _admin.GetStringAsync("/api/handles/88.999.35/ADMIN");
        Assert.DoesNotContain("\"first\"", stored, StringComparison.Ordinal);
        Assert.Contains("$pbkdf2-sha256$", stored, StringComparison.Ordinal);

        await CreateIdentityAsync("88.999.35/ADMIN", "second");
        await first.PutJsonAsync("/api/handles/88.999.35/b", Url).ExpectAsync(HttpStatusCode.Forbidden, 403);
        await _node.WithBasic("300%3A88.999.35/ADMIN", "second").PutJsonAsync("/api/handles/88.999.35/b", Url).ExpectAsync(HttpStatusCode.OK, 1);
    }
}
