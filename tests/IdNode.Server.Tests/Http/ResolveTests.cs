using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IdNode.Server.Tests.Http;

public partial class ResolveTests : IClassFixture<NodeFactory>
{
    private readonly NodeFactory _node;
    private readonly HttpClient _admin;
    private readonly HttpClient _anon;

    public ResolveTests(NodeFactory node)
    {
        _node = node;
        _admin = node.Admin();
        _anon = node.Anonymous();
    }

    private async Task<string> CreateAsync(string suffix, string valuesJson)
    {
        var handle = $"88.999.1/{suffix}";
        await _admin.PutJsonAsync($"/api/handles/{handle}", valuesJson).ExpectAsync(HttpStatusCode.OK, 1);
        return handle;
    }

    private const string Values = """
        [{"index":1,"type":"URL","data":"https://example.cn/p/abc"},
         {"index":2,"type":"EMAIL","data":{"format":"string","value":"a@example.cn"}},
         {"index":3,"type":"EMAIL.work","data":"w@example.cn"},
         {"index":4,"type":"email.home","data":"h@example.cn","ttl":60},
         {"index":5,"type":"SECRET_NOTE","data":"internal","permissions":"1100"},
         {"index":6,"type":"BLOB","data":{"format":"hex","value":"00ff10"}}]
        """;

    [Fact]
    public async Task Resolve_returns_the_exact_Handle_shape()
    {
        var handle = await CreateAsync("shape", Values);
        var response = await _anon.GetAsync($"/api/handles/{handle}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.JsonAsync();

        Assert.Equal(["responseCode", "handle", "values"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, body.GetProperty("responseCode").GetInt32());
        Assert.Equal(handle, body.GetProperty("handle").GetString());
        var url = body.GetProperty("values")[0];
        Assert.Equal(["index", "type", "data", "ttl", "timestamp"], url.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, url.GetProperty("index").GetInt32());
        Assert.Equal("URL", url.GetProperty("type").GetString());
        Assert.Equal("string", url.GetProperty("data").GetProperty("format").GetString());
        Assert.Equal("https://example.cn/p/abc", url.GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(86400, url.GetProperty("ttl").GetInt32());
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"), url.GetProperty("timestamp").GetString());

        // hex input is stored and returned as base64; the non-public value is absent for anonymous callers.
        Assert.Equal([1, 2, 3, 4, 6], body.Indexes());
        var blob = body.GetProperty("values")[4].GetProperty("data");
        Assert.Equal("base64", blob.GetProperty("format").GetString());
        Assert.Equal(Convert.ToBase64String([0x00, 0xff, 0x10]), blob.GetProperty("value").GetString());
        Assert.Equal(60, body.GetProperty("values")[3].GetProperty("ttl").GetInt32());
    }

    [Theory]
    [InlineData("type=EMAIL", new[] { 2 })]
    [InlineData("type=email", new[] { 2 })]
    [InlineData("type=EMAIL.", new[] { 2, 3, 4 })]
    [InlineData("type=EMAIL.work", new[] { 3 })]
    [InlineData("index=1", new[] { 1 })]
    [InlineData("index=1&index=6", new[] { 1, 6 })]
    [InlineData("type=URL&index=6", new[] { 1, 6 })]
    [InlineData("type=URL&type=email.home", new[] { 1, 4 })]
    public async Task Filters_are_ORed_case_insensitive_with_trailing_dot_subtypes(string query, int[] expected)
    {
        var handle = await CreateAsync("filters", Values);
        var body = await _anon.GetAsync($"/api/handles/{handle}?{query}").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(expected, body.Indexes());
    }

    [Fact]
    public async Task Filters_that_match_nothing_answer_200_with_rc_200()
    {
        var handle = await CreateAsync("nomatch", Values);
        await _anon.GetAsync($"/api/handles/{handle}?type=PHONE").ExpectAsync(HttpStatusCode.OK, 200);
        // A non-public value does not match for anonymous callers either.
        await _anon.GetAsync($"/api/handles/{handle}?index=5").ExpectAsync(HttpStatusCode.OK, 200);
    }

    [Fact]
    public async Task Non_public_values_only_reach_authorised_callers()
    {
        var handle = await CreateAsync("private", Values);
        var anonymous = await _anon.GetAsync($"/api/handles/{handle}?publicOnly=false").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.DoesNotContain(5, anonymous.Indexes());

        var admin = await _admin.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Contains(5, admin.Indexes());
        var secret = admin.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("index").GetInt32() == 5);
        Assert.Equal("1100", secret.GetProperty("permissions").GetString());

        var publicOnly = await _admin.GetAsync($"/api/handles/{handle}?publicOnly").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.DoesNotContain(5, publicOnly.Indexes());
    }

    [Fact]
    public async Task Pretty_prints()
    {
        var handle = await CreateAsync("pretty", Values);
        var text = await _anon.GetStringAsync($"/api/handles/{handle}?pretty");
        Assert.Contains("\n  \"responseCode\": 1", text, StringComparison.Ordinal);
        var compact = await _anon.GetStringAsync($"/api/handles/{handle}?pretty=no");
        Assert.DoesNotContain("\n", compact, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsonp_wraps_the_body_and_refuses_unsafe_names()
    {
        var handle = await CreateAsync("jsonp", Values);
        var response = await _anon.GetAsync($"/api/handles/{handle}?callback=my.cb_1");
        Assert.Equal("application/javascript", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("my.cb_1({\"responseCode\":1", text, StringComparison.Ordinal);
        Assert.EndsWith("});", text, StringComparison.Ordinal);

        var notFound = await (await _anon.GetAsync("/api/handles/88.999.1/none-such?callback=cb")).Content.ReadAsStringAsync();
        Assert.StartsWith("cb({\"responseCode\":100", notFound, StringComparison.Ordinal);

        await _anon.GetAsync($"/api/handles/{handle}?callback=alert(1)").ExpectAsync(HttpStatusCode.BadRequest, 4);
    }

    [Fact]
    public async Task Head_answers_like_get_without_a_body()
    {
        var handle = await CreateAsync("head", Values);
        var get = await _anon.GetAsync($"/api/handles/{handle}");
        var head = await _anon.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/handles/{handle}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        var missing = await _anon.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/handles/88.999.1/none-such"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Not_found_is_404_rc_100_with_handle_and_message()
    {
        var body = await _anon.GetAsync("/api/handles/88.999.1/nothing-here").ExpectAsync(HttpStatusCode.NotFound, 100);
        Assert.Equal("88.999.1/nothing-here", body.GetProperty("handle").GetString());
        Assert.Equal("Handle Not Found", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Empty_handle_is_400_rc_102()
    {
        var body = await _anon.GetAsync("/api/handles/").ExpectAsync(HttpStatusCode.BadRequest, 102);
        Assert.Equal("Empty handle invalid", body.GetProperty("message").GetString());
        await _anon.GetAsync("/api/handles").ExpectAsync(HttpStatusCode.BadRequest, 102);
    }

    [Theory]
    [InlineData("88.999/no-slash-in-prefix..x", 404)]
    [InlineData("nosuffix", 400)]
    [InlineData("88..999/x", 400)]
    [InlineData("88.999/%C3%28", 400)]
    [InlineData("88.999/%E2%82", 400)]
    [InlineData("88.999/a%01b", 400)]
    public async Task Malformed_identifiers_are_400_with_a_Handle_body(string path, int status)
    {
        var response = await _anon.GetAsync($"/api/handles/{path}");
        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("responseCode").GetInt32() is 4 or 100 or 102);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task The_path_is_fully_decoded_including_slashes_and_plus_is_kept()
    {
        var handle = await CreateAsync("a+b/c d", """[{"index":1,"type":"URL","data":"https://example.cn/x"}]""");
        Assert.Equal("88.999.1/a+b/c d", handle);
        await _anon.GetAsync("/api/handles/88.999.1%2Fa+b%2Fc%20d").ExpectAsync(HttpStatusCode.OK, 1);
        await _anon.GetAsync("/api/handles/88.999.1/a+b/c%20d").ExpectAsync(HttpStatusCode.OK, 1);
        await _anon.GetAsync("/api/handles/88.999.1/a%2Bb/c%20d").ExpectAsync(HttpStatusCode.OK, 1);
        await _anon.GetAsync("/api/handles/88.999.1/a%20b/c%20d").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Prefixes_compare_ignoring_case_suffixes_do_not()
    {
        await CreateAsync("CaseX", """[{"index":1,"type":"URL","data":"https://example.cn/x"}]""");
        var body = await _anon.GetAsync("/api/handles/88.999.1/CaseX").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal("88.999.1/CaseX", body.GetProperty("handle").GetString());
        await _anon.GetAsync("/api/handles/88.999.1/casex").ExpectAsync(HttpStatusCode.NotFound, 100);
        var upper = await _anon.GetAsync("/api/handles/88.999.1/CaseX").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(body.GetRawText(), upper.GetRawText());
    }

    [Fact]
    public async Task Unicode_suffixes_round_trip()
    {
        var handle = await CreateAsync("泵-2026-0001", """[{"index":1,"type":"URL","data":"https://example.cn/泵"},{"index":2,"type":"NAME","data":"离心泵"}]""");
        var body = await _anon.GetAsync("/api/handles/" + Uri.EscapeDataString(handle)).ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal(handle, body.GetProperty("handle").GetString());
        Assert.Equal("离心泵", body.GetProperty("values")[1].GetProperty("data").GetProperty("value").GetString());
        Assert.Contains("离心泵", await _anon.GetStringAsync("/api/handles/" + Uri.EscapeDataString(handle)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolving_again_after_an_update_returns_the_new_values()
    {
        var handle = await CreateAsync("updated", """[{"index":1,"type":"URL","data":"https://example.cn/v1"}]""");
        Assert.Contains("v1", await _anon.GetStringAsync($"/api/handles/{handle}"), StringComparison.Ordinal);
        await _admin.PutJsonAsync($"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://example.cn/v2"}]""").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Contains("v2", await _anon.GetStringAsync($"/api/handles/{handle}"), StringComparison.Ordinal);
        await _admin.DeleteAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.OK, 1);
        await _anon.GetAsync($"/api/handles/{handle}").ExpectAsync(HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task A_negative_answer_is_dropped_when_the_identifier_is_created()
    {
        await _anon.GetAsync("/api/handles/88.999.1/later").ExpectAsync(HttpStatusCode.NotFound, 100);
        await CreateAsync("later", """[{"index":1,"type":"URL","data":"https://example.cn/later"}]""");
        await _anon.GetAsync("/api/handles/88.999.1/later").ExpectAsync(HttpStatusCode.OK, 1);
    }

    [Fact]
    public async Task Auth_true_reads_through_the_cache()
    {
        var handle = await CreateAsync("authoritative", """[{"index":1,"type":"URL","data":"https://example.cn/a"}]""");
        var body = await _anon.GetAsync($"/api/handles/{handle}?auth=true").ExpectAsync(HttpStatusCode.OK, 1);
        Assert.Equal([1], body.Indexes());
    }

    [Fact]
    public async Task Foreign_identifiers_are_not_found_here()
        => await _anon.GetAsync("/api/handles/88.188.1001/x").ExpectAsync(HttpStatusCode.NotFound, 100);

    [Fact]
    public async Task Admin_handle_is_resolvable_and_never_shows_the_secret()
    {
        var anonymous = await _anon.GetStringAsync("/api/handles/88.999/ADMIN");
        Assert.DoesNotContain("HS_SECKEY", anonymous, StringComparison.Ordinal);
        var admin = await _admin.GetStringAsync("/api/handles/88.999/ADMIN");
        Assert.Contains("HS_SECKEY", admin, StringComparison.Ordinal);
        Assert.DoesNotContain(NodeFactory.AdminSecret, admin, StringComparison.Ordinal);
        Assert.Contains("$pbkdf2-sha256$", admin, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(admin);
        Assert.Equal(1, doc.RootElement.GetProperty("responseCode").GetInt32());
    }
}
